"""Tokenizer for the expression language.

Mirrors Attune's lexer: ASCII identifiers, `and or not in true false null` as keywords,
integers and `digits.digits` floats (no exponent), single- or double-quoted strings with
backslash escapes. Characters Attune rejects still become tokens (kind `error`, or
`unterminated` for an unclosed string) so that the parser can report them with a range.
A few operators of other template languages (`|`, `{`, `}`, `:`, `~`, `//`, `**`, `&&`,
`||`, `!`, `=`, `?`) are tokens too, so that they get a precise message.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .memo import file_memoized

NAME = "name"
INT = "int"
FLOAT = "float"
STRING = "string"
EOF = "eof"
ERROR = "error"
UNTERMINATED = "unterminated"

KEYWORD_KINDS: frozenset[str] = frozenset({"and", "or", "not", "in", "true", "false", "null"})
"""Token kinds of the reserved words (the kind is the word itself)."""

OPERATOR_KINDS: frozenset[str] = frozenset(
    {
        "==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "/", "%",
        "(", ")", "[", "]", ",", ".",
        # Not Attune, recognised for better messages.
        "&&", "||", "**", "//", "|", "{", "}", ":", "=", "!", "?", "~",
    }
)  # fmt: skip
"""Token kinds of operators and punctuation (the kind is the operator text)."""

# Leading whitespace is part of each match, so one match is one token; the group
# numbers index `_GROUP_KINDS`.
_TOKEN_RE = re.compile(
    r"""
    \s*(?:
    ([0-9]+\.[0-9]+)
    |([0-9]+)
    |([A-Za-z_][A-Za-z0-9_]*)
    |("[^"\\]*(?:\\.[^"\\]*)*"|'[^'\\]*(?:\\.[^'\\]*)*')
    |(==|!=|<=|>=|&&|\|\||\*\*|//|[-+*/%<>()\[\],.|{}:=!?~])
    |(["'].*)
    |(\S)
    )
    """,
    re.VERBOSE | re.DOTALL,
)
_GROUP_KINDS = ("", "float", "int", "name", "string", "op", "unterminated", "error")

_ESCAPE_RE = re.compile(r"\\(.)", re.DOTALL)
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\"}


class Token(NamedTuple):
    """One token: its kind, source text and offsets (end exclusive) in the expression."""

    kind: str
    text: str
    start: int
    end: int


def scan(src: str) -> tuple[list[str], list[int], list[int]]:
    """Token kinds, start offsets and end offsets of `src`, ending with an `eof` token."""
    kinds: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    add_kind = kinds.append
    add_start = starts.append
    add_end = ends.append
    keywords = KEYWORD_KINDS
    group_kinds = _GROUP_KINDS
    for m in _TOKEN_RE.finditer(src):
        group = m.lastindex
        if group is None:
            continue
        start, end = m.span(group)
        kind = group_kinds[group]
        if kind == "op":
            kind = src[start:end]
        elif kind == NAME:
            text = src[start:end]
            kind = text if text in keywords else NAME
        add_kind(kind)
        add_start(start)
        add_end(end)
    kinds.append(EOF)
    starts.append(len(src))
    ends.append(len(src))
    return kinds, starts, ends


@file_memoized(4096)
def tokenize(src: str) -> tuple[Token, ...]:
    """All tokens of `src`, whitespace skipped, ending with an `eof` token."""
    kinds, starts, ends = scan(src)
    return tuple(
        Token(kind, src[start:end], start, end)
        for kind, start, end in zip(kinds, starts, ends, strict=True)
    )


def _unescape(match: re.Match[str], quote: str) -> str:
    char = match.group(1)
    simple = _SIMPLE_ESCAPES.get(char)
    if simple is not None:
        return simple
    if char == quote:
        return char
    # Attune keeps an unknown escape as written.
    return match.group()


def string_value(text: str) -> str:
    """The value of a string token's source text (quotes included), escapes decoded."""
    body = text[1:-1]
    if "\\" not in body:
        return body
    quote = text[0]
    return _ESCAPE_RE.sub(lambda m: _unescape(m, quote), body)

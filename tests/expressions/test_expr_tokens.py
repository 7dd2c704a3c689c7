"""The tokenizer."""

from __future__ import annotations

import pytest

from attune_workflow.expressions import Token, tokenize
from attune_workflow.expressions.tokens import string_value


def kinds(src: str) -> list[tuple[str, str]]:
    return [(t.kind, t.text) for t in tokenize(src)]


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        ("a.b == 'x'", [("name", "a"), (".", "."), ("name", "b"), ("==", "=="), ("string", "'x'")]),
        (
            "true and not false or null in x",
            [
                ("true", "true"),
                ("and", "and"),
                ("not", "not"),
                ("false", "false"),
                ("or", "or"),
                ("null", "null"),
                ("in", "in"),
                ("name", "x"),
            ],
        ),
        ("42.field", [("int", "42"), (".", "."), ("name", "field")]),
        ("3.15", [("float", "3.15")]),
        ("1.", [("int", "1"), (".", ".")]),
        (".5", [(".", "."), ("int", "5")]),
        ("<=>=!=", [("<=", "<="), (">=", ">="), ("!=", "!=")]),
        ("a//b**c", [("name", "a"), ("//", "//"), ("name", "b"), ("**", "**"), ("name", "c")]),
        ("x|f", [("name", "x"), ("|", "|"), ("name", "f")]),
        ("a||b&&c", [("name", "a"), ("||", "||"), ("name", "b"), ("&&", "&&"), ("name", "c")]),
        ("{ }:~?", [("{", "{"), ("}", "}"), (":", ":"), ("~", "~"), ("?", "?")]),
        ("'abc", [("unterminated", "'abc")]),
        ("a 'b\n c", [("name", "a"), ("unterminated", "'b\n c")]),
        ("$", [("error", "$")]),
        ("é1", [("error", "é"), ("int", "1")]),
        ("_a1 A_", [("name", "_a1"), ("name", "A_")]),
        ("andy notx", [("name", "andy"), ("name", "notx")]),
        ("\t a \n\u00a0b  ", [("name", "a"), ("name", "b")]),
        ("", []),
        ("   ", []),
    ],
)
def test_tokenize(src: str, expected: list[tuple[str, str]]) -> None:
    tokens = tokenize(src)
    assert tokens[-1] == Token("eof", "", len(src), len(src))
    assert kinds(src)[:-1] == expected
    for token in tokens:
        assert src[token.start : token.end] == token.text


def test_token_offsets() -> None:
    assert list(tokenize(" ab + 'c' ")) == [
        Token("name", "ab", 1, 3),
        Token("+", "+", 4, 5),
        Token("string", "'c'", 6, 9),
        Token("eof", "", 10, 10),
    ]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('"plain"', "plain"),
        (r'"a\nb\tc\rd"', "a\nb\tc\rd"),
        (r'"\\"', "\\"),
        (r'"\""', '"'),
        (r"'\''", "'"),
        (r"'\"'", '\\"'),
        (r'"\x41"', "\\x41"),
        (r'"\u00e9"', "\\u00e9"),
    ],
)
def test_string_value(text: str, value: str) -> None:
    assert string_value(text) == value

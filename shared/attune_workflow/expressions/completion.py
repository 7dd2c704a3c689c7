"""What the user is typing at a cursor inside an expression, for editor completion.

Works on incomplete text (`task.`, `task["cre`, `length(`), where the parser has no tree.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass

from .tokens import FLOAT, INT, KEYWORD_KINDS, NAME, STRING, UNTERMINATED, scan, string_value

CompletionKind = typing.Literal["name", "member", "key"]

_WORD_KINDS = KEYWORD_KINDS | {NAME}


@dataclass(frozen=True, slots=True)
class CompletionContext:
    """The completion situation at a cursor.

    * `name`: a bare name is expected (namespace, variable or function);
    * `member`: after `root.seg.`; complete the next key of `root` + `segments`;
    * `key`: after `root[` (with `quote` when a string was opened).

    `prefix` is what was typed of the item so far and starts at `start`; the cursor is
    the end of the range to replace. `root` is None for `name`, and when `root_is_call`
    it is a function name (`result().`).
    """

    kind: CompletionKind
    root: str | None
    root_is_call: bool
    segments: tuple[str | int, ...]
    prefix: str
    start: int
    quote: str | None = None


def _chain(
    kinds: list[str], starts: list[int], ends: list[int], src: str, last: int
) -> tuple[str, bool, tuple[str | int, ...]] | None:
    """Root, whether it is a call, and static segments of the chain ending at token `last`."""
    segments: list[str | int] = []
    j = last
    while j >= 0:
        kind = kinds[j]
        if kind in _WORD_KINDS:
            word = src[starts[j] : ends[j]]
            if j >= 1 and kinds[j - 1] == ".":
                segments.append(word)
                j -= 2
                continue
            segments.reverse()
            return word, False, tuple(segments)
        if kind == "]":
            inner = kinds[j - 1] if j >= 1 else ""
            if j >= 2 and inner == STRING and kinds[j - 2] == "[":
                segments.append(string_value(src[starts[j - 1] : ends[j - 1]]))
                j -= 3
                continue
            if j >= 2 and inner == INT and kinds[j - 2] == "[":
                segments.append(int(src[starts[j - 1] : ends[j - 1]]))
                j -= 3
                continue
            if j >= 3 and inner == INT and kinds[j - 2] == "-" and kinds[j - 3] == "[":
                segments.append(-int(src[starts[j - 1] : ends[j - 1]]))
                j -= 4
                continue
            return None
        if kind == ")" and j >= 2 and kinds[j - 1] == "(" and kinds[j - 2] == NAME:
            segments.reverse()
            return src[starts[j - 2] : ends[j - 2]], True, tuple(segments)
        return None
    return None


def completion_context(src: str, offset: int) -> CompletionContext | None:
    """The completion context at `offset` in the expression `src`, or None (e.g. in a string)."""
    offset = min(max(offset, 0), len(src))
    head = src[:offset]
    kinds, starts, ends = scan(head)
    last = len(kinds) - 2  # the final token is `eof`
    touching = last >= 0 and ends[last] == offset
    prefix = ""
    prefix_start = offset
    if touching and kinds[last] in _WORD_KINDS:
        prefix = head[starts[last] :]
        prefix_start = starts[last]
        last -= 1
    elif touching and kinds[last] == UNTERMINATED:
        if last < 1 or kinds[last - 1] != "[":
            return None
        chain = _chain(kinds, starts, ends, head, last - 2)
        if chain is None:
            return None
        root, is_call, segments = chain
        text = head[starts[last] :]
        return CompletionContext(
            "key", root, is_call, segments, text[1:], starts[last] + 1, quote=text[0]
        )
    elif touching and kinds[last] in (INT, FLOAT, STRING):
        # Directly after a literal there is nothing to complete.
        return None
    if last >= 0 and kinds[last] == ".":
        chain = _chain(kinds, starts, ends, head, last - 1)
        if chain is None:
            return None
        root, is_call, segments = chain
        return CompletionContext("member", root, is_call, segments, prefix, prefix_start)
    if last >= 0 and kinds[last] == "[" and not prefix:
        chain = _chain(kinds, starts, ends, head, last - 1)
        if chain is not None:
            root, is_call, segments = chain
            return CompletionContext("key", root, is_call, segments, "", offset)
    return CompletionContext("name", None, False, (), prefix, prefix_start)

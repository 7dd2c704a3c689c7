"""Finding `{{ expr }}` blocks in template strings, the way Attune does.

Attune scans for `{{` and takes everything up to the next `}}`: there is no escaping
and no nesting, and an unclosed `{{` is literal text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..frozen import quick_init
from .memo import file_memoized

_JINJA_OPEN_RE = re.compile(r"\{[{%#]")
_JINJA_CLOSERS = {"%": "%}", "#": "#}"}


@quick_init
@dataclass(frozen=True, slots=True)
class Block:
    """One `{{ expr }}` block: offsets of `{{` and just past `}}`, and of the inner text.

    `closed` is false only for the unclosed block `block_at` returns while typing.
    """

    start: int
    end: int
    expr_start: int
    expr_end: int
    expr: str
    closed: bool = True


@file_memoized(4096)
def find_blocks(text: str) -> tuple[Block, ...]:
    """Every closed `{{ ... }}` block of `text`, in order."""
    blocks: list[Block] = []
    find = text.find
    pos = 0
    while True:
        start = find("{{", pos)
        if start < 0:
            break
        close = find("}}", start + 2)
        if close < 0:
            break
        blocks.append(Block(start, close + 2, start + 2, close, text[start + 2 : close]))
        pos = close + 2
    return tuple(blocks)


def is_pure_template(text: str) -> bool:
    """Whether the stripped text is exactly one `{{ expr }}` block (its value keeps its type)."""
    stripped = text.strip()
    blocks = find_blocks(stripped)
    return len(blocks) == 1 and blocks[0].start == 0 and blocks[0].end == len(stripped)


def is_mixed_template(text: str) -> bool:
    """Whether the text has a block but is not pure (it always renders to a string)."""
    return bool(find_blocks(text)) and not is_pure_template(text)


def block_at(text: str, offset: int) -> Block | None:
    """The block whose inner text contains `offset` (ends included), for editor features.

    A `{{` with no `}}` after it gives a block with `closed` false that runs to the end.
    """
    blocks = find_blocks(text)
    for block in blocks:
        if block.expr_start <= offset <= block.expr_end:
            return block
        if block.start > offset:
            return None
    # Only the first `{{` after the last closed block can be unclosed: no `}}` follows it.
    start = text.find("{{", blocks[-1].end if blocks else 0)
    if start < 0 or offset < start + 2:
        return None
    return Block(start, len(text), start + 2, len(text), text[start + 2 :], closed=False)


@lru_cache(maxsize=4096)
def find_jinja_statements(text: str) -> tuple[tuple[int, int], ...]:
    """Offsets `(start, end)` of Jinja `{% ... %}` statements and `{# ... #}` comments.

    Text inside `{{ }}` blocks is skipped; an unclosed `{%` or `{#` is not reported.
    """
    found: list[tuple[int, int]] = []
    pos = 0
    while True:
        m = _JINJA_OPEN_RE.search(text, pos)
        if m is None:
            break
        start = m.start()
        kind = text[start + 1]
        if kind == "{":
            close = text.find("}}", start + 2)
            # An unclosed `{{` is literal text: keep looking right after it.
            pos = start + 2 if close < 0 else close + 2
            continue
        close = text.find(_JINJA_CLOSERS[kind], start + 2)
        if close < 0:
            pos = start + 2
            continue
        found.append((start, close + 2))
        pos = close + 2
    return tuple(found)

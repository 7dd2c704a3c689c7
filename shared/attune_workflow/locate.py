"""Source offsets of scalar characters, for editor features that work inside a string.

A scalar's value and its source differ (quotes, escapes, folded lines); these helpers
go from a value offset to source spans and back through the parser's offset map.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator

from .context import Context
from .expressions import block_at
from .positions import LineIndex, Span
from .yamlsource import ScalarNode, end_position, scalar_offsets, start_position


def value_offset(ctx: Context, node: ScalarNode, line: int, column: int) -> int | None:
    """The offset in a scalar's value of a source position (None outside the value)."""
    offsets = scalar_offsets(ctx.text, node)
    if offsets is None:
        return None
    target = ctx.doc.lines.offset(line, column)
    if target < offsets[0] or target > offsets[-1]:
        return None
    index = bisect_right(offsets, target) - 1
    return index if offsets[index] == target else index + 1


def value_runs(ctx: Context, offsets: list[int], start: int, end: int) -> Iterator[Span]:
    """Spans of the source of value characters ``start:end``, one per line.

    Each character's source runs up to the next one's (an escape such as ``\\"`` is two
    source characters); a token of a folded string gives one span per line, without
    the line's indentation and trailing blanks.
    """
    if end <= start or start >= len(offsets) - 1:
        return
    lines = ctx.doc.lines
    text = ctx.text
    first = offsets[start]
    last = offsets[min(end, len(offsets) - 1)]
    line, _ = lines.position(first)
    end_line, _ = lines.position(max(first, last - 1))
    for number in range(line, end_line + 1):
        begin = max(first, lines.offset(number, 0))
        stop = min(last, lines.line_end(number))
        if number > line:
            while begin < stop and text[begin] in " \t":
                begin += 1
        if number < end_line:
            while stop > begin and text[stop - 1] in " \t":
                stop -= 1
        if stop > begin:
            yield lines.span(begin, stop)


def block_text_at(ctx: Context, line: int, column: int) -> tuple[str, int] | None:
    """The text of the ``{{ }}`` block under a cursor in a templated string (an unclosed
    block runs to the string's end, as while typing) and the cursor's offset in it."""
    for templated in ctx.templated:
        node = templated.node
        if not _near(node, line, ctx.doc.lines):
            continue
        offset = value_offset(ctx, node, line, column)
        if offset is None:
            continue
        block = block_at(str(node.value), offset)
        if block is not None:
            return block.expr, offset - block.expr_start
    return None


def _near(node: ScalarNode, line: int, lines: LineIndex) -> bool:
    return start_position(node, lines)[0] <= line <= end_position(node, lines)[0]

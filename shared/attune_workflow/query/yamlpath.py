"""Where a cursor is in a YAML document, read from the lines alone.

While a file is being typed it is often not valid YAML, so completion cannot rely on the
parser. This reads the structure from indentation, the way editors do: the keys and
sequence items that enclose the cursor line, and whether the cursor is on a key, a value,
a ``- item`` or inside a block scalar. Columns are code points (engine positions).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

ITEM = "-"
"""Path segment of a sequence item."""

Kind = Literal["key", "value", "item", "block"]

_KEY = re.compile(
    r"""("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"{\[\]},&*!|>%@`-][^#]*?|-[^\s#][^#]*?)\s*:(?=\s|$)"""
)
_BLOCK = re.compile(r"^[|>][-+0-9]*\s*(#.*)?$")
_WORD = re.compile(r"[A-Za-z0-9_.\-]")


@dataclass(frozen=True, slots=True)
class Frame:
    """One enclosing container: a key (its line and column) or a sequence item (its dash)."""

    segment: str
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class LineContext:
    """The syntactic place of a cursor.

    ``path`` holds the containers from the root to the mapping or sequence the cursor's
    token belongs to (keys, and ``ITEM`` for sequence items). ``kind`` tells what the
    token is: a ``key`` of that mapping, the ``value`` of ``key``, a ``- item`` of the
    sequence, or a line inside the ``block`` scalar of ``key``. ``token`` is the whole
    word under the cursor, from ``start`` to ``end``; ``prefix`` the part before it.
    """

    kind: Kind
    frames: tuple[Frame, ...]
    key: str | None
    token: str
    prefix: str
    start: int
    end: int
    column: int
    flow: bool = False
    quote: str | None = None
    key_start: int = 0

    @property
    def path(self) -> tuple[str, ...]:
        """The segments of the enclosing containers."""
        return tuple(frame.segment for frame in self.frames)


def _dashes(text: str, indent: int) -> tuple[list[int], int]:
    """Columns of the ``- `` indicators starting at ``indent`` and the column after them."""
    cols: list[int] = []
    pos = indent
    while pos < len(text) and text[pos] == "-" and (pos + 1 == len(text) or text[pos + 1] in " \t"):
        cols.append(pos)
        pos += 1
        while pos < len(text) and text[pos] in " \t":
            pos += 1
    return cols, pos


def _key(text: str, at: int) -> tuple[str, int, int] | None:
    """The mapping key starting at column ``at``: (key, key end, colon end)."""
    match = _KEY.match(text, at)
    if match is None:
        return None
    raw = match.group(1).strip()
    if raw[:1] in "\"'" and raw[-1:] == raw[:1] and len(raw) >= 2:
        raw = raw[1:-1]
    return raw, at + len(match.group(1).rstrip()), match.end()


def _strip_comment(value: str) -> str:
    """A plain value without a trailing `` # comment``."""
    quote: str | None = None
    for i, char in enumerate(value):
        if quote:
            if char == quote:
                quote = None
        elif char in "\"'" and (i == 0 or value[i - 1] in " [,{"):
            quote = char
        elif char == "#" and (i == 0 or value[i - 1] in " \t"):
            return value[:i].rstrip()
    return value.rstrip()


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


def is_block_header(value: str) -> bool:
    """Whether a value starts a block scalar (``|``, ``>-``, ``|2`` ...)."""
    return _BLOCK.match(value.strip()) is not None


def _ancestors(lines: Sequence[str], line: int, target: int, after_item: bool) -> list[Frame]:
    """The containers above ``line`` that enclose an entity at column ``target``.

    ``after_item`` says the entity is a sequence item, whose parent key may sit at the
    same column (``key:`` followed by ``- item`` lines at its own indentation).
    """
    frames: list[Frame] = []
    for number in range(line - 1, -1, -1):
        if target == 0 and not after_item:
            break
        text = lines[number]
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = _indent(text)
        if indent > target or (indent == target and not after_item):
            continue
        dashes, inner = _dashes(text, indent)
        entities: list[tuple[str, int]] = []
        key = _key(text, inner) if inner < len(text) else None
        for col in dashes:
            entities.append((ITEM, col))
        if key is not None:
            entities.append((key[0], inner))
        for segment, col in reversed(entities):
            if segment == ITEM:
                if col < target:
                    frames.append(Frame(ITEM, number, col))
                    target, after_item = col, True
                continue
            value = _strip_comment(text[key[2] :]) if key is not None else ""
            if col < target or (col == target and after_item and not dashes and value == ""):
                frames.append(Frame(segment, number, col))
                target, after_item = col, False
    frames.reverse()
    return frames


def _word_bounds(text: str, column: int) -> tuple[int, int]:
    start = column
    while start > 0 and _WORD.match(text[start - 1]):
        start -= 1
    end = column
    while end < len(text) and _WORD.match(text[end]):
        end += 1
    return start, end


def _block_owner(lines: Sequence[str], line: int) -> int | None:
    """The line of the ``key: |`` whose block scalar holds ``line``, if any."""
    text = lines[line] if line < len(lines) else ""
    indent = _indent(text) if text.strip() else None
    for number in range(line - 1, -1, -1):
        above = lines[number]
        if not above.strip():
            continue
        above_indent = _indent(above)
        if indent is not None and above_indent >= indent:
            continue
        _, inner = _dashes(above, above_indent)
        key = _key(above, inner)
        if key is not None and is_block_header(_strip_comment(above[key[2] :]) or "x"):
            return number
        if indent is None:
            # A blank cursor line belongs to the block only if the last text line above does.
            owner = _block_owner(lines, number)
            if owner is not None:
                return owner
        return None
    return None


def locate(lines: Sequence[str], line: int, column: int) -> LineContext:
    """The syntactic context of (line, column) in the given lines."""
    text = lines[line].rstrip("\r") if line < len(lines) else ""
    column = min(column, len(text))

    owner = _block_owner(lines, line)
    if owner is not None:
        owner_text = lines[owner]
        owner_indent = _indent(owner_text)
        dashes, inner = _dashes(owner_text, owner_indent)
        key = _key(owner_text, inner)
        assert key is not None
        owners = (
            _ancestors(lines, owner, dashes[0], True) + [Frame(ITEM, owner, c) for c in dashes]
            if dashes
            else _ancestors(lines, owner, inner, False)
        )
        start, end = _word_bounds(text, column)
        return LineContext(
            "block",
            tuple(owners),
            key[0],
            text[start:end],
            text[start:column],
            start,
            end,
            inner,
            key_start=inner,
        )

    indent = _indent(text)
    dashes, inner = _dashes(text, indent)
    frames: list[Frame]
    if dashes:
        frames = _ancestors(lines, line, dashes[0], True) + [Frame(ITEM, line, c) for c in dashes]
    else:
        frames = _ancestors(lines, line, min(indent, column) if not text.strip() else indent, False)
        inner = min(indent, column) if not text.strip() else indent

    key = _key(text, inner) if inner < len(text) else None
    if key is not None and column > key[1]:
        value_start = key[2]
        while value_start < len(text) and text[value_start] in " \t":
            value_start += 1
        head = text[value_start:column]
        if head.startswith("[") and "]" not in head:
            cut = max(head.rfind(","), head.rfind("["))
            start = value_start + cut + 1
            while start < column and text[start] in " \t":
                start += 1
            token_start = start
            quote = None
            if start < len(text) and text[start] in "\"'":
                quote = text[start]
                token_start += 1
            end = column
            while end < len(text) and text[end] not in ",]" and text[end] != quote:
                end += 1
            return LineContext(
                "value",
                tuple(frames),
                key[0],
                text[token_start:end].rstrip(),
                text[token_start:column],
                token_start,
                max(column, len(text[:end].rstrip())),
                inner,
                flow=True,
                quote=quote,
                key_start=inner,
            )
        quote = None
        token_start = value_start
        if value_start < len(text) and text[value_start] in "\"'":
            quote = text[value_start]
            token_start += 1
        value = text[token_start:]
        end = token_start + len(value)
        if quote is not None and quote in value:
            end = token_start + value.index(quote)
        elif quote is None:
            end = token_start + len(_strip_comment(value))
        end = max(end, column)
        return LineContext(
            "value",
            tuple(frames),
            key[0],
            text[token_start:end],
            text[token_start:column],
            token_start,
            end,
            inner,
            quote=quote,
            key_start=inner,
        )
    if key is not None:
        return LineContext(
            "key",
            tuple(frames),
            key[0],
            key[0],
            text[inner:column],
            inner,
            key[1],
            inner,
            key_start=inner,
        )
    content = _strip_comment(text[inner:]) if inner < len(text) else ""
    end = max(inner + len(content), column)
    quote = None
    start = inner
    if content[:1] in ("'", '"'):
        quote = content[0]
        start += 1
        if content.endswith(quote) and len(content) > 1:
            end = inner + len(content) - 1
    kind: Kind = "item" if dashes else "key"
    return LineContext(
        kind,
        tuple(frames),
        None,
        text[start:end],
        text[start:column],
        start,
        end,
        inner,
        quote=quote,
        key_start=inner,
    )


def block_end(lines: Sequence[str], frame: Frame) -> int:
    """The last line of the block a container (key or item) owns."""
    last = frame.line
    for number in range(frame.line + 1, len(lines)):
        text = lines[number]
        if not text.strip():
            continue
        indent = _indent(text)
        if indent < frame.column or (
            indent == frame.column and frame.segment != ITEM and not _dashes(text, indent)[0]
        ):
            break
        if indent == frame.column and frame.segment == ITEM:
            break
        if indent == frame.column and _dashes(text, indent)[0] and frame.segment != ITEM:
            # `key:` followed by `- item` lines at the key's own indentation
            last = number
            continue
        last = number
    return last


def mapping_entries(
    lines: Sequence[str], start_line: int, end_line: int, column: int
) -> dict[str, tuple[int, str]]:
    """Keys written at ``column`` between two lines: key -> (line, value text)."""
    found: dict[str, tuple[int, str]] = {}
    for number in range(start_line, min(end_line, len(lines) - 1) + 1):
        text = lines[number].rstrip("\r")
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        indent = _indent(text)
        _, inner = _dashes(text, indent)
        if inner != column:
            continue
        key = _key(text, inner)
        if key is not None:
            value = _strip_comment(text[key[2] :]).strip()
            if len(value) >= 2 and value[0] in "\"'" and value[-1] == value[0]:
                value = value[1:-1]
            found.setdefault(key[0], (number, value))
    return found


def container_entries(lines: Sequence[str], ctx: LineContext) -> dict[str, tuple[int, str]]:
    """The keys of the mapping the cursor's token belongs to (for key contexts)."""
    if ctx.frames:
        parent = ctx.frames[-1]
        first, last = parent.line, block_end(lines, parent)
    else:
        first, last = 0, len(lines) - 1
    return mapping_entries(lines, first, last, ctx.column)


def item_entries(lines: Sequence[str], frame: Frame) -> dict[str, tuple[int, str]]:
    """The keys of the mapping inside a sequence item (e.g. a task's ``name``, ``action``)."""
    text = lines[frame.line]
    _, inner = _dashes(text, frame.column)
    return mapping_entries(lines, frame.line, block_end(lines, frame), inner)

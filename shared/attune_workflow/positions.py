"""Source positions: 0-based line and code-point column, born once in the parser.

Every other module takes spans from here; only output edges add 1 (text) or
convert to UTF-16 (the language server's ``convert`` module).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A range in a document: start inclusive, end exclusive, 0-based, code points."""

    line: int
    column: int
    end_line: int
    end_column: int

    @property
    def start(self) -> tuple[int, int]:
        """The start as (line, column)."""
        return (self.line, self.column)

    @property
    def end(self) -> tuple[int, int]:
        """The end as (line, column)."""
        return (self.end_line, self.end_column)


class LineIndex:
    """Converts between character offsets and (line, column) for one text."""

    __slots__ = ("_starts", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        if "\r" in text:
            self._starts = [0, *(m.end() for m in _BREAK.finditer(text))]
        else:
            starts = [0]
            find = text.find
            pos = find("\n")
            while pos != -1:
                starts.append(pos + 1)
                pos = find("\n", pos + 1)
            self._starts = starts

    def edited(self, text: str, start: int, old_end: int, new_end: int) -> LineIndex:
        """The index of ``text``, this text with ``[start, old_end)`` replaced by
        ``text[start:new_end]``: the lines before the edit are kept, those after it moved."""
        if "\r" in text or "\r" in self._text:
            return LineIndex(text)
        starts = self._starts
        delta = new_end - old_end
        fresh = LineIndex.__new__(LineIndex)
        fresh._text = text
        middle = []
        find = text.find
        pos = find("\n", start, new_end)
        while pos != -1:
            middle.append(pos + 1)
            pos = find("\n", pos + 1, new_end)
        after = starts[bisect_right(starts, old_end) :]
        fresh._starts = starts[: bisect_right(starts, start)] + middle + [s + delta for s in after]
        return fresh

    @property
    def text(self) -> str:
        """The indexed text."""
        return self._text

    @property
    def line_count(self) -> int:
        """Number of lines (a trailing newline opens an empty last line)."""
        return len(self._starts)

    def position(self, offset: int) -> tuple[int, int]:
        """The (line, column) of a character offset, clamped to the text."""
        offset = max(0, min(offset, len(self._text)))
        line = bisect_right(self._starts, offset) - 1
        return line, offset - self._starts[line]

    def offset(self, line: int, column: int) -> int:
        """The character offset of (line, column), clamped to the text."""
        if line < 0:
            return 0
        if line >= len(self._starts):
            return len(self._text)
        return min(self._starts[line] + max(column, 0), self.line_end(line))

    def line_end(self, line: int) -> int:
        """Offset just past the last character of a line (before its line break)."""
        if line + 1 < len(self._starts):
            end = self._starts[line + 1] - 1
            if end > self._starts[line] and self._text[end - 1 : end + 1] == "\r\n":
                end -= 1
            return end
        return len(self._text)

    def line_text(self, line: int) -> str:
        """The text of one line without its line break."""
        if line < 0 or line >= len(self._starts):
            return ""
        return self._text[self._starts[line] : self.line_end(line)]

    def span(self, start: int, end: int) -> Span:
        """The span between two character offsets."""
        line, column = self.position(start)
        end_line, end_column = self.position(max(start, end))
        return Span(line, column, end_line, end_column)

    def full_span(self) -> Span:
        """The span of the whole text."""
        return self.span(0, len(self._text))

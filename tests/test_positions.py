"""Positions come from spans only: odd line breaks, tabs, CRLF and astral characters in values.

libyaml counts U+0085 and U+2028 as line breaks in its marks; the editor (and the LSP)
does not. Every line a finding names, in its span or in its message, must be the editor's.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from attune_lsp import convert
from attune_workflow.check import check_text
from attune_workflow.config import Config
from attune_workflow.packindex import PackIndex
from attune_workflow.positions import LineIndex, Span

LINES = [
    'version: "1.0.0"',
    'description: "odd\u2028breaks\u0085here\tand 😀 astral"',
    "tasks:",
    "  - name: first",
    "    action: core.echo",
    "    input:",
    '      message: "more\u2028\u0085 😀\t"',
    "    next:",
    '      - do: ["😀", later, later]',
    "  - name: first",
    "    action: core.echo",
    "  - name: later",
    "    action: core.echo",
    "",
]
TEXT = "\r\n".join(LINES)


def where(line: int, needle: str, occurrence: int = 1) -> Span:
    """The span of the n-th ``needle`` on a line, in code points."""
    column = -1
    for _ in range(occurrence):
        column = LINES[line].index(needle, column + 1)
    return Span(line, column, line, column + len(needle))


def test_findings_name_the_editor_lines() -> None:
    found = {
        d.code: d
        for d in check_text(
            Path("/nowhere/w.workflow.yaml"), TEXT, index=PackIndex(), config=Config()
        )
    }
    assert set(found) == {"unknown-task", "duplicate-target", "duplicate-task"}
    assert found["duplicate-task"].span == where(9, "first")
    assert "first used on line 4" in found["duplicate-task"].message
    assert found["duplicate-target"].span == where(8, "later", 2)
    assert "(line 9)" in found["duplicate-target"].message
    assert found["unknown-task"].span == where(8, '"😀"')


def test_lsp_ranges_count_utf16_units() -> None:
    lines = LineIndex(TEXT)
    span = where(8, '"😀"')
    rng = convert.span_to_range(span, lines)
    assert (rng.start.line, rng.start.character) == (8, span.column)
    # the astral character is two UTF-16 units
    assert (rng.end.line, rng.end.character) == (8, span.end_column + 1)
    assert convert.range_to_span(rng, lines) == span
    later = where(8, "later", 2)
    assert convert.span_to_range(later, lines).start.character == later.column + 1


@given(
    text=st.text(alphabet="ab\n", max_size=40),
    start=st.integers(min_value=0, max_value=40),
    removed=st.integers(min_value=0, max_value=5),
    piece=st.text(alphabet="xy\n", max_size=6),
)
def test_an_edited_index_is_the_index_of_the_new_text(
    text: str, start: int, removed: int, piece: str
) -> None:
    start = min(start, len(text))
    old_end = min(len(text), start + removed)
    new = text[:start] + piece + text[old_end:]
    edited = LineIndex(text).edited(new, start, old_end, start + len(piece))
    fresh = LineIndex(new)
    assert edited.line_count == fresh.line_count
    assert [edited.position(n) for n in range(len(new) + 1)] == [
        fresh.position(n) for n in range(len(new) + 1)
    ]

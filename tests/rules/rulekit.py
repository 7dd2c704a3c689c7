"""The rule tests' kit: findings of a text, their full span specs, and fixes applied.

A spec is ``(rule, line, column, end line, end column)``, 1-based like the text output.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from attune_workflow.check import check_text
from attune_workflow.config import Config
from attune_workflow.diagnostics import Diagnostic, Fix
from attune_workflow.packindex import PackIndex
from attune_workflow.positions import LineIndex

Spec = tuple[str, int, int, int, int]


def findings(
    text: str,
    path: Path,
    rules: Collection[str],
    *,
    index: PackIndex | None = None,
    config: Config | None = None,
) -> list[Diagnostic]:
    """The findings of these rules for a text at a path, in order."""
    found = check_text(path, text, index=index or PackIndex(), config=config or Config())
    return [d for d in found if d.code in rules]


def spec(d: Diagnostic) -> Spec:
    """The full span spec of a finding."""
    s = d.span
    return (d.code, s.line + 1, s.column + 1, s.end_line + 1, s.end_column + 1)


def specs_of(found: list[Diagnostic]) -> list[Spec]:
    return [spec(d) for d in found]


def apply(text: str, fix: Fix) -> str:
    """The text after a fix's edits (applied from the last to the first)."""
    lines = LineIndex(text)
    edits = sorted(fix.edits, key=lambda e: lines.offset(e.span.line, e.span.column), reverse=True)
    for edit in edits:
        start = lines.offset(edit.span.line, edit.span.column)
        end = lines.offset(edit.span.end_line, edit.span.end_column)
        text = text[:start] + edit.new_text + text[end:]
    return text

"""Suppression comments: ``# attune: ignore[...]`` and ``# attune: ignore-file[...]``.

``# attune: ignore[rule-id, other-id]`` at the end of a line silences those
rules for diagnostics that start on that line; ``# attune: ignore`` silences
all. ``# attune: ignore-file[rule-id]`` anywhere silences a rule for the file.
A suppression that silences nothing is reported as ``unused-ignore``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .positions import LineIndex, Span

_PATTERN = re.compile(r"#\s*attune:\s*(ignore-file|ignore)\b(?:\[([^\]]*)\])?")


@dataclass(slots=True)
class Suppression:
    """One suppression comment."""

    line: int
    span: Span
    file_wide: bool
    rules: tuple[str, ...] | None  # None: every rule
    used: set[str]


def find_suppressions(text: str, lines: LineIndex) -> list[Suppression]:
    """Every suppression comment of a text (only inside comments, not in values)."""
    if "attune:" not in text:
        return []
    result = []
    for match in _PATTERN.finditer(text):
        line, column = lines.position(match.start())
        if not _is_comment(lines.line_text(line), column):
            continue
        rules = None
        if match.group(2) is not None:
            rules = tuple(r.strip() for r in match.group(2).split(",") if r.strip())
        end_line, end_column = lines.position(match.end())
        result.append(
            Suppression(
                line=line,
                span=Span(line, column, end_line, end_column),
                file_wide=match.group(1) == "ignore-file",
                rules=rules,
                used=set(),
            )
        )
    return result


def _is_comment(line: str, column: int) -> bool:
    """Whether the ``#`` at ``column`` starts a YAML comment (not inside a quoted value)."""
    if column > 0 and line[column - 1] not in " \t":
        return False
    quote: str | None = None
    for char in line[:column]:
        if quote:
            if char == quote:
                quote = None
        elif char in "\"'":
            quote = char
    return quote is None


def suppressed_by(supp: Suppression, code: str, line: int) -> bool:
    """Whether a suppression silences a diagnostic of ``code`` starting on ``line``."""
    if not supp.file_wide and supp.line != line:
        return False
    return supp.rules is None or code in supp.rules

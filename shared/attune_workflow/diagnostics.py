"""Findings: what every rule returns and every door (CLI, LSP, registrar) shows."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .positions import Span


class Severity(enum.IntEnum):
    """Diagnostic severity; the values match the LSP's DiagnosticSeverity."""

    ERROR = 1
    WARNING = 2
    INFORMATION = 3
    HINT = 4

    @property
    def label(self) -> str:
        """The lower-case name used in text, JSON and configuration."""
        return self.name.lower()

    @classmethod
    def parse(cls, value: str) -> Severity:
        """Read a severity name (``error``, ``warning``, ``information``/``info``, ``hint``)."""
        key = value.strip().lower()
        if key == "info":
            key = "information"
        try:
            return cls[key.upper()]
        except KeyError:
            raise ValueError(f"unknown severity {value!r}") from None


@dataclass(frozen=True, slots=True)
class Related:
    """A second place a diagnostic talks about."""

    span: Span
    message: str
    path: Path | None = None


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace the text of a span in a file (None: the diagnostic's own file)."""

    span: Span
    new_text: str
    path: Path | None = None


@dataclass(frozen=True, slots=True)
class Fix:
    """A quick fix: a title and the edits that carry it out."""

    title: str
    edits: tuple[Edit, ...]
    preferred: bool = False


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding with its exact span."""

    span: Span
    severity: Severity
    code: str
    message: str
    related: tuple[Related, ...] = ()
    fixes: tuple[Fix, ...] = ()
    data: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def with_severity(self, severity: Severity) -> Diagnostic:
        """A copy with another severity."""
        return replace(self, severity=severity)

    @property
    def sort_key(self) -> tuple[int, int, int, int, str, str]:
        """Order by position, then rule id, then message."""
        s = self.span
        return (s.line, s.column, s.end_line, s.end_column, self.code, self.message)


@dataclass(frozen=True, slots=True)
class FileReport:
    """The diagnostics of one file."""

    path: Path
    diagnostics: tuple[Diagnostic, ...]


INTERNAL_ERROR = "internal-error"


def internal_error(what: str, exc: BaseException) -> Diagnostic:
    """The finding for a crash in the checker itself (never suppressed; ``--check`` exits 3).

    The message names what failed and the exception; the traceback goes to the log.
    """
    detail = " ".join(str(exc).split())
    if len(detail) > 200:
        detail = detail[:197] + "..."
    return Diagnostic(
        Span(0, 0, 0, 0),
        Severity.ERROR,
        INTERNAL_ERROR,
        f"Internal error in {what} ({type(exc).__name__}: {detail}); the other checks ran. "
        "Please report this file to the attune-lsp project",
    )

"""TODO: invalid-ref."""

from __future__ import annotations

from collections.abc import Iterator

from ..context import Context, FileKind
from ..diagnostics import Diagnostic, Severity

ID = "invalid-ref"
SEVERITY = Severity.ERROR
KINDS = frozenset({FileKind.WORKFLOW})


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Not written yet."""
    return iter(())

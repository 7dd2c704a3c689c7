"""The model errors of an action file that no more specific rule reports.

``ref`` is invalid-ref's, ``workflow_file`` is workflow-file's, ``parameters``
and ``output`` are schema-format's; everything else (enums with a CHECK in the
``action`` table, typed columns, positive limits) is reported by wrong-type and
invalid-value through this module.
"""

from __future__ import annotations

from collections.abc import Iterator

from .context import Context, StructuralError

OWNED_ELSEWHERE = frozenset({"ref", "workflow_file", "parameters", "output"})


def action_errors(ctx: Context, kind: str) -> Iterator[StructuralError]:
    """The structural errors of one kind (``type`` or ``value``) of an action file."""
    for error in ctx.structure:
        if error.kind != kind or not error.path:
            continue
        if error.path[0] in OWNED_ELSEWHERE:
            continue
        yield error


def field_name(path: tuple[str | int, ...]) -> str:
    """``tags[2]`` / ``parameter_delivery`` for a data path."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text

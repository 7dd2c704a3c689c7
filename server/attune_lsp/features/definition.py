"""Go to definition: tasks, actions, parameters, inputs, variables and graph files."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types as lsp

from attune_workflow.positions import LineIndex, Span
from attune_workflow.query.navigation import Occurrence, target_at, value_span
from attune_workflow.query.occurrences import action_occurrences, occurrences

from .. import convert

if TYPE_CHECKING:
    from ..host import Host


def _location(ls: Host, path: Path, span: Span) -> lsp.Location:
    lines = ls.space.lines_of(path) or LineIndex("")
    return lsp.Location(uri=ls.space.uri_of(path), range=convert.span_to_range(span, lines))


def register(server: Host) -> None:
    """Add the handler."""

    @server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
    async def definition(ls: Host, params: lsp.DefinitionParams) -> list[lsp.Location] | None:
        analysis = await ls.scheduler.analysis(params.text_document.uri)
        if analysis is None or analysis.ctx is None or analysis.ctx.doc.root is None:
            return None
        ctx = analysis.ctx
        line, column = convert.to_engine(params.position, analysis.lines)
        target = target_at(ctx, line, column)
        if target is None:
            return None
        if target.kind == "task":
            if target.task is None or target.task.name_node is None:
                return None
            return [_location(ls, ctx.path, value_span(ctx, target.task.name_node))]
        if target.kind == "file":
            path = (ctx.path.parent / target.name).resolve()
            return [_location(ls, path, Span(0, 0, 0, 0))] if path.is_file() else None
        found: list[Occurrence]
        sources = ls.scheduler.sources()[0]
        if target.kind == "action":
            found = [o for o in action_occurrences(sources, target.name) if o.declaration]
            if not found and target.action is not None and target.action.path is not None:
                return [_location(ls, target.action.path, Span(0, 0, 0, 0))]
        elif target.kind in ("parameter", "input", "variable"):
            found = [o for o in occurrences(sources, ctx, target) if o.declaration]
            # The workflow's own declaration first, then the action's.
            found.sort(key=lambda o: (o.path != ctx.path, o.span))
            if target.kind == "variable":
                found = found[:1]
        else:
            return None
        return [_location(ls, o.path, o.span) for o in found] or None

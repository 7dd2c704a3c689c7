"""Document symbols (tasks with their transitions) and workspace symbols."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from lsprotocol import types as lsp

from attune_workflow.context import Context, FileKind
from attune_workflow.positions import LineIndex, Span
from attune_workflow.query.navigation import node_extent, parameter_keys, value_span
from attune_workflow.view import TaskView
from attune_workflow.yamlsource import MappingNode, mapping_get, mapping_items

from .. import convert

if TYPE_CHECKING:
    from ..host import Host

MAX_WORKSPACE_SYMBOLS = 500


def _symbol(
    name: str,
    kind: lsp.SymbolKind,
    whole: Span,
    name_span: Span,
    lines: LineIndex,
    detail: str | None = None,
    children: list[lsp.DocumentSymbol] | None = None,
) -> lsp.DocumentSymbol:
    if not (whole.start <= name_span.start and name_span.end <= whole.end):
        name_span = Span(whole.line, whole.column, whole.line, whole.column)
    return lsp.DocumentSymbol(
        name=name or "?",
        kind=kind,
        range=convert.span_to_range(whole, lines),
        selection_range=convert.span_to_range(name_span, lines),
        detail=detail,
        children=children or None,
    )


def _task(ctx: Context, task: TaskView, lines: LineIndex) -> lsp.DocumentSymbol:
    whole = node_extent(lines, task.node)
    children = [_task(ctx, child, lines) for child in task.children]
    for transition in task.transitions:
        targets = ", ".join(t.name for t in transition.targets) or "(publish only)"
        label = (
            f"next[{transition.index}] → {targets}"
            if transition.source == "next"
            else f"{transition.source} → {targets}"
        )
        span = node_extent(lines, transition.node)
        detail = str(transition.when.value) if transition.when is not None else None
        children.append(_symbol(label, lsp.SymbolKind.Event, span, span, lines, detail))
    name_span = value_span(ctx, task.name_node) if task.name_node is not None else whole
    detail = task.string("action") or task.type
    return _symbol(
        task.name or f"#{task.index + 1}",
        lsp.SymbolKind.Function,
        whole,
        name_span,
        lines,
        detail,
        children,
    )


def document_symbols(ctx: Context, lines: LineIndex) -> list[lsp.DocumentSymbol]:
    """The outline of a workflow or action file."""
    found: list[lsp.DocumentSymbol] = []
    root = ctx.doc.root
    if not isinstance(root, MappingNode):
        return found
    if ctx.kind is FileKind.WORKFLOW and ctx.view is not None:
        found.extend(_task(ctx, task, lines) for task in ctx.view.tasks)
        vars_entry = mapping_get(root, "vars")
        for name, key, value in mapping_items(vars_entry[1] if vars_entry else None):
            span = Span(*ctx.span(key).start, *node_extent(lines, value).end)
            found.append(_symbol(name, lsp.SymbolKind.Variable, span, ctx.span(key), lines))
    params = parameter_keys(root)
    entry = mapping_get(root, "parameters")
    if params and entry is not None:
        children = [
            _symbol(name, lsp.SymbolKind.Property, ctx.span(key), ctx.span(key), lines)
            for name, key in params.items()
        ]
        span = Span(*ctx.span(entry[0]).start, *node_extent(lines, entry[1]).end)
        found.append(
            _symbol(
                "parameters",
                lsp.SymbolKind.Namespace,
                span,
                ctx.span(entry[0]),
                lines,
                children=children,
            )
        )
    return found


def _flatten(
    symbols: Sequence[lsp.DocumentSymbol], uri: str, container: str | None = None
) -> list[lsp.SymbolInformation]:
    flat: list[lsp.SymbolInformation] = []
    for symbol in symbols:
        flat.append(
            lsp.SymbolInformation(
                name=symbol.name,
                kind=symbol.kind,
                container_name=container,
                location=lsp.Location(uri=uri, range=symbol.range),
            )
        )
        flat.extend(_flatten(symbol.children or [], uri, symbol.name))
    return flat


def _matches(query: str, name: str) -> bool:
    """Case-insensitive fuzzy match: the query's characters appear in order."""
    name = name.lower()
    pos = 0
    for char in query.lower():
        pos = name.find(char, pos) + 1
        if pos == 0:
            return False
    return True


def register(server: Host) -> None:
    """Add the handlers."""

    @server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    async def document_symbol(
        ls: Host, params: lsp.DocumentSymbolParams
    ) -> list[lsp.DocumentSymbol] | list[lsp.SymbolInformation] | None:
        uri = params.text_document.uri
        analysis = await ls.scheduler.analysis(uri)
        if analysis is None or analysis.ctx is None:
            return None
        symbols = document_symbols(analysis.ctx, analysis.lines)
        if ls.client.supports("text_document.document_symbol.hierarchical_document_symbol_support"):
            return symbols
        return _flatten(symbols, uri)

    @server.feature(lsp.WORKSPACE_SYMBOL)
    async def workspace_symbol(
        ls: Host, params: lsp.WorkspaceSymbolParams
    ) -> list[lsp.SymbolInformation]:
        query = params.query.strip()
        result: list[lsp.SymbolInformation] = []
        seen_actions: set[str] = set()
        for path, summary in list(ls.scheduler.summaries.items()):
            uri = ls.space.uri_of(path)
            for symbol in summary.symbols:
                if symbol.kind == lsp.SymbolKind.Class:
                    seen_actions.add(symbol.name)
                if _matches(query, symbol.name):
                    result.append(
                        lsp.SymbolInformation(
                            name=symbol.name,
                            kind=symbol.kind,
                            container_name=symbol.container,
                            location=lsp.Location(uri=uri, range=symbol.range),
                        )
                    )
        for action in ls.space.project.index.actions():
            if action.path is None or action.ref in seen_actions or not _matches(query, action.ref):
                continue
            result.append(
                lsp.SymbolInformation(
                    name=action.ref,
                    kind=lsp.SymbolKind.Class,
                    container_name=action.pack,
                    location=lsp.Location(
                        uri=ls.space.uri_of(action.path),
                        range=lsp.Range(
                            start=lsp.Position(line=0, character=0),
                            end=lsp.Position(line=0, character=0),
                        ),
                    ),
                )
            )
        result.sort(key=lambda s: (s.kind != lsp.SymbolKind.Module, len(s.name), s.name))
        return result[:MAX_WORKSPACE_SYMBOLS]

"""The workflow graph for any client: the ``attune/workflowGraph`` request and ``attune.showGraph``.

The request answers the nodes and edges of a workflow with their source ranges, their
diagnostic state and conditions (and the path of the selected rehearsal), so that a
client can draw it; ``dot`` holds the same graph as Graphviz input. The command writes an
HTML page with the picture laid out by Graphviz and asks the client to open it outside the
editor (``window/showDocument``).
"""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp
from platformdirs import user_cache_dir

from attune_workflow.graphmodel import GraphModel, build_graph
from attune_workflow.graphrender import (
    GraphvizError,
    Overlay,
    render_dot,
    render_html,
    render_svg,
)
from attune_workflow.positions import LineIndex, Span

from .. import convert

# A runtime import: pygls reads the annotations of command handlers.
from ..host import Host

if TYPE_CHECKING:
    from ..analysis import Analysis

WORKFLOW_GRAPH = "attune/workflowGraph"
SHOW_GRAPH = "attune.showGraph"
CACHE_ENV = "ATTUNE_LSP_GRAPH_DIR"
SHOW_TIMEOUT = 60.0


def field_of(params: Any, name: str) -> Any:
    """A field of custom-request params, whether they arrive as an object or a dict."""
    if isinstance(params, dict):
        return params.get(name)
    return getattr(params, name, None)


def range_json(span: Span, lines: LineIndex) -> dict[str, Any]:
    """An engine span as an LSP range in plain data."""
    rng = convert.span_to_range(span, lines)
    return {
        "start": {"line": rng.start.line, "character": rng.start.character},
        "end": {"line": rng.end.line, "character": rng.end.character},
    }


def model_of(analysis: Analysis) -> GraphModel | None:
    """The graph of an analysed workflow (None for other files)."""
    ctx = analysis.ctx
    view = ctx.view if ctx is not None else None
    if ctx is None or view is None:
        return None
    return build_graph(view, ctx.doc, analysis.diagnostics)


def overlay_for(ls: Host, analysis: Analysis) -> Overlay | None:
    """The path of the rehearsal selected for this document, while it is current."""
    from . import rehearsal

    run = rehearsal.current(ls, analysis)
    if run is None:
        return None
    return Overlay(
        ran={name: i + 1 for i, name in enumerate(run.ran)},
        fired=run.fired(),
        skipped=set(run.not_run),
        title=f"scenario: {run.name} ({'passed' if run.passed else 'failed'})",
    )


def graph_json(ls: Host, analysis: Analysis) -> dict[str, Any]:
    """The answer to ``attune/workflowGraph``."""
    model = model_of(analysis)
    if model is None:
        return {"uri": analysis.uri, "version": analysis.version, "nodes": [], "edges": []}
    data = model.to_json(lambda span: range_json(span, analysis.lines))
    data["uri"] = analysis.uri
    data["version"] = analysis.version
    overlay = overlay_for(ls, analysis)
    # Graphviz input for clients that lay the graph out themselves (the VS Code view).
    data["dot"] = render_dot(model, overlay)
    if overlay is not None:
        data["path"] = {
            "scenario": overlay.title,
            "ran": overlay.ran,
            "skipped": sorted(overlay.skipped),
            "fired": sorted([task, index] for task, index in overlay.fired),
        }
    return data


def graph_dir() -> Path:
    """Where the pictures go (``$ATTUNE_LSP_GRAPH_DIR`` or the user cache)."""
    import os

    folder = os.environ.get(CACHE_ENV) or str(Path(user_cache_dir("attune-lsp")) / "graphs")
    return Path(folder)


def write_picture(model: GraphModel, overlay: Overlay | None, source: Path) -> Path:
    """Draw the graph into an HTML file named after the workflow; returns its path."""
    svg = render_svg(render_dot(model, overlay))
    digest = hashlib.sha1(str(source).encode("utf-8")).hexdigest()[:10]
    folder = graph_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{source.stem}-{digest}.html"
    target.write_text(render_html(svg, source.name), encoding="utf-8")
    return target


def register(server: Host) -> None:
    """Add the request and the command."""

    @server.feature(WORKFLOW_GRAPH)
    async def workflow_graph(ls: Host, params: Any) -> dict[str, Any] | None:
        document = field_of(params, "textDocument")
        uri = field_of(document, "uri") if document is not None else None
        if not isinstance(uri, str):
            return None
        analysis = await ls.scheduler.analysis(uri)
        if analysis is None:
            return None
        return graph_json(ls, analysis)

    @server.command(SHOW_GRAPH)
    async def show_graph(ls: Host, *args: Any) -> dict[str, Any]:
        uri = args[0] if args and isinstance(args[0], str) else None
        if uri is None:
            return {"ok": False, "message": "attune.showGraph needs the URI of a workflow"}
        analysis = await ls.scheduler.analysis(uri)
        model = model_of(analysis) if analysis is not None else None
        if analysis is None or model is None:
            message = "Not a workflow file: nothing to draw"
            ls.client.show_result(message, ok=False)
            return {"ok": False, "message": message}
        overlay = overlay_for(ls, analysis)
        try:
            target = await asyncio.to_thread(write_picture, model, overlay, analysis.path)
        except (GraphvizError, OSError) as exc:
            message = f"Cannot draw the workflow: {exc}"
            ls.client.show_result(message, ok=False)
            return {"ok": False, "message": message}
        picture = convert.path_to_uri(target)
        if not ls.client.supports("window.show_document.support"):
            # The client cannot open documents for us: say where the picture is.
            ls.client.show_result(f"Workflow graph written to {target}", ok=True)
            return {"ok": True, "uri": picture, "opened": False}
        try:
            result = await asyncio.wait_for(
                ls.window_show_document_async(lsp.ShowDocumentParams(uri=picture, external=True)),
                SHOW_TIMEOUT,
            )
        except Exception as exc:
            ls.client.show_result(f"Workflow graph written to {target} ({exc!r})", ok=False)
            return {"ok": True, "uri": picture, "opened": False}
        return {"ok": True, "uri": picture, "opened": bool(result and result.success)}

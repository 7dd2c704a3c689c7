"""``attune-lsp graph``: draw a workflow as DOT, Mermaid, JSON, SVG or HTML.

``--scenario`` overlays a rehearsal's path. SVG and HTML are laid out by Graphviz's
``dot``. Exit codes: 0 drawn, 2 usage (not a workflow), 3 failure (Graphviz missing).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, TextIO

from attune_workflow.graphmodel import GraphModel, build_graph
from attune_workflow.graphrender import (
    GraphvizError,
    Overlay,
    render_dot,
    render_html,
    render_mermaid,
    render_svg,
)
from attune_workflow.positions import Span
from attune_workflow.rehearsal import Rehearsal, rehearse_file
from attune_workflow.workspace import Workspace, analyse_file

EXIT_OK, EXIT_USAGE, EXIT_FAILURE = 0, 2, 3
FORMATS = ("dot", "mermaid", "json", "svg", "html")


class GraphInputError(Exception):
    """The file cannot be drawn (not found, not a workflow)."""


def add_graph_arguments(sub: Any) -> None:
    """Add the ``graph`` sub-command."""
    parser = sub.add_parser("graph", help="draw a workflow's tasks and transitions")
    parser.add_argument("file", type=Path, help="a workflow file")
    parser.add_argument("--format", choices=FORMATS, default="dot")
    parser.add_argument("-o", "--output", type=Path, help="write here instead of stdout")
    parser.add_argument("--scenario", type=Path, help="show the path a scenario takes")
    parser.set_defaults(handler=run_graph)


def model_of_file(path: Path) -> GraphModel:
    """The graph of a workflow file, marked with the checker's findings."""
    if not path.is_file():
        raise GraphInputError(f"no such file: {path}")
    workspace = Workspace([Path.cwd()])
    workspace.index_packs([path])
    analysis = analyse_file(path.resolve(), None, workspace)
    ctx, diagnostics = analysis.ctx, analysis.diagnostics
    if ctx is None:
        why = diagnostics[0].message if diagnostics else "unreadable"
        raise GraphInputError(f"cannot read {path}: {why}")
    if ctx.doc.syntax_error is not None:
        message, span = ctx.doc.syntax_error
        raise GraphInputError(f"{path}:{span.line + 1}:{span.column + 1}: {message}")
    view = ctx.view
    if view is None:
        raise GraphInputError(f"{path} is not a workflow file")
    return build_graph(view, ctx.doc, diagnostics)


def overlay_of(run: Rehearsal) -> Overlay:
    """The path of a rehearsal, for drawing."""
    return Overlay(
        ran={name: i + 1 for i, name in enumerate(run.ran)},
        fired=run.fired(),
        skipped=set(run.not_run),
        title=f"scenario: {run.name} ({'passed' if run.passed else 'failed'})",
    )


def one_based(span: Span) -> dict[str, int]:
    """A span as the CLI prints positions (1-based lines and columns)."""
    return {
        "line": span.line + 1,
        "column": span.column + 1,
        "end_line": span.end_line + 1,
        "end_column": span.end_column + 1,
    }


def render(model: GraphModel, fmt: str, title: str, overlay: Overlay | None = None) -> str:
    """The drawing in one format (SVG and HTML need Graphviz)."""
    if fmt == "json":
        return json.dumps(model.to_json(one_based), indent=2, ensure_ascii=False) + "\n"
    if fmt == "mermaid":
        return render_mermaid(model, overlay)
    dot = render_dot(model, overlay)
    if fmt == "dot":
        return dot
    svg = render_svg(dot)
    return svg if fmt == "svg" else render_html(svg, title)


def run_graph(args: Any, out: TextIO | None = None) -> int:
    """The ``graph`` command."""
    stdout = out or sys.stdout
    try:
        model = model_of_file(args.file)
    except GraphInputError as exc:
        print(f"attune-lsp: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    overlay = None
    if args.scenario is not None:
        run = rehearse_file(args.scenario)
        if run.error is not None:
            print(f"attune-lsp: error: {run.error}", file=sys.stderr)
            return EXIT_USAGE
        overlay = overlay_of(run)
    try:
        text = render(model, args.format, args.file.name, overlay)
    except GraphvizError as exc:
        print(f"attune-lsp: error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    if args.output is not None:
        try:
            args.output.write_text(text, encoding="utf-8")
        except OSError as exc:
            print(f"attune-lsp: error: cannot write {args.output}: {exc}", file=sys.stderr)
            return EXIT_FAILURE
    else:
        stdout.write(text)
    return EXIT_OK

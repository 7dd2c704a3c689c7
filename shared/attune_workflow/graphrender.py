"""Draw a :class:`GraphModel`: Graphviz DOT, Mermaid, SVG (through Graphviz) and HTML.

Layout is left to Graphviz (`dot`); this module only writes its input. An optional
:class:`Overlay` shows a rehearsal's path: the tasks that ran with their rank, the
transitions that fired, and the tasks that were skipped.
"""

from __future__ import annotations

import html
import shutil
import subprocess
from dataclasses import dataclass, field

from .graphmodel import GraphEdge, GraphModel, GraphNode

__all__ = [
    "GRAPHVIZ_PACKAGE",
    "GraphvizError",
    "Overlay",
    "render_dot",
    "render_html",
    "render_mermaid",
    "render_svg",
]

GRAPHVIZ_PACKAGE = "graphviz"
"""The Debian package that provides the `dot` program."""

EDGE_COLOURS = {
    "succeeded": "#2e7d32",
    "failed": "#c62828",
    "timed_out": "#ef6c00",
    "always": "#616161",
    "when": "#1565c0",
}
_FILL = {"error": "#fdecea", "warning": "#fff4e5"}
_BORDER = {"error": "#c62828", "warning": "#ef6c00"}


class GraphvizError(Exception):
    """Graphviz is missing or failed."""


@dataclass
class Overlay:
    """A rehearsal's path: rank of each task that ran, fired transitions, skipped tasks."""

    ran: dict[str, int] = field(default_factory=dict)
    fired: set[tuple[str, int]] = field(default_factory=set)
    skipped: set[str] = field(default_factory=set)
    title: str | None = None


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _dot_id(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return '"' + escaped + '"'


def _short(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _node_label(node: GraphNode, overlay: Overlay | None) -> str:
    rows = [f"<b>{html.escape(_short(node.name))}</b>"]
    if node.action:
        rows.append(f'<font point-size="9">{html.escape(_short(node.action))}</font>')
    if node.type != "action":
        rows.append(f'<font point-size="9"><i>{html.escape(node.type)}</i></font>')
    tags = list(node.badges)
    if node.entry:
        tags.insert(0, "▶ entry")
    if node.unreachable:
        tags.append("unreachable")
    if node.never_runs:
        tags.append("never runs")
    if node.publishes:
        tags.append("✎ " + ", ".join(node.publishes))
    if tags:
        rows.append(f'<font point-size="8">{html.escape(" · ".join(tags))}</font>')
    if overlay is not None:
        if node.name in overlay.ran:
            rows.append(
                f'<font point-size="8"><b>ran {_ordinal(overlay.ran[node.name])}</b></font>'
            )
        elif node.name in overlay.skipped:
            rows.append('<font point-size="8">skipped</font>')
    return "<" + "<br/>".join(rows) + ">"


def _node_attrs(node: GraphNode, overlay: Overlay | None) -> str:
    styles = ["rounded", "filled"]
    fill = _FILL.get(node.severity or "", "#ffffff")
    border = _BORDER.get(node.severity or "", "#455a64")
    width = "1.2"
    if node.entry:
        width = "2"
    if node.unreachable or node.never_runs:
        styles.append("dashed")
        fill = "#f5f5f5" if not node.severity else fill
    if overlay is not None:
        if node.name in overlay.ran:
            width = "3"
            border = "#1565c0" if not node.severity else border
        elif node.name in overlay.skipped:
            fill = "#eeeeee"
            styles.append("dashed")
    tooltip = "\n".join(node.messages) if node.messages else node.name
    return (
        f'label={_node_label(node, overlay)}, style="{",".join(styles)}", '
        f'fillcolor="{fill}", color="{border}", penwidth={width}, '
        f"tooltip={_dot_id(tooltip)}, id={_dot_id('node_' + node.id)}"
    )


def _edge_label(edge: GraphEdge) -> str:
    text = _short(edge.label, 40)
    if edge.publishes:
        text += "\n✎ " + _short(", ".join(edge.publishes), 40)
    return text


def render_dot(model: GraphModel, overlay: Overlay | None = None) -> str:
    """Graphviz DOT text of the graph."""
    out = [
        "digraph workflow {",
        '  graph [rankdir=TB, fontname="Helvetica", fontsize=11, nodesep=0.35, ranksep=0.45'
        + (f", label={_dot_id(overlay.title)}, labelloc=t" if overlay and overlay.title else "")
        + "];",
        '  node [shape=box, fontname="Helvetica", fontsize=11, margin="0.15,0.06"];',
        '  edge [fontname="Helvetica", fontsize=9, arrowsize=0.7];',
    ]
    clusters = model.clusters()
    by_id = {node.id: node for node in model.nodes}
    for node in model.nodes:
        if node.parent is not None:
            continue
        if node.id in clusters:
            out.append(f"  subgraph {_dot_id('cluster_' + node.id)} {{")
            out.append(
                f'    label={_dot_id("parallel: " + node.name)}; style="rounded,dashed"; '
                'color="#78909c"; fontsize=10;'
            )
            out.append(f"    {_dot_id(node.id)} [{_node_attrs(node, overlay)}];")
            for child in clusters[node.id]:
                out.append(f"    {_dot_id(child.id)} [{_node_attrs(child, overlay)}];")
            out.append("  }")
        else:
            out.append(f"  {_dot_id(node.id)} [{_node_attrs(node, overlay)}];")
    for edge in model.edges:
        colour = EDGE_COLOURS[edge.kind]
        style = "solid" if edge.kind != "always" else "dashed"
        width = "1.2"
        source = by_id[edge.source]
        if overlay is not None and (source.name, edge.index) in overlay.fired:
            width = "3"
        out.append(
            f"  {_dot_id(edge.source)} -> {_dot_id(edge.target)} "
            f'[label={_dot_id(_edge_label(edge))}, color="{colour}", fontcolor="{colour}", '
            f"style={style}, penwidth={width}, id={_dot_id('edge_' + edge.id)}];"
        )
    out.append("}")
    return "\n".join(out) + "\n"


def _mermaid_text(text: str) -> str:
    return html.escape(text, quote=True).replace("|", "&#124;")


def render_mermaid(model: GraphModel, overlay: Overlay | None = None) -> str:
    """A Mermaid flowchart of the graph."""
    out = ["flowchart TD"]
    clusters = model.clusters()

    def node_line(node: GraphNode) -> str:
        parts = [f"<b>{_mermaid_text(node.name)}</b>"]
        if node.action:
            parts.append(f"<small>{_mermaid_text(node.action)}</small>")
        tags = list(node.badges)
        if node.publishes:
            tags.append("✎ " + ", ".join(node.publishes))
        if overlay is not None and node.name in overlay.ran:
            tags.append(f"ran {_ordinal(overlay.ran[node.name])}")
        if tags:
            parts.append(f"<small>{_mermaid_text(' · '.join(tags))}</small>")
        return f'{node.id}["{"<br/>".join(parts)}"]'

    for node in model.nodes:
        if node.parent is not None:
            continue
        if node.id in clusters:
            out.append(f'  subgraph {node.id}_group ["parallel: {_mermaid_text(node.name)}"]')
            out.append(f"    {node_line(node)}")
            out.extend(f"    {node_line(child)}" for child in clusters[node.id])
            out.append("  end")
        else:
            out.append(f"  {node_line(node)}")
    for edge in model.edges:
        label = _short(edge.label, 40)
        if edge.publishes:
            label += " ✎ " + ", ".join(edge.publishes)
        arrow = "-.->" if edge.kind == "always" else "-->"
        out.append(f"  {edge.source} {arrow}|{_mermaid_text(label)}| {edge.target}")
    out.append("  classDef error fill:#fdecea,stroke:#c62828,stroke-width:2px")
    out.append("  classDef warning fill:#fff4e5,stroke:#ef6c00")
    out.append("  classDef muted fill:#f5f5f5,stroke:#9e9e9e,stroke-dasharray:4 3")
    out.append("  classDef entry stroke-width:3px")
    for cls, members in (
        ("error", [n.id for n in model.nodes if n.severity == "error"]),
        ("warning", [n.id for n in model.nodes if n.severity == "warning"]),
        ("muted", [n.id for n in model.nodes if n.unreachable or n.never_runs]),
        ("entry", [n.id for n in model.nodes if n.entry]),
    ):
        if members:
            out.append(f"  class {','.join(members)} {cls}")
    for index, edge in enumerate(model.edges):
        out.append(f"  linkStyle {index} stroke:{EDGE_COLOURS[edge.kind]}")
    return "\n".join(out) + "\n"


def render_svg(dot_text: str, timeout: float = 30.0) -> str:
    """SVG laid out by Graphviz's `dot`; a clear error when it is not installed."""
    program = shutil.which("dot")
    if program is None:
        raise GraphvizError(
            "the `dot` program of Graphviz is needed for SVG output; install it "
            f"(Debian/Ubuntu: apt-get install {GRAPHVIZ_PACKAGE}), or use --format dot, "
            "mermaid or json"
        )
    try:
        done = subprocess.run(
            [program, "-Tsvg"],
            input=dot_text.encode("utf-8"),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GraphvizError(f"Graphviz failed: {exc}") from None
    if done.returncode != 0:
        raise GraphvizError(
            "Graphviz failed: " + done.stderr.decode("utf-8", "replace").strip()[:500]
        )
    return done.stdout.decode("utf-8", "replace")


def render_html(svg: str, title: str) -> str:
    """A standalone page around an SVG picture (what `attune.showGraph` opens)."""
    start = svg.find("<svg")
    body = svg[start:] if start >= 0 else svg
    legend = " ".join(
        f'<span style="color:{colour}">━ {html.escape(kind)}</span>'
        for kind, colour in EDGE_COLOURS.items()
    )
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:Helvetica,Arial,sans-serif;margin:16px}"
        "svg{max-width:100%;height:auto}.legend{font-size:12px;margin:8px 0}</style>"
        f"</head><body><h3>{html.escape(title)}</h3>"
        f'<div class="legend">{legend} · ✎ publishes · dashed: unreachable, never runs or '
        "skipped · red: errors</div>"
        f"{body}</body></html>\n"
    )

"""A workflow's graph for drawing: nodes (tasks) and edges (transitions) with source spans.

Built from the positioned view and the checker's findings, so that every door draws
the same picture: tasks with their action and badges (iteration, retry, wait, join,
timeout), transitions labelled by their condition with a mark where they publish,
parallel tasks as clusters, and the tasks that are entries, unreachable, in error, or
never run by Attune's scheduler. Legacy transitions are shown as Attune normalises
them (format §3.7): ``on_*`` keys and ``decision`` branches become conditioned edges,
and a legacy task ``publish`` joins the first transition that mentions ``succeeded()``.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .diagnostics import Diagnostic, Severity
from .graph import ScopeGraph, effective_transitions, workflow_graph
from .positions import Span
from .view import LEGACY_WHEN, TaskView, TransitionView, WorkflowView
from .yamlsource import MappingNode, Node, ScalarNode, SequenceNode, YamlDocument, is_string

__all__ = ["GraphEdge", "GraphModel", "GraphNode", "build_graph", "condition_label"]

_SIMPLE_CONDITIONS = {
    "succeeded()": "succeeded",
    "failed()": "failed",
    "timed_out()": "timed_out",
    "cancelled()": "cancelled",
}


def condition_label(when: str | None) -> str:
    """How an edge is labelled: succeeded / failed / timed_out / always, or the `when` text."""
    if when is None:
        return "always"
    text = when.strip()
    if text.startswith("{{") and text.endswith("}}") and text.count("{{") == 1:
        text = text[2:-2].strip()
    return _SIMPLE_CONDITIONS.get(text, text)


def condition_kind(when: str | None) -> str:
    """The colour class of a condition: succeeded, failed, timed_out, always or when."""
    label = condition_label(when)
    return label if label in ("succeeded", "failed", "timed_out", "always") else "when"


@dataclass
class GraphNode:
    """A task."""

    id: str
    name: str
    type: str
    action: str | None
    span: Span
    name_span: Span | None
    parent: str | None = None
    badges: list[str] = field(default_factory=list)
    publishes: list[str] = field(default_factory=list)
    entry: bool = False
    unreachable: bool = False
    never_runs: str | None = None
    severity: str | None = None  # "error", "warning" or None
    messages: list[str] = field(default_factory=list)

    def to_json(self, span: Callable[[Span], Any]) -> dict[str, Any]:
        """Plain data; `span` converts positions for the caller's edge."""
        return {
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "action": self.action,
            "parent": self.parent,
            "range": span(self.span),
            "nameRange": span(self.name_span) if self.name_span else None,
            "badges": self.badges,
            "publishes": self.publishes,
            "entry": self.entry,
            "unreachable": self.unreachable,
            "neverRuns": self.never_runs,
            "state": self.severity or "ok",
            "messages": self.messages,
        }


@dataclass
class GraphEdge:
    """A transition target that names a task of the same scope."""

    id: str
    source: str
    target: str
    when: str | None
    label: str
    kind: str
    origin: str  # "next", "on_success", ..., "decision"
    index: int  # position among the task's transitions as Attune keeps them
    span: Span
    publishes: list[str] = field(default_factory=list)

    def to_json(self, span: Callable[[Span], Any]) -> dict[str, Any]:
        """Plain data."""
        return {
            "id": self.id,
            "source": self.source,
            "target": self.target,
            "when": self.when,
            "condition": self.label,
            "kind": self.kind,
            "origin": self.origin,
            "index": self.index,
            "publishes": self.publishes,
            "range": span(self.span),
        }


@dataclass
class GraphModel:
    """Every node and edge of a workflow."""

    nodes: list[GraphNode]
    edges: list[GraphEdge]

    def node(self, name: str) -> GraphNode | None:
        """The first node of that task name."""
        return next((n for n in self.nodes if n.name == name), None)

    def clusters(self) -> dict[str, list[GraphNode]]:
        """Sub-task nodes by the id of their parallel task."""
        out: dict[str, list[GraphNode]] = {}
        for node in self.nodes:
            if node.parent is not None:
                out.setdefault(node.parent, []).append(node)
        return out

    def to_json(self, span: Callable[[Span], Any]) -> dict[str, Any]:
        """Plain data."""
        return {
            "nodes": [n.to_json(span) for n in self.nodes],
            "edges": [e.to_json(span) for e in self.edges],
        }


def _scalar_text(node: Node | None) -> str | None:
    if isinstance(node, ScalarNode) and node.value not in ("", None):
        return str(node.value)
    return None


def _publish_names(node: Node | None) -> list[str]:
    names: list[str] = []
    if isinstance(node, SequenceNode):
        for item in node.value:
            if isinstance(item, ScalarNode) and is_string(item):
                names.append(str(item.value))
            elif isinstance(item, MappingNode):
                names.extend(str(key.value) for key, _ in item.value)
    return names


def _badges(task: TaskView) -> list[str]:
    badges: list[str] = []
    if "with_items" in task.fields:
        badges.append("with_items")
    if "iterate_cache" in task.fields:
        badges.append("iterate_cache")
    retry = task.value("retry")
    if isinstance(retry, MappingNode):
        count = next((v for k, v in retry.value if k.value == "count"), None)
        text = _scalar_text(count)
        badges.append(f"retry ×{text}" if text else "retry")
    wait = task.value("wait_for")
    if isinstance(wait, MappingNode) and wait.value:
        badges.append(f"wait_for {wait.value[0][0].value}")
    join = _scalar_text(task.value("join"))
    if join:
        badges.append(f"join {join}")
    timeout = _scalar_text(task.value("timeout"))
    if timeout:
        badges.append(f"timeout {timeout}")
    return badges


def _transition_when(transition: TransitionView) -> str | None:
    if transition.source in LEGACY_WHEN:
        return LEGACY_WHEN[transition.source]
    return str(transition.when.value) if transition.when is not None else None


def _legacy_publish_index(task: TaskView, kept: list[TransitionView]) -> int | None:
    """Which kept transition a legacy task-level ``publish`` joins (None: a new one)."""
    if task.uses_next or task.value("publish") is None:
        return None
    for index, transition in enumerate(kept):
        if "succeeded()" in (_transition_when(transition) or ""):
            return index
    return 0 if kept else None


def _overlaps(inner: Span, outer: Span) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end


def _owners(
    view: WorkflowView, doc: YamlDocument, findings: list[Diagnostic]
) -> dict[TaskView, list[Diagnostic]]:
    """Each finding under the innermost task whose text holds it (binary search per level)."""
    spans: dict[TaskView, Span] = {task: doc.span(task.node) for task in view.all_tasks()}
    owned: dict[TaskView, list[Diagnostic]] = {}
    for d in findings:
        owner: TaskView | None = None
        level = view.tasks
        while level:
            starts = [spans[t].start for t in level]
            index = bisect_right(starts, d.span.start) - 1
            if index < 0 or not _overlaps(d.span, spans[level[index]]):
                break
            owner = level[index]
            level = owner.children
        if owner is not None:
            owned.setdefault(owner, []).append(d)
    return owned


def _severity_of(findings: list[Diagnostic]) -> tuple[str | None, list[str]]:
    severity: str | None = None
    messages: list[str] = []
    for d in findings:
        if d.severity == Severity.ERROR:
            severity = "error"
        elif d.severity == Severity.WARNING and severity is None:
            severity = "warning"
        messages.append(f"{d.code}: {d.message}")
    return severity, messages


def build_graph(
    view: WorkflowView, doc: YamlDocument, diagnostics: Iterable[Diagnostic] = ()
) -> GraphModel:
    """The graph model of a workflow view; `diagnostics` mark the tasks they fall in."""
    findings = [d for d in diagnostics if d.severity in (Severity.ERROR, Severity.WARNING)]
    graph = workflow_graph(view)
    owners = _owners(view, doc, findings)
    ids: dict[TaskView, str] = {}
    nodes: list[GraphNode] = []
    for task in view.all_tasks():
        node_id = f"t{task.index}" if task.parent is None else f"{ids[task.parent]}_{task.index}"
        ids[task] = node_id
    edges: list[GraphEdge] = []
    for task in view.all_tasks():
        scope: ScopeGraph = graph.scope(task)
        parent = task.parent
        never: str | None = None
        if task.type == "parallel":
            never = "Attune's scheduler never runs a parallel task"
        elif parent is not None:
            never = "a sub-task of a parallel task, which Attune's scheduler never runs"
        span = doc.span(task.node)
        severity, messages = _severity_of(owners.get(task, []))
        node = GraphNode(
            id=ids[task],
            name=task.name if task.name is not None else f"task #{task.index + 1}",
            type=task.type,
            action=task.string("action"),
            span=span,
            name_span=doc.span(task.name_node) if task.name_node is not None else None,
            parent=ids[parent] if parent is not None else None,
            badges=_badges(task),
            entry=task in scope.entries,
            unreachable=task in scope.unreachable,
            never_runs=never,
            severity=severity,
            messages=messages,
        )
        nodes.append(node)
        kept = effective_transitions(task)
        legacy_publish = _legacy_publish_index(task, kept)
        legacy_names = _publish_names(task.value("publish"))
        if legacy_names and legacy_publish is None:
            node.publishes.extend(legacy_names)
        for index, transition in enumerate(kept):
            when = _transition_when(transition)
            publishes = _publish_names(transition.publish)
            if legacy_publish == index:
                publishes = publishes + legacy_names
            targets = [scope.names.get(t.name) for t in transition.targets]
            real = [t for t in targets if t is not None]
            if not real:
                node.publishes.extend(publishes)
            for target in real:
                edges.append(
                    GraphEdge(
                        id=f"e{len(edges)}",
                        source=ids[task],
                        target=ids[target],
                        when=when,
                        label=condition_label(when),
                        kind=condition_kind(when),
                        origin=transition.source,
                        index=index,
                        span=doc.span(transition.node),
                        publishes=publishes,
                    )
                )
    return GraphModel(nodes, edges)

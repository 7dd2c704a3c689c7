"""The task graph of a workflow: edges per scope, entries, reachability, cycles.

Edges come from the transitions Attune keeps after normalisation (format §3.7):
a task with a non-empty ``next`` list contributes its ``next`` transitions
only; any other task contributes its legacy ``on_*`` keys and ``decision``
branches. A scope is the top-level task list or the sub-tasks of one parallel
task; transitions only connect tasks of one scope, and a target that names no
task of the scope (``unknown-task``) gives no edge.

Everything is computed without recursion (a chain of thousands of tasks is
fine) and once per view: :func:`workflow_graph` caches its result.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property

from .view import TaskView, TransitionView, WorkflowView

__all__ = [
    "Edge",
    "ScopeGraph",
    "WorkflowGraph",
    "adopt_graph",
    "effective_transitions",
    "ignored_transitions",
    "in_cycle",
    "strongly_connected_components",
    "workflow_graph",
]


def effective_transitions(task: TaskView) -> list[TransitionView]:
    """The transitions Attune keeps: ``next`` when it is non-empty, else the legacy ones."""
    if task.uses_next:
        return [t for t in task.transitions if t.source == "next"]
    return [t for t in task.transitions if t.source != "next"]


def ignored_transitions(task: TaskView) -> list[TransitionView]:
    """Legacy transitions Attune discards because the task has a non-empty ``next``."""
    if not task.uses_next:
        return []
    return [t for t in task.transitions if t.source != "next"]


@dataclass(frozen=True, slots=True)
class Edge:
    """A transition target that names a task of the scope."""

    source: TaskView
    target: TaskView
    transition: TransitionView
    index: int  # position of the target in the transition's targets


class ScopeGraph:
    """The tasks of one scope and the edges between them."""

    def __init__(self, parent: TaskView | None, tasks: list[TaskView]) -> None:
        self.parent = parent
        self.tasks = tasks
        names: dict[str, TaskView] = {}
        for task in tasks:
            if task.name is not None:
                names.setdefault(task.name, task)
        self.names = names
        edges: list[Edge] = []
        successors: dict[TaskView, list[TaskView]] = {task: [] for task in tasks}
        predecessors: dict[TaskView, list[TaskView]] = {task: [] for task in tasks}
        for task in tasks:
            out = successors[task]
            for transition in effective_transitions(task):
                for index, target in enumerate(transition.targets):
                    node = names.get(target.name)
                    if node is None:
                        continue
                    edges.append(Edge(task, node, transition, index))
                    if node not in out:
                        out.append(node)
                        predecessors[node].append(task)
        self.edges = edges
        self.successors = successors
        self.predecessors = predecessors

    @cached_property
    def entries(self) -> list[TaskView]:
        """Tasks without inbound edges, in file order."""
        return [task for task in self.tasks if not self.predecessors[task]]

    @cached_property
    def reachable(self) -> set[TaskView]:
        """Tasks some entry task reaches (the entries included)."""
        seen: set[TaskView] = set(self.entries)
        stack = list(self.entries)
        while stack:
            for nxt in self.successors[stack.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return seen

    @cached_property
    def unreachable(self) -> list[TaskView]:
        """Tasks no entry reaches, in file order; empty when there is no entry (as Attune)."""
        if not self.entries:
            return []
        reachable = self.reachable
        return [task for task in self.tasks if task not in reachable]

    @cached_property
    def components(self) -> list[list[TaskView]]:
        """Strongly connected components (Tarjan, iterative), in reverse topological order."""
        return strongly_connected_components(self.tasks, self.successors)

    @cached_property
    def cyclic(self) -> frozenset[TaskView]:
        """Tasks that can reach themselves through one or more edges."""
        result: set[TaskView] = set()
        for component in self.components:
            if len(component) > 1:
                result.update(component)
            elif component[0] in self.successors[component[0]]:
                result.add(component[0])
        return frozenset(result)


def strongly_connected_components(
    nodes: Iterable[TaskView], successors: dict[TaskView, list[TaskView]]
) -> list[list[TaskView]]:
    """Tarjan's algorithm with an explicit stack (no recursion limit)."""
    index_of: dict[TaskView, int] = {}
    low: dict[TaskView, int] = {}
    on_stack: set[TaskView] = set()
    stack: list[TaskView] = []
    result: list[list[TaskView]] = []
    counter = 0
    for root in nodes:
        if root in index_of:
            continue
        work: list[tuple[TaskView, Iterator[TaskView]]] = []
        index_of[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        work.append((root, iter(successors.get(root, ()))))
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index_of:
                    index_of[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(successors.get(child, ()))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index_of[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index_of[node]:
                    component: list[TaskView] = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member is node:
                            break
                    result.append(component)
    return result


class WorkflowGraph:
    """Every scope of a workflow: the top level and each parallel task's sub-tasks."""

    def __init__(self, view: WorkflowView) -> None:
        self.top = ScopeGraph(None, view.tasks)
        scopes = [self.top]
        scope_of: dict[TaskView, ScopeGraph] = {task: self.top for task in view.tasks}
        for task in view.all_tasks():
            if task.children:
                scope = ScopeGraph(task, task.children)
                scopes.append(scope)
                for child in task.children:
                    scope_of[child] = scope
        self.scopes = scopes
        self._scope_of = scope_of

    def scope(self, task: TaskView) -> ScopeGraph:
        """The scope a task belongs to."""
        return self._scope_of[task]

    @cached_property
    def cyclic(self) -> frozenset[TaskView]:
        """Tasks of any scope that can reach themselves."""
        result: set[TaskView] = set()
        for scope in self.scopes:
            result.update(scope.cyclic)
        return frozenset(result)


_LOCK = threading.Lock()


def workflow_graph(view: WorkflowView) -> WorkflowGraph:
    """The graph of a view, built once and shared by every rule checking it.

    It is kept on the view itself, so it lives exactly as long as the view.
    """
    graph = view.__dict__.get("_graph")
    if isinstance(graph, WorkflowGraph):
        return graph
    with _LOCK:
        graph = view.__dict__.get("_graph")
        if not isinstance(graph, WorkflowGraph):
            graph = WorkflowGraph(view)
            view.__dict__["_graph"] = graph
    return graph


def adopt_graph(view: WorkflowView, graph: WorkflowGraph) -> None:
    """Give a view the graph of another view of the same tasks."""
    view.__dict__["_graph"] = graph


def in_cycle(view: WorkflowView) -> frozenset[TaskView]:
    """Tasks (of any scope) that can reach themselves through transitions."""
    return workflow_graph(view).cyclic

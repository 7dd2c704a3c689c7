"""The task graph of a workflow: edges per scope, entries, reachability, cycles.

Edges come from the transitions Attune keeps after normalisation (format §3.7):
a task with a non-empty ``next`` list contributes its ``next`` transitions
only; any other task contributes its legacy ``on_*`` keys and ``decision``
branches. A scope is the top-level task list or the sub-tasks of one parallel
task; transitions only connect tasks of one scope, and a target that names no
task of the scope (``unknown-task``) gives no edge.

Everything is computed without recursion (a chain of thousands of tasks is
fine) and once per view: :func:`workflow_graph` caches its result. After an edit
that rebuilt one top-level task's view, :func:`spliced_graph` makes the new
view's graph from the old one, recomputing only that task's edges.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right, insort
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
    "spliced_graph",
    "strongly_connected_components",
    "subtree",
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
            for edge in _edges_of(task, names):
                edges.append(edge)
                node = edge.target
                if node not in out:
                    out.append(node)
                    predecessors[node].append(task)
        self.edges = edges  # in the order of their sources in ``tasks``
        self.successors = successors
        self.predecessors = predecessors

    def replaced(self, tasks: list[TaskView], old: TaskView, new: TaskView) -> ScopeGraph:
        """The graph of ``tasks``: these tasks with ``old`` (at position ``old.index``,
        its name kept) replaced by ``new``. Only ``new``'s own edges are computed."""
        graph = ScopeGraph.__new__(ScopeGraph)
        graph.parent = self.parent
        graph.tasks = tasks
        names = dict(self.names)
        if old.name is not None and names.get(old.name) is old:
            names[old.name] = new
        graph.names = names

        def swap(task: TaskView) -> TaskView:
            return new if task is old else task

        # (the two maps are only looked up: the new task's entries go last)
        successors = dict(self.successors)
        del successors[old]
        predecessors = dict(self.predecessors)
        del predecessors[old]
        edges = list(self.edges)
        # the edges into the replaced task now end at the new one
        for source in self.predecessors[old]:
            if source is old:
                continue
            successors[source] = [swap(t) for t in successors[source]]
            low, high = _block(edges, source.index)
            for at in range(low, high):
                edge = edges[at]
                if edge.target is old:
                    edges[at] = Edge(source, new, edge.transition, edge.index)
        # its own edges are computed again, and its successors' predecessor lists follow
        fresh = _edges_of(new, names)
        out: list[TaskView] = []
        for edge in fresh:
            if edge.target not in out:
                out.append(edge.target)
        before = [swap(t) for t in self.successors[old]]
        successors[new] = out
        predecessors[new] = [swap(t) for t in self.predecessors[old] if t is not old]
        for target in set(before) | set(out):
            into = [t for t in predecessors[target] if t is not old and t is not new]
            if target in out:
                insort(into, new, key=_index)
            predecessors[target] = into
        low, high = _block(edges, old.index)
        edges[low:high] = fresh
        graph.edges = edges
        graph.successors = successors
        graph.predecessors = predecessors
        if before == out:
            # the same graph with one task renamed: what was derived from it still holds
            derived = self.__dict__
            if "entries" in derived:
                graph.__dict__["entries"] = [swap(t) for t in derived["entries"]]
            if "reachable" in derived:
                graph.__dict__["reachable"] = _swapped_set(derived["reachable"], old, new)
            if "unreachable" in derived:
                graph.__dict__["unreachable"] = [swap(t) for t in derived["unreachable"]]
            if "cyclic" in derived:
                graph.__dict__["cyclic"] = frozenset(_swapped_set(derived["cyclic"], old, new))
        return graph

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


def _edges_of(task: TaskView, names: dict[str, TaskView]) -> list[Edge]:
    """A task's edges, in the order of its transitions and their targets."""
    edges: list[Edge] = []
    for transition in effective_transitions(task):
        for index, target in enumerate(transition.targets):
            node = names.get(target.name)
            if node is not None:
                edges.append(Edge(task, node, transition, index))
    return edges


def _index(task: TaskView) -> int:
    return task.index


def _source_index(edge: Edge) -> int:
    return edge.source.index


def _block(edges: list[Edge], index: int) -> tuple[int, int]:
    """The range of the edges whose source is at position ``index`` of the scope."""
    return (
        bisect_left(edges, index, key=_source_index),
        bisect_right(edges, index, key=_source_index),
    )


def _swapped_set(tasks: Iterable[TaskView], old: TaskView, new: TaskView) -> set[TaskView]:
    result = set(tasks)
    if old in result:
        result.discard(old)
        result.add(new)
    return result


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
        scope_of: dict[TaskView, ScopeGraph] = {}  # the sub-tasks' (the others': the top)
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
        return self.top if task.parent is None else self._scope_of[task]

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


def spliced_graph(
    graph: WorkflowGraph, view: WorkflowView, old: TaskView, new: TaskView
) -> WorkflowGraph | None:
    """The graph of ``view`` made from ``graph``, the graph of the same tasks with
    top-level task ``old`` in place of ``new``.

    Only ``new``'s edges and the scopes of its sub-tasks are computed. None when
    the two tasks' names differ (the edges of any task may then change).
    """
    if old.name != new.name or old.parent is not None or new.parent is not None:
        return None
    if old.index != new.index or view.tasks[new.index] is not new:
        return None
    top = graph.top.replaced(view.tasks, old, new)
    result = WorkflowGraph.__new__(WorkflowGraph)
    result.top = top
    old_parents = {task for task in subtree(old) if task.children}
    fresh = [ScopeGraph(task, task.children) for task in subtree(new) if task.children]
    scopes = [top]
    placed = False
    for scope in graph.scopes[1:]:
        parent = scope.parent
        if parent in old_parents:
            continue
        if not placed and _top_of(parent).index > new.index:
            scopes.extend(fresh)
            placed = True
        scopes.append(scope)
    if not placed:
        scopes.extend(fresh)
    result.scopes = scopes
    scope_of = dict(graph._scope_of)
    for parent in old_parents:
        for child in parent.children:
            del scope_of[child]
    for scope in fresh:
        for child in scope.tasks:
            scope_of[child] = scope
    result._scope_of = scope_of
    return result


def subtree(task: TaskView) -> list[TaskView]:
    """A task and its sub-tasks at any depth, parents first."""
    found: list[TaskView] = []
    stack = [task]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(reversed(current.children))
    return found


def _top_of(task: TaskView | None) -> TaskView:
    assert task is not None
    while task.parent is not None:
        task = task.parent
    return task


def adopt_graph(view: WorkflowView, graph: WorkflowGraph) -> None:
    """Give a view the graph of another view of the same tasks."""
    view.__dict__["_graph"] = graph


def in_cycle(view: WorkflowView) -> frozenset[TaskView]:
    """Tasks (of any scope) that can reach themselves through transitions."""
    return workflow_graph(view).cyclic

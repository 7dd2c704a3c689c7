"""`wait_for` on a task where Attune does not support it.

## What it does
Reports `wait_for` on a task of type `parallel` or `workflow`, on a sub-task of
a parallel task, on a task that also iterates (`with_items` or
`iterate_cache`), and on a task that can reach itself through its transitions
(a task in a cycle; the message shows the cycle).

## Why is this bad?
Attune's parser rejects the workflow: `wait_for is only supported for action
tasks`, `... is not supported on nested parallel tasks`, `... cannot be combined
with task iteration`, `... is not supported on tasks in cyclic graph regions`.
A waiting task runs once and pauses for one inquiry, execution or work-queue
item; a loop or an iteration would wait on the same thing again.

## Example
```yaml
version: "1.0.0"
tasks:
  - name: approve
    action: core.ask
    wait_for:
      inquiry: "{{ task.approve.inquiry_id }}"
    next:
      - when: "{{ failed() }}"
        do: [approve]
```

## Use instead
```yaml
version: "1.0.0"
tasks:
  - name: ask
    action: core.ask
    next:
      - do: [approve]
  - name: approve
    action: core.echo
    wait_for:
      inquiry: "{{ task.ask.inquiry_id }}"
```
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from ..context import Context, FileKind
from ..diagnostics import Diagnostic, Related, Severity
from ..view import Target, TaskView
from ..yamlsource import MappingNode, is_null
from .base import Scope
from .missing_key import iterates, sentence, task_type

ID = "wait-for-misuse"
SEVERITY = Severity.ERROR
KINDS = frozenset({FileKind.WORKFLOW})
SCOPE = Scope.GRAPH

Edges = list[list[tuple[int, Target]]]


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Report each misplaced ``wait_for`` (the first reason, in Attune's order)."""
    view = ctx.view
    if view is None:
        return
    graphs: dict[int, _Scope] = {}
    for task in view.all_tasks():
        entry = task.fields.get("wait_for")
        if entry is None or is_null(entry[1]) or not isinstance(task.node, MappingNode):
            continue
        span = ctx.span(entry[0])
        label = sentence(task.label)
        kind = task_type(task)
        if kind is not None and kind != "action":
            yield ctx.diagnostic(
                ID,
                SEVERITY,
                span,
                f"{label} of type '{kind}' cannot use 'wait_for': "
                "Attune supports it only on action tasks",
            )
            continue
        if task.parent is not None:
            parent = task.parent
            what = f"parallel {parent.label}" if task_type(parent) == "parallel" else parent.label
            yield ctx.diagnostic(
                ID,
                SEVERITY,
                span,
                f"{label} is a sub-task of {what}: "
                "Attune does not support 'wait_for' on nested parallel tasks",
            )
            continue
        if iterates(task):
            key = "with_items" if not is_null(task.value("with_items")) else "iterate_cache"
            yield ctx.diagnostic(
                ID,
                SEVERITY,
                span,
                f"{label} cannot combine 'wait_for' with '{key}': "
                "Attune rejects waiting on an iterating task",
            )
            continue
        scope = view.scope_of(task)
        graph = graphs.get(id(scope))
        if graph is None:
            graph = graphs[id(scope)] = _Scope(scope)
        cycle = graph.cycle(task.index)
        if cycle is None:
            continue
        names, back = cycle
        if len(names) > 8:
            names = [*names[:4], "...", *names[-3:]]
        related = (
            (Related(ctx.span(back.node), f"'{back.name}' is started again here", ctx.path),)
            if back is not None
            else ()
        )
        yield ctx.diagnostic(
            ID,
            SEVERITY,
            span,
            f"{label} is in a cycle ({' -> '.join(names)}): "
            "Attune does not support 'wait_for' on tasks in cyclic graph regions",
            related=related,
        )


class _Scope:
    """The transition graph of one scope (siblings), with its strongly connected components."""

    def __init__(self, tasks: list[TaskView]) -> None:
        self.tasks = tasks
        index: dict[str, int] = {}
        for i, task in enumerate(tasks):
            if task.name is not None:
                index.setdefault(task.name, i)
        self.edges: Edges = []
        lookup = index.get
        for task in tasks:
            out: list[tuple[int, Target]] = []
            # With a non-empty 'next', Attune drops the legacy transitions.
            next_only = task.uses_next
            for transition in task.transitions:
                if next_only and transition.source != "next":
                    continue
                for target in transition.targets:
                    position = lookup(target.name)
                    if position is not None:
                        out.append((position, target))
            self.edges.append(out)
        self.component = _components(self.edges)

    def cycle(self, start: int) -> tuple[list[str], Target | None] | None:
        """The names along a shortest cycle through ``start`` and the edge that closes it."""
        component = self.component[start]
        previous: dict[int, tuple[int, Target]] = {}
        queue = deque([start])
        while queue:
            node = queue.popleft()
            for target, edge in self.edges[node]:
                if self.component[target] != component:
                    continue
                if target == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]][0])
                    names = [self.tasks[i].name or f"#{i + 1}" for i in reversed(path)]
                    return [*names, names[0]], edge
                if target not in previous:
                    previous[target] = (node, edge)
                    queue.append(target)
        return None


def _components(edges: Edges) -> list[int]:
    """Tarjan's strongly connected components, iteratively (long chains do not recurse)."""
    count = len(edges)
    order = [-1] * count
    low = [0] * count
    on_stack = [False] * count
    component = [-1] * count
    stack: list[int] = []
    counter = 0
    found = 0
    for root in range(count):
        if order[root] != -1:
            continue
        order[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        work = [(root, 0)]
        while work:
            node, position = work[-1]
            if position < len(edges[node]):
                work[-1] = (node, position + 1)
                target = edges[node][position][0]
                if order[target] == -1:
                    order[target] = low[target] = counter
                    counter += 1
                    stack.append(target)
                    on_stack[target] = True
                    work.append((target, 0))
                elif on_stack[target]:
                    low[node] = min(low[node], order[target])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == order[node]:
                while True:
                    member = stack.pop()
                    on_stack[member] = False
                    component[member] = found
                    if member == node:
                        break
                found += 1
    return component

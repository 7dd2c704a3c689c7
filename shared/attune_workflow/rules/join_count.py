"""`join` waits for more inbound completions than there are tasks leading to the task.

## What it does
Counts the distinct tasks of the same scope whose transitions start the task
(the transitions Attune keeps: `next`, or the legacy fields when there is no
`next`). A `join: N` larger than that count is an error: Attune's scheduler
dispatches a task at most once per execution, so no task can complete the
barrier twice, not even in a loop. A `join` on a task that no task, or only
one, leads to, and that asks for no more than that, is a warning: it has no
effect.

## Why is this bad?
`join: N` makes the task wait until N inbound transitions have fired. With
fewer tasks leading to it, the barrier never opens and the task, and
everything after it, never runs; Attune does not check this when it loads the
workflow.

## Example
```yaml
tasks:
  - name: fetch_a
    action: core.noop
    next:
      - do: [merge]
  - name: fetch_b
    action: core.noop
    next:
      - do: [merge]
  - name: merge
    action: core.noop
    join: 3
```

## Use instead
```yaml
tasks:
  - name: fetch_a
    action: core.noop
    next:
      - do: [merge]
  - name: fetch_b
    action: core.noop
    next:
      - do: [merge]
  - name: merge
    action: core.noop
    join: 2
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import Context, FileKind
from ..diagnostics import Diagnostic, Related, Severity
from ..graph import Edge, workflow_graph
from ..view import TaskView
from ..yamlsource import ScalarNode, scalar_value
from .base import Scope

ID = "join-count"
SEVERITY = Severity.ERROR
KINDS = frozenset({FileKind.WORKFLOW})
SCOPE = Scope.GRAPH

_INT = "tag:yaml.org,2002:int"


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Compare each ``join`` with the number of tasks that transition into the task."""
    view = ctx.view
    if view is None:
        return
    graph = None
    for task in view.all_tasks():
        node = task.value("join")
        if not isinstance(node, ScalarNode) or node.tag != _INT:
            continue
        count = scalar_value(node)
        if not isinstance(count, int) or count < 0:
            continue
        if graph is None:
            graph = workflow_graph(view)
        scope = graph.scope(task)
        preds = scope.predecessors[task]
        name = f"'{task.name}'" if task.name is not None else "this task"
        related = _related(ctx, scope.edges, task)
        span = ctx.span(node)
        if len(preds) >= 2:
            if count > len(preds):
                yield ctx.diagnostic(
                    ID,
                    SEVERITY,
                    span,
                    f"'join: {count}' waits for {count} inbound transitions, but only "
                    f"{len(preds)} tasks transition into {name}: the task never starts",
                    related=related,
                )
            continue
        if not preds:
            message = f"'join: {count}' has nothing to wait for: no task transitions into {name}"
        elif count > 1:
            only = _label(preds[0])
            message = (
                f"'join: {count}' waits for {count} inbound transitions, but only {only} "
                f"transitions into {name}, and Attune dispatches a task at most once: the "
                "task never starts"
            )
            yield ctx.diagnostic(ID, SEVERITY, span, message, related=related)
            continue
        else:
            message = (
                f"'join: {count}' has no effect: only {_label(preds[0])} transitions into {name}"
            )
        yield ctx.diagnostic(ID, Severity.WARNING, span, message, related=related)


def _label(task: TaskView) -> str:
    return f"'{task.name}'" if task.name is not None else f"task #{task.index + 1}"


def _related(ctx: Context, edges: list[Edge], task: TaskView) -> tuple[Related, ...]:
    """The first reference of each task that transitions into ``task``."""
    seen: set[TaskView] = set()
    result = []
    for edge in edges:
        if edge.target is task and edge.source not in seen:
            seen.add(edge.source)
            node = edge.transition.targets[edge.index].node
            result.append(
                Related(ctx.span(node), f"{_label(edge.source)} transitions here", ctx.path)
            )
    return tuple(result)

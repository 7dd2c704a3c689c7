"""A task that no entry task can reach.

## What it does
Entry tasks are the top-level tasks that no transition starts; they run when
the workflow starts. The rule reports every top-level task that no path of
transitions from an entry task reaches (in practice: tasks of a cycle that
nothing outside the cycle enters). When there is no entry task at all (every
task is started by some transition) it reports the workflow once, on its
first task: Attune's validator lets such a graph pass, but its scheduler has
nothing to start, so the workflow completes at once and runs no task.
Sub-tasks of a parallel task are not checked.

## Why is this bad?
Such a task never runs, nor do the tasks it would start. Attune's workflow
validator rejects it (`Unreachable task: x`). A workflow without an entry task
reports success without doing anything.

## Example
```yaml
tasks:
  - name: start
    action: core.noop
  - name: poll
    action: ops.poll
    next:
      - when: "{{ failed() }}"
        do: [wait]
  - name: wait
    action: core.sleep
    next:
      - do: [poll]
```

## Use instead
```yaml
tasks:
  - name: start
    action: core.noop
    next:
      - do: [poll]
  - name: poll
    action: ops.poll
    next:
      - when: "{{ failed() }}"
        do: [wait]
  - name: wait
    action: core.sleep
    next:
      - do: [poll]
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import Context, FileKind
from ..diagnostics import Diagnostic, Severity
from ..graph import workflow_graph
from .base import Scope, walked_tasks

ID = "unreachable-task"
SEVERITY = Severity.WARNING
KINDS = frozenset({FileKind.WORKFLOW})
SCOPE = Scope.GRAPH


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Report top-level tasks that no entry task reaches."""
    view = ctx.view
    if view is None or not view.tasks:
        return
    scope = workflow_graph(view).top
    if not scope.entries:
        first = next((t for t in scope.tasks if t.name_node is not None), None)
        if first is not None and first.name_node is not None and first in walked_tasks(ctx):
            yield ctx.diagnostic(
                ID,
                SEVERITY,
                ctx.span(first.name_node),
                "Every task is started by a transition, so the workflow has no entry task: "
                "Attune's scheduler starts nothing, and the workflow completes at once "
                "without running any task",
            )
        return
    walked = walked_tasks(ctx)
    for task in scope.unreachable:
        if task.name_node is None or task not in walked:
            continue
        preds = scope.predecessors[task]
        if preds == [task]:
            by = "it is started only by itself, and "
        else:
            starters = [p.name for p in preds if p.name is not None]
            by = f"it is started only by {_names(starters)}, and " if starters else ""
        yield ctx.diagnostic(
            ID,
            SEVERITY,
            ctx.span(task.name_node),
            f"Task '{task.name}' can never run: {by}no entry task (one that no transition "
            "starts) leads there; Attune's validator rejects the workflow for it",
        )


def _names(names: list[str]) -> str:
    quoted = [f"'{name}'" for name in names]
    if len(quoted) > 4:
        quoted = [*quoted[:3], f"{len(quoted) - 3} other tasks"]
    if len(quoted) == 1:
        return quoted[0]
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]

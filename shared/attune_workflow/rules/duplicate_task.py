"""Two tasks in one scope share a name.

## What it does
Reports every task whose name an earlier task of the same scope already has
(the top-level list, or the sub-tasks of one parallel task), with the first
task as related information. Attune's validator checks only the top level;
this rule checks every scope, because sub-tasks are addressed by name too.

## Why is this bad?
Transitions and `task.<name>` expressions address tasks by name, so only one
of the two can ever be reached or read. Attune's workflow validator rejects
duplicate top-level names (`Duplicate task name: x`).

## Example
```yaml
tasks:
  - name: notify
    action: chat.post
  - name: notify
    action: mail.send
```

## Use instead
```yaml
tasks:
  - name: notify_chat
    action: chat.post
  - name: notify_mail
    action: mail.send
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import Context, FileKind
from ..diagnostics import Diagnostic, Related, Severity
from ..graph import workflow_graph
from ..yamlsource import start_position
from .base import Scope

ID = "duplicate-task"
SEVERITY = Severity.ERROR
KINDS = frozenset({FileKind.WORKFLOW})
SCOPE = Scope.TASK
CITES_LINES = True


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Report the second and later tasks of one name in each scope."""
    view = ctx.view
    if view is None:
        return
    graph = workflow_graph(view)
    for task in view.all_tasks():
        if task.name is None or task.name_node is None:
            continue
        earlier = graph.scope(task).names[task.name]  # the first task of that name
        if earlier is task or earlier.name_node is None:
            continue
        parent = task.parent
        line = start_position(earlier.name_node, ctx.doc.lines)[0] + 1
        if parent is None:
            message = (
                f"Duplicate task name '{task.name}' (first used on line {line}): "
                "Attune's validator rejects the workflow, and transitions can only reach "
                "one of the two tasks"
            )
        else:
            owner = f"'{parent.name}'" if parent.name is not None else "this parallel task"
            message = (
                f"Duplicate sub-task name '{task.name}' in {owner} (first used on line "
                f"{line}): transitions can only reach one of the two tasks"
            )
        yield ctx.diagnostic(
            ID,
            SEVERITY,
            ctx.span(task.name_node),
            message,
            related=(
                Related(
                    ctx.span(earlier.name_node),
                    f"First task named '{task.name}'",
                    ctx.path,
                ),
            ),
        )

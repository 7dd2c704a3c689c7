"""A task is named after a reserved keyword.

## What it does
Reports tasks named `parameters`, `vars`, `task`, `system`, `kv`, `pack`,
`item`, `batch` or `index`. Top-level tasks are errors: Attune's workflow
validator rejects them. Attune does not check the sub-tasks of parallel tasks,
so there the rule only warns: the name passes today, but it clashes with the
same namespace words and is rejected as soon as the task moves to the top level.

## Why is this bad?
These words name expression namespaces and loop variables (`parameters.x`,
`item`, `index`, ...). Attune refuses them as task names
(`Task name 'item' conflicts with reserved keyword`) so that a template never
has to guess whether `item` means the task or the current element.

## Example
```yaml
tasks:
  - name: item
    action: core.echo
```

## Use instead
```yaml
tasks:
  - name: echo_item
    action: core.echo
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import Context, FileKind
from ..diagnostics import Diagnostic, Severity
from .base import Scope

ID = "reserved-task-name"
SEVERITY = Severity.ERROR
KINDS = frozenset({FileKind.WORKFLOW})
SCOPE = Scope.TASK

RESERVED = frozenset(
    {"parameters", "vars", "task", "system", "kv", "pack", "item", "batch", "index"}
)


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Report tasks with a reserved name."""
    view = ctx.view
    if view is None:
        return
    for task in view.all_tasks():
        if task.name not in RESERVED or task.name_node is None:
            continue
        if task.parent is None:
            yield ctx.diagnostic(
                ID,
                SEVERITY,
                ctx.span(task.name_node),
                f"Task name '{task.name}' is a reserved keyword: Attune's validator rejects "
                "the workflow; rename the task",
            )
        else:
            yield ctx.diagnostic(
                ID,
                Severity.WARNING,
                ctx.span(task.name_node),
                f"Sub-task name '{task.name}' is a reserved keyword: Attune rejects it on "
                "top-level tasks and only lets it pass here because sub-tasks are not "
                "checked; rename the task",
            )

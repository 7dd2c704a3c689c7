"""A task iterates in two ways at once, or a task that cannot iterate does.

## What it does
Reports a task that has both `with_items` and `iterate_cache`, and a task of
type `parallel` or `workflow` that has either of them.

## Why is this bad?
Attune's workflow validator rejects both: a task iterates over one source, and
only action tasks iterate (`cannot define both with_items and iterate_cache`,
`iterate_cache is only supported for action tasks`).

## Example
```yaml
version: "1.0.0"
tasks:
  - name: sync
    action: crm.sync_user
    with_items: "{{ parameters.users }}"
    iterate_cache:
      namespace: users
```

## Use instead
```yaml
version: "1.0.0"
tasks:
  - name: sync
    action: crm.sync_user
    iterate_cache:
      namespace: users
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import Context, FileKind
from ..diagnostics import Diagnostic, Related, Severity
from ..yamlsource import MappingNode, is_null, node_start
from .base import Scope
from .missing_key import sentence, task_type

ID = "iteration-conflict"
SEVERITY = Severity.ERROR
KINDS = frozenset({FileKind.WORKFLOW})
SCOPE = Scope.TASK

_KEYS = ("with_items", "iterate_cache")


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Report double iteration and iteration on non-action tasks."""
    view = ctx.view
    if view is None:
        return
    for task in view.all_tasks():
        if not isinstance(task.node, MappingNode):
            continue
        present = [
            task.fields[key][0]
            for key in _KEYS
            if key in task.fields and not is_null(task.fields[key][1])
        ]
        if not present:
            continue
        if len(present) == 2:
            first, second = sorted(present, key=lambda node: node_start(node))
            yield ctx.diagnostic(
                ID,
                SEVERITY,
                ctx.span(second),
                f"{sentence(task.label)} has both 'with_items' and 'iterate_cache': "
                "Attune's workflow validator rejects it; keep one",
                related=(Related(ctx.span(first), f"'{first.value}' is set here", ctx.path),),
            )
        kind = task_type(task)
        if kind in ("parallel", "workflow"):
            for key in present:
                yield ctx.diagnostic(
                    ID,
                    SEVERITY,
                    ctx.span(key),
                    f"{sentence(task.label)} of type '{kind}' cannot use '{key.value}': "
                    "Attune's workflow validator allows iteration only on action tasks",
                )

"""The workflow's `tasks` list (or a parallel task's) is empty.

## What it does
Reports a top-level `tasks` that is an empty list or null, and a `parallel`
task whose `tasks` is an empty list or null.

## Why is this bad?
A workflow must contain at least one task and a parallel task at least one
sub-task: Attune rejects the file (`tasks: ...` validation error, `Parallel
task must contain at least one sub-task`).

## Example
```yaml
version: "1.0.0"
tasks: []
```

## Use instead
```yaml
version: "1.0.0"
tasks:
  - name: greet
    action: core.echo
    input:
      message: hello
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import Context, FileKind
from ..diagnostics import Diagnostic, Severity
from ..positions import Span
from ..yamlsource import Node, ScalarNode, SequenceNode, is_null
from .base import Scope
from .missing_key import task_type

ID = "no-tasks"
SEVERITY = Severity.ERROR
KINDS = frozenset({FileKind.WORKFLOW})
SCOPE = Scope.TASK


def _empty(node: Node) -> bool:
    return is_null(node) or (isinstance(node, SequenceNode) and not node.value)


def _span(ctx: Context, key: ScalarNode, value: Node) -> Span:
    span = ctx.span(value)
    return ctx.span(key) if span.start == span.end or is_null(value) else span


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Report empty task lists."""
    view = ctx.view
    if view is None:
        return
    entry = view.fields.get("tasks")
    if entry is not None and _empty(entry[1]):
        yield ctx.diagnostic(
            ID,
            SEVERITY,
            _span(ctx, *entry),
            "The workflow has no tasks: Attune rejects a workflow without at least one task",
        )
    for task in view.all_tasks():
        sub = task.fields.get("tasks")
        if sub is None or task_type(task) != "parallel" or not _empty(sub[1]):
            continue
        yield ctx.diagnostic(
            ID,
            SEVERITY,
            _span(ctx, *sub),
            f"Parallel {task.label} has no sub-tasks: "
            "Attune rejects a parallel task without at least one",
        )

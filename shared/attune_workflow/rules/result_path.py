"""A task result is read through `.result`, which Attune's result view flattens away.

## What it does
Flags `task.X.result.…` and `result().result…` where the called action's output
schema has no `result` key, and offers a quick fix that drops `.result`. Stays
silent when the action declares a `result` output.

## Why is this bad?
Attune presents a task's result with the fields of its `data` flattened to the
top level, so `task.X.field` is the usual path and `task.X.result.field` only
resolves when the action's output itself has a `result` key. Older examples
write `.result` out of habit.

## Example
```yaml
- name: build
  action: ci.build
  next:
    - do: [report]
- name: report
  action: core.echo
  input:
    message: "{{ task.build.result.version }}"
```

## Use instead
```yaml
- name: build
  action: ci.build
  next:
    - do: [report]
- name: report
  action: core.echo
  input:
    message: "{{ task.build.version }}"
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import Context, FileKind
from ..diagnostics import Diagnostic, Fix, Severity
from ..exprcheck import TASK_NAMESPACES, action_output, references, replace_fix, workflow_facts
from ..expressions import Call, Path
from ..view import TaskView
from .base import Scope

ID = "result-path"
SEVERITY = Severity.HINT
KINDS = frozenset({FileKind.WORKFLOW})
SCOPE = Scope.TASK


def _target(ctx: Context, path: Path, task: TaskView | None) -> tuple[int, TaskView | None] | None:
    """Index of the `result` segment and the task whose result is read, or None."""
    root = path.root
    segments = path.segments
    if isinstance(root, Call):
        if root.name == "result" and not root.args and segments[0].key == "result":
            return 0, task
        return None
    if root.id in TASK_NAMESPACES and len(segments) >= 2 and segments[1].key == "result":
        name = segments[0].key
        found = workflow_facts(ctx).tasks.get(name) if isinstance(name, str) else None
        if found is None:
            return None  # unknown-task-reference reports it
        return 1, found
    return None


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Hint at each `.result` step that the action's output does not declare."""
    for expr in ctx.expressions:
        for path in references(expr).paths:
            if not path.segments:
                continue
            target = _target(ctx, path, expr.task)
            if target is None:
                continue
            index, task = target
            output = action_output(ctx, task)
            if output is not None and "result" in output:
                continue
            segment = path.segments[index]
            src = expr.block.expr
            previous_end = path.segments[index - 1].end if index else path.root.end
            if segment.bracketed:
                start = src.rfind("[", previous_end, segment.start)
                end = src.find("]", segment.end)
            else:
                start = src.rfind(".", previous_end, segment.start)
                end = segment.end - 1
            fixes: tuple[Fix, ...] = ()
            if start >= 0 and end >= 0:
                fixes = replace_fix(ctx, expr, start, end + 1, "", "Drop '.result'")
            action = task.string("action") if task is not None else None
            why = (
                f"the output of '{action}' declares no 'result' key"
                if output is not None and action
                else "it only resolves when the action's output has a 'result' key"
            )
            yield ctx.diagnostic(
                ID,
                SEVERITY,
                ctx.expression_span(expr, segment.start, segment.end),
                "Attune flattens a task result's data to the top level, so '.result' is "
                f"usually wrong here: {why}",
                fixes=fixes,
            )

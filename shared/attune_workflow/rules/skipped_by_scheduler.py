"""Something Attune parses but its scheduler never runs or never evaluates.

## What it does
Reports the parts of a workflow that Attune accepts and stores, but that its
scheduler ignores when the workflow runs: a `type: parallel` task (the
scheduler never dispatches it, so its sub-tasks never run and its transitions
never fire), a task-level `when` (never evaluated: the task always runs when a
transition starts it) and `retry.on_error` (never evaluated: the retry policy
applies to every failure).

## Why is this bad?
Nothing fails: the workflow installs and runs, just not as written. A
parallel fan-out silently does nothing and the branch after it never starts;
a task guarded by `when` runs even when the condition is false; a retry meant
only for some errors retries all of them.

## Example
```yaml
version: "1.0.0"
tasks:
  - name: checks
    type: parallel
    tasks:
      - name: lint
        action: ci.lint
      - name: test
        action: ci.test
  - name: deploy
    action: ci.deploy
    when: "{{ parameters.deploy }}"
```

## Use instead
```yaml
version: "1.0.0"
tasks:
  - name: start
    action: core.noop
    next:
      - do: [lint, test]
  - name: lint
    action: ci.lint
    next:
      - do: [gate]
  - name: test
    action: ci.test
    next:
      - do: [gate]
  - name: gate
    action: core.noop
    join: 2
    next:
      - when: "{{ parameters.deploy }}"
        do: [deploy]
  - name: deploy
    action: ci.deploy
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import Context, FileKind
from ..diagnostics import Diagnostic, Severity
from ..yamlsource import MappingNode, Node, is_null, mapping_get
from .base import Scope, workflow_tasks

ID = "skipped-by-scheduler"
SEVERITY = Severity.WARNING
KINDS = frozenset({FileKind.WORKFLOW})
SCOPE = Scope.TASK


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Report parallel tasks, task-level ``when`` and ``retry.on_error``."""
    for task in workflow_tasks(ctx):
        if not isinstance(task.node, MappingNode) or task.parent is not None:
            continue  # sub-tasks of a parallel task never run at all
        label = task.label
        found: list[tuple[Node, str]] = []
        type_entry = task.fields.get("type")
        if type_entry is not None and task.type == "parallel":
            found.append(
                (
                    type_entry[1],
                    f"Attune's scheduler never runs a parallel task: the sub-tasks of {label} "
                    "never run and its transitions never fire; start the branches from one "
                    "task's 'next' ('do: [a, b]') and merge them with 'join'",
                )
            )
        when = task.fields.get("when")
        if when is not None and not is_null(when[1]):
            found.append(
                (
                    when[0],
                    f"Attune's scheduler never evaluates a task-level 'when': {label} always "
                    "runs once a transition starts it; put the condition on the 'next' "
                    "transitions that start it",
                )
            )
        retry = task.value("retry")
        on_error = mapping_get(retry, "on_error") if isinstance(retry, MappingNode) else None
        if on_error is not None and not is_null(on_error[1]):
            found.append(
                (
                    on_error[0],
                    f"Attune's scheduler never evaluates 'retry.on_error': {label} is retried "
                    "on every failure",
                )
            )
        for node, message in found:
            yield ctx.diagnostic(ID, SEVERITY, ctx.span(node), message)

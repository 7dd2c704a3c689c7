"""A transition function is used outside a transition.

## What it does
Reports `result()`, `succeeded()`, `failed()`, `timed_out()` and `cancelled()`
anywhere but in a transition's `when` or `publish` (legacy `decision` branches
and task-level `publish` count as transitions): in task `input`, a task's own
`when`, `with_items`, `timeout`, `output_map` and the like.

## Why is this bad?
These functions describe the task that has just completed, and Attune only has
one while it evaluates that task's transitions. Elsewhere there is no such
task: the value is not what was meant, or the template fails. Read a finished
task's result as `task.<name>` instead.

## Example
```yaml
- name: build
  action: ci.build
  next:
    - do: [notify]
- name: notify
  action: core.echo
  input:
    message: "{{ result().summary }}"
```

## Use instead
```yaml
- name: build
  action: ci.build
  next:
    - do: [notify]
- name: notify
  action: core.echo
  input:
    message: "{{ task.build.summary }}"
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import Context, FileKind, Site
from ..diagnostics import Diagnostic, Severity
from ..exprcheck import references
from ..expressions import WORKFLOW_FUNCTIONS
from .base import Scope

ID = "transition-function-scope"
SEVERITY = Severity.WARNING
KINDS = frozenset({FileKind.WORKFLOW})
SCOPE = Scope.TASK

_TRANSITION_SITES = frozenset({Site.TRANSITION_WHEN, Site.PUBLISH})


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Report each transition function called outside a transition."""
    for expr in ctx.expressions:
        if expr.site in _TRANSITION_SITES:
            continue
        for call in references(expr).calls:
            if call.name not in WORKFLOW_FUNCTIONS:
                continue
            where = "'output_map'" if expr.site is Site.OUTPUT_MAP else expr.location
            advice = (
                "read a finished task's result as 'task.<name>'"
                if call.name == "result"
                else "test it in a transition's 'when'"
            )
            yield ctx.diagnostic(
                ID,
                SEVERITY,
                ctx.expression_span(expr, call.name_start, call.end),
                f"'{call.name}()' only has a meaning in a transition's 'when' or 'publish', "
                f"where it describes the task that just completed, not in {where}; {advice}",
            )

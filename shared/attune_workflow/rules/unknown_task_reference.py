"""An expression refers to a task that does not exist, or to a wait the task does not have.

## What it does
Reports `task.X` / `task["X"]` (and the alias `tasks`) when no task of the
workflow, in any scope, is named `X`, with "did you mean" and a quick fix.
Reports `inquiry.X`, `execution.X` and `work_queue_item.X` when task `X` does
not exist or has no `wait_for` of that kind.

## Why is this bad?
The reference has nothing to resolve to: the template fails when it is
rendered, and the task that uses it fails. Attune's save-time check does not
look past the namespace (`task.nonexistent` passes it).

## Example
```yaml
tasks:
  - name: build
    action: ci.build
    next:
      - do: [publish]
  - name: publish
    action: ci.publish
    input:
      artifact: "{{ task.biuld.artifact }}"
```

## Use instead
```yaml
tasks:
  - name: build
    action: ci.build
    next:
      - do: [publish]
  - name: publish
    action: ci.publish
    input:
      artifact: "{{ task.build.artifact }}"
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import Context, FileKind
from ..diagnostics import Diagnostic, Fix, Severity
from ..exprcheck import (
    TASK_NAMESPACES,
    WAIT_NAMESPACES,
    path_text,
    references,
    replace_fix,
    suggest_key,
    workflow_facts,
)
from ..expressions import Name
from ..suggest import did_you_mean
from .base import Scope

ID = "unknown-task-reference"
SEVERITY = Severity.ERROR
KINDS = frozenset({FileKind.WORKFLOW})
SCOPE = Scope.TASK


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Report each reference to a missing task or a missing wait."""
    facts = None
    for expr in ctx.expressions:
        for path in references(expr).paths:
            root = path.root_name
            if root not in TASK_NAMESPACES and root not in WAIT_NAMESPACES:
                continue
            if not path.segments or not isinstance(path.root, Name):
                continue
            segment = path.segments[0]
            key = segment.key
            if not isinstance(key, str):
                continue
            if facts is None:
                facts = workflow_facts(ctx)
            span = ctx.expression_span(expr, segment.start, segment.end)
            written = path_text(expr, path, 0)
            if root in WAIT_NAMESPACES and key in facts.tasks:
                if root in facts.wait_keys.get(key, ()):
                    continue
                message = (
                    f"Task '{key}' has no 'wait_for: {{{root}: …}}', so '{written}' is "
                    "undefined at run time"
                )
                fixes: tuple[Fix, ...] = ()
                other = sorted(facts.wait_keys.get(key, frozenset()) & WAIT_NAMESPACES)
                if len(other) == 1:
                    message += f"; it waits on 'wait_for.{other[0]}': use '{other[0]}'"
                    fixes = replace_fix(
                        ctx,
                        expr,
                        path.root.start,
                        path.root.end,
                        other[0],
                        f"Change to '{other[0]}'",
                    )
                yield ctx.diagnostic(ID, SEVERITY, span, message, fixes=fixes)
                continue
            if root in TASK_NAMESPACES and key in facts.tasks:
                continue
            candidates = (
                facts.tasks
                if root in TASK_NAMESPACES
                else [name for name, keys in facts.wait_keys.items() if root in keys]
            )
            suggestion, fixes = suggest_key(ctx, expr, path, key, candidates)
            yield ctx.diagnostic(
                ID,
                SEVERITY,
                span,
                f"Unknown task '{key}': no task of the workflow has that name, so "
                f"'{written}' fails at run time{did_you_mean(suggestion)}",
                fixes=fixes,
            )

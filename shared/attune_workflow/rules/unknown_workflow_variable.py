"""An expression reads a workflow variable that is never set.

## What it does
Reports `workflow.x` (and the aliases `vars.x`, `variables.x`) when `x` is
neither a key of `vars` nor published by any transition (or legacy task-level
`publish`) of the workflow. Gives "did you mean" for a close variable, and a
quick fix to `parameters.x` when `x` is a declared parameter.

## Why is this bad?
The `workflow` namespace holds only `vars` and what transitions publish: a
variable that is never set is undefined, and the template that reads it fails
(or the `output_map` key is silently left out).

## Example
```yaml
vars:
  attempts: 0
tasks:
  - name: deploy
    action: ops.deploy
    next:
      - publish:
          - attempts: "{{ workflow.attempt + 1 }}"
```

## Use instead
```yaml
vars:
  attempts: 0
tasks:
  - name: deploy
    action: ops.deploy
    next:
      - publish:
          - attempts: "{{ workflow.attempts + 1 }}"
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import Context, FileKind
from ..diagnostics import Diagnostic, Severity
from ..exprcheck import (
    WORKFLOW_NAMESPACES,
    references,
    replace_fix,
    suggest_key,
)
from ..expressions import Name
from ..suggest import did_you_mean
from .base import Scope

ID = "unknown-workflow-variable"
SEVERITY = Severity.WARNING
KINDS = frozenset({FileKind.WORKFLOW})
SCOPE = Scope.TASK


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Report each read of a variable that is never set."""
    known: set[str] | None = None
    for expr in ctx.expressions:
        for path in references(expr).paths:
            root = path.root_name
            if root not in WORKFLOW_NAMESPACES or not isinstance(path.root, Name):
                continue
            if not path.segments:
                continue
            segment = path.segments[0]
            key = segment.key
            if not isinstance(key, str):
                continue
            if known is None:
                known = ctx.variables
            if key in known:
                continue
            span = ctx.expression_span(expr, segment.start, segment.end)
            params = ctx.parameter_names or set()
            if key in params:
                yield ctx.diagnostic(
                    ID,
                    SEVERITY,
                    span,
                    f"Unknown workflow variable '{key}': it is neither in 'vars' nor "
                    f"published; '{key}' is a parameter: use 'parameters.{key}'",
                    fixes=replace_fix(
                        ctx,
                        expr,
                        path.root.start,
                        path.root.end,
                        "parameters",
                        "Change to 'parameters'",
                    ),
                )
                continue
            suggestion, fixes = suggest_key(ctx, expr, path, key, known)
            yield ctx.diagnostic(
                ID,
                SEVERITY,
                span,
                f"Unknown workflow variable '{key}': it is neither in 'vars' nor published "
                f"by any transition, so it is undefined at run time{did_you_mean(suggestion)}",
                fixes=fixes,
            )

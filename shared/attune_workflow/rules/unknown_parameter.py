"""An expression reads a workflow parameter that is not declared.

## What it does
Reports `parameters.p` (or `parameters["p"]`) when `p` is declared neither in
the workflow file's `parameters` nor in the `parameters` of the action that
links the graph file, with "did you mean" and a quick fix. Stays silent when
neither schema is known.

## Why is this bad?
An execution only gets the parameters its action declares (with their
defaults): an undeclared one is missing, and the template that reads it fails
when it is rendered.

## Example
```yaml
parameters:
  item_count: {type: integer, default: 10}
tasks:
  - name: fetch
    action: shop.fetch
    input:
      limit: "{{ parameters.itme_count }}"
```

## Use instead
```yaml
parameters:
  item_count: {type: integer, default: 10}
tasks:
  - name: fetch
    action: shop.fetch
    input:
      limit: "{{ parameters.item_count }}"
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import Context, FileKind
from ..diagnostics import Diagnostic, Severity
from ..exprcheck import references, suggest_key
from ..expressions import Name
from ..suggest import did_you_mean
from .base import Scope

ID = "unknown-parameter"
SEVERITY = Severity.ERROR
KINDS = frozenset({FileKind.WORKFLOW})
SCOPE = Scope.TASK


def _where(ctx: Context) -> str:
    action = ctx.linked_action
    has_own = isinstance(ctx.data, dict) and isinstance(ctx.data.get("parameters"), dict)
    if action is not None and has_own:
        return f"neither the workflow nor its action '{action.ref}' declares it"
    if action is not None:
        return f"its action '{action.ref}' does not declare it"
    return "the workflow's 'parameters' do not declare it"


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Report each read of an undeclared parameter."""
    declared = ctx.parameter_names
    if declared is None:
        return
    for expr in ctx.expressions:
        for path in references(expr).paths:
            if path.root_name != "parameters" or not isinstance(path.root, Name):
                continue
            if not path.segments:
                continue
            segment = path.segments[0]
            key = segment.key
            if not isinstance(key, str) or key in declared:
                continue
            suggestion, fixes = suggest_key(ctx, expr, path, key, declared)
            yield ctx.diagnostic(
                ID,
                SEVERITY,
                ctx.expression_span(expr, segment.start, segment.end),
                f"Unknown parameter '{key}': {_where(ctx)}, so the template fails at run "
                f"time{did_you_mean(suggestion)}",
                fixes=fixes,
            )

"""A `{{ }}` block does not parse in Attune's expression grammar.

## What it does
Parses every `{{ }}` block of every templated field (task `input`, `when`,
`with_items`, `iterate_cache`, `wait_for`, `timeout`, transition `when` and
`publish`, `output_map`, placement fields) with Attune's grammar and reports the
first token the parser cannot accept. In `output_map` it is a warning: Attune
logs the failure and leaves that key out of the workflow's result.

## Why is this bad?
Attune's save-time check warns `syntax error: …`, and at run time the template
cannot be rendered: the task fails, or the `output_map` key is missing.

## Example
```yaml
- name: notify
  action: core.echo
  input:
    message: "{{ parameters.count = 3 }}"
```

## Use instead
```yaml
- name: notify
  action: core.echo
  input:
    message: "{{ parameters.count == 3 }}"
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import Context, FileKind, Site
from ..diagnostics import Diagnostic, Severity
from .base import Scope
from .unsupported_syntax import output_map_effect

ID = "expression-syntax"
SEVERITY = Severity.ERROR
KINDS = frozenset({FileKind.WORKFLOW})
SCOPE = Scope.TASK


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Report the syntax error of each block that does not parse."""
    for expr in ctx.expressions:
        if expr.parsed.ast is not None:
            continue
        error = expr.parsed.syntax_error
        if error is None:
            continue
        end = max(error.end, error.start + 1)
        message = f"Syntax error: {error.message}; Attune cannot evaluate this template"
        severity = SEVERITY
        if expr.site is Site.OUTPUT_MAP:
            message += output_map_effect(expr)
            severity = Severity.WARNING
        yield ctx.diagnostic(ID, severity, ctx.expression_span(expr, error.start, end), message)

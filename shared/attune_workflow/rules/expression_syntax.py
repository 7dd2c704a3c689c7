"""A `{{ }}` block does not parse in Attune's expression grammar.

## What it does
Parses every `{{ }}` block of every templated field (task `input`, `when`,
`with_items`, `iterate_cache`, `wait_for`, `timeout`, transition `when` and
`publish`, `output_map`, placement fields) with Attune's grammar and reports the
first token the parser cannot accept.

## Why is this bad?
Attune's save-time check warns `syntax error: …`, and at run time the template
cannot be rendered: the task (or the workflow's output) fails.

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

from ..context import Context, FileKind
from ..diagnostics import Diagnostic, Severity

ID = "expression-syntax"
SEVERITY = Severity.ERROR
KINDS = frozenset({FileKind.WORKFLOW})


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Report the syntax error of each block that does not parse."""
    for expr in ctx.expressions:
        if expr.parsed.ast is not None:
            continue
        error = expr.parsed.syntax_error
        if error is None:
            continue
        end = max(error.end, error.start + 1)
        yield ctx.diagnostic(
            ID,
            SEVERITY,
            ctx.expression_span(expr, error.start, end),
            f"Syntax error: {error.message}; Attune cannot evaluate this template",
        )

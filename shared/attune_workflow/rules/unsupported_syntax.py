"""Jinja or StackStorm syntax that Attune's expression engine does not have.

## What it does
Reports Jinja filters (`x | length`), tests (`x is none`), conditional
expressions (`a if c else b`), object literals, slices, method calls, `not in`,
`{% %}` statements and `{# #}` comments, and StackStorm's `ctx()` and `st2kv`.
The message names Attune's equivalent where there is one, and a quick fix
rewrites the block when the equivalent is exact (`{{ x | length }}` becomes
`{{ length(x) }}`).

In `output_map` the finding is a warning: Attune logs the failed rendering
and leaves that key out of the workflow's result (a ternary there is common).

## Why is this bad?
Attune does not use Jinja: its own small engine rejects these constructs, so
the template fails to render at run time (the task fails; an `output_map` key
is dropped), and `{% %}` statements are kept as literal text.

## Example
```yaml
- name: report
  action: core.echo
  input:
    message: "{{ parameters.hosts | length }} hosts"
```

## Use instead
```yaml
- name: report
  action: core.echo
  input:
    message: "{{ length(parameters.hosts) }} hosts"
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import Context, Expression, FileKind, Site
from ..diagnostics import Diagnostic, Fix, Severity
from ..exprcheck import prefer_quotes, replace_fix
from ..expressions import find_jinja_statements
from .base import Scope

ID = "unsupported-syntax"
SEVERITY = Severity.ERROR
KINDS = frozenset({FileKind.WORKFLOW})
SCOPE = Scope.TASK

_MAX_TITLE = 60


def output_map_effect(expr: Expression) -> str:
    """What Attune does with an ``output_map`` value it cannot render."""
    key = expr.location.partition(".")[2] or expr.location
    return (
        f"; in 'output_map' Attune logs the failure and leaves '{key}' out of the workflow's result"
    )


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Report each unsupported construct, with a rewrite where one is exact."""
    for expr in ctx.expressions:
        for error in expr.parsed.errors:
            if error.kind != "unsupported":
                continue
            fixes: tuple[Fix, ...] = ()
            if error.fix is not None:
                text = prefer_quotes(error.fix.text, expr.node)
                shown = text if len(text) <= _MAX_TITLE else text[: _MAX_TITLE - 1] + "…"
                fixes = replace_fix(
                    ctx, expr, error.fix.start, error.fix.end, text, f"Rewrite as {shown}"
                )
            message = error.message[:1].upper() + error.message[1:]
            severity = SEVERITY
            if expr.site is Site.OUTPUT_MAP:
                message += output_map_effect(expr)
                severity = Severity.WARNING
            yield ctx.diagnostic(
                ID,
                severity,
                ctx.expression_span(expr, error.start, max(error.end, error.start + 1)),
                message,
                fixes=fixes,
            )
    for node in (t.node for t in ctx.templated):
        value = node.value
        if "{%" not in value and "{#" not in value:
            continue
        for start, end in find_jinja_statements(value):
            if value[start + 1] == "%":
                message = (
                    "Jinja statements ('{% … %}') are not supported: Attune keeps them as "
                    "literal text; branch with transition 'when' conditions and loop with "
                    "'with_items'"
                )
            else:
                message = (
                    "Jinja comments ('{# … #}') are not supported: Attune keeps them as "
                    "literal text; use a YAML '#' comment"
                )
            yield ctx.diagnostic(ID, SEVERITY, ctx.value_span(node, start, end), message)

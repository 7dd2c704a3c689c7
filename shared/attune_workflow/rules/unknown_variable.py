"""A bare name in an expression that is not a namespace, a `vars` key or a parameter.

## What it does
Reports bare identifiers (`{{ hosts }}`) that are none of the namespaces
(`parameters`, `workflow`, `task`, `item`, …), the keys of `vars` or the
declared parameters — the names Attune's own expression check knows. A name
that is only published by a transition gets a quick fix to `workflow.<name>`;
a misspelt namespace or variable gets "did you mean".

## Why is this bad?
Attune reads a bare name as a workflow variable. One that is not defined is an
error when the template is rendered, and Attune's save-time check warns
`unknown variable 'x'. Use 'parameters.x' for input parameters, or define it in
workflow vars`.

## Example
```yaml
- name: deploy
  action: ops.deploy
  input:
    hosts: "{{ hosts }}"
```

## Use instead
```yaml
- name: deploy
  action: ops.deploy
  input:
    hosts: "{{ parameters.hosts }}"
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import Context, FileKind
from ..diagnostics import Diagnostic, Severity
from ..exprcheck import close_match, did_you_mean, references, replace_fix
from ..expressions import LITERAL_NAMES, NAMESPACES

ID = "unknown-variable"
SEVERITY = Severity.WARNING
KINDS = frozenset({FileKind.WORKFLOW})


def _declared(ctx: Context) -> set[str]:
    """Names Attune's check knows besides the namespaces: `vars` keys and parameters."""
    known: set[str] = set()
    data = ctx.data if isinstance(ctx.data, dict) else {}
    if isinstance(data.get("vars"), dict):
        known.update(map(str, data["vars"]))
    if isinstance(data.get("parameters"), dict):
        known.update(map(str, data["parameters"]))
    known.update(ctx.parameter_names or ())
    return known


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Report each bare name Attune does not know."""
    declared: set[str] | None = None
    for expr in ctx.expressions:
        for name in references(expr).names:
            word = name.id
            if word in NAMESPACES or word in LITERAL_NAMES:
                continue
            if declared is None:
                declared = _declared(ctx)
            if word in declared:
                continue
            span = ctx.expression_span(expr, name.start, name.end)
            if word in ctx.variables:
                rewrite = f"workflow.{word}"
                yield ctx.diagnostic(
                    ID,
                    SEVERITY,
                    span,
                    f"Unknown variable '{word}': it is published but not declared in 'vars', "
                    f"and Attune's check only knows 'vars' keys; write '{rewrite}'",
                    fixes=replace_fix(
                        ctx, expr, name.start, name.end, rewrite, f"Change to '{rewrite}'"
                    ),
                )
                continue
            suggestion = close_match(word, [*NAMESPACES, *declared])
            yield ctx.diagnostic(
                ID,
                SEVERITY,
                span,
                f"Unknown variable '{word}': use 'parameters.{word}' for input parameters, "
                f"or define it in workflow vars{did_you_mean(suggestion)}",
                fixes=replace_fix(
                    ctx, expr, name.start, name.end, suggestion, f"Change to '{suggestion}'"
                )
                if suggestion is not None
                else (),
            )

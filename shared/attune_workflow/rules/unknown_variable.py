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
from ..diagnostics import Diagnostic, Fix, Severity
from ..exprcheck import references, replace_fix
from ..expressions import LITERAL_NAMES, NAMESPACES
from ..suggest import close_match, did_you_mean
from .base import Scope

ID = "unknown-variable"
SEVERITY = Severity.WARNING
KINDS = frozenset({FileKind.WORKFLOW})
SCOPE = Scope.TASK


def _known(ctx: Context) -> tuple[set[str], set[str]]:
    """Names Attune's check knows besides the namespaces: `vars` keys, and parameters."""
    data = ctx.data if isinstance(ctx.data, dict) else {}
    variables = set(map(str, data["vars"])) if isinstance(data.get("vars"), dict) else set()
    params = set(ctx.parameter_names or ())
    if isinstance(data.get("parameters"), dict):
        params.update(map(str, data["parameters"]))
    return variables, params


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Report each bare name Attune does not know."""
    known: tuple[set[str], set[str]] | None = None
    for expr in ctx.expressions:
        for name in references(expr).names:
            word = name.id
            if word in NAMESPACES or word in LITERAL_NAMES:
                continue
            if known is None:
                known = _known(ctx)
            variables, params = known
            if word in variables or word in params:
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
            close = close_match(word, [*NAMESPACES, *variables, *params])
            suggestion = close
            if close is not None and close in params and close not in variables:
                suggestion = f"parameters.{close}"
            if close in NAMESPACES:
                message = (
                    f"Unknown variable '{word}': Attune reads a bare name as a workflow "
                    f"variable, and none has this name{did_you_mean(suggestion)}"
                )
            else:
                message = (
                    f"Unknown variable '{word}': use 'parameters.{word}' for input parameters, "
                    f"or define it in workflow vars{did_you_mean(suggestion)}"
                )
            fixes: tuple[Fix, ...] = ()
            if suggestion is not None:
                fixes = replace_fix(
                    ctx, expr, name.start, name.end, suggestion, f"Change to '{suggestion}'"
                )
            yield ctx.diagnostic(ID, SEVERITY, span, message, fixes=fixes)

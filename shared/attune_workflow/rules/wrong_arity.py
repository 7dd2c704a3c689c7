"""A function called with the wrong number of arguments.

## What it does
Reports calls of built-in functions whose argument count the function does
not accept, and gives the function's signature. Workflow functions
(`succeeded()`, `failed()`, `timed_out()`, `cancelled()`, `result()`) called
with arguments get a hint only: Attune ignores their arguments.

## Why is this bad?
Attune's built-in functions have fixed arities: `join(arr)` without a
separator fails when the template is rendered, and the task fails. Attune's
save-time check does not look at calls. An argument to `result(0)` suggests a
meaning (the first result?) that Attune does not give it.

## Example
```yaml
- name: list
  action: core.echo
  input:
    message: "{{ join(parameters.hosts) }}"
```

## Use instead
```yaml
- name: list
  action: core.echo
  input:
    message: "{{ join(parameters.hosts, ', ') }}"
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import Context, FileKind
from ..diagnostics import Diagnostic, Severity
from ..exprcheck import references
from ..expressions import ALL_FUNCTIONS, WORKFLOW_FUNCTIONS
from .base import Scope

ID = "wrong-arity"
SEVERITY = Severity.ERROR
KINDS = frozenset({FileKind.WORKFLOW})
SCOPE = Scope.TASK


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Report each call with an argument count its function does not accept."""
    for expr in ctx.expressions:
        for call in references(expr).calls:
            info = ALL_FUNCTIONS.get(call.name)
            if info is None:
                continue
            given = len(call.args)
            if info.accepts(given):
                continue
            span = ctx.expression_span(expr, call.start, call.end)
            if call.name in WORKFLOW_FUNCTIONS:
                yield ctx.diagnostic(
                    ID,
                    Severity.HINT,
                    span,
                    f"'{call.name}()' takes no arguments: Attune ignores the {given} given; "
                    f"write '{info.signature}'",
                )
                continue
            takes = (
                "no arguments"
                if info.max_args == 0
                else f"{info.arity} " + ("argument" if info.arity == "1" else "arguments")
            )
            yield ctx.diagnostic(
                ID,
                SEVERITY,
                span,
                f"'{call.name}()' takes {takes}, not {given}: call it as '{info.signature}'; "
                "Attune fails the template at run time",
            )

"""A function called with the wrong number of arguments.

## What it does
Reports calls of built-in and workflow functions whose argument count the
function does not accept, and gives the function's signature.

## Why is this bad?
Attune's functions have fixed arities: `join(arr)` without a separator or
`succeeded(1)` fail when the template is rendered, and the task fails. Attune's
save-time check does not look at calls.

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
from ..expressions import ALL_FUNCTIONS

ID = "wrong-arity"
SEVERITY = Severity.ERROR
KINDS = frozenset({FileKind.WORKFLOW})


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
            takes = (
                "no arguments"
                if info.max_args == 0
                else f"{info.arity} " + ("argument" if info.arity == "1" else "arguments")
            )
            yield ctx.diagnostic(
                ID,
                SEVERITY,
                ctx.expression_span(expr, call.start, call.end),
                f"'{call.name}()' takes {takes}, not {given}: call it as '{info.signature}'; "
                "Attune fails the template at run time",
            )

"""A call to a function that Attune's expression engine does not have.

## What it does
Reports calls whose name is neither a built-in function (`length`, `join`,
`contains`, …) nor a workflow function (`succeeded`, `failed`, `timed_out`,
`cancelled`, `result`), with "did you mean" and a quick fix when a known
function is close.

## Why is this bad?
Attune has no user functions and no Jinja globals: a call such as `now()` or
`uuid()` fails with `UnknownFunction` when the template is rendered, and the
task fails. Attune's save-time check does not look at function names.

## Example
```yaml
- name: count
  action: core.echo
  input:
    message: "{{ lenght(parameters.hosts) }}"
```

## Use instead
```yaml
- name: count
  action: core.echo
  input:
    message: "{{ length(parameters.hosts) }}"
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import Context, FileKind
from ..diagnostics import Diagnostic, Fix, Severity
from ..exprcheck import references, replace_fix
from ..expressions import ALL_FUNCTIONS
from ..suggest import close_match, did_you_mean
from .base import Scope

ID = "unknown-function"
SEVERITY = Severity.ERROR
KINDS = frozenset({FileKind.WORKFLOW})
SCOPE = Scope.TASK

# Functions of other template languages with an exact Attune equivalent.
_ALIASES = {
    "len": "length",
    "str": "string",
    "float": "number",
    "strip": "trim",
    "reverse": "reversed",
    "flatten": "flat",
    "startswith": "starts_with",
    "endswith": "ends_with",
}
_NOTES = {
    "now": "there is no clock function",
    "uuid": "there is no UUID function",
    "default": "give the parameter a `default` in its schema or the variable a value in `vars`",
    "map": "there is no per-element mapping",
    "filter": "there is no per-element selection",
    "format": "build strings with `+` and string(x), or a mixed template",
}


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Report each call to an unknown function."""
    for expr in ctx.expressions:
        for call in references(expr).calls:
            name = call.name
            if name in ALL_FUNCTIONS:
                continue
            note = _NOTES.get(name)
            suggestion = _ALIASES.get(name)
            if suggestion is None and note is None:
                suggestion = close_match(name, ALL_FUNCTIONS, cutoff=0.75)
            message = f"Unknown function '{name}()': Attune fails the template at run time"
            if note:
                message += f"; {note}"
            message += did_you_mean(suggestion)
            fixes: tuple[Fix, ...] = ()
            if suggestion is not None:
                fixes = replace_fix(
                    ctx,
                    expr,
                    call.name_start,
                    call.name_end,
                    suggestion,
                    f"Change to '{suggestion}'",
                )
            yield ctx.diagnostic(
                ID,
                SEVERITY,
                ctx.expression_span(expr, call.name_start, call.name_end),
                message,
                fixes=fixes,
            )

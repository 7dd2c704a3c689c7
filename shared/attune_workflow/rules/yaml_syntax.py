"""The text is not well-formed YAML.

## What it does
Reports the first YAML syntax error, at the character where the parser stopped.

## Why is this bad?
Attune cannot read the file at all: the pack install fails with
`YAML parsing error`, and no other check can run on it.

## Example
```yaml
tasks:
  - name: greet
    input: {message: "hi"
```

## Use instead
```yaml
tasks:
  - name: greet
    input: {message: "hi"}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import Context
from ..diagnostics import Diagnostic, Severity
from .base import ALL_KINDS

ID = "yaml-syntax"
SEVERITY = Severity.ERROR
KINDS = ALL_KINDS


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Report the parser's problem."""
    if ctx.doc.syntax_error is not None:
        message, span = ctx.doc.syntax_error
        yield ctx.diagnostic(ID, SEVERITY, span, f"Invalid YAML: {message}")
    for message, span in ctx.doc.scalar_errors:
        yield ctx.diagnostic(ID, SEVERITY, span, f"Invalid YAML: {message}")

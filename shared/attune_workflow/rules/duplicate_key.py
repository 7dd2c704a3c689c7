"""A mapping repeats a key.

## What it does
Reports the second (and every later) occurrence of a key in one mapping, with
the first one as related information.

## Why is this bad?
Attune's YAML parser rejects duplicate keys, and most other readers keep only
one of the values silently, so what you read is not what runs.

## Example
```yaml
- name: deploy
  action: ops.deploy
  action: ops.rollout
```

## Use instead
```yaml
- name: deploy
  action: ops.rollout
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import Context
from ..diagnostics import Diagnostic, Related, Severity
from .base import ALL_KINDS

ID = "duplicate-key"
SEVERITY = Severity.ERROR
KINDS = ALL_KINDS


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Report each repeated key."""
    for dup in ctx.doc.duplicates:
        yield ctx.diagnostic(
            ID,
            SEVERITY,
            dup.span,
            f"Duplicate key '{dup.key}': it is already set on line {dup.first.line + 1}",
            related=(Related(dup.first, f"'{dup.key}' is first set here", ctx.path),),
        )

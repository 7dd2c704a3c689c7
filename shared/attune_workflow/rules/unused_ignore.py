"""A suppression comment silences nothing.

## What it does
Reports `# attune: ignore[...]` and `# attune: ignore-file[...]` comments (or
the rule ids in them) that no diagnostic matched.

## Why is this bad?
A stale suppression hides nothing today but will hide a real problem
tomorrow, and it misleads readers about what is wrong with the line.

## Example
```yaml
- name: greet
  action: core.echo  # attune: ignore[unknown-action]
```

## Use instead
```yaml
- name: greet
  action: core.echo
```
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..context import Context
from ..diagnostics import Diagnostic, Severity
from ..suppressions import Suppression
from .base import ALL_KINDS

ID = "unused-ignore"
SEVERITY = Severity.HINT
KINDS = ALL_KINDS


def unused(suppressions: Iterable[Suppression]) -> Iterator[Diagnostic]:
    """Diagnostics for suppressions (or rule ids in them) that matched nothing."""
    for supp in suppressions:
        if supp.rules is None:
            if not supp.used:
                yield Diagnostic(supp.span, SEVERITY, ID, "This suppression silences nothing")
            continue
        if ID in supp.rules:
            continue
        idle = [rule for rule in supp.rules if rule not in supp.used]
        if idle:
            names = ", ".join(idle)
            yield Diagnostic(
                supp.span, SEVERITY, ID, f"Unused suppression: nothing here reports {names}"
            )


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Suppressions are matched after every other rule ran (see ``unused``)."""
    return iter(())

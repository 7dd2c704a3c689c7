"""An expression reads a context value that Attune does not bind where it is evaluated.

## What it does
Reports reads of values that exist only in some places of a workflow:
`item` and `index` in a task that does not iterate (no `with_items` or
`iterate_cache`) or in `output_map`; `system.X` for any `X` but
`workflow_start`, the only system value Attune binds; and `keystore["k"]`
anywhere but a task's `input`: Attune loads the key store only for the key
refs it finds in task inputs, so elsewhere `keystore` is null. An empty
`{{ }}` in a task's `input` is an error: Attune cannot evaluate it, so the
task's input cannot be rendered.

## Why is this bad?
None of these fail when the workflow is installed. At run time the value is
null: a message reads "None", a condition is false, a key-store secret is
missing from a transition's `publish`. An empty `{{ }}` in the input makes the
task fail when Attune renders it.

## Example
```yaml
tasks:
  - name: greet
    action: chat.post
    input:
      message: "Hello {{ item }} at {{ system.now }}"
    next:
      - publish:
          - token: '{{ keystore["api.token"] }}'
```

## Use instead
```yaml
tasks:
  - name: greet
    action: chat.post
    with_items: '{{ ["ann", "bob"] }}'
    input:
      message: "Hello {{ item }} at {{ system.workflow_start }}"
      token: '{{ keystore["api.token"] }}'
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import Context, FileKind, Site
from ..diagnostics import Diagnostic, Severity
from ..exprcheck import references
from ..expressions import Name, find_blocks
from .base import Scope
from .missing_key import iterates

ID = "unbound-context"
SEVERITY = Severity.WARNING
KINDS = frozenset({FileKind.WORKFLOW})
SCOPE = Scope.TASK

ITERATION_NAMES = frozenset({"item", "index"})
SYSTEM_VALUES = frozenset({"workflow_start"})


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Report item/index outside iteration, unknown system values, keystore outside input."""
    yield from _empty_blocks(ctx)
    for expr in ctx.expressions:
        task = expr.task
        refs = references(expr)
        if task is None or not iterates(task):
            for name in refs.names:
                if name.id not in ITERATION_NAMES:
                    continue
                where = (
                    "in 'output_map'"
                    if task is None
                    else f"in {task.label}, which does not iterate"
                )
                yield ctx.diagnostic(
                    ID,
                    SEVERITY,
                    ctx.expression_span(expr, name.start, name.end),
                    f"'{name.id}' is bound only while a task iterates ('with_items' or "
                    f"'iterate_cache'): {where}, Attune evaluates it as null",
                )
        for path in refs.paths:
            root = path.root
            if not isinstance(root, Name):
                continue
            if root.id == "system" and path.segments:
                first = path.segments[0]
                if isinstance(first.key, str) and first.key not in SYSTEM_VALUES:
                    yield ctx.diagnostic(
                        ID,
                        SEVERITY,
                        ctx.expression_span(expr, first.start, first.end),
                        f"Attune's 'system' namespace has only 'workflow_start': "
                        f"'system.{first.key}' is null",
                    )
            elif root.id == "keystore" and expr.site is not Site.INPUT and path.segments:
                first = path.segments[0]
                if not (first.bracketed and isinstance(first.key, str) and first.key):
                    continue  # keystore-access reports the other forms
                yield ctx.diagnostic(
                    ID,
                    SEVERITY,
                    ctx.expression_span(expr, root.start, first.end),
                    "Attune binds the key store only in task inputs, for the keys read there: "
                    f"here 'keystore' is null; read '{first.key}' in the 'input' of the task "
                    "that needs it",
                )


def _empty_blocks(ctx: Context) -> Iterator[Diagnostic]:
    for templated in ctx.templated:
        if templated.site is not Site.INPUT:
            continue
        for block in find_blocks(templated.node.value):
            if block.closed and not block.expr.strip():
                yield ctx.diagnostic(
                    ID,
                    Severity.ERROR,
                    ctx.value_span(templated.node, block.start, block.end),
                    f"An empty '{{{{ }}}}' in {templated.location}: Attune cannot evaluate it, so "
                    "rendering the task's input fails and the task fails",
                )

"""The key store is read with dots, or bare, instead of `keystore["key.ref"]`.

## What it does
Reports `keystore.db.password` (dot access), a bare `keystore`, and a
`keystore[...]` selector that is not a non-empty string. A quick fix rewrites
dot access to the bracket form: `keystore.db.password` becomes
`keystore["db.password"]`.

## Why is this bad?
Attune collects the key references a workflow needs before it runs, and only
accepts `keystore["canonical.key_ref"]`: dot access or the whole namespace is
rejected there, although some documentation shows `keystore.db.password`.

## Example
```yaml
- name: connect
  action: db.connect
  input:
    password: "{{ keystore.db.password }}"
```

## Use instead
```yaml
- name: connect
  action: db.connect
  input:
    password: "{{ keystore['db.password'] }}"
```
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from ..context import Context, FileKind
from ..diagnostics import Diagnostic, Severity
from ..exprcheck import references, replace_fix, string_literal
from ..expressions import Name
from .base import Scope

ID = "keystore-access"
SEVERITY = Severity.ERROR
KINDS = frozenset({FileKind.WORKFLOW})
SCOPE = Scope.TASK

_WHY = "Attune rejects it when it collects the workflow's key references"


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Report each key-store read that is not `keystore["ref"]`."""
    for expr in ctx.expressions:
        for path in references(expr).paths:
            root = path.root
            if not isinstance(root, Name) or root.id != "keystore":
                continue
            if not path.segments:
                if path.dynamic:
                    continue
                yield ctx.diagnostic(
                    ID,
                    SEVERITY,
                    ctx.expression_span(expr, root.start, root.end),
                    f"The whole key store cannot be read: {_WHY}; read one key as "
                    "'keystore[\"key.ref\"]'",
                )
                continue
            first = path.segments[0]
            if first.bracketed:
                if isinstance(first.key, str) and first.key:
                    continue
                yield ctx.diagnostic(
                    ID,
                    SEVERITY,
                    ctx.expression_span(expr, first.start, first.end),
                    f"The key-store selector must be a non-empty string such as "
                    f"'keystore[\"key.ref\"]': {_WHY}",
                )
                continue
            dotted = []
            end = root.end
            for segment in path.segments:
                if segment.bracketed:
                    break
                dotted.append(str(segment.key))
                end = segment.end
            key = ".".join(dotted)
            written = expr.block.expr[root.start : end]
            shown = f"keystore[{json.dumps(key)}]"
            rewrite = f"keystore[{string_literal(key, expr.node)}]"
            yield ctx.diagnostic(
                ID,
                SEVERITY,
                ctx.expression_span(expr, root.start, end),
                f"Read the key store as '{shown}', not '{written}': {_WHY}",
                fixes=replace_fix(ctx, expr, root.start, end, rewrite, f"Change to {shown}"),
            )

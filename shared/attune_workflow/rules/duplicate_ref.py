"""Two action files of a pack declare the same `ref`.

## What it does
Reports an action file whose `ref` an earlier action file of the same pack
(in file-name order, as Attune reads them) already declares. The related
information points at the first file.

## Why is this bad?
Attune's pack check rejects the pack (`component.duplicate_ref`). The pack
installer reads the action files one after the other and writes each over the
previous one with the same ref, so only the last file's action exists, with
its parameters, entry point and workflow.

## Example
```yaml
# actions/restart.yaml
ref: ops.restart
entry_point: restart.sh
---
# actions/restart_v2.yaml
ref: ops.restart
entry_point: restart_v2.sh
```

## Use instead
```yaml
# actions/restart.yaml
ref: ops.restart
entry_point: restart.sh
---
# actions/restart_v2.yaml
ref: ops.restart_v2
entry_point: restart_v2.sh
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import Context, FileKind
from ..diagnostics import Diagnostic, Related, Severity
from ..yamlsource import MappingNode, mapping_get
from .invalid_ref import first_key_span
from .ref_mismatch import key_span

ID = "duplicate-ref"
SEVERITY = Severity.ERROR
KINDS = frozenset({FileKind.ACTION})


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Report an action file whose ref an earlier file of its pack declares."""
    pack = ctx.pack
    if pack is None or not pack.duplicate_refs or not isinstance(ctx.doc.root, MappingNode):
        return
    path = ctx.path.resolve()
    for ref, paths in pack.duplicate_refs.items():
        if path not in paths[1:]:
            continue
        first = paths[0]
        entry = mapping_get(ctx.doc.root, "ref")
        span = ctx.span(entry[1]) if entry is not None else first_key_span(ctx)
        if span is None:
            return
        first_span = key_span(first, "ref")
        related = (
            (Related(first_span, f"'{ref}' is first declared here", first),)
            if first_span is not None
            else ()
        )
        yield ctx.diagnostic(
            ID,
            SEVERITY,
            span,
            f"Action ref '{ref}' is already declared by '{first.name}': Attune's pack check "
            "rejects the pack, and the installer keeps only the last file with this ref",
            related=related,
        )
        return

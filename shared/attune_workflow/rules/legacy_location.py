"""A standalone workflow in a pack's `workflows/` folder, which the pack installer skips.

## What it does
Reports a workflow file directly under a pack's top-level `workflows/` folder
(the legacy standalone layout). The finding sits on the first key of the file.
Loose files outside packs are not reported.

## Why is this bad?
Attune's pack installer (`PackComponentLoader`) never reads `workflows/`: it
installs workflows only through actions that name a graph file under
`actions/workflows/` in `workflow_file`. Attune's pack check warns "Legacy
top-level workflow will be skipped". The workflow is not installed with the
pack.

## Example
```yaml
# packs/mypack/workflows/deploy.yaml
ref: mypack.deploy
version: "1.0.0"
parameters:
  target: {type: string, required: true}
tasks:
  - name: build
    action: core.echo
```

## Use instead
```yaml
# packs/mypack/actions/deploy.yaml (the graph file moves to
# packs/mypack/actions/workflows/deploy.workflow.yaml, without ref and parameters)
ref: mypack.deploy
workflow_file: workflows/deploy.workflow.yaml
parameters:
  target: {type: string, required: true}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import Context, FileKind, Layout
from ..diagnostics import Diagnostic, Severity
from .invalid_ref import first_key_span
from .orphan_workflow_file import workflow_name
from .ref_mismatch import is_real_pack

ID = "legacy-location"
SEVERITY = Severity.WARNING
KINDS = frozenset({FileKind.WORKFLOW})


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Report a standalone workflow file inside a pack."""
    pack = ctx.pack
    if ctx.layout is not Layout.STANDALONE or pack is None or pack.root is None:
        return
    if ctx.path.resolve().parent != pack.root / "workflows":
        return
    if not is_real_pack(pack):
        return  # a folder of workflows, not a pack
    if ctx.doc.syntax_error is not None:
        return
    span = first_key_span(ctx)
    if span is None:
        return
    name = workflow_name(ctx.path.name)
    yield ctx.diagnostic(
        ID,
        SEVERITY,
        span,
        "Attune's pack installer skips the 'workflows/' folder, so this workflow is never "
        f"installed: move it to 'actions/workflows/{name}.workflow.yaml' and link it from "
        f"an action 'actions/{name}.yaml' with 'workflow_file'",
    )

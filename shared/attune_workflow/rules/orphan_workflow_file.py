"""A graph file under `actions/workflows/` that no action links.

## What it does
Reports a workflow file in a pack's `actions/workflows/` folder when no action
of the pack names it in `workflow_file`. The finding sits on the first key of
the file; when an action of the same name links another path, it is shown as
related information.

## Why is this bad?
Attune's pack installer loads workflows only through their actions: it reads
`actions/*.yaml` and follows `workflow_file`. A graph file nobody links is
never installed and cannot run.

## Example
```yaml
# packs/mypack/actions/workflows/deploy.workflow.yaml, and no action links it
version: "1.0.0"
tasks:
  - name: build
    action: core.echo
```

## Use instead
```yaml
# packs/mypack/actions/deploy.yaml
ref: mypack.deploy
workflow_file: workflows/deploy.workflow.yaml
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import Context, FileKind, Layout
from ..diagnostics import Diagnostic, Related, Severity
from .invalid_ref import first_key_span
from .ref_mismatch import key_span

ID = "orphan-workflow-file"
SEVERITY = Severity.WARNING
KINDS = frozenset({FileKind.WORKFLOW})


def workflow_name(file_name: str) -> str:
    """The name a workflow file stands for (``deploy.workflow.yaml`` -> ``deploy``)."""
    stem = file_name.rsplit(".", 1)[0] if file_name.endswith((".yaml", ".yml")) else file_name
    return stem.removesuffix(".workflow")


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Report a graph file that no action links."""
    if ctx.layout is not Layout.GRAPH or ctx.pack is None or ctx.linked_action is not None:
        return
    if (
        ctx.pack.root is None
        or ctx.path.resolve().parent != ctx.pack.root / "actions" / "workflows"
    ):
        return
    if ctx.doc.syntax_error is not None:
        return
    span = first_key_span(ctx)
    if span is None:
        return
    name = workflow_name(ctx.path.name)
    related: tuple[Related, ...] = ()
    for action in ctx.pack.actions.values():
        if action.path is not None and action.path.stem == name and action.workflow_file:
            where = key_span(action.path, "workflow_file")
            if where is not None:
                related = (
                    Related(
                        where,
                        f"Action '{action.ref}' links '{action.workflow_file}' instead",
                        action.path,
                    ),
                )
            break
    yield ctx.diagnostic(
        ID,
        SEVERITY,
        span,
        "No action links this workflow file with 'workflow_file', so Attune's pack installer "
        f"never loads it: add 'actions/{name}.yaml' with "
        f"'workflow_file: workflows/{ctx.path.name}'",
        related=related,
    )

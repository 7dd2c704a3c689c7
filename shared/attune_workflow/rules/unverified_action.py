"""A task calls an action of a pack the checker does not know (off by default).

## What it does
Reports a task's `action` whose pack is neither in the workspace nor in the
database index, so the action cannot be looked up. Off by default: `--strict`
or `rules: {unverified-action: information}` in `.attune-lsp.yaml` turns it on.

## Why is this bad?
It is not necessarily wrong: the pack may be installed in Attune already. But
nothing here confirms that the action exists or that its inputs fit, and
Attune's pack installer leaves a workflow with an unknown action unlinked. Add
the pack's folder to the workspace (or `pack_roots`), or configure the
database index, to have it checked.

## Example
```yaml
version: "1.0.0"
tasks:
  - name: notify
    action: slack.post_message
```

## Use instead
```yaml
# .attune-lsp.yaml at the repository root: make the slack pack's actions known
pack_roots:
  - vendor-packs
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import Context, FileKind
from ..diagnostics import Diagnostic, Severity
from .base import Scope
from .unknown_action import unresolved_actions

ID = "unverified-action"
SEVERITY = Severity.INFORMATION
KINDS = frozenset({FileKind.WORKFLOW})
SCOPE = Scope.TASK
ENABLED = False


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Report task actions whose pack is not known."""
    for node, ref, pack in unresolved_actions(ctx):
        if ctx.index.pack_known(pack):
            continue  # unknown-action
        yield ctx.diagnostic(
            ID,
            SEVERITY,
            ctx.span(node),
            f"Action '{ref}' cannot be verified: pack '{pack}' is neither in the workspace "
            "nor in the database index",
        )

"""A task calls an action that its (known) pack does not have.

## What it does
Looks up every task's `action` (sub-tasks of parallel tasks too) when the
action's pack is known: a pack in the workspace, or one of the database index
when one is configured. An action the pack does not have is an error, with a
"did you mean" among that pack's actions and a quick fix. For Attune's `core`
pack, known only from the index bundled with this checker, it is a warning: a
newer Attune may have more core actions.

## Why is this bad?
Attune's pack installer checks that every task's action exists. A workflow
that "references unknown action 'x'" is left unlinked from its action (and the
API refuses to save it), so it never runs.

## Example
```yaml
version: "1.0.0"
tasks:
  - name: greet
    action: core.ecko
```

## Use instead
```yaml
version: "1.0.0"
tasks:
  - name: greet
    action: core.echo
```
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from dataclasses import dataclass

from ..context import Context, FileKind
from ..diagnostics import Diagnostic, Fix, Severity
from ..packindex import ActionInfo, PackIndex
from ..suggest import close_match, did_you_mean
from ..view import TaskView
from ..yamlsource import ScalarNode
from .base import Scope
from .invalid_ref import action_ref_ok, replace_edit, task_action

ID = "unknown-action"
SEVERITY = Severity.ERROR
KINDS = frozenset({FileKind.WORKFLOW})
SCOPE = Scope.TASK


@dataclass(frozen=True, slots=True)
class Call:
    """A task that calls an action by a plain ref, and what the index knows of it."""

    task: TaskView
    node: ScalarNode
    ref: str
    action: ActionInfo | None


_CALLS: weakref.WeakKeyDictionary[Context, list[Call]] = weakref.WeakKeyDictionary()


def calls(ctx: Context) -> list[Call]:
    """Every task action of the workflow with its index entry, computed once per file."""
    found = _CALLS.get(ctx)
    if found is None:
        found = []
        view = ctx.view
        for task in view.all_tasks() if view is not None else ():
            node = task_action(task)
            if node is not None:
                ref = str(node.value)
                found.append(Call(task, node, ref, ctx.index.action(ref)))
        _CALLS[ctx] = found
    return found


def called_actions(ctx: Context) -> Iterator[tuple[TaskView, ScalarNode, ActionInfo]]:
    """(task, ``action`` value node, action) for each task whose action is known."""
    for call in calls(ctx):
        if call.action is not None:
            yield call.task, call.node, call.action


def pack_actions(index: PackIndex, pack: str) -> list[str]:
    """The names (refs without the pack) of the known actions of a pack, sorted."""
    return sorted(a.name for a in index.actions() if a.pack == pack)


def unresolved_actions(ctx: Context) -> Iterator[tuple[ScalarNode, str, str]]:
    """(action value node, ref, pack) of every well-formed task action that is not known."""
    for call in calls(ctx):
        if call.action is None and action_ref_ok(call.ref):
            yield call.node, call.ref, call.ref.partition(".")[0]


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Report task actions missing from their known pack."""
    index = ctx.index
    known: dict[str, list[str]] = {}
    for node, ref, pack in unresolved_actions(ctx):
        if not index.pack_known(pack):
            continue  # unverified-action
        if pack not in known:
            known[pack] = pack_actions(index, pack)
        name = close_match(ref.partition(".")[2], known[pack])
        suggestion = f"{pack}.{name}" if name is not None else None
        source = index.pack_source(pack)
        if source == "bundled":
            severity = Severity.WARNING
            message = (
                f"Unknown action '{ref}': Attune's core pack (as bundled with this checker) "
                "has no such action; a newer Attune may have it"
            )
        elif source == "database":
            severity = SEVERITY
            message = (
                f"Unknown action '{ref}': the Attune database has no such action in pack "
                f"'{pack}', so Attune will not link or run the workflow"
            )
        else:
            severity = SEVERITY
            message = (
                f"Unknown action '{ref}': pack '{pack}' has no such action, so Attune will "
                "not link or run the workflow"
            )
        yield ctx.diagnostic(
            ID,
            severity,
            ctx.span(node),
            message + did_you_mean(suggestion),
            fixes=(Fix(f"Change to '{suggestion}'", (replace_edit(ctx, node, suggestion),), True),)
            if suggestion
            else (),
        )

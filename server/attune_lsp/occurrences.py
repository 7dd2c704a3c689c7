"""Where a task, variable, parameter or action is declared and named, across files.

A parameter lives in two or three places: the workflow action's ``parameters`` (or the
workflow's own), ``parameters.p`` in the graph file's templates, and the ``input`` keys of
every task that calls the action. Tasks and variables stay inside their workflow file.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from attune_workflow.context import Context, FileKind
from attune_workflow.packindex import ActionInfo
from attune_workflow.query.navigation import (
    Occurrence,
    Target,
    declaration_in,
    input_occurrences,
    parameter_occurrences,
    task_occurrences,
    value_span,
    variable_occurrences,
)
from attune_workflow.yamlsource import mapping_get

if TYPE_CHECKING:
    from .server import AttuneServer


def own_action(ctx: Context) -> ActionInfo | None:
    """The action an action file defines (as the index knows it)."""
    for action in ctx.index.actions():
        if action.path is not None and action.path == ctx.path.resolve():
            return action
    return None


def callers(ls: AttuneServer, ref: str) -> list[Context]:
    """The parsed workflow files whose tasks call an action."""
    found = []
    for path, summary in list(ls.summaries.items()):
        if ref in summary.uses:
            ctx = ls.parse(path)
            if ctx is not None:
                found.append(ctx)
    return found


def occurrences(ls: AttuneServer, ctx: Context, target: Target) -> list[Occurrence]:
    """Every place naming the target (declarations included)."""
    if target.kind == "task" and target.task is not None:
        return task_occurrences(ctx, target.task)
    if target.kind == "variable":
        return variable_occurrences(ctx, target.name)
    if target.kind == "action":
        return action_occurrences(ls, target.name)
    action: ActionInfo | None = None
    found: list[Occurrence] = []
    if target.kind == "input":
        action = target.action
    elif target.kind == "parameter" and ctx.kind is FileKind.WORKFLOW:
        found.extend(parameter_occurrences(ctx, target.name))
        action = ctx.linked_action
    elif target.kind == "parameter" and ctx.kind is FileKind.ACTION:
        action = own_action(ctx)
        span = declaration_in(ctx, target.name)
        if span is not None:
            found.append(Occurrence(ctx.path, span, True))
    else:
        return []
    if action is None:
        return found
    return _dedupe(found + action_parameter(ls, action, target.name, skip=ctx.path))


def action_parameter(
    ls: AttuneServer, action: ActionInfo, name: str, *, skip: Path | None = None
) -> list[Occurrence]:
    """A parameter of an action: its declaration, its graph file's references, callers' inputs."""
    found: list[Occurrence] = []
    if action.path is not None and action.path != skip:
        actx = ls.parse(action.path)
        span = declaration_in(actx, name) if actx is not None else None
        if span is not None:
            found.append(Occurrence(action.path, span, True))
    graph = action.workflow_path
    if graph is not None and graph != skip and graph.is_file():
        gctx = ls.parse(graph)
        if gctx is not None:
            found.extend(parameter_occurrences(gctx, name))
    for cctx in callers(ls, action.ref):
        found.extend(input_occurrences(cctx, action.ref, name))
    return found


def action_occurrences(ls: AttuneServer, ref: str) -> list[Occurrence]:
    """The declaration of an action (its ``ref``) and every task ``action:`` naming it."""
    found: list[Occurrence] = []
    action = ls.project.index.action(ref)
    if action is not None and action.path is not None:
        actx = ls.parse(action.path)
        entry = mapping_get(actx.doc.root, "ref") if actx is not None else None
        if actx is not None and entry is not None:
            from attune_workflow.yamlsource import ScalarNode

            if isinstance(entry[1], ScalarNode):
                found.append(Occurrence(action.path, value_span(actx, entry[1]), True))
    for cctx in callers(ls, ref):
        view = cctx.view
        for task in view.all_tasks() if view is not None else ():
            node = task.value("action")
            if task.string("action") == ref and node is not None:
                from attune_workflow.yamlsource import ScalarNode

                if isinstance(node, ScalarNode):
                    found.append(Occurrence(cctx.path, value_span(cctx, node), False))
    return _dedupe(found)


def _dedupe(items: list[Occurrence]) -> list[Occurrence]:
    seen: dict[tuple[Path, int, int, int, int], Occurrence] = {}
    for item in items:
        key = (
            item.path,
            item.span.line,
            item.span.column,
            item.span.end_line,
            item.span.end_column,
        )
        if key not in seen or item.declaration:
            seen[key] = item
    return list(seen.values())

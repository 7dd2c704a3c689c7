"""Rehearsal in the editor: "Rehearse" lenses, the path as inlay hints, values on hover.

``attune.rehearse`` (workflow URI, scenario path) runs one scenario of the pack and
selects it for the document until the next edit: inlay hints then say which tasks ran
("ran 3rd") or were skipped, the graph shows the path (the server sends
``attune/rehearsed`` so that open views redraw), and hovering a ``{{ }}``
expression shows its value under that scenario.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp

from attune_workflow.context import FileKind
from attune_workflow.expressions.evaluator import EvalError, evaluate, result_view, to_json
from attune_workflow.packindex import find_pack_root
from attune_workflow.rehearsal import (
    Rehearsal,
    ScenarioError,
    find_scenarios,
    load_scenario,
    rehearse_file,
    resolve_workflow,
)

from .. import convert

# A runtime import: pygls reads the annotations of command handlers.
from ..host import Host

if TYPE_CHECKING:
    from ..analysis import Analysis

REHEARSE = "attune.rehearse"
REHEARSED = "attune/rehearsed"
"""Sent after a rehearsal, so that views showing the path redraw."""
_MAX_HOVER = 400


@dataclass
class Selected:
    """The rehearsal shown for a document, and the version it was run on."""

    version: int | None
    run: Rehearsal


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def current(ls: Host, analysis: Analysis) -> Rehearsal | None:
    """The selected rehearsal of a document, unless the document changed since."""
    selected = ls.rehearsals.get(analysis.uri)
    if not isinstance(selected, Selected) or selected.version != analysis.version:
        return None
    return selected.run


def scenarios_for(path: Path) -> list[tuple[Path, str]]:
    """(scenario file, name) of the pack's scenarios that run this workflow file."""
    root = find_pack_root(path)
    if root is None:
        return []
    found: list[tuple[Path, str]] = []
    for scenario_path in find_scenarios(root):
        try:
            scenario = load_scenario(scenario_path)
            target = resolve_workflow(scenario, scenario_path)
        except ScenarioError:
            continue
        if target.path == path:
            name = scenario.name or scenario_path.name.removesuffix(".scenario.yaml")
            found.append((scenario_path, name))
    return found


async def lenses(ls: Host, analysis: Analysis) -> list[lsp.CodeLens]:
    """A "Rehearse" lens per scenario of this workflow, at the top of the file."""
    if analysis.kind is not FileKind.WORKFLOW:
        return []
    found = await asyncio.to_thread(scenarios_for, analysis.path)
    top = lsp.Range(start=lsp.Position(line=0, character=0), end=lsp.Position(line=0, character=0))
    return [
        lsp.CodeLens(
            range=top,
            command=lsp.Command(
                title=f"Rehearse: {name}",
                command=REHEARSE,
                arguments=[analysis.uri, str(path)],
            ),
        )
        for path, name in found
    ]


def hints(ls: Host, analysis: Analysis) -> list[lsp.InlayHint]:
    """ "ran 3rd" / "skipped" after each task name, for the selected rehearsal."""
    run = current(ls, analysis)
    ctx = analysis.ctx
    view = ctx.view if ctx is not None else None
    if run is None or ctx is None or view is None:
        return []
    ranks = {name: i + 1 for i, name in enumerate(run.ran)}
    statuses = {step.task: step.status for step in run.steps}
    result: list[lsp.InlayHint] = []
    for task in view.tasks:
        if task.name is None or task.name_node is None:
            continue
        span = ctx.span(task.name_node)
        position = convert.position(analysis.lines, span.end_line, span.end_column)
        if task.name in ranks:
            status = statuses[task.name]
            label = f"ran {_ordinal(ranks[task.name])}"
            if status != "succeeded":
                label += f", {status}"
            tooltip = f"Scenario {run.name}"
        elif task.name in run.not_run:
            label, tooltip = "skipped", f"Scenario {run.name}: {run.not_run[task.name]}"
        else:
            continue
        result.append(
            lsp.InlayHint(position=position, label=label, padding_left=True, tooltip=tooltip)
        )
    return result


def hover(ls: Host, analysis: Analysis, line: int, column: int) -> lsp.Hover | None:
    """The value of the `{{ }}` expression under the cursor, under the selected scenario."""
    run = current(ls, analysis)
    ctx = analysis.ctx
    if run is None or run.scope is None or ctx is None:
        return None
    for expr in ctx.expressions:
        span = ctx.expression_span(expr, 0, len(expr.block.expr))
        if not (span.start <= (line, column) <= span.end):
            continue
        scope = run.scope
        step = next((s for s in run.steps if expr.task and s.task == expr.task.name), None)
        if step is not None:
            scope.last_result, scope.last_outcome = result_view(step.result), step.status
        try:
            value = to_json(evaluate(expr.block.expr.strip(), scope))
            text = f"`{value[:_MAX_HOVER]}`"
        except EvalError as exc:
            text = f"error: {exc}"
        finally:
            scope.last_result, scope.last_outcome = None, None
        where = "" if step is not None or expr.task is None else " (the task did not run)"
        return lsp.Hover(
            contents=lsp.MarkupContent(
                kind=lsp.MarkupKind.Markdown,
                value=f"**Rehearsal {run.name}**{where}: {text}",
            ),
            range=convert.span_to_range(span, analysis.lines),
        )
    return None


def summary(run: Rehearsal) -> str:
    """One line saying how a rehearsal went."""
    if run.error is not None:
        return f"Rehearsal {run.name} could not run: {run.error}"
    failed = [e for e in run.expectations if not e.ok]
    path = " → ".join(run.ran) or "no task ran"
    if not failed:
        return f"Rehearsal {run.name} passed: {path}"
    problems = "; ".join(f"{e.what} ({e.detail})" if e.detail else e.what for e in failed)
    return f"Rehearsal {run.name} failed: {problems}. Path: {path}"


async def refresh(ls: Host) -> None:
    """Ask the client to fetch inlay hints again."""
    if ls.client.supports("workspace.inlay_hint.refresh_support"):
        await ls.workspace_inlay_hint_refresh_async(None)


def register(server: Host) -> None:
    """Add the command (its inlay hints are served by features/inlay_hints.py)."""

    @server.command(REHEARSE)
    async def rehearse(ls: Host, *args: Any) -> dict[str, Any]:
        if len(args) < 2 or not all(isinstance(a, str) for a in args[:2]):
            return {"ok": False, "message": "attune.rehearse needs a workflow URI and a scenario"}
        uri, scenario = str(args[0]), Path(str(args[1]))
        analysis = await ls.scheduler.analysis(uri)
        run = await asyncio.to_thread(rehearse_file, scenario)
        if analysis is not None and run.workflow == analysis.path:
            ls.rehearsals[uri] = Selected(analysis.version, run)
        message = summary(run)
        ls.client.show_result(message, ok=run.passed)
        ls.client.log("\n".join(f"{s.order}. {s.task}: {s.status}" for s in run.steps))
        await refresh(ls)
        ls.protocol.notify(REHEARSED, {"uri": uri})
        return {"ok": run.passed, "message": message, "shown": True, "rehearsal": run.to_json()}

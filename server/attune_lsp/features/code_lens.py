"""Code lens: register, dry run and the registration state at the top of a workflow, and
above each task the tasks whose transitions start it ("started by a, b")."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types as lsp

from attune_workflow.names import NameUses

from .. import convert
from . import register as commands
from . import rehearsal

if TYPE_CHECKING:
    from ..analysis import Analysis
    from ..host import Host

STATE_TIMEOUT = 3.0
UNAVAILABLE = "database unavailable"
STATES = {
    "not-registered": "not registered",
    "up-to-date": "up to date",
    "differs": "differs from the database",
}


def _states(ls: Host) -> dict[Path, tuple[int, str]]:
    return ls.lens_states


def forget(ls: Host, path: Path) -> None:
    """Forget the registration state of a file (it was saved)."""
    _states(ls).pop(path, None)


def forget_all(ls: Host) -> None:
    """Forget every registration state (the database changed)."""
    _states(ls).clear()


def _compute(url: str, path: Path, max_file_size: int) -> str:
    records, _ = commands.records_for(path, max_file_size)
    if not records:
        return "no workflow"
    states = {commands.state(url, record) for record in records}
    if states == {"up-to-date"}:
        return STATES["up-to-date"]
    if "differs" in states or len(states) > 1:
        return STATES["differs"]
    return STATES["not-registered"]


async def registration_state(ls: Host, path: Path) -> str | None:
    """The registration state of a file (cached until it is saved or registered)."""
    try:
        url = await asyncio.to_thread(commands.state_url, ls.space.settings)
    except Exception as exc:
        ls.client.log(f"Registration state: {commands.safe_message(exc)}", lsp.MessageType.Warning)
        return UNAVAILABLE
    if url is None:
        return "database not started"
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        return None
    cached = _states(ls).get(path)
    if cached is not None and cached[0] == mtime:
        return cached[1]
    try:
        state = await asyncio.wait_for(
            asyncio.to_thread(_compute, url, path, ls.space.settings.max_file_size), STATE_TIMEOUT
        )
    except TimeoutError:
        return "checking the database…"
    except Exception as exc:
        # The title stays short; the reason goes to the log.
        ls.client.log(f"Registration state: {commands.safe_message(exc)}", lsp.MessageType.Warning)
        return UNAVAILABLE
    _states(ls)[path] = (mtime, state)
    return state


def register(server: Host) -> None:
    """Add the handler."""

    @server.feature(lsp.TEXT_DOCUMENT_CODE_LENS, lsp.CodeLensOptions(resolve_provider=False))
    async def code_lens(ls: Host, params: lsp.CodeLensParams) -> list[lsp.CodeLens] | None:
        uri = params.text_document.uri
        analysis = await ls.scheduler.analysis(uri)
        if analysis is None:
            return None
        incoming = await started_by_lenses(ls, analysis)
        rehearse = await rehearsal.lenses(ls, analysis)
        if not commands.registrable(analysis):
            return incoming + rehearse or None
        top = lsp.Range(
            start=lsp.Position(line=0, character=0), end=lsp.Position(line=0, character=0)
        )
        lenses = [
            lsp.CodeLens(
                range=top,
                command=lsp.Command(title="Register", command=commands.REGISTER, arguments=[uri]),
            ),
            lsp.CodeLens(
                range=top,
                command=lsp.Command(title="Dry run", command=commands.DRY_RUN, arguments=[uri]),
            ),
        ]
        state = await registration_state(ls, analysis.path)
        if state is not None:
            lenses.insert(
                0,
                lsp.CodeLens(
                    range=top,
                    command=lsp.Command(
                        title=f"Attune: {state}", command=commands.DRY_RUN, arguments=[uri]
                    ),
                ),
            )
        return lenses + incoming + rehearse


async def started_by_lenses(ls: Host, analysis: Analysis | None) -> list[lsp.CodeLens]:
    """A lens on each task that other tasks start: "started by a, b" (no command to run)."""
    ctx = analysis.ctx if analysis is not None else None
    if analysis is None or ctx is None or ctx.view is None:
        return []
    view = ctx.view
    started_by = await ls.space.run(lambda: NameUses(ctx).started_by)
    lenses = []
    for task in view.all_tasks():
        sources = started_by.get(id(task))
        if not sources or task.name_node is None:
            continue
        names = ", ".join(source.name or f"#{source.index + 1}" for source in sources)
        span = ctx.span(task.name_node)
        lenses.append(
            lsp.CodeLens(
                range=convert.span_to_range(span, analysis.lines),
                command=lsp.Command(title=f"started by {names}", command=""),
            )
        )
    return lenses

"""The register commands, and every call the server makes to Attune's database.

``attune.register``, ``attune.registerDryRun``, ``attune.unregister`` and
``attune.registerPack`` take the URI of a document or folder. Writing asks for
confirmation, reports progress, refuses files with errors and shows the outcome; the
lines of the diff go to the log. A command answers ``{"ok", "message", "shown", ...}``
(``shown``: the server has shown the message already). The registrar is reached only
through the small functions at the top of this module, so a change of its API is fixed here.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp

from attune_workflow import registrar
from attune_workflow.context import FileKind
from attune_workflow.packindex import find_pack_root
from attune_workflow.registrar import (
    RegistrarError,
    RegistrationReport,
    RegistrationState,
    UnregisterReport,
    WorkflowRecord,
)
from attune_workflow.registrar.embedded import ENV_DATABASE_URL
from attune_workflow.registrar.registration import collect

# A runtime import: pygls reads the annotations of command handlers.
from ..server import AttuneServer

if TYPE_CHECKING:
    from ..analysis import Analysis
    from ..settings import Settings

REGISTER = "attune.register"
DRY_RUN = "attune.registerDryRun"
UNREGISTER = "attune.unregister"
REGISTER_PACK = "attune.registerPack"
COMMANDS = (REGISTER, DRY_RUN, UNREGISTER, REGISTER_PACK)
INDEX_TIMEOUT = 5

# -- the registrar, behind small functions ------------------------------------------------------


def configured_url(settings: Settings) -> str | None:
    """The database the user configured (editor setting, else $ATTUNE_DATABASE_URL)."""
    return settings.database_url or os.environ.get(ENV_DATABASE_URL) or None


def resolve(settings: Settings) -> tuple[str, str]:
    """(URL, display) of the database to write to; the embedded one when none is configured."""
    target = registrar.resolve_database(settings.database_url)
    return target.url, target.display


def fetch_action_index(url: str) -> dict[str, dict[str, Any]]:
    """Every action registered in the database."""
    with registrar.connect(url, connect_timeout=INDEX_TIMEOUT) as conn:
        return registrar.action_index(conn)


def write(url: str, records: Sequence[WorkflowRecord], *, dry_run: bool) -> RegistrationReport:
    """Register (or with ``dry_run`` only compare) workflows, creating missing packs."""
    with registrar.connect(url) as conn:
        return registrar.register(conn, records, dry_run=dry_run, create_pack=True)


def remove(url: str, refs: Sequence[str]) -> UnregisterReport:
    """Unregister workflows by ref."""
    with registrar.connect(url) as conn:
        return registrar.unregister(conn, refs)


def state(url: str, record: WorkflowRecord) -> RegistrationState:
    """Whether a workflow is registered and up to date."""
    with registrar.connect(url, connect_timeout=INDEX_TIMEOUT) as conn:
        return registrar.registration_state(conn, record)


def records_for(path: Path, max_file_size: int) -> tuple[list[WorkflowRecord], list[str]]:
    """The workflows a file or folder holds, as the registrar wants them."""
    return collect([path], max_file_size=max_file_size)


def safe_message(exc: BaseException) -> str:
    """A message about a failure that never holds a password."""
    if isinstance(exc, RegistrarError):
        return str(exc)
    return f"unexpected {type(exc).__name__}"


# -- used by the rest of the server -------------------------------------------------------------


async def database_actions(ls: AttuneServer) -> Mapping[str, Mapping[str, Any]]:
    """The configured database's action index (empty without one, or when it is down)."""
    url = configured_url(ls.settings)
    if url is None:
        return {}
    try:
        actions = await asyncio.to_thread(fetch_action_index, url)
    except Exception as exc:
        problem = safe_message(exc)
        ls.database_problem = problem
        ls.show(
            f"Attune: the database is unavailable ({problem}). Actions registered only there "
            "are not known; everything else keeps working.",
            lsp.MessageType.Error,
        )
        return {}
    ls.database_problem = None
    return actions


def registrable(analysis: Analysis) -> bool:
    """Whether a file can be registered: a workflow, or a workflow action."""
    if analysis.kind is FileKind.WORKFLOW:
        return True
    ctx = analysis.ctx
    return (
        analysis.kind is FileKind.ACTION
        and ctx is not None
        and isinstance(ctx.data, dict)
        and isinstance(ctx.data.get("workflow_file"), str)
    )


def source_actions(analysis: Analysis) -> list[tuple[str, str]]:
    """The register commands offered as source actions for a file."""
    return [
        (REGISTER, "Attune: Register this workflow"),
        (DRY_RUN, "Attune: Show what registering would change"),
        (UNREGISTER, "Attune: Unregister this workflow"),
        (REGISTER_PACK, "Attune: Register every workflow of this pack"),
    ]


# -- the commands -------------------------------------------------------------------------------


class Refused(Exception):
    """A command that cannot go ahead; the message says why."""


class Command:
    """One run of a register command."""

    def __init__(self, ls: AttuneServer, name: str, args: Sequence[Any]) -> None:
        self.ls = ls
        self.name = name
        if not args or not isinstance(args[0], str):
            raise Refused("give the URI of a workflow file or pack folder as the argument")
        self.uri = args[0]
        self.path = ls.path_of(self.uri)

    def target(self) -> Path:
        if self.name != REGISTER_PACK:
            if not self.path.is_file():
                raise Refused(f"{self.path} is not a file")
            return self.path
        root = self.path if self.path.is_dir() else find_pack_root(self.path)
        if root is None:
            raise Refused(f"{self.path} is not inside a pack")
        return root

    def check_saved(self, target: Path) -> None:
        for doc in list(self.ls.workspace.text_documents.values()):
            path = self.ls.path_of(doc.uri)
            if path == target or (target.is_dir() and path.is_relative_to(target)):
                try:
                    saved = path.read_text(encoding="utf-8")
                except OSError:
                    saved = None
                if saved != doc.source:
                    raise Refused(f"save {path.name} first: registering reads the files on disk")

    async def records(self, target: Path) -> list[WorkflowRecord]:
        size = self.ls.settings.max_file_size
        records, problems = await asyncio.to_thread(records_for, target, size)
        for problem in problems:
            self.ls.log(problem, lsp.MessageType.Warning)
        if not records:
            raise Refused(
                f"no workflow found in {target.name}" + (f": {problems[0]}" if problems else "")
            )
        return records

    async def confirm(self, question: str, action: str) -> bool:
        try:
            answer = await self.ls.window_show_message_request_async(
                lsp.ShowMessageRequestParams(
                    type=lsp.MessageType.Warning,
                    message=question,
                    actions=[
                        lsp.MessageActionItem(title=action),
                        lsp.MessageActionItem(title="Cancel"),
                    ],
                )
            )
        except Exception:
            return False
        return answer is not None and answer.title == action

    async def run(self) -> dict[str, Any]:
        target = self.target()
        if self.name != UNREGISTER:
            self.check_saved(target)
        records = await self.records(target)
        refs = sorted(record.ref for record in records)
        names = ", ".join(refs) if len(refs) <= 3 else f"{len(refs)} workflows"
        errors = [error for record in records for error in record.errors]
        if errors and self.name != UNREGISTER:
            for error in errors:
                self.ls.log(error, lsp.MessageType.Error)
            count = f"{len(errors)} error{'s' if len(errors) != 1 else ''}"
            raise Refused(f"{names} has {count} and is not registered: {errors[0]}")
        try:
            url, display = await asyncio.to_thread(resolve, self.ls.settings)
        except Exception as exc:
            raise Refused(f"the database is unavailable: {safe_message(exc)}") from None
        if self.name == DRY_RUN:
            report = await self.progress(
                "Comparing with the database", lambda: write(url, records, dry_run=True)
            )
            return self.reported(report, display)
        if self.name == UNREGISTER:
            question = (
                f"Unregister {names} from {display}? Attune deletes the linked actions and "
                "the workflow executions with them."
            )
            if not await self.confirm(question, "Unregister"):
                return {"ok": True, "cancelled": True, "message": "Unregister cancelled"}
            removed = await self.progress("Unregistering", lambda: remove(url, refs))
            message = f"Unregistered: {removed.summary()}"
            self.ls.show_result(message, ok=True)
            await self.after_write()
            return {"ok": True, "message": message, "removed": [r.ref for r in removed.removed]}
        question = f"Register {names} into {display}? Missing packs are created."
        if not await self.confirm(question, "Register"):
            return {"ok": True, "cancelled": True, "message": "Registration cancelled"}
        report = await self.progress("Registering", lambda: write(url, records, dry_run=False))
        result = self.reported(report, display)
        await self.after_write()
        return result

    async def progress(self, title: str, job: Any) -> Any:
        ls = self.ls
        token = f"attune-{self.name}-{id(self)}"
        shown = False
        if ls.supports("window.work_done_progress"):
            try:
                await ls.work_done_progress.create_async(token)
                ls.work_done_progress.begin(
                    token, lsp.WorkDoneProgressBegin(title=f"Attune: {title}")
                )
                shown = True
            except Exception:
                shown = False
        try:
            return await asyncio.to_thread(job)
        except Exception as exc:
            raise Refused(
                f"the database is unavailable or refused the change: {safe_message(exc)}"
            ) from None
        finally:
            if shown:
                ls.work_done_progress.end(token, lsp.WorkDoneProgressEnd())

    def reported(self, report: RegistrationReport, display: str) -> dict[str, Any]:
        ls = self.ls
        verb = "Dry run" if report.dry_run else "Registered"
        for outcome in report.outcomes:
            ls.log(f"{outcome.ref}: {outcome.status}", lsp.MessageType.Info)
            for reason in outcome.reasons:
                ls.log(f"  {reason}", lsp.MessageType.Warning)
            for line in outcome.diff.lines() if outcome.diff is not None else ():
                ls.log(f"  {line}", lsp.MessageType.Info)
        message = f"{verb} ({display}): {report.summary()}"
        if report.dry_run and any(o.diff is not None for o in report.outcomes):
            message += " — the changes are in the log"
        ls.show_result(message, ok=report.ok)
        return {
            "ok": report.ok,
            "message": message,
            "written": report.written,
            "outcomes": [
                {
                    "ref": o.ref,
                    "status": o.status,
                    "reasons": list(o.reasons),
                    "diff": o.diff.lines() if o.diff is not None else [],
                }
                for o in report.outcomes
            ],
        }

    async def after_write(self) -> None:
        from . import code_lens

        code_lens.forget_all(self.ls)
        if configured_url(self.ls.settings) is not None:
            actions = await database_actions(self.ls)
            project = self.ls.project
            await self.ls.run(lambda: project.set_database_actions(actions))
        if self.ls.supports("workspace.code_lens.refresh_support"):
            await self.ls.workspace_code_lens_refresh_async(None)


def register(server: AttuneServer) -> None:
    """Add the commands."""

    def command(name: str) -> None:
        @server.command(name)
        async def handler(ls: AttuneServer, *args: Any) -> dict[str, Any]:
            try:
                result = await Command(ls, name, args).run()
            except Refused as exc:
                message = str(exc)
                message = message[:1].upper() + message[1:]
                ls.show_result(message, ok=False)
                result = {"ok": False, "message": message}
            # `shown`: the server has already shown the message (clients need not repeat it).
            result["shown"] = not result.get("cancelled", False)
            return result

    for name in COMMANDS:
        command(name)

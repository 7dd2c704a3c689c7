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
import tempfile
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
    embedded,
)
from attune_workflow.registrar.embedded import ENV_DATABASE_URL
from attune_workflow.registrar.registration import collect

# A runtime import: pygls reads the annotations of command handlers.
from ..host import Host

if TYPE_CHECKING:
    from ..analysis import Analysis
    from ..settings import Settings

REGISTER = "attune.register"
DRY_RUN = "attune.registerDryRun"
UNREGISTER = "attune.unregister"
REGISTER_PACK = "attune.registerPack"
COMMANDS = (REGISTER, DRY_RUN, UNREGISTER, REGISTER_PACK)
# In the embedded server's data folder: a file per server process using it, and a mark
# left by the one that started it.
EMBEDDED_USERS = "lsp-clients"
STARTED_HERE = "started-by-a-language-server"
INDEX_TIMEOUT = 5

# -- the registrar, behind small functions ------------------------------------------------------


def configured_url(settings: Settings) -> str | None:
    """The database the user configured (editor setting, else $ATTUNE_DATABASE_URL)."""
    return settings.database_url or os.environ.get(ENV_DATABASE_URL) or None


def resolve(settings: Settings) -> tuple[str, str]:
    """(URL, display) of the database to write to; the embedded one when none is configured.

    A server that uses the embedded PostgreSQL says so in its data folder, and one that
    started it leaves a mark, so that :func:`release_embedded` can stop it at exit.
    """
    running = True if configured_url(settings) is not None else embedded.server_info().running
    target = registrar.resolve_database(settings.database_url)
    if target.kind == "embedded":
        users = embedded.data_dir() / EMBEDDED_USERS
        users.mkdir(parents=True, exist_ok=True)
        (users / str(os.getpid())).touch()
        if not running:
            (users / STARTED_HERE).touch()
    return target.url, target.display


def release_embedded() -> None:
    """At exit: stop the embedded PostgreSQL if a language server started it and no other
    live server uses it."""
    users = embedded.data_dir() / EMBEDDED_USERS
    mine = users / str(os.getpid())
    if not mine.exists():
        return
    mine.unlink(missing_ok=True)
    for other in users.iterdir():
        if other.name.isdigit() and _alive(int(other.name)):
            return
    if (users / STARTED_HERE).exists():
        (users / STARTED_HERE).unlink(missing_ok=True)
        embedded.stop()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def state_url(settings: Settings) -> str | None:
    """The database the registration state is read from: the configured one, else the
    embedded one when it runs (None: it does not; it is not started for a code lens)."""
    url = configured_url(settings)
    if url is not None:
        return url
    server = embedded.server_info()
    return server.url() if server.running else None


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
    # No pool of forked processes here: the server's threads hold locks (stdin's reader)
    # that a forked child would wait on forever.
    return collect([path], max_file_size=max_file_size, processes=False)


def safe_message(exc: BaseException) -> str:
    """A message about a failure that never holds a password."""
    if isinstance(exc, RegistrarError):
        return str(exc)
    return f"unexpected {type(exc).__name__}"


# -- used by the rest of the server -------------------------------------------------------------


async def database_actions(ls: Host) -> Mapping[str, Mapping[str, Any]]:
    """The configured database's action index (empty without one, or when it is down)."""
    url = configured_url(ls.space.settings)
    if url is None:
        return {}
    try:
        actions = await asyncio.to_thread(fetch_action_index, url)
    except Exception as exc:
        problem = safe_message(exc)
        ls.database_problem = problem
        ls.client.show(
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

MESSAGE_DIFF_LINES = 20


def pending(what: str) -> dict[str, Any]:
    """The answer of a command that goes on once the user has confirmed."""
    return {"ok": True, "pending": True, "message": f"{what}: waiting for your confirmation"}


def refusal(records: Sequence[WorkflowRecord], failing: Sequence[WorkflowRecord]) -> str:
    """Why workflows with errors are not registered (names as written, counts exact)."""
    errors = sum(len(record.errors) for record in failing)
    count = f"{errors} error{'s' if errors != 1 else ''}"
    first = failing[0]
    if len(records) == 1:
        return f"{first.ref} has {count} and is not registered: {first.errors[0]}"
    which = (
        ", ".join(record.ref for record in failing)
        if len(failing) <= 3
        else f"{len(failing)} of the {len(records)} workflows"
    )
    return (
        f"{which} {'has' if len(failing) == 1 else 'have'} {count}; nothing is registered."
        f" First: {first.ref}: {first.errors[0]}"
    )


def show_diff(ls: Host, about: Path, lines: list[str]) -> bool:
    """Open the changes of a dry run as a read-only document; False if the client cannot."""
    if not ls.client.supports("window.show_document.support"):
        return False
    folder = Path(tempfile.gettempdir()) / f"attune-lsp-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    target = folder / f"{about.name}.dry-run.diff"
    target.unlink(missing_ok=True)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    target.chmod(0o444)
    ls.client.spawn(
        ls.window_show_document_async(lsp.ShowDocumentParams(uri=target.as_uri(), take_focus=False))
    )
    return True


class Refused(Exception):
    """A command that cannot go ahead; the message says why."""


class Command:
    """One run of a register command."""

    def __init__(self, ls: Host, name: str, args: Sequence[Any]) -> None:
        self.ls = ls
        self.name = name
        if not args or not isinstance(args[0], str):
            raise Refused("give the URI of a workflow file or pack folder as the argument")
        self.uri = args[0]
        self.path = ls.space.path_of(self.uri)

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
            path = self.ls.space.path_of(doc.uri)
            if path == target or (target.is_dir() and path.is_relative_to(target)):
                try:
                    saved = path.read_text(encoding="utf-8")
                except OSError:
                    saved = None
                if saved != doc.source:
                    raise Refused(f"save {path.name} first: registering reads the files on disk")

    async def records(self, target: Path) -> list[WorkflowRecord]:
        size = self.ls.space.settings.max_file_size
        records, problems = await asyncio.to_thread(records_for, target, size)
        for problem in problems:
            self.ls.client.log(problem, lsp.MessageType.Warning)
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
        """Check everything that can fail, then ask the user without holding the request.

        The request answers at once; the confirmation is asked in the background and the
        outcome is shown when the user has answered (``pending`` in the result).
        """
        target = self.target()
        if self.name != UNREGISTER:
            self.check_saved(target)
        records = await self.records(target)
        refs = sorted(record.ref for record in records)
        names = ", ".join(refs) if len(refs) <= 3 else f"{len(refs)} workflows"
        failing = [record for record in records if record.errors]
        if failing and self.name != UNREGISTER:
            for record in failing:
                for error in record.errors:
                    self.ls.client.log(error, lsp.MessageType.Error)
            raise Refused(refusal(records, failing))
        try:
            url, display = await asyncio.to_thread(resolve, self.ls.space.settings)
        except Exception as exc:
            raise Refused(f"the database is unavailable: {safe_message(exc)}") from None
        if self.name == UNREGISTER:
            question = (
                f"Unregister {names} from {display}? Attune deletes the linked actions and "
                "the workflow executions with them."
            )
            self.ls.client.spawn(self.unregister_after(question, url, refs))
            return pending("Unregister")
        # A dry run first: it proves the database answers, and the question says what
        # registering would change.
        report = await self.progress(
            "Comparing with the database", lambda: write(url, records, dry_run=True)
        )
        if self.name == DRY_RUN:
            return self.reported(report, display)
        question = (
            f"Register {names} into {display}? {report.summary()}. Missing packs are created."
        )
        self.ls.client.spawn(self.register_after(question, url, records, display))
        return pending("Registration")

    async def unregister_after(self, question: str, url: str, refs: list[str]) -> None:
        if not await self.confirm(question, "Unregister"):
            self.ls.client.show_result("Unregister cancelled", ok=True)
            return
        try:
            removed = await self.progress("Unregistering", lambda: remove(url, refs))
        except Refused as exc:
            self.ls.client.show_result(str(exc), ok=False)
            return
        self.ls.client.show_result(f"Unregistered: {removed.summary()}", ok=True)
        await self.after_write()

    async def register_after(
        self, question: str, url: str, records: list[WorkflowRecord], display: str
    ) -> None:
        if not await self.confirm(question, "Register"):
            self.ls.client.show_result("Registration cancelled", ok=True)
            return
        try:
            report = await self.progress("Registering", lambda: write(url, records, dry_run=False))
        except Refused as exc:
            self.ls.client.show_result(str(exc), ok=False)
            return
        self.reported(report, display)
        await self.after_write()

    async def progress(self, title: str, job: Any) -> Any:
        ls = self.ls
        token = f"attune-{self.name}-{id(self)}-{title}"
        shown = False
        if ls.client.supports("window.work_done_progress"):
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
        lines: list[str] = []
        for outcome in report.outcomes:
            ls.client.log(f"{outcome.ref}: {outcome.status}", lsp.MessageType.Info)
            for reason in outcome.reasons:
                ls.client.log(f"  {reason}", lsp.MessageType.Warning)
            diff = outcome.diff.lines() if outcome.diff is not None else []
            for line in diff:
                ls.client.log(f"  {line}", lsp.MessageType.Info)
            if diff or outcome.reasons:
                lines += [f"{outcome.ref}: {outcome.status}"]
                lines += [f"  {line}" for line in [*outcome.reasons, *diff]]
        message = f"{verb} ({display}): {report.summary()}"
        if report.dry_run and lines:
            shown = show_diff(ls, self.path, lines)
            message += " — the changes are in " + (
                "the document opened" if shown else "the lines below"
            )
            if not shown:
                message += ":\n" + "\n".join(lines[:MESSAGE_DIFF_LINES])
                if len(lines) > MESSAGE_DIFF_LINES:
                    message += f"\n… {len(lines) - MESSAGE_DIFF_LINES} more lines in the log"
        ls.client.show_result(message, ok=report.ok)
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
        if configured_url(self.ls.space.settings) is not None:
            actions = await database_actions(self.ls)
            project = self.ls.space.project
            await self.ls.space.run(lambda: project.set_database_actions(actions))
        if self.ls.client.supports("workspace.code_lens.refresh_support"):
            await self.ls.workspace_code_lens_refresh_async(None)


def register(server: Host) -> None:
    """Add the commands."""
    server.at_exit.append(release_embedded)

    def command(name: str) -> None:
        @server.command(name)
        async def handler(ls: Host, *args: Any) -> dict[str, Any]:
            try:
                result = await Command(ls, name, args).run()
            except Refused as exc:
                # As written: a message may start with a ref, whose case matters.
                message = str(exc)
                ls.client.show_result(message, ok=False)
                result = {"ok": False, "message": message}
            # `shown`: the server shows what the user needs (clients need not repeat it).
            result["shown"] = True
            return result

    for name in COMMANDS:
        command(name)

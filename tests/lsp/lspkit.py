"""End-to-end helpers: a real server process driven by a pytest-lsp client.

Each client profile (VS Code, Neovim) is the capability set the real editor sends, so the
server is exercised the way each editor uses it: VS Code 1.65 gets pushed diagnostics,
Neovim 0.11 pulls them. Tests wait on notifications, never on time.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from lsprotocol import types as lsp
from psycopg import sql
from psycopg.conninfo import make_conninfo
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

DATA = Path(__file__).parent / "data"
TEMPLATE = "attune_lsp_lsp_template"
PROFILES = ["visual_studio_code", "neovim"]
TIMEOUT = 30.0


@dataclass
class Published:
    """Diagnostics the server pushed, and a way to wait for the next ones."""

    by_uri: dict[str, lsp.PublishDiagnosticsParams] = field(default_factory=dict)
    history: list[lsp.PublishDiagnosticsParams] = field(default_factory=list)


class Client(LanguageClient):
    """The pytest-lsp client with a record of pushed diagnostics and scripted answers."""

    published: Published
    answers: list[str | asyncio.Future[str] | None]
    requests: list[lsp.ShowMessageRequestParams]
    registrations: list[lsp.RegistrationParams]
    root: Path
    activity: asyncio.Event
    profile: str
    server_capabilities: lsp.ServerCapabilities

    async def wait_for(self, check: Callable[[], Any], *, timeout: float = TIMEOUT) -> Any:
        """Wait until ``check()`` returns something truthy, re-checking on each message."""

        async def loop() -> Any:
            while True:
                self.activity.clear()
                result = check()
                if result:
                    return result
                await self.activity.wait()

        return await asyncio.wait_for(loop(), timeout)

    async def next_message(self) -> None:
        """Wait for the next message from the server."""
        self.activity.clear()
        await asyncio.wait_for(self.activity.wait(), TIMEOUT)

    async def pushed(
        self, uri: str, check: Callable[[list[lsp.Diagnostic]], bool] = lambda d: True
    ) -> list[lsp.Diagnostic]:
        """The diagnostics pushed for a document, once ``check`` accepts them."""

        def ready() -> list[lsp.Diagnostic] | None:
            params = self.published.by_uri.get(uri)
            if params is not None and check(list(params.diagnostics)):
                return list(params.diagnostics) or [None]  # type: ignore[list-item]
            return None

        found = await self.wait_for(ready)
        return [d for d in found if d is not None]

    async def diagnostics_of(
        self, uri: str, check: Callable[[list[lsp.Diagnostic]], bool] = lambda d: True
    ) -> list[lsp.Diagnostic]:
        """The document's diagnostics the way this client gets them (pulled or pushed)."""
        if self.profile == "neovim":

            async def pull() -> list[lsp.Diagnostic]:
                while True:
                    report = await self.text_document_diagnostic_async(
                        lsp.DocumentDiagnosticParams(
                            text_document=lsp.TextDocumentIdentifier(uri=uri)
                        )
                    )
                    assert isinstance(report, lsp.RelatedFullDocumentDiagnosticReport)
                    if check(list(report.items)):
                        return list(report.items)
                    await self.next_message()

            return await asyncio.wait_for(pull(), TIMEOUT)
        return await self.pushed(uri, check)


def _converter() -> Any:
    converter = default_converter()

    # lsprotocol reads any object with a `command` key as a Command, so a CodeAction that
    # runs a command would come back as a Command; clients look at the key's type instead.
    def command_or_action(obj: Any, _: type) -> lsp.Command | lsp.CodeAction:
        if isinstance(obj.get("command"), str):
            return converter.structure(obj, lsp.Command)  # type: ignore[no-any-return]
        return converter.structure(obj, lsp.CodeAction)  # type: ignore[no-any-return]

    converter.register_structure_hook(lsp.Command | lsp.CodeAction, command_or_action)
    return converter


def make_client() -> Client:
    client = Client(converter_factory=_converter)
    client.published = Published()
    client.answers = []
    client.requests = []
    client.registrations = []
    client.activity = asyncio.Event()
    features = dict(DEFAULT_CLIENT_FEATURES)

    def publish(ls: Client, params: lsp.PublishDiagnosticsParams) -> None:
        ls.diagnostics[params.uri] = params.diagnostics
        ls.published.by_uri[params.uri] = params
        ls.published.history.append(params)
        ls.activity.set()

    def show_message(ls: Client, params: lsp.ShowMessageParams) -> None:
        ls.messages.append(params)
        ls.activity.set()

    def log_message(ls: Client, params: lsp.LogMessageParams) -> None:
        ls.log_messages.append(params)
        ls.activity.set()

    async def show_message_request(
        ls: Client, params: lsp.ShowMessageRequestParams
    ) -> lsp.MessageActionItem | None:
        ls.requests.append(params)
        ls.activity.set()
        answer = ls.answers.pop(0) if ls.answers else None
        if isinstance(answer, asyncio.Future):  # the user answers later
            answer = await answer
        return lsp.MessageActionItem(title=answer) if answer else None

    def show_document(ls: Client, params: lsp.ShowDocumentParams) -> lsp.ShowDocumentResult:
        ls.shown_documents.append(params)
        ls.activity.set()
        return lsp.ShowDocumentResult(success=True)

    def progress(ls: Client, params: lsp.ProgressParams) -> None:
        DEFAULT_CLIENT_FEATURES[lsp.PROGRESS](ls, params)
        ls.activity.set()

    features[lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = publish
    features[lsp.WINDOW_SHOW_MESSAGE] = show_message
    features[lsp.WINDOW_LOG_MESSAGE] = log_message
    features[lsp.WINDOW_SHOW_MESSAGE_REQUEST] = show_message_request
    features[lsp.WINDOW_SHOW_DOCUMENT] = show_document
    features[lsp.PROGRESS] = progress
    features[lsp.WORKSPACE_CODE_LENS_REFRESH] = lambda ls, params: None
    features[lsp.CLIENT_REGISTER_CAPABILITY] = lambda ls, params: ls.registrations.append(params)
    register_lsp_features(client, features)
    return client


# The embedded PostgreSQL's data folder for the servers of the tests: empty (not running),
# whatever runs on the machine.
EMBEDDED_DATA = tempfile.mkdtemp(prefix="attune-lsp-lsp-data-")


def server_config(
    *, command: Sequence[str] = ("-m", "attune_lsp"), **env: str
) -> ClientServerConfig:
    """A server started with these arguments to Python and these environment variables."""
    return ClientServerConfig(
        server_command=[sys.executable, *command],
        client_factory=make_client,
        server_env={
            **os.environ,
            "ATTUNE_LSP_DEBOUNCE_MS": "20",
            "ATTUNE_LSP_DATA_DIR": EMBEDDED_DATA,
            **env,
        },
    )


CONFIG = server_config()
# A debounce window no test outlives: edits wait until a save (or a pull) asks for them,
# so the superseded-edit test depends on events, never on timing.
HELD = server_config(ATTUNE_LSP_DEBOUNCE_MS="3600000")


def copy_workspace(target: Path) -> Path:
    """A fresh copy of the test workspace (tests may change files)."""
    shutil.copytree(DATA / "workspace", target, dirs_exist_ok=True)
    return target


async def start(
    client: Client,
    profile: str,
    root: Path,
    options: dict[str, Any] | None = None,
    capabilities: lsp.ClientCapabilities | None = None,
    *,
    root_uri: str | None = None,
    wait_for_scan: bool = True,
) -> None:
    """Initialize a session with a client profile (or these capabilities) and wait for the
    workspace scan (unless not ``wait_for_scan``: see :func:`scanned`).

    ``root_uri`` spells the root's URI as some editor does (default: ``root.as_uri()``).
    """
    client.profile = profile
    capabilities = capabilities or client_capabilities(profile)
    uri = root_uri or root.as_uri()
    result = await client.initialize_session(
        lsp.InitializeParams(
            capabilities=capabilities,
            root_uri=uri,
            workspace_folders=[lsp.WorkspaceFolder(uri=uri, name=root.name)],
            initialization_options=options or {},
        )
    )
    client.server_capabilities = result.capabilities
    if wait_for_scan:
        await client.wait_for(lambda: scanned(client))


def scanned(client: Client) -> bool:
    """Whether the server has reported the end of a workspace scan."""
    return any(
        any(isinstance(v, lsp.WorkDoneProgressEnd) for v in values)
        for values in client.progress_reports.values()
    )


async def open_doc(client: Client, path: Path, text: str | None = None) -> str:
    """Open a file in the client; returns its URI."""
    uri = path.as_uri()
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            text_document=lsp.TextDocumentItem(
                uri=uri,
                language_id="yaml",
                version=1,
                text=path.read_text(encoding="utf-8") if text is None else text,
            )
        )
    )
    return uri


CURSOR = "§"


def cursor(text: str) -> tuple[str, lsp.Position]:
    """Text without its ``§`` cursor mark, and the mark's LSP (UTF-16) position."""
    before, _, after = text.partition(CURSOR)
    line = before.count("\n")
    column = before.rsplit("\n", 1)[-1]
    return before + after, lsp.Position(line, len(column.encode("utf-16-le")) // 2)


_counter = iter(range(1, 10**6))


async def open_scratch(client: Client, folder: Path, text: str, name: str = "scratch") -> str:
    """Open an unsaved document in a folder of the workspace; returns its URI."""
    path = folder / f"{name}_{next(_counter)}.workflow.yaml"
    return await open_doc(client, path, text)


def labels(result: lsp.CompletionList | Sequence[lsp.CompletionItem] | None) -> list[str]:
    items = result.items if isinstance(result, lsp.CompletionList) else (result or [])
    return [item.label for item in items]


def apply_edits(text: str, edits: list[lsp.TextEdit]) -> str:
    """Apply LSP text edits (UTF-16 ranges) to a text."""
    lines = text.split("\n")

    def offset(pos: lsp.Position) -> int:
        start = sum(len(line) + 1 for line in lines[: pos.line])
        line = lines[pos.line] if pos.line < len(lines) else ""
        units = 0
        for index, char in enumerate(line):
            if units >= pos.character:
                return start + index
            units += 2 if ord(char) > 0xFFFF else 1
        return start + len(line)

    for edit in sorted(
        edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True
    ):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
        lines = text.split("\n")
    return text


def new_database(admin: str) -> tuple[str, str]:
    """A fresh migrated database cloned from the template: (name, URL)."""
    name = f"attune_lsp_lsp_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(TEMPLATE)
            )
        )
    return name, make_conninfo(admin, dbname=name)


def drop_database(admin: str, name: str) -> None:
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )

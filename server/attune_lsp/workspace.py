"""The server's workspace: its folders and documents, settings, pack index and scan.

Built on the engine's :class:`attune_workflow.workspace.Workspace` (held by the
:class:`~attune_lsp.analysis.Project`): one configuration resolver and one pack-index
builder for the CLI and the server. The checks a scan leads to are the document
scheduler's; it is handed in as :class:`ScanChecks`.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar
from urllib.parse import unquote

from lsprotocol import types as lsp
from pygls.workspace import TextDocument

from attune_workflow.positions import LineIndex
from attune_workflow.registrar.errors import remember_secrets

from . import convert
from .analysis import BACKGROUND, INTERACTIVE, Project, Worker, lines_of_path
from .client import Client
from .settings import Settings, merge_raw, parse_settings, section_of

log = logging.getLogger(__name__)
T = TypeVar("T")


class ScanChecks(Protocol):
    """What a workspace scan asks of the document scheduler once the packs are indexed."""

    async def after_index(self, files: list[Path], report: Callable[[int, int], None]) -> None:
        """Check the scanned files again, calling ``report(done, total)`` as they finish."""

    async def after_scan(self) -> None:
        """The scan has ended (its progress too)."""


class ServerWorkspace:
    """Folders, open documents, settings and the pack index of one client's workspace."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.project = Project()
        self.worker = Worker()
        # closed files' analyses: they give way to the worker (see `attune_lsp.analysis`)
        self.background = Worker("attune-background", gives_way_to=self.worker)
        self.settings = Settings()
        self.init_options: Any = None
        self.checks: ScanChecks | None = None
        self._paths: dict[str, Path] = {}
        self._scan: asyncio.Task[None] | None = None
        self._scanned: asyncio.Event | None = None
        self._indexed: asyncio.Event | None = None

    async def run(self, job: Callable[[], T], priority: int = INTERACTIVE) -> T:
        """Run a job on the worker thread and wait for it (a ``BACKGROUND`` job, on the
        background thread: it must not change the project, only read it)."""
        worker = self.background if priority >= BACKGROUND else self.worker
        return await asyncio.wrap_future(worker.submit(priority, job))

    def stop(self) -> None:
        """Let the worker threads end after the jobs already queued."""
        self.worker.stop()
        self.background.stop()

    # -- documents and paths ----------------------------------------------------------------

    def path_of(self, uri: str) -> Path:
        """The resolved file system path of a document URI."""
        path = self._paths.get(uri)
        if path is None:
            path = _usable(convert.uri_to_path(uri))
            with contextlib.suppress(OSError, ValueError, RuntimeError):
                path = path.resolve()
            if len(self._paths) > 10_000:
                self._paths.clear()
            self._paths[uri] = path
        return path

    def uri_of(self, path: Path) -> str:
        """The URI the client knows a file by (an open document's own URI when it is open)."""
        for uri in self.open_uris():
            if self.path_of(uri) == path:
                return uri
        return convert.path_to_uri(path)

    def document(self, uri: str) -> TextDocument | None:
        """The open document of a URI (URIs arrive in their canonical spelling)."""
        # pygls keys its documents by the decoded URI; each keeps the URI it was opened with.
        found: TextDocument | None = self.client.server.workspace.text_documents.get(unquote(uri))
        return found

    def documents(self) -> list[TextDocument]:
        """The open documents."""
        return list(self.client.server.workspace.text_documents.values())

    def open_uris(self) -> list[str]:
        """The URIs of the open documents."""
        return [doc.uri for doc in self.documents()]

    def is_open(self, uri: str) -> bool:
        """Whether the client has the document open."""
        return self.document(uri) is not None

    def overlay(self) -> dict[Path, str]:
        """The text of every open document by path (buffers win over the disk)."""
        return {self.path_of(doc.uri): doc.source for doc in self.documents()}

    def lines_of(self, path: Path) -> LineIndex | None:
        """The lines of any file: its open buffer, else the disk."""
        return lines_of_path(path, self.overlay())

    def roots(self) -> list[Path]:
        """The workspace folders as paths."""
        workspace = self.client.server.workspace
        found: list[Path] = []
        for folder in workspace.folders.values():
            if folder.uri.startswith("file:"):
                found.append(convert.uri_to_path(folder.uri))
        root_uri = workspace.root_uri
        if not found and isinstance(root_uri, str) and root_uri.startswith("file:"):
            found.append(convert.uri_to_path(convert.canonical_uri(root_uri)))
        return found

    # -- settings ---------------------------------------------------------------------------

    def apply_settings(self, raw: Any) -> bool:
        """Use new settings; True when they differ from the current ones."""
        roots = self.roots()
        settings, problems = parse_settings(raw, base=roots[0] if roots else None)
        if problems:
            self.client.show(
                "Attune: invalid settings: "
                + "; ".join(problems)
                + ". Defaults are used for them.",
                lsp.MessageType.Error,
            )
        remember_secrets(settings.database_url)
        changed = settings != self.settings
        self.settings = settings
        return changed

    async def pull_settings(self, pushed: Any = None) -> bool:
        """Settings from the initialization options, laid under what the client holds now."""
        layers: list[Any] = [self.init_options]
        if section_of(pushed) not in (None, {}):
            layers.append(pushed)
        elif self.client.supports("workspace.configuration"):
            try:
                answer = await self.client.server.workspace_configuration_async(
                    lsp.ConfigurationParams(items=[lsp.ConfigurationItem(section="attune")])
                )
            except Exception as exc:  # a client that fails the request keeps the options
                log.warning("workspace/configuration failed: %s", exc)
            else:
                if answer:
                    layers.append(answer[0])
        return self.apply_settings(merge_raw(*layers))

    # -- the pack index and the scan --------------------------------------------------------

    async def reindex(self, paths: list[Path]) -> dict[Path, str]:
        """Re-read the packs of changed files; the packs that changed (root: ref)."""
        overlay = self.overlay()
        project = self.project
        changed: dict[Path, str] = {}
        for path in paths:

            def job(p: Path = path) -> tuple[Path, str] | None:
                return project.reindex(p, overlay)

            result = await self.run(job)
            if result is not None:
                changed[result[0]] = result[1]
        return changed

    def scanned(self) -> asyncio.Event:
        """Set once the workspace scan has finished."""
        if self._scanned is None:
            self._scanned = asyncio.Event()
        return self._scanned

    def indexed(self) -> asyncio.Event:
        """Set once the workspace's packs are indexed (analyses wait for it)."""
        if self._indexed is None:
            self._indexed = asyncio.Event()
        return self._indexed

    def rescan(self) -> None:
        """Re-index and re-check the whole workspace (replacing a scan in progress)."""
        if self._scan is not None and not self._scan.done():
            self._scan.cancel()
        self.scanned().clear()
        self._scan = asyncio.ensure_future(self._scan_workspace())
        self._scan.add_done_callback(self.client.finished)

    async def _scan_workspace(self) -> None:
        server = self.client.server
        loop_time = asyncio.get_running_loop().time()
        token = f"attune-scan-{id(server)}-{self.client.shown}-{loop_time}"
        progress = self.client.supports("window.work_done_progress")
        if progress:
            try:
                await server.work_done_progress.create_async(token)
            except Exception:
                progress = False
        if progress:
            server.work_done_progress.begin(
                token,
                lsp.WorkDoneProgressBegin(title="Attune", message="Indexing packs", percentage=0),
            )
        last = -1

        def report(done: int, total: int) -> None:
            nonlocal last
            percent = done * 100 // max(total, 1)
            if progress and percent != last:
                last = percent
                server.work_done_progress.report(
                    token,
                    lsp.WorkDoneProgressReport(
                        message=f"Checked {done}/{total} files", percentage=percent
                    ),
                )

        try:
            project, base, overlay = self.project, self.settings.config(), self.overlay()
            roots = self.roots()
            try:
                files = await self.run(lambda: project.rebuild(roots, base, overlay))
            finally:
                self.indexed().set()  # analyses never wait for an index that failed
            if self.checks is not None:
                await self.checks.after_index(files, report)
        finally:
            if progress:
                server.work_done_progress.end(token, lsp.WorkDoneProgressEnd(message="Done"))
            self.scanned().set()
        if self.checks is not None:
            await self.checks.after_scan()


def _usable(path: Path) -> Path:
    """A path system calls accept: a stand-in under ``/untitled`` for one too long to name.

    A buffer whose URI names no possible file (a name longer than the system allows) is
    checked as an unsaved buffer with the same last folders and file name, shortened.
    """
    try:
        os.lstat(path)
    except OSError as exc:
        if exc.errno != errno.ENAMETOOLONG:
            return path
    except ValueError:
        pass
    else:
        return path
    parts = [part if len(part) <= 64 else f"{part[:30]}…{part[-30:]}" for part in path.parts[-3:]]
    return Path("/", "untitled", *parts)

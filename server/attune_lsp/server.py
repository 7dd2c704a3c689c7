"""The Attune language server: state, scheduling and start-up.

Handlers live in ``features/`` (one module per LSP feature) and stay thin; this module
keeps what they share: the documents' analyses (run on a worker thread, debounced,
never twice for one version), what is published, the settings and the pack index.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import gc
import logging
import os
import sys
from collections import defaultdict
from collections.abc import Awaitable, Callable, Generator, Iterable
from pathlib import Path
from typing import Any, BinaryIO, TypeVar, cast
from urllib.parse import unquote

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.protocol.language_server import lsp_method
from pygls.workspace import TextDocument

from attune_workflow.context import Context
from attune_workflow.files import FileProblem, read_text
from attune_workflow.positions import LineIndex
from attune_workflow.registrar.errors import install_log_redaction, remember_secrets
from attune_workflow.yamlsource import parse_yaml

from . import __version__, convert
from .analysis import (
    BACKGROUND,
    INTERACTIVE,
    Analysis,
    ProblemKind,
    Project,
    Summary,
    Worker,
    lines_of_path,
)
from .edge import EdgeProtocol, FramedInput
from .settings import Settings, merge_raw, parse_settings, section_of

log = logging.getLogger(__name__)
T = TypeVar("T")

DEBOUNCE_ENV = "ATTUNE_LSP_DEBOUNCE_MS"
DEFAULT_DEBOUNCE_MS = 200.0


class AttuneProtocol(EdgeProtocol):
    """Speaks UTF-16 positions only: every conversion happens in :mod:`attune_lsp.convert`.

    Records the exit code the LSP specification gives (0 after ``shutdown``, else 1): pygls
    ends its loop with ``SystemExit``, which its I/O loop swallows.
    """

    exit_code: int | None = None
    # The id of an `initialize` request the prelude has answered already.
    answered: Any = None

    def _send_response(self, msg_id: Any, result: Any = None, error: Any = None) -> None:
        if msg_id is not None and msg_id == self.answered:
            self.answered = None
            return
        super()._send_response(msg_id, result, error)

    @lsp_method(lsp.EXIT)
    def lsp_exit(self, *args: Any) -> Generator[Any, Any, None]:
        self.exit_code = 0 if self._shutdown else 1
        yield from super().lsp_exit(*args)

    @lsp_method(lsp.INITIALIZE)
    def lsp_initialize(
        self, params: lsp.InitializeParams
    ) -> Generator[Any, Any, lsp.InitializeResult]:
        general = params.capabilities.general
        if general is not None:
            # UTF-16 is the encoding every client must support; offering no other keeps
            # pygls (which would pick the client's first preference) on it too.
            general.position_encodings = None
        result: lsp.InitializeResult = yield from super().lsp_initialize(params)
        return result


def _debounce() -> float:
    raw = os.environ.get(DEBOUNCE_ENV)
    try:
        return max(0.0, float(raw) / 1000) if raw else DEFAULT_DEBOUNCE_MS / 1000
    except ValueError:
        return DEFAULT_DEBOUNCE_MS / 1000


class AttuneServer(LanguageServer):
    """The language server with its shared state."""

    def __init__(self) -> None:
        super().__init__(
            "attune-lsp",
            __version__,
            protocol_cls=AttuneProtocol,
            text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental,
        )
        self.project = Project()
        self.worker = Worker()
        self.settings = Settings()
        self.init_options: Any = None
        self.debounce = _debounce()
        self.analyses: dict[str, Analysis] = {}
        self.last_good: dict[str, Analysis] = {}
        self.closed: dict[Path, Analysis] = {}
        self.summaries: dict[Path, Summary] = {}
        self._keys: dict[str, tuple[int, int]] = {}
        self._inflight: dict[str, tuple[tuple[int, int], asyncio.Future[Analysis | None]]] = {}
        self._epochs: dict[str, int] = defaultdict(int)
        self._timers: dict[str, asyncio.Task[None]] = {}
        self._paths: dict[str, Path] = {}
        self._shown: set[str] = set()
        self._scan: asyncio.Task[None] | None = None
        self._scanned: asyncio.Event | None = None
        self._indexed: asyncio.Event | None = None
        self._tasks: set[asyncio.Future[Any]] = set()
        self.pull_documents = False
        self.pull_workspace = False
        self.database_problem: str | None = None
        self.lens_states: dict[Path, tuple[int, str]] = {}
        self.rehearsals: dict[str, Any] = {}
        self.at_exit: list[Callable[[], None]] = []

    def release(self) -> None:
        """Run the clean-ups registered for the end of the process."""
        for release in self.at_exit:
            try:
                release()
            except Exception as exc:  # the process ends anyway; say why a clean-up failed
                log.warning("clean-up at exit failed: %s", exc)

    # -- client capabilities ----------------------------------------------------------------

    def supports(self, dotted: str) -> bool:
        """Whether a client capability (``text_document.diagnostic``...) is present and set."""
        node: Any = self.client_capabilities
        for part in dotted.split("."):
            node = getattr(node, part, None)
            if node is None:
                return False
        return node is not False

    # -- helpers for handlers ---------------------------------------------------------------

    def spawn(self, job: Awaitable[Any]) -> None:
        """Run a coroutine in the background, keeping a reference until it ends."""
        task = asyncio.ensure_future(job)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Future[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            log.error("background task failed", exc_info=exc)
            self.log(f"Internal error: {exc!r}", lsp.MessageType.Error)

    async def run(self, job: Callable[[], T], priority: int = INTERACTIVE) -> T:
        """Run a job on the worker thread and wait for it."""
        return await asyncio.wrap_future(self.worker.submit(priority, job))

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
        found: TextDocument | None = self.workspace.text_documents.get(unquote(uri))
        return found

    def open_uris(self) -> list[str]:
        """The URIs of the open documents."""
        return [doc.uri for doc in self.workspace.text_documents.values()]

    def is_open(self, uri: str) -> bool:
        """Whether the client has the document open."""
        return self.document(uri) is not None

    def overlay(self) -> dict[Path, str]:
        """The text of every open document by path (buffers win over the disk)."""
        return {self.path_of(doc.uri): doc.source for doc in self.workspace.text_documents.values()}

    def lines_of(self, path: Path) -> LineIndex | None:
        """The lines of any file: its open buffer, else the disk."""
        return lines_of_path(path, self.overlay())

    def parse(self, path: Path) -> Context | None:
        """A parsed file (rules not run): the open document's analysis, else the disk's text."""
        for doc in list(self.workspace.text_documents.values()):
            if self.path_of(doc.uri) == path:
                analysis = self.current(doc.uri) or self.analyses.get(doc.uri)
                if analysis is not None and analysis.version == doc.version and analysis.ctx:
                    return analysis.ctx
                text = convert.buffer_lines(doc.source)[0]
                break
        else:
            try:
                text = read_text(path, max_size=self.project.base.max_file_size)
            except FileProblem:
                return None
        index = self.project.index
        return Context(path, text, parse_yaml(text), index=index, config=self.project.base)

    def roots(self) -> list[Path]:
        """The workspace folders as paths."""
        found: list[Path] = []
        for folder in self.workspace.folders.values():
            if folder.uri.startswith("file:"):
                found.append(convert.uri_to_path(folder.uri))
        root_uri = self.workspace.root_uri
        if not found and isinstance(root_uri, str) and root_uri.startswith("file:"):
            found.append(convert.uri_to_path(convert.canonical_uri(root_uri)))
        return found

    def show(self, message: str, kind: lsp.MessageType = lsp.MessageType.Warning) -> None:
        """Show a message once (the same text is not shown again)."""
        if message in self._shown:
            return
        self._shown.add(message)
        self.window_show_message(lsp.ShowMessageParams(type=kind, message=message))

    def show_result(self, message: str, *, ok: bool) -> None:
        """Show the outcome of a command."""
        kind = lsp.MessageType.Info if ok else lsp.MessageType.Error
        self.window_show_message(lsp.ShowMessageParams(type=kind, message=f"Attune: {message}"))

    def log(self, message: str, kind: lsp.MessageType = lsp.MessageType.Info) -> None:
        """Write to the client's log (window/logMessage)."""
        self.window_log_message(lsp.LogMessageParams(type=kind, message=message))

    # -- analyses ---------------------------------------------------------------------------

    def _key(self, uri: str) -> tuple[int, int] | None:
        doc = self.document(uri)
        if doc is None or doc.version is None:
            return None
        return doc.version, self._epochs[uri]

    def current(self, uri: str) -> Analysis | None:
        """The analysis of the document's current version, if it is done."""
        key = self._key(uri)
        if key is not None and self._keys.get(uri) == key:
            return self.analyses.get(uri)
        return None

    def latest(self, uri: str) -> Analysis | None:
        """The most recent analysis of a document (possibly of an older version)."""
        if self.is_open(uri):
            return self.analyses.get(uri)
        return self.closed.get(self.path_of(uri))

    async def analysis(self, uri: str) -> Analysis | None:
        """The analysis of a document's current version: cached, in flight, or started now.

        For a document that is not open, the analysis of the file on disk.
        """
        await self.indexed().wait()
        key = self._key(uri)
        if key is None:
            return await self.closed_analysis(self.path_of(uri))
        if self._keys.get(uri) == key:
            return self.analyses.get(uri)
        inflight = self._inflight.get(uri)
        if inflight is not None and inflight[0] == key:
            future = inflight[1]
        else:
            if inflight is not None:
                inflight[1].cancel()
            future = self._submit(uri, key)
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            if future.cancelled() and not asyncio.current_task().cancelling():  # type: ignore[union-attr]
                return None  # superseded by a newer version
            raise

    def _submit(self, uri: str, key: tuple[int, int]) -> asyncio.Future[Analysis | None]:
        doc = self.document(uri)
        assert doc is not None  # a key exists for open documents only
        path, text, version, overlay = self.path_of(uri), doc.source, key[0], self.overlay()
        project = self.project
        future = asyncio.wrap_future(
            self.worker.submit(
                INTERACTIVE, lambda: project.analyse(uri, path, text, version, overlay)
            )
        )
        self._inflight[uri] = (key, future)

        def done(f: asyncio.Future[Analysis | None]) -> None:
            if self._inflight.get(uri, (None,))[0] == key:
                del self._inflight[uri]
            if f.cancelled() or f.exception() is not None:
                if not f.cancelled():
                    self.log(f"Checking {path} failed: {f.exception()!r}", lsp.MessageType.Error)
                return
            analysis = f.result()
            if analysis is None or not self.is_open(uri):
                return
            stored = self._keys.get(uri)
            if stored is None or stored < key:
                self.analyses[uri] = analysis
                self._keys[uri] = key
                if analysis.ctx is not None and analysis.ctx.view is not None:
                    self.last_good[uri] = analysis
                self._after(analysis)

        future.add_done_callback(done)
        return future

    async def closed_analysis(self, path: Path, *, fresh: bool = False) -> Analysis | None:
        """The analysis of a file on disk (from the workspace scan unless ``fresh``)."""
        if not fresh and path in self.closed:
            return self.closed[path]
        await self.indexed().wait()
        uri = convert.path_to_uri(path)
        overlay = self.overlay()
        project = self.project
        analysis = await self.run(
            lambda: project.analyse(uri, path, None, None, overlay), BACKGROUND
        )
        if analysis is None:
            self.closed.pop(path, None)
            return None
        analysis.ctx = None  # closed files keep their findings and summary, not the tree
        self.closed[path] = analysis
        self._after(analysis)
        return analysis

    def _after(self, analysis: Analysis) -> None:
        self.summaries[analysis.path] = analysis.summary
        for problem in analysis.problems:
            if problem.kind is ProblemKind.CHECK_FAILED:
                self.log(problem.message, lsp.MessageType.Error)
            else:
                self.show(f"Attune: {problem.message}; the editor settings are used instead")

    def forget(self, uri: str) -> None:
        """Drop what is kept of a document the client closed."""
        timer = self._timers.pop(uri, None)
        if timer is not None:
            timer.cancel()
        inflight = self._inflight.pop(uri, None)
        if inflight is not None:
            inflight[1].cancel()
        self.analyses.pop(uri, None)
        self.last_good.pop(uri, None)
        self._keys.pop(uri, None)

    def invalidate(self, uri: str) -> None:
        """Forget the analysis of an open document (its inputs changed, not its text)."""
        self._epochs[uri] += 1

    # -- publishing -------------------------------------------------------------------------

    def pushes(self, uri: str) -> bool:
        """Whether diagnostics of this document are pushed (else the client pulls them)."""
        if self.is_open(uri):
            return not self.pull_documents
        return not self.pull_workspace

    def publish(self, analysis: Analysis) -> None:
        """Push an analysis's diagnostics, unless it is stale or the client pulls them."""
        uri = analysis.uri
        doc = self.document(uri)
        if doc is not None:
            if analysis.version != doc.version or self.current(uri) is not analysis:
                return
        elif analysis.version is not None:
            return
        if not self.pushes(uri):
            return
        self.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(
                uri=uri, diagnostics=analysis.published, version=analysis.version
            )
        )

    def clear(self, uri: str) -> None:
        """Remove the pushed diagnostics of a document."""
        if self.pushes(uri):
            self.text_document_publish_diagnostics(
                lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[])
            )

    def check_soon(self, uri: str, delay: float | None = None) -> None:
        """Check an open document after the debounce delay, superseding a pending check."""
        timer = self._timers.pop(uri, None)
        if timer is not None:
            timer.cancel()
        task = asyncio.ensure_future(
            self._check_later(uri, self.debounce if delay is None else delay)
        )
        self._timers[uri] = task

    async def _check_later(self, uri: str, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        analysis = await self.analysis(uri)
        if self._timers.get(uri) is asyncio.current_task():
            del self._timers[uri]
        if analysis is not None:
            self.publish(analysis)
            await self._reindex_if_needed(analysis)

    async def _reindex_if_needed(self, analysis: Analysis) -> None:
        path = analysis.path
        if path.name == "pack.yaml" or path.parent.name == "actions":
            await self.reindex([path])

    async def reindex(self, paths: Iterable[Path]) -> set[Path]:
        """Re-read the packs of changed files, re-check what depends on them; returns those."""
        overlay = self.overlay()
        project = self.project
        changed: dict[Path, str] = {}
        for path in paths:

            def job(p: Path = path) -> tuple[Path, str] | None:
                return project.reindex(p, overlay)

            result = await self.run(job)
            if result is not None:
                changed[result[0]] = result[1]
        if changed:
            return await self.recheck_dependents(changed)
        return set()

    async def recheck_dependents(self, packs: dict[Path, str]) -> set[Path]:
        """Re-check every file that uses an action of these packs or lies in them."""
        affected = self.users_of(set(packs.values()), tuple(packs))
        await self.recheck(affected)
        names = ", ".join(sorted(set(packs.values())))
        self.log(f"Re-checked {len(affected)} file(s) after a change to pack(s) {names}")
        return affected

    def users_of(self, pack_refs: set[str], roots: tuple[Path, ...] = ()) -> set[Path]:
        """The checked files that call an action of these packs, or lie in these folders."""
        prefixes = tuple(f"{ref}." for ref in pack_refs)
        return {
            path
            for path, summary in self.summaries.items()
            if any(use.startswith(prefixes) for use in summary.uses)
            or (summary.linked is not None and summary.linked.startswith(prefixes))
            or any(path.is_relative_to(root) for root in roots)
        }

    async def recheck(self, paths: Iterable[Path]) -> None:
        """Check files again: open ones from their buffer, the others from disk."""
        open_paths = {self.path_of(uri): uri for uri in self.open_uris()}
        jobs: list[Awaitable[Any]] = []
        refresh = False
        for path in paths:
            uri = open_paths.get(path)
            if uri is not None:
                self.invalidate(uri)
                if self.pull_documents:
                    refresh = True
                else:
                    self.check_soon(uri, 0)
            elif path.exists():
                jobs.append(self._recheck_closed(path))
            elif path in self.closed:
                self.closed.pop(path)
                self.summaries.pop(path, None)
                self.clear(convert.path_to_uri(path))
        if jobs:
            await asyncio.gather(*jobs)
        if (refresh or (jobs and self.pull_workspace)) and self.supports(
            "workspace.diagnostics.refresh_support"
        ):
            await self.workspace_diagnostic_refresh_async(None)

    async def _recheck_closed(self, path: Path) -> None:
        analysis = await self.closed_analysis(path, fresh=True)
        if analysis is not None:
            self.publish(analysis)

    # -- settings and the workspace scan ----------------------------------------------------

    def apply_settings(self, raw: Any) -> bool:
        """Use new settings; True when they differ from the current ones."""
        roots = self.roots()
        settings, problems = parse_settings(raw, base=roots[0] if roots else None)
        if problems:
            self.show(
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
        elif self.supports("workspace.configuration"):
            try:
                answer = await self.workspace_configuration_async(
                    lsp.ConfigurationParams(items=[lsp.ConfigurationItem(section="attune")])
                )
            except Exception as exc:  # a client that fails the request keeps the options
                log.warning("workspace/configuration failed: %s", exc)
            else:
                if answer:
                    layers.append(answer[0])
        return self.apply_settings(merge_raw(*layers))

    def scanned(self) -> asyncio.Event:
        """Set once the workspace scan has finished."""
        if self._scanned is None:
            self._scanned = asyncio.Event()
        return self._scanned

    def rescan(self) -> None:
        """Re-index and re-check the whole workspace (replacing a scan in progress)."""
        if self._scan is not None and not self._scan.done():
            self._scan.cancel()
        self.scanned().clear()
        self._scan = asyncio.ensure_future(self._scan_workspace())
        self._scan.add_done_callback(self._finished)

    async def _scan_workspace(self) -> None:
        token = f"attune-scan-{id(self)}-{len(self._shown)}-{asyncio.get_running_loop().time()}"
        progress = self.supports("window.work_done_progress")
        if progress:
            try:
                await self.work_done_progress.create_async(token)
            except Exception:
                progress = False
        if progress:
            self.work_done_progress.begin(
                token,
                lsp.WorkDoneProgressBegin(title="Attune", message="Indexing packs", percentage=0),
            )
        try:
            project, base, overlay = self.project, self.settings.config(), self.overlay()
            roots = self.roots()
            try:
                files = await self.run(lambda: project.rebuild(roots, base, overlay))
            finally:
                self.indexed().set()  # analyses never wait for an index that failed
            self.spawn(self._load_database_actions())
            for uri in self.open_uris():
                previous = self.analyses.get(uri)
                if previous is None or previous.index is not project.index:
                    self.invalidate(uri)
                    self.check_soon(uri, 0)
            todo = [f for f in files if f not in set(self.overlay())]
            for path in set(self.closed) - set(todo):
                self.closed.pop(path)
                self.summaries.pop(path, None)
                self.clear(convert.path_to_uri(path))
            done = 0
            last = -1
            for batch_start in range(0, len(todo), 16):
                batch = todo[batch_start : batch_start + 16]
                opened = set(self.overlay())
                await asyncio.gather(
                    *(self._recheck_closed(path) for path in batch if path not in opened)
                )
                done += len(batch)
                percent = done * 100 // max(len(todo), 1)
                if progress and percent != last:
                    last = percent
                    self.work_done_progress.report(
                        token,
                        lsp.WorkDoneProgressReport(
                            message=f"Checked {done}/{len(todo)} files", percentage=percent
                        ),
                    )
        finally:
            if progress:
                self.work_done_progress.end(token, lsp.WorkDoneProgressEnd(message="Done"))
            self.scanned().set()
        if self.pull_workspace and self.supports("workspace.diagnostics.refresh_support"):
            await self.workspace_diagnostic_refresh_async(None)

    async def _load_database_actions(self) -> None:
        """Learn the actions of the configured database, then re-check the files using them."""
        from .features import register

        actions = await register.database_actions(self)
        project = self.project
        if not actions and not project.database_actions:
            return
        before = {str(ref).partition(".")[0] for ref in project.database_actions}
        await self.run(lambda: project.set_database_actions(actions))
        packs = before | {str(ref).partition(".")[0] for ref in actions}
        await self.recheck(self.users_of(packs))

    def indexed(self) -> asyncio.Event:
        """Set once the workspace's packs are indexed (analyses wait for it)."""
        if self._indexed is None:
            self._indexed = asyncio.Event()
        return self._indexed


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


def create_server() -> AttuneServer:
    """A server with every feature registered."""
    from .features import (
        code_actions,
        code_lens,
        completion,
        definition,
        diagnostics,
        document_highlight,
        document_links,
        documents,
        folding,
        hover,
        inlay_hints,
        lifecycle,
        references,
        register,
        rehearsal,
        selection_range,
        semantic_tokens,
        signature_help,
        symbols,
        workflow_graph,
    )

    server = AttuneServer()
    for module in (
        lifecycle,
        documents,
        diagnostics,
        completion,
        hover,
        definition,
        references,
        symbols,
        folding,
        code_actions,
        code_lens,
        register,
        semantic_tokens,
        document_links,
        document_highlight,
        selection_range,
        signature_help,
        inlay_hints,
        workflow_graph,
        rehearsal,
    ):
        module.register(server)
    return server


def serve(tcp: str | None = None, *, channel: Any = None, answered: Any = None) -> int:
    """Run the server on stdio, or on TCP at ``HOST:PORT``; returns the exit code.

    ``channel`` is the input the prelude has started reading (:mod:`attune_lsp.prelude`),
    given again from its first message; ``answered``, the id of the ``initialize``
    request the prelude answered.
    """
    level = os.environ.get("ATTUNE_LSP_LOG", "WARNING").upper()
    logging.basicConfig(level=getattr(logging, level, logging.WARNING), stream=sys.stderr)
    # Settings (a database URL with its password) reach the log through pygls's own
    # messages at info and debug level: every line passes through the redaction.
    install_log_redaction()
    remember_secrets(os.environ.get("ATTUNE_DATABASE_URL"))
    server = create_server()
    # Analyses allocate many short-lived objects and few cycles: full collections of a
    # large heap cost seconds, so move start-up objects out of the collector's sight and
    # collect less often.
    gc.freeze()
    gc.set_threshold(100_000, 50, 1000)
    if tcp:
        host, _, port = tcp.rpartition(":")
        if not port.isdigit():
            print(f"attune-lsp: error: --tcp wants HOST:PORT, not {tcp!r}", file=sys.stderr)
            return 2
        try:
            server.start_tcp(host or "127.0.0.1", int(port))
        finally:
            server.release()
        return 0
    protocol = server.protocol
    if isinstance(protocol, AttuneProtocol):
        protocol.answered = answered
    try:
        # pygls reads with readline() and read(n) only: the framed input provides both.
        server.start_io(stdin=cast(BinaryIO, FramedInput(channel or sys.stdin.buffer)))
    finally:
        server.release()
    # Input that ends without `shutdown` and `exit` is a lost client: 1, as the spec says.
    code = protocol.exit_code if isinstance(protocol, AttuneProtocol) else None
    return 1 if code is None else code

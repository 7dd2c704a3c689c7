"""The server's view of the workspace: pack index, configuration and analyses.

Analyses run off the event loop on two worker threads: the foreground one (open
documents, requests, the pack index) and the background one (files on disk: the workspace
scan, the files that depend on a changed pack). The background thread gives way: a job starts
only while the foreground is idle, and pauses at the analysis's checkpoints
(:func:`attune_workflow.check.checkpoint`) while foreground work waits or runs, so an edit
never waits for a closed file's analysis to end. The pack index is never changed in place:
each change builds a new :class:`PackIndex` from the packs already read and swaps it in,
so features on the event loop always read a consistent snapshot.
"""

from __future__ import annotations

import contextlib
import enum
import itertools
import logging
import queue
import threading
import traceback
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from lsprotocol import types as lsp

from attune_workflow.check import pause_points
from attune_workflow.config import Config, ConfigResolver
from attune_workflow.context import Context, FileKind
from attune_workflow.diagnostics import Diagnostic, Severity
from attune_workflow.files import FileProblem, read_file
from attune_workflow.incremental import DocumentAnalysis
from attune_workflow.packindex import PackIndex, PackInfo, find_pack_root, read_pack
from attune_workflow.positions import LineIndex, Span
from attune_workflow.rules import RULES_BY_ID
from attune_workflow.workspace import (
    Workspace,
    analyse_file,
    expand_paths,
    index_roots,
)
from attune_workflow.yamlsource import ScalarNode, mapping_get, parse_yaml

from . import convert

log = logging.getLogger(__name__)
T = TypeVar("T")
_SERIALS = itertools.count(1)

INTERACTIVE = 0
INTERNAL_ERROR = "internal-error"
BACKGROUND = 1


class Worker:
    """One thread running jobs by priority; a job cancelled before it starts never runs.

    With ``gives_way_to``, a background worker: each job starts once that worker is idle,
    and pauses at every checkpoint of its analysis while that worker has work.
    """

    def __init__(self, name: str = "attune-analysis", gives_way_to: Worker | None = None) -> None:
        self._queue: queue.PriorityQueue[tuple[int, int, Callable[[], Any] | None, Future[Any]]]
        self._queue = queue.PriorityQueue()
        self._order = itertools.count()
        self._lock = threading.Lock()
        self._pending = 0  # jobs queued or running
        self.idle = threading.Event()
        self.idle.set()
        self.gives_way_to = gives_way_to
        self.giving_way = threading.Event()  # set while a job waits for the other worker
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, priority: int, job: Callable[[], T]) -> Future[T]:
        """Queue a job; returns its future."""
        future: Future[T] = Future()
        with self._lock:
            self._pending += 1
            self.idle.clear()
        self._queue.put((priority, next(self._order), job, future))
        return future

    def _run(self) -> None:
        while True:
            _, _, job, future = self._queue.get()
            if job is None:
                return
            try:
                self._start(job, future)
            finally:
                with self._lock:
                    self._pending -= 1
                    if not self._pending:
                        self.idle.set()

    def _start(self, job: Callable[[], Any], future: Future[Any]) -> None:
        self._give_way()
        if not future.set_running_or_notify_cancel():
            return
        try:
            if self.gives_way_to is None:
                future.set_result(job())
            else:
                with pause_points(self._give_way):
                    future.set_result(job())
        except BaseException as exc:  # handed to whoever awaits the job
            future.set_exception(exc)

    def _give_way(self) -> None:
        """Wait while the worker this one gives way to has work."""
        other = self.gives_way_to
        if other is not None and not other.idle.is_set():
            self.giving_way.set()
            other.idle.wait()
            self.giving_way.clear()

    def stop(self) -> None:
        """Let the thread end after the jobs already queued."""
        self._queue.put((99, next(self._order), None, Future()))


class Abandoned(BaseException):
    """Raised at a checkpoint of a background analysis whose result is no longer wanted.

    A BaseException, so that no handler turns it into a finding of the file.
    """


class ProblemKind(enum.Enum):
    """What went wrong around an analysis, and so how the editor is told."""

    CHECK_FAILED = "check-failed"  # the checker failed on the file: logged with its traceback
    CONFIG = "config"  # a project file cannot be used: shown; the editor settings apply


@dataclass(frozen=True, slots=True)
class Problem:
    """A problem met while analysing a file (not a finding of the file)."""

    kind: ProblemKind
    message: str


def check_failed(path: Path) -> Problem:
    """The problem of a checker failure, with the traceback being handled."""
    return Problem(ProblemKind.CHECK_FAILED, f"Checking {path} failed:\n{traceback.format_exc()}")


@dataclass(frozen=True, slots=True)
class Symbol:
    """A named place of a file, for workspace symbols."""

    name: str
    kind: lsp.SymbolKind
    range: lsp.Range
    container: str | None = None


@dataclass(frozen=True, slots=True)
class Summary:
    """What other files need to know of an analysed file."""

    path: Path
    kind: FileKind
    uses: frozenset[str] = frozenset()
    linked: str | None = None
    symbols: tuple[Symbol, ...] = ()


@dataclass(slots=True)
class Analysis:
    """The result of checking one version of one file."""

    uri: str
    path: Path
    version: int | None
    text: str
    lines: LineIndex
    ctx: Context | None
    diagnostics: list[Diagnostic]
    published: list[lsp.Diagnostic]
    summary: Summary
    index: PackIndex
    problems: list[Problem] = field(default_factory=list)
    serial: int = field(default_factory=lambda: next(_SERIALS))

    @property
    def result_id(self) -> str:
        """Identifies the diagnostics of this analysis for pull requests."""
        return f"{self.version}:{self.serial}"

    @property
    def kind(self) -> FileKind:
        """What the file is."""
        return self.summary.kind


def _pack_key(pack: PackInfo) -> Any:
    return (
        pack.ref,
        repr(pack.manifest),
        tuple(
            (
                a.ref,
                a.label,
                a.description,
                repr(a.parameters),
                repr(a.output),
                a.workflow_file,
                a.path,
            )
            for a in pack.actions.values()
        ),
    )


class Project:
    """Packs, configuration and the analysis of files.

    Its methods run on the foreground worker thread; the analysis of files on disk
    (``analyse`` without a text) also on the background one, which changes nothing here.
    """

    def __init__(self) -> None:
        self.roots: tuple[Path, ...] = ()
        self.packs: dict[Path, PackInfo] = {}
        self.database_actions: Mapping[str, Mapping[str, Any]] = {}
        self.workspace = Workspace(collect_config_problems=True)
        # One incremental analysis per open document, none for closed ones.
        self._documents: dict[Path, DocumentAnalysis] = {}
        # Whether a reader on the event loop still holds a context (the scheduler's leases):
        # such a tree is not spliced in place.
        self.held: Callable[[Context], bool] = lambda ctx: False
        self._index_key: Any = None  # what the current index was built from

    @property
    def index(self) -> PackIndex:
        """The current pack index (a snapshot)."""
        return self.workspace.index

    @property
    def base(self) -> Config:
        """The editor's settings."""
        return self.workspace.settings

    @property
    def config_problems(self) -> dict[str, None]:
        """The project files that could not be used, by message."""
        return self.workspace.configs.problems

    # -- configuration ----------------------------------------------------------------------

    def config_for(self, path: Path) -> Config:
        """The configuration of a file: its ``.attune-lsp.yaml`` under the editor settings."""
        return self.workspace.config_for(path)

    def forget_configs(self) -> None:
        """Drop cached configurations (a ``.attune-lsp.yaml`` or the settings changed)."""
        self.workspace.configs.forget()

    # -- the pack index ---------------------------------------------------------------------

    def _publish_index(self) -> None:
        """Swap in an index of the packs read, unless it would equal the current one.

        An equal index keeps its identity, so nothing is checked again for it (a rescan of
        an unchanged workspace, settings that leave the packs as they were).
        """
        key = self._key()
        if key == self._index_key:
            return
        index = PackIndex(self.packs.values())
        if self.database_actions:
            index.add_database_actions(self.database_actions)
        self.workspace.index = index
        self._index_key = key

    def _key(self) -> Any:
        """What an index is built from: the packs read and the database's actions."""
        return (
            tuple((str(root), repr(pack)) for root, pack in self.packs.items()),
            repr(self.database_actions),
        )

    def adopt(
        self,
        packs: Mapping[Path, PackInfo],
        index: PackIndex,
        documents: Mapping[Path, DocumentAnalysis],
    ) -> None:
        """Go on from what was read and analysed before the server started: its packs and
        their index (kept by the first scan when it reads the same packs) and the analyses
        of open documents."""
        self.packs = dict(packs)
        self.workspace.index = index
        self._index_key = self._key()
        for path, document in documents.items():
            document.held = self._held
            self._documents[path] = document

    def rebuild(
        self,
        roots: Iterable[Path],
        base: Config,
        overlay: Mapping[Path, str],
        extra: Iterable[Path] = (),
    ) -> list[Path]:
        """Index every pack of the workspace afresh; returns the files to scan."""
        self.roots = tuple(r.resolve() for r in roots)
        self.workspace.configs = ConfigResolver(self.roots, base, RULES_BY_ID, collect=True)
        # Workspace folders, pack_roots and the packs of open files (not their siblings).
        found = index_roots([*self.roots, *extra, *overlay], self.workspace.configs, siblings=False)
        self.packs = {}
        for root in found:
            pack = _read(root, overlay)
            if pack is not None:
                self.packs[root] = pack
        self._publish_index()
        return expand_paths(self.roots) if self.roots else []

    def ensure_indexed(self, path: Path, overlay: Mapping[Path, str]) -> bool:
        """Index the pack of a file opened outside the known packs; True if the index grew.

        Only that pack: its neighbours are not the user's unless the workspace or the
        ``pack_roots`` setting holds them.
        """
        if self.index.pack_for(path) is not None:
            return False
        added = False
        for root in index_roots([path], self.workspace.configs, siblings=False):
            if root not in self.packs:
                pack = _read(root, overlay)
                if pack is not None:
                    self.packs[root] = pack
                    added = True
        if added:
            self._publish_index()
        return added

    def reindex(self, path: Path, overlay: Mapping[Path, str]) -> tuple[Path, str] | None:
        """Re-read the pack a changed file belongs to; (root, pack ref) when it changed."""
        root = find_pack_root(path)
        if root is None:
            return None
        root = root.resolve()
        old = self.packs.get(root)
        if not root.is_dir():
            if old is None:
                return None
            del self.packs[root]
            self._publish_index()
            return root, old.ref
        new = _read(root, overlay)
        if new is None or (old is not None and _pack_key(old) == _pack_key(new)):
            return None
        self.packs[root] = new
        self._publish_index()
        return root, new.ref

    def set_database_actions(self, actions: Mapping[str, Mapping[str, Any]]) -> None:
        """Use the actions of an Attune database (empty: none)."""
        self.database_actions = actions
        self._publish_index()

    # -- analysis ---------------------------------------------------------------------------

    def _document(self, path: Path) -> DocumentAnalysis:
        """The incremental analysis of an open buffer."""
        document = self._documents.get(path)
        if document is None:
            document = DocumentAnalysis(
                path, index=self.index, config=self.config_for(path), held=self._held
            )
            self._documents[path] = document
        return document

    def forget(self, path: Path) -> None:
        """Drop the incremental analysis of a document the client closed."""
        self._documents.pop(path, None)

    def _held(self, ctx: Context) -> bool:
        return self.held(ctx)

    def analyse(
        self,
        uri: str,
        path: Path,
        text: str | None,
        version: int | None,
        overlay: Mapping[Path, str],
    ) -> Analysis | None:
        """Check a buffer (``text``) or the file on disk (``text`` None: None if unreadable).

        Never raises: a file the checker fails on gets one diagnostic that says so.
        """
        try:
            return self._analyse(uri, path, text, version, overlay)
        except Exception as exc:
            log.exception("checking %s failed", path)
            text = text if text is not None else ""
            lines = LineIndex(text)
            failure = Diagnostic(
                Span(0, 0, 0, 0),
                Severity.ERROR,
                INTERNAL_ERROR,
                f"Checking this file failed ({type(exc).__name__}: {exc}). "
                "Please report this file to the attune-lsp project",
            )
            return self._result(
                uri, path, version, text, lines, None, [failure], [check_failed(path)], self.index
            )

    def _analyse(
        self,
        uri: str,
        path: Path,
        text: str | None,
        version: int | None,
        overlay: Mapping[Path, str],
    ) -> Analysis | None:
        index = self.index
        problems: list[Problem] = []
        lines: LineIndex | None = None
        if text is not None:
            text, lines = convert.buffer_lines(text)
        # A file read from disk is read only when it is a regular file inside its pack:
        # a FIFO, a link loop or a link out of the pack is a finding of its own.
        pack = index.pack_for(path) if text is None else None
        if text is not None:  # on the foreground thread, which alone keeps documents
            for gone in [p for p in self._documents if p not in overlay]:
                del self._documents[gone]  # closed documents keep no analysis
        try:
            analysis = analyse_file(
                path,
                text,
                self.workspace,
                root=pack.root if pack else None,
                document=self._document(path) if text is not None else None,
            )
        except Exception:
            if text is not None:
                self._documents.pop(path, None)
            problems.append(check_failed(path))
            config = self.config_for(path)
            text = text if text is not None else ""
            ctx: Context | None = None
            with contextlib.suppress(Exception):
                ctx = Context(path, text, parse_yaml(text), index=index, config=config)
            diagnostics: list[Diagnostic] = []
        else:
            text, ctx, diagnostics = analysis.text, analysis.ctx, analysis.diagnostics
        if lines is None:
            lines = LineIndex(text)

        # a copy in one step: the other worker thread may add to the problems meanwhile
        messages = tuple(self.config_problems)
        problems += [Problem(ProblemKind.CONFIG, message) for message in messages]
        return self._result(
            uri, path, version, text, lines, ctx, diagnostics, problems, index, overlay
        )

    @staticmethod
    def _result(
        uri: str,
        path: Path,
        version: int | None,
        text: str,
        lines: LineIndex,
        ctx: Context | None,
        diagnostics: list[Diagnostic],
        problems: list[Problem],
        index: PackIndex,
        overlay: Mapping[Path, str] | None = None,
    ) -> Analysis:
        """The analysis of a checked text: its diagnostics in LSP form and its summary.

        Related locations in other files are placed through ``overlay`` (None: not read).
        """

        def lines_of(other: Path) -> LineIndex | None:
            return lines_of_path(other, overlay) if overlay is not None else None

        published = [
            convert.diagnostic(d, lines, uri=uri, version=version, number=n, lines_of=lines_of)
            for n, d in enumerate(diagnostics)
        ]
        return Analysis(
            uri=uri,
            path=path,
            version=version,
            text=text,
            lines=lines,
            ctx=ctx,
            diagnostics=diagnostics,
            published=published,
            summary=summarize(path, ctx, lines),
            index=index,
            problems=problems,
        )


def _read(root: Path, overlay: Mapping[Path, str]) -> PackInfo | None:
    """A pack read for the index; None when reading it fails (its files report why)."""
    try:
        return read_pack(root, overlay)
    except Exception:
        log.exception("reading the pack at %s failed; it is left out of the index", root)
        return None


def lines_of_path(path: Path, overlay: Mapping[Path, str]) -> LineIndex | None:
    """The lines of a file: its open buffer, else its content on disk."""
    text = overlay.get(path)
    if text is not None:
        return convert.buffer_lines(text)[1]
    try:
        text = read_file(path, max_size=RELATED_FILE_LIMIT).decode("utf-8", errors="replace")
    except FileProblem:
        return None
    return LineIndex(text)


# A related file larger than this is not read to place a related location.
RELATED_FILE_LIMIT = 16 * 1024 * 1024


def summarize(path: Path, ctx: Context | None, lines: LineIndex) -> Summary:
    """The summary of an analysed file."""
    if ctx is None:
        return Summary(path, FileKind.OTHER)
    symbols: list[Symbol] = []
    data = ctx.data if isinstance(ctx.data, dict) else {}
    ref = data.get("ref") if isinstance(data.get("ref"), str) else None
    linked = ctx.linked_action.ref if ctx.kind is FileKind.WORKFLOW and ctx.linked_action else None
    uses: set[str] = set()
    root = ctx.doc.root
    if ctx.kind is FileKind.WORKFLOW:
        name = ref or linked or path.name.removesuffix(".yaml").removesuffix(".yml")
        if root is not None:
            symbols.append(
                Symbol(name, lsp.SymbolKind.Module, convert.span_to_range(_head(ctx), lines))
            )
        view = ctx.view
        for task in view.all_tasks() if view is not None else ():
            action = task.string("action")
            if action:
                uses.add(action)
            if task.name is not None and task.name_node is not None:
                symbols.append(
                    Symbol(
                        task.name,
                        lsp.SymbolKind.Function,
                        convert.span_to_range(ctx.span(task.name_node), lines),
                        name,
                    )
                )
    elif ctx.kind is FileKind.ACTION and ref and root is not None:
        symbols.append(Symbol(ref, lsp.SymbolKind.Class, convert.span_to_range(_head(ctx), lines)))
    return Summary(path, ctx.kind, frozenset(uses), linked, tuple(symbols))


def _head(ctx: Context) -> Span:
    """The span of the ``ref`` value, else of the first key: where a file is named."""
    entry = mapping_get(ctx.doc.root, "ref")
    if entry is not None and isinstance(entry[1], ScalarNode):
        return ctx.span(entry[1])
    root = ctx.doc.root
    if root is not None and getattr(root, "value", None):
        first = root.value[0]
        if isinstance(first, tuple):
            return ctx.span(first[0])
    return Span(0, 0, 0, 0)


__all__ = [
    "BACKGROUND",
    "INTERACTIVE",
    "Abandoned",
    "Analysis",
    "Project",
    "Summary",
    "Symbol",
    "Worker",
    "lines_of_path",
]

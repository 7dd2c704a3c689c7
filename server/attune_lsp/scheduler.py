"""The document scheduler: when each file is analysed, which analysis is current, what is
published.

Open documents are analysed on the worker thread after a debounce delay, never twice for
one version, an older version's analysis cancelled by a newer one; closed files of the
workspace from the disk, on the background thread, which gives way to the worker. A file
is never analysed from the disk once the client has opened it: such an analysis is skipped,
or given up at its next checkpoint. Analyses of other versions are never published.
"""

from __future__ import annotations

import asyncio
import os
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp

from attune_workflow.check import pause_points
from attune_workflow.context import Context
from attune_workflow.files import FileProblem, read_text
from attune_workflow.query.occurrences import Sources
from attune_workflow.yamlsource import parse_yaml

from . import convert
from .analysis import BACKGROUND, INTERACTIVE, Abandoned, Analysis, ProblemKind, Summary
from .client import Client
from .workspace import ServerWorkspace

DEBOUNCE_ENV = "ATTUNE_LSP_DEBOUNCE_MS"
DEFAULT_DEBOUNCE_MS = 200.0

DatabaseActions = Mapping[str, Mapping[str, Any]]


def _debounce() -> float:
    raw = os.environ.get(DEBOUNCE_ENV)
    try:
        return max(0.0, float(raw) / 1000) if raw else DEFAULT_DEBOUNCE_MS / 1000
    except ValueError:
        return DEFAULT_DEBOUNCE_MS / 1000


class DocumentScheduler:
    """The analyses of the open documents and of the workspace's files, and publishing."""

    def __init__(self, client: Client, space: ServerWorkspace) -> None:
        self.client = client
        self.space = space
        self.debounce = _debounce()
        self.analyses: dict[str, Analysis] = {}
        self.last_good: dict[str, Analysis] = {}
        self.closed: dict[Path, Analysis] = {}
        # The paths of the open documents, as the background thread reads them.
        self.open_paths: set[Path] = set()
        self.summaries: dict[Path, Summary] = {}
        self.pull_documents = False
        self.pull_workspace = False
        # Fetches the actions of the configured database (none when unset).
        self.database_actions: Callable[[], Awaitable[DatabaseActions]] | None = None
        self._keys: dict[str, tuple[int, int]] = {}
        self._inflight: dict[str, tuple[tuple[int, int], asyncio.Future[Analysis | None]]] = {}
        self._epochs: dict[str, int] = defaultdict(int)
        self._timers: dict[str, asyncio.Task[None]] = {}
        # Readers: the trees each running request holds (by the id of their root node), and
        # how many hold each. A held tree is never spliced in place (the versions spliced
        # from one parse share its root): its next version is parsed afresh.
        self._readers: dict[asyncio.Task[Any], set[int]] = {}
        self._holders: dict[int, int] = {}
        space.project.held = self.held

    # -- analyses ---------------------------------------------------------------------------

    def _key(self, uri: str) -> tuple[int, int] | None:
        doc = self.space.document(uri)
        if doc is None or doc.version is None:
            return None
        return doc.version, self._epochs[uri]

    def current(self, uri: str) -> Analysis | None:
        """The analysis of the document's current version, if it is done."""
        key = self._key(uri)
        if key is not None and self._keys.get(uri) == key:
            return self.analyses.get(uri)
        return None

    # -- readers ----------------------------------------------------------------------------

    def held(self, ctx: Context) -> bool:
        """Whether a running request holds this context's tree (read on the worker thread)."""
        return self._holders.get(id(ctx.doc.root), 0) > 0

    def _hold(self, *analyses: Analysis | None) -> None:
        """Let the running request hold these analyses' trees until it ends."""
        task = asyncio.current_task()
        if task is None:
            return
        held = self._readers.get(task)
        if held is None:
            held = self._readers[task] = set()
            task.add_done_callback(self._release)
        for analysis in analyses:
            if analysis is None or analysis.ctx is None or analysis.ctx.doc.root is None:
                continue
            key = id(analysis.ctx.doc.root)
            if key not in held:
                held.add(key)
                self._holders[key] = self._holders.get(key, 0) + 1

    def _release(self, task: asyncio.Task[Any]) -> None:
        for key in self._readers.pop(task, ()):
            left = self._holders.pop(key) - 1
            if left:
                self._holders[key] = left

    async def analysis(self, uri: str, *, hold: bool = True) -> Analysis | None:
        """The analysis of a document's current version: cached, in flight, or started now.

        For a document that is not open, the analysis of the file on disk. A request
        answers from this analysis only, never from an older one: its positions are those
        of the current text. The request holds the analysis's tree (and the last one
        without syntax errors) until it ends (``hold``), so the next version is not
        spliced into a tree it reads.
        """
        while True:
            key = self._key(uri)
            found = await self._analysis(uri)
            if found is None or not hold or self._key(uri) == key:
                break
            # a newer version arrived while this one was finished: its analysis may already
            # be splicing this tree, so the request waits for that one
        if hold and found is not None:
            self._hold(found, self.last_good.get(uri))
        return found

    async def _analysis(self, uri: str) -> Analysis | None:
        await self.space.indexed().wait()
        key = self._key(uri)
        if key is None:
            return await self.closed_analysis(self.space.path_of(uri))
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
        space = self.space
        doc = space.document(uri)
        assert doc is not None  # a key exists for open documents only
        path, text, version, overlay = space.path_of(uri), doc.source, key[0], space.overlay()
        project = space.project
        future = asyncio.wrap_future(
            space.worker.submit(
                INTERACTIVE, lambda: project.analyse(uri, path, text, version, overlay)
            )
        )
        self._inflight[uri] = (key, future)

        def done(f: asyncio.Future[Analysis | None]) -> None:
            if self._inflight.get(uri, (None,))[0] == key:
                del self._inflight[uri]
            if f.cancelled() or f.exception() is not None:
                if not f.cancelled():
                    self.client.log(
                        f"Checking {path} failed: {f.exception()!r}", lsp.MessageType.Error
                    )
                return
            analysis = f.result()
            if analysis is None or not space.is_open(uri):
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
        await self.space.indexed().wait()
        uri = convert.path_to_uri(path)
        overlay = self.space.overlay()
        project = self.space.project
        open_paths = self.open_paths

        def given_up_once_opened() -> None:
            if path in open_paths:
                raise Abandoned

        def job() -> Analysis | None:
            if path in open_paths:
                return None  # opened since: its buffer's analysis is the one that counts
            with pause_points(given_up_once_opened):
                return project.analyse(uri, path, None, None, overlay)

        try:
            analysis = await self.space.run(job, BACKGROUND)
        except Abandoned:
            analysis = None
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
                self.client.log(problem.message, lsp.MessageType.Error)
            else:
                self.client.show(f"Attune: {problem.message}; the editor settings are used instead")

    def opened(self, uri: str) -> None:
        """The client opened a document: its file is no longer analysed from the disk."""
        self.open_paths.add(self.space.path_of(uri))

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
        path = self.space.path_of(uri)
        if all(self.space.path_of(other) != path for other in self.space.open_uris()):
            self.open_paths.discard(path)
            project = self.space.project
            self.space.worker.submit(INTERACTIVE, lambda: project.forget(path))

    def invalidate(self, uri: str) -> None:
        """Forget the analysis of an open document (its inputs changed, not its text)."""
        self._epochs[uri] += 1

    def parse(self, path: Path) -> Context | None:
        """A parsed file (rules not run): the open document's analysis, else the disk's text."""
        space = self.space
        for doc in space.documents():
            if space.path_of(doc.uri) == path:
                analysis = self.current(doc.uri) or self.analyses.get(doc.uri)
                if analysis is not None and analysis.version == doc.version and analysis.ctx:
                    return analysis.ctx
                text = convert.buffer_lines(doc.source)[0]
                break
        else:
            try:
                text = read_text(path, max_size=space.project.base.max_file_size)
            except FileProblem:
                return None
        project = space.project
        return Context(path, text, parse_yaml(text), index=project.index, config=project.base)

    def sources(self) -> tuple[Sources, dict[Path, str]]:
        """A snapshot for searches across files, and the URIs of the open documents."""
        texts: dict[Path, str] = {}
        contexts: dict[Path, Context] = {}
        uris: dict[Path, str] = {}
        for uri, doc in list(self.space.client.server.workspace.text_documents.items()):
            path = self.space.path_of(uri)
            texts[path] = doc.source
            uris[path] = str(uri)
            analysis = self.current(uri)
            if analysis is not None and analysis.ctx is not None:
                contexts[path] = analysis.ctx
                self._hold(analysis)
        uses = {path: summary.uses for path, summary in self.summaries.items()}
        project = self.space.project
        return Sources(project.index, uses, texts, contexts, project.base), uris

    # -- publishing -------------------------------------------------------------------------

    def pushes(self, uri: str) -> bool:
        """Whether diagnostics of this document are pushed (else the client pulls them)."""
        if self.space.is_open(uri):
            return not self.pull_documents
        return not self.pull_workspace

    def publish(self, analysis: Analysis) -> None:
        """Push an analysis's diagnostics, unless it is stale or the client pulls them."""
        uri = analysis.uri
        doc = self.space.document(uri)
        if doc is not None:
            if analysis.version != doc.version or self.current(uri) is not analysis:
                return
        elif analysis.version is not None:
            return
        if not self.pushes(uri):
            return
        self.client.publish(uri, analysis.published, analysis.version)

    def clear(self, uri: str) -> None:
        """Remove the pushed diagnostics of a document."""
        if self.pushes(uri):
            self.client.publish(uri, [])

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
        analysis = await self.analysis(uri, hold=False)
        if self._timers.get(uri) is asyncio.current_task():
            del self._timers[uri]
        if analysis is not None:
            self.publish(analysis)
            await self._reindex_if_needed(analysis)

    async def _reindex_if_needed(self, analysis: Analysis) -> None:
        path = analysis.path
        if path.name == "pack.yaml" or path.parent.name == "actions":
            await self.reindex([path])

    # -- what depends on what ---------------------------------------------------------------

    async def reindex(self, paths: Iterable[Path]) -> set[Path]:
        """Re-read the packs of changed files, re-check what depends on them; returns those."""
        changed = await self.space.reindex(list(paths))
        if changed:
            return await self.recheck_dependents(changed)
        return set()

    async def recheck_dependents(self, packs: dict[Path, str]) -> set[Path]:
        """Re-check every file that uses an action of these packs or lies in them."""
        affected = self.users_of(set(packs.values()), tuple(packs))
        await self.recheck(affected)
        names = ", ".join(sorted(set(packs.values())))
        self.client.log(f"Re-checked {len(affected)} file(s) after a change to pack(s) {names}")
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
        open_paths = {self.space.path_of(uri): uri for uri in self.space.open_uris()}
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
        if refresh or (jobs and self.pull_workspace):
            await self.client.refresh_diagnostics()

    async def _recheck_closed(self, path: Path) -> None:
        analysis = await self.closed_analysis(path, fresh=True)
        if analysis is not None:
            self.publish(analysis)

    # -- after a workspace scan -------------------------------------------------------------

    async def after_index(self, files: list[Path], report: Callable[[int, int], None]) -> None:
        """Check the open documents against the new index and the scanned files anew."""
        self.client.spawn(self._load_database_actions())
        for uri in self.space.open_uris():
            # the settings or the project files may have changed; an unchanged index and
            # equal settings give the document's kept analysis back at once
            self.invalidate(uri)
            self.check_soon(uri, 0)
        todo = [f for f in files if f not in set(self.space.overlay())]
        for path in set(self.closed) - set(todo):
            self.closed.pop(path)
            self.summaries.pop(path, None)
            self.clear(convert.path_to_uri(path))
        done = 0
        for batch_start in range(0, len(todo), 16):
            batch = todo[batch_start : batch_start + 16]
            opened = set(self.space.overlay())
            await asyncio.gather(
                *(self._recheck_closed(path) for path in batch if path not in opened)
            )
            done += len(batch)
            report(done, len(todo))

    async def after_scan(self) -> None:
        """A client that pulls the workspace's diagnostics pulls them again."""
        if self.pull_workspace:
            await self.client.refresh_diagnostics()

    async def _load_database_actions(self) -> None:
        """Learn the actions of the configured database, then re-check the files using them."""
        actions: DatabaseActions = {}
        if self.database_actions is not None:
            actions = await self.database_actions()
        project = self.space.project
        if not actions and not project.database_actions:
            return
        before = {str(ref).partition(".")[0] for ref in project.database_actions}
        await self.space.run(lambda: project.set_database_actions(actions))
        packs = before | {str(ref).partition(".")[0] for ref in actions}
        await self.recheck(self.users_of(packs))

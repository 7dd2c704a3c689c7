"""Document and file events: open, change, save, close, and files changed on disk."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types as lsp

from attune_workflow.config import CONFIG_NAME

from .. import convert

if TYPE_CHECKING:
    from ..host import Host


def register(server: Host) -> None:
    """Add the handlers."""

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(ls: Host, params: lsp.DidOpenTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.scheduler.opened(uri)
        path = ls.space.path_of(uri)
        overlay = ls.space.overlay()
        project = ls.space.project
        await ls.space.run(lambda: project.ensure_indexed(path, overlay))
        closed = ls.scheduler.closed.get(path)
        if ls.scheduler.pull_documents and closed is not None and not ls.scheduler.pull_workspace:
            # The client pulls for open documents: take back what the scan pushed.
            for pushed in {uri, closed.uri}:
                ls.text_document_publish_diagnostics(
                    lsp.PublishDiagnosticsParams(uri=pushed, diagnostics=[])
                )
        ls.scheduler.check_soon(uri, 0)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: Host, params: lsp.DidChangeTextDocumentParams) -> None:
        ls.scheduler.check_soon(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: Host, params: lsp.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        if ls.scheduler.current(uri) is None:
            ls.scheduler.check_soon(uri, 0)
        from . import code_lens

        code_lens.forget(ls, ls.space.path_of(uri))

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    async def did_close(ls: Host, params: lsp.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        path = ls.space.path_of(uri)
        ls.scheduler.forget(uri)
        in_workspace = path.exists() and any(
            path.is_relative_to(r.resolve()) for r in ls.space.roots()
        )
        if not in_workspace:
            ls.scheduler.summaries.pop(path, None)
            if not ls.scheduler.pull_documents:
                ls.scheduler.clear(uri)
            return
        if ls.scheduler.pull_documents and not ls.scheduler.pull_workspace:
            # The client forgets pulled diagnostics of closed files; push the disk's instead.
            analysis = await ls.scheduler.closed_analysis(path, fresh=True)
            if analysis is not None:
                ls.text_document_publish_diagnostics(
                    lsp.PublishDiagnosticsParams(uri=uri, diagnostics=analysis.published)
                )
        else:
            await ls.scheduler.recheck([path])
        # An action file closed without saving: the index goes back to the disk's version.
        await ls.scheduler.reindex([path])

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    async def did_change_watched_files(ls: Host, params: lsp.DidChangeWatchedFilesParams) -> None:
        paths: list[Path] = []
        for event in params.changes:
            path = (
                ls.space.path_of(event.uri)
                if event.type != lsp.FileChangeType.Deleted
                else (convert.uri_to_path(event.uri))
            )
            if path.name == CONFIG_NAME:
                ls.space.rescan()
                return
            paths.append(path)
        open_paths = set(ls.space.overlay())
        done = await ls.scheduler.reindex(paths)
        created_or_deleted = [
            ls.space.path_of(e.uri)
            if e.type != lsp.FileChangeType.Deleted
            else convert.uri_to_path(e.uri)
            for e in params.changes
            if e.type != lsp.FileChangeType.Changed
        ]
        siblings: set[Path] = set()
        for path in created_or_deleted:
            # A new or removed graph file changes what its pack's actions point at.
            siblings.update(
                p for p in ls.scheduler.summaries if p.parent == path.parent.parent and p != path
            )
        todo = {p for p in paths if p not in open_paths and _checkable(ls, p)} | siblings
        await ls.scheduler.recheck(sorted(todo - done))


def _checkable(ls: Host, path: Path) -> bool:
    """Whether a changed file is one the workspace scan checks (a pack file of the workspace)."""
    if path in ls.scheduler.closed:
        return True
    if not path.is_file() or not any(path.is_relative_to(r.resolve()) for r in ls.space.roots()):
        return False
    pack = ls.space.project.index.pack_for(path)
    return pack is not None and path in set(pack.files())

"""Files on disk are analysed in the background, which never holds up an open document.

The workspace scan analyses every closed file of the workspace from the disk. Here one of
those analyses waits on a named pipe (see ``gated_server.py``) until the test writes it:
meanwhile the open document must be analysed, its edits answered, and a file opened while
its own analysis from the disk runs must not be analysed twice.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from lspkit import TIMEOUT, Client, copy_workspace, open_doc, scanned, server_config, start
from lsprotocol import types as lsp

from attune_lsp.analysis import BACKGROUND, INTERACTIVE, Worker
from attune_workflow.check import checkpoint

GRAPH = "packs/shop/actions/workflows/fulfil.workflow.yaml"
BROKEN = "packs/shop/actions/workflows/broken.workflow.yaml"
GATED = server_config(command=[str(Path(__file__).with_name("gated_server.py"))])

needs_pipes = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")


@pytest_lsp.fixture(config=GATED)
async def lsp_client(lsp_client: Client, tmp_path: Path) -> AsyncIterator[None]:
    lsp_client.root = copy_workspace(tmp_path / "ws")
    yield
    await lsp_client.shutdown_session()


async def gate(client: Client, path: Path) -> int:
    """Start the server with the next analysis of ``path`` from the disk waiting on a pipe;
    returns the pipe's write end once that analysis waits on it."""
    pipe = path.with_name(f"{path.name}.gate")
    os.mkfifo(pipe)
    writer = asyncio.ensure_future(asyncio.to_thread(os.open, pipe, os.O_WRONLY))
    await start(client, "visual_studio_code", client.root, wait_for_scan=False)
    return await asyncio.wait_for(writer, TIMEOUT)


async def published(client: Client, uri: str, version: int) -> bool:
    """Whether the document's diagnostics of this version arrive (False after the timeout)."""

    def arrived() -> bool:
        params = client.published.by_uri.get(uri)
        return params is not None and params.version == version

    try:
        await client.wait_for(arrived)
    except TimeoutError:
        return False
    return True


@pytest.mark.asyncio
@needs_pipes
async def test_a_file_opened_while_the_scan_reads_it_is_analysed_once(
    lsp_client: Client,
) -> None:
    graph = lsp_client.root / GRAPH
    record = graph.with_name(f"{graph.name}.analyses")
    record.touch()
    fd = await gate(lsp_client, graph)  # the scan's analysis of the file waits
    try:
        uri = await open_doc(lsp_client, graph)
        answered_meanwhile = await published(lsp_client, uri, 1)
    finally:
        os.close(fd)  # the scan's analysis goes on: it must give up, the file being open
    await lsp_client.wait_for(lambda: scanned(lsp_client))
    assert await published(lsp_client, uri, 1)
    assert record.read_text().split() == ["open"]  # not also "disk"
    assert answered_meanwhile


@pytest.mark.asyncio
@needs_pipes
async def test_an_edit_is_answered_while_a_closed_file_is_analysed(lsp_client: Client) -> None:
    root = lsp_client.root
    broken = root / BROKEN
    fd = await gate(lsp_client, broken)  # a long analysis of a closed file
    graph = root / GRAPH
    text = graph.read_text()
    try:
        uri = await open_doc(lsp_client, graph)
        opened = await published(lsp_client, uri, 1)
        lsp_client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=2),
                content_changes=[
                    lsp.TextDocumentContentChangeWholeDocument(text=text + "\n# edited\n")
                ],
            )
        )
        edited = await published(lsp_client, uri, 2)
        waiting = broken.as_uri() not in lsp_client.published.by_uri
    finally:
        os.close(fd)
    assert opened and edited
    assert waiting  # the closed file's analysis was still waiting on its pipe
    # and it goes on once the pipe is written: the closed file's findings arrive
    await lsp_client.wait_for(lambda: broken.as_uri() in lsp_client.published.by_uri)
    await lsp_client.wait_for(lambda: scanned(lsp_client))


def test_the_background_thread_waits_at_a_checkpoint_while_the_foreground_works() -> None:
    foreground = Worker("test-foreground")
    background = Worker("test-background", gives_way_to=foreground)
    started, go, release = threading.Event(), threading.Event(), threading.Event()
    seen: list[object] = []

    def long_job() -> None:
        started.set()
        go.wait()
        checkpoint()  # the foreground has work: this waits until it is done
        seen.append(release.is_set())

    try:
        job = background.submit(BACKGROUND, long_job)
        assert started.wait(TIMEOUT)
        foreground.submit(INTERACTIVE, release.wait)
        foreground.submit(INTERACTIVE, lambda: seen.append("edit"))
        go.set()
        assert background.giving_way.wait(TIMEOUT)
        assert not seen
        release.set()
        job.result(TIMEOUT)
        assert seen == ["edit", True]
    finally:
        foreground.stop()
        background.stop()

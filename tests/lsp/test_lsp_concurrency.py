"""A long request never holds up short ones.

References to an action's parameter read the workflows that call the action. Here one of
them is a named pipe: the search waits on it until the test writes the file's text, and
meanwhile a hover on the same document must be answered.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from lspkit import CONFIG, TIMEOUT, Client, copy_workspace, open_doc, start
from lsprotocol import types as lsp

GRAPH = "packs/shop/actions/workflows/fulfil.workflow.yaml"
NOTIFY = "packs/shop/actions/notify.yaml"


@pytest_lsp.fixture(config=CONFIG)
async def lsp_client(lsp_client: Client, tmp_path: Path) -> AsyncIterator[None]:
    lsp_client.root = copy_workspace(tmp_path / "ws")
    await start(lsp_client, "visual_studio_code", lsp_client.root)
    yield
    await lsp_client.shutdown_session()


def position(text: str, needle: str, offset: int = 0) -> lsp.Position:
    index = text.index(needle) + offset
    line = text.count("\n", 0, index)
    return lsp.Position(line, index - (text.rfind("\n", 0, index) + 1))


@pytest.mark.asyncio
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
async def test_hover_is_answered_while_references_wait(lsp_client: Client) -> None:
    root = lsp_client.root
    notify = (root / NOTIFY).read_text()
    uri = await open_doc(lsp_client, root / NOTIFY)
    await lsp_client.pushed(uri)
    graph = root / GRAPH
    text = graph.read_text()
    graph.unlink()
    os.mkfifo(graph)
    references = asyncio.ensure_future(
        lsp_client.text_document_references_async(
            lsp.ReferenceParams(
                text_document=lsp.TextDocumentIdentifier(uri=uri),
                position=position(notify, "level:"),
                context=lsp.ReferenceContext(include_declaration=True),
            )
        )
    )
    try:
        hover = await asyncio.wait_for(
            lsp_client.text_document_hover_async(
                lsp.HoverParams(
                    text_document=lsp.TextDocumentIdentifier(uri=uri),
                    position=position(notify, "shop.notify", 2),
                )
            ),
            TIMEOUT,
        )
        assert hover is not None
        assert not references.done()
    finally:
        # Let the search read the caller's text (and the server end in either case).
        await asyncio.to_thread(graph.write_text, text)
    found = await asyncio.wait_for(references, TIMEOUT)
    assert found is not None
    assert {loc.uri for loc in found} == {uri, graph.as_uri()}


@pytest.mark.asyncio
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
async def test_a_request_racing_an_edit_answers_from_its_own_version(lsp_client: Client) -> None:
    """References to an action wait on the action's file (a pipe) while the workflow is
    edited: the edit's analysis must not move the positions of the tree the request reads."""
    root = lsp_client.root
    graph = root / GRAPH
    text = graph.read_text()
    uri = await open_doc(lsp_client, graph)
    await lsp_client.pushed(uri)
    notify = root / NOTIFY
    notify_text = notify.read_text()
    notify.unlink()
    os.mkfifo(notify)
    # opening the pipe for writing returns once the search has opened it to read
    writer = asyncio.ensure_future(asyncio.to_thread(os.open, notify, os.O_WRONLY))
    references = asyncio.ensure_future(
        lsp_client.text_document_references_async(
            lsp.ReferenceParams(
                text_document=lsp.TextDocumentIdentifier(uri=uri),
                position=position(text, "shop.notify", 2),
                context=lsp.ReferenceContext(include_declaration=False),
            )
        )
    )
    fd = await asyncio.wait_for(writer, TIMEOUT)
    try:
        edited = text.replace("  - name: pack_order\n", "  - name: pack_order\n    # packed\n")
        lsp_client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=2),
                content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=edited)],
            )
        )
        await lsp_client.wait_for(lambda: lsp_client.published.by_uri[uri].version == 2)
        assert not references.done()
    finally:
        os.write(fd, notify_text.encode())
        os.close(fd)
    found = await asyncio.wait_for(references, TIMEOUT)
    assert found is not None
    lines = [number for number, line in enumerate(text.split("\n")) if "shop.notify" in line]
    assert sorted(loc.range.start.line for loc in found if loc.uri == uri) == lines

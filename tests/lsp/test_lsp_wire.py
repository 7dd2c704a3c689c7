"""The wire: framing errors, unreadable requests, many edits, a BOM in the buffer.

The framing tests speak JSON-RPC over the server's pipes by hand, since a well-behaved
client cannot send a broken frame.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lspkit import CONFIG, TIMEOUT, Client, copy_workspace, open_doc, start
from lsprotocol import types as lsp

BROKEN = "packs/shop/actions/workflows/broken.workflow.yaml"


class Wire:
    """A server process and hand-made frames."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.ids = iter(range(1, 10**6))

    def send_raw(self, data: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(data)

    def frame(self, message: dict[str, Any]) -> bytes:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        return b"Content-Length: %d\r\n\r\n" % len(body) + body

    def request(self, method: str, params: Any) -> int:
        msg_id = next(self.ids)
        self.send_raw(self.frame({"id": msg_id, "method": method, "params": params}))
        return msg_id

    async def message(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        length = 0
        while True:
            line = await self.process.stdout.readline()
            assert line, "the server closed its output"
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
            elif line == b"\r\n":
                break
        result: dict[str, Any] = json.loads(await self.process.stdout.readexactly(length))
        return result

    async def answer(self, msg_id: int) -> dict[str, Any]:
        """The response to a request (messages before it are skipped)."""

        async def wait() -> dict[str, Any]:
            while True:
                message = await self.message()
                if message.get("id") == msg_id and "method" not in message:
                    return message

        return await asyncio.wait_for(wait(), TIMEOUT)


@pytest.fixture
async def wire(tmp_path: Path) -> AsyncIterator[Wire]:
    root = copy_workspace(tmp_path / "ws")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "attune_lsp",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "ATTUNE_LSP_DEBOUNCE_MS": "20"},
    )
    client = Wire(process)
    first = client.request(
        "initialize", {"processId": None, "rootUri": root.as_uri(), "capabilities": {}}
    )
    assert "result" in await client.answer(first)
    client.send_raw(client.frame({"method": "initialized", "params": {}}))
    yield client
    if process.returncode is None:
        process.kill()
    await process.wait()


async def symbols_answer(wire: Wire) -> dict[str, Any]:
    """A request any healthy server answers: workspace symbols."""
    return await wire.answer(wire.request("workspace/symbol", {"query": ""}))


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "junk",
    [
        b"Content-Length: abc\r\n\r\n{}",
        b"Content-Lenght: 2\r\n\r\n{}",
        b"garbage without a header\r\n\r\n",
        b"Content-Length: 0\r\n\r\n",
        b'Content-Length: 5\r\n\r\n{"jsonrpc": "2.0", "id": 99, "method": "x"}',
        b"Content-Length: 99999999999999999999\r\n\r\n{}",
        b"Content-Length: 4000000000\r\n\r\n{}",
        b"x" * 200_000 + b"\r\n",
    ],
    ids=["not-a-number", "misspelt", "no-header", "zero", "short", "huge", "4gb", "long-line"],
)
async def test_bad_frame_costs_one_message(wire: Wire, junk: bytes) -> None:
    wire.send_raw(junk)
    answer = await symbols_answer(wire)
    assert "result" in answer
    assert wire.process.returncode is None
    # And the stream stays in step afterwards.
    assert "result" in await symbols_answer(wire)


@pytest.mark.asyncio
async def test_requests_with_invalid_params_are_answered(wire: Wire) -> None:
    wire.send_raw(wire.frame({"method": "textDocument/didOpen", "params": {"textDocument": 5}}))
    bad = wire.request("textDocument/hover", {"textDocument": 5, "position": "top"})
    missing = wire.request("textDocument/definition", {})
    for msg_id in (bad, missing):
        answer = await wire.answer(msg_id)
        assert answer["error"]["code"] == -32602  # InvalidParams
    assert "result" in await symbols_answer(wire)


@pytest_lsp.fixture(config=CONFIG, params=["visual_studio_code"])
async def lsp_client(
    lsp_client: Client, request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[None]:
    """A server of its own on a workspace of its own."""
    lsp_client.root = copy_workspace(tmp_path / "ws")
    await start(lsp_client, request.param, lsp_client.root)
    yield
    await lsp_client.shutdown_session()


def resident_kib(pid: int) -> int:
    """The resident memory of a process (Linux ``/proc``)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


async def type_edits(client: Client, uri: str, line: int, count: int, version: int) -> int:
    """Type and erase one character ``count`` times; returns the last version."""
    for n in range(count):
        version += 1
        at = lsp.Position(line, 0)
        change = (
            lsp.TextDocumentContentChangePartial(range=lsp.Range(at, at), text="x")
            if n % 2 == 0
            else lsp.TextDocumentContentChangePartial(
                range=lsp.Range(at, lsp.Position(line, 1)), text=""
            )
        )
        client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[change],
            )
        )
        if n % 500 == 499:
            # A request answered after the notifications before it: they were handled.
            await client.workspace_symbol_async(lsp.WorkspaceSymbolParams(query=""))
    return version


@pytest.mark.asyncio
async def test_memory_stays_flat_over_ten_thousand_edits(lsp_client: Client) -> None:
    path = lsp_client.root / BROKEN
    text = path.read_text(encoding="utf-8") + "# notes\n"
    uri = await open_doc(lsp_client, path, text)
    await lsp_client.diagnostics_of(uri)
    pid = lsp_client._server.pid  # type: ignore[union-attr]
    line = text.count("\n") - 1
    version = await type_edits(lsp_client, uri, line, 2_000, 1)  # warm up
    before = resident_kib(pid)
    await type_edits(lsp_client, uri, line, 10_000, version)
    after = resident_kib(pid)
    # Keeping ~2 KB per edit would add ~20 MB; allocator noise is far below 4 MB.
    assert after - before < 4 * 1024, f"{before} KiB -> {after} KiB"


@pytest.mark.asyncio
async def test_bom_in_buffer_does_not_move_ranges(lsp_client: Client) -> None:
    path = lsp_client.root / BROKEN
    plain = path.read_text(encoding="utf-8")
    uri = await open_doc(lsp_client, path, plain)
    expected = await lsp_client.pushed(uri, lambda d: any(x.code == "invalid-ref" for x in d))
    lsp_client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[lsp.TextDocumentContentChangeWholeDocument(text="\ufeff" + plain)],
        )
    )

    def second() -> list[lsp.Diagnostic] | None:
        params = lsp_client.published.by_uri.get(uri)
        return list(params.diagnostics) if params is not None and params.version == 2 else None

    found = await lsp_client.wait_for(second)

    def ranges(diagnostics: list[lsp.Diagnostic]) -> list[tuple[str, lsp.Range]]:
        return sorted((str(d.code), d.range) for d in diagnostics if d.code != "encoding")

    # The BOM is one UTF-16 code unit at the start of the buffer's first line.
    shifted = [
        (code, rng)
        if rng.start.line
        else (
            code,
            lsp.Range(
                lsp.Position(0, rng.start.character + 1),
                lsp.Position(rng.end.line, rng.end.character + (0 if rng.end.line else 1)),
            ),
        )
        for code, rng in ranges(expected)
    ]
    assert ranges(found) == shifted

"""The server's first second: answer ``initialize`` and check the first file at once.

Loading the LSP libraries (``lsprotocol.types`` alone takes over a second) would make
every editor wait for the server. So the process starts here, with the standard library
only: it answers ``initialize`` with the server's capabilities (``capabilities.json``,
which a test keeps equal to what the full server computes), loads the engine while the
client sends ``initialized`` and opens its first document, checks that document and
publishes its diagnostics. Then it loads the full server and hands it every message read
so far, from the first: the server handles them as usual (it does not answer
``initialize`` a second time, see :class:`~attune_lsp.server.AttuneProtocol`).

Nothing here is needed for correctness: when anything is unusual (a client that pulls
diagnostics, a request before the first document, no way to wait on the input), the
prelude stops and the full server takes over.
"""

from __future__ import annotations

import json
import os
import select
import time
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

if TYPE_CHECKING:
    from attune_workflow.diagnostics import Diagnostic
    from attune_workflow.incremental import DocumentAnalysis
    from attune_workflow.packindex import PackIndex, PackInfo
    from attune_workflow.positions import LineIndex, Span

# How long to wait for the first document once `initialize` is answered.
FIRST_DOCUMENT_WAIT = 1.0
SOURCE = "attune"
RULE_DOCS = "https://github.com/attune-lsp/attune-lsp/blob/main/docs/rules.md#{}"
UNNECESSARY, DEPRECATED = 1, 2
# Notifications that may come between `initialized` and the first `didOpen`.
QUIET = frozenset({"initialized", "workspace/didChangeConfiguration", "$/setTrace"})


class Channel:
    """The server's input: read once, kept, and given again from the start to pygls."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.data = bytearray()
        self.parsed = 0  # what the prelude has read
        self.given = 0  # what the server has read

    def _fill(self, timeout: float | None) -> bool:
        if timeout is not None:
            ready, _, _ = select.select([self.fd], [], [], max(timeout, 0))
            if not ready:
                return False
        chunk = os.read(self.fd, 65536)
        if not chunk:
            return False
        self.data += chunk
        return True

    def message(self, timeout: float | None = None) -> dict[str, Any] | None:
        """The next message (None at the end of input, on a timeout or a bad frame)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            end = self.data.find(b"\r\n\r\n", self.parsed)
            if end >= 0:
                length = None
                for line in bytes(self.data[self.parsed : end]).split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length" and value.strip().isdigit():
                        length = int(value)
                if length is None:
                    return None
                if len(self.data) >= end + 4 + length:
                    body = bytes(self.data[end + 4 : end + 4 + length])
                    self.parsed = end + 4 + length
                    try:
                        message = json.loads(body)
                    except ValueError:
                        return None
                    return message if isinstance(message, dict) else None
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return None
            if not self._fill(left):
                return None

    # -- what pygls reads (in its reader thread) --------------------------------------------

    def readline(self, limit: int = -1) -> bytes:
        while True:
            end = self.data.find(b"\n", self.given)
            if 0 <= limit <= (end if end >= 0 else len(self.data)) - self.given:
                end = self.given + limit - 1  # a line longer than the reader takes at once
            if end >= 0:
                line = bytes(self.data[self.given : end + 1])
                self.given = end + 1
                self._trim()
                return line
            if not self._fill(None):
                line = bytes(self.data[self.given :])
                self.given = len(self.data)
                return line

    def read(self, size: int) -> bytes:
        while len(self.data) - self.given < size:
            if not self._fill(None):
                break
        chunk = bytes(self.data[self.given : self.given + size])
        self.given += len(chunk)
        self._trim()
        return chunk

    def _trim(self) -> None:
        if self.given > 65536:
            del self.data[: self.given]
            self.given = 0


def write(out: Any, message: dict[str, Any]) -> None:
    """Send one JSON-RPC message."""
    body = json.dumps({"jsonrpc": "2.0", **message}, separators=(",", ":")).encode()
    out.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    out.flush()


def _get(node: Any, *path: str) -> Any:
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return node


def initialize_result(client: Any) -> dict[str, Any]:
    """The answer to ``initialize`` for a client's capabilities (what pygls computes)."""
    text = resources.files("attune_lsp").joinpath("capabilities.json").read_text("utf-8")
    result: dict[str, Any] = json.loads(text)
    capabilities = result["capabilities"]
    sync = capabilities["textDocumentSync"]
    for key in ("willSave", "willSaveWaitUntil"):
        if _get(client, "textDocument", "synchronization", key) is not None:
            sync[key] = False
    if not _get(client, "textDocument", "rename", "prepareSupport"):
        capabilities["renameProvider"] = True
    from . import __version__

    result["serverInfo"] = {"name": "attune-lsp", "version": __version__}
    return result


def path_of(uri: str) -> Path | None:
    """The resolved path of a ``file:`` URI."""
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    path = Path(unquote(parsed.path))
    try:
        return path.resolve()
    except OSError:
        return path


def _position(lines: LineIndex, line: int, column: int) -> dict[str, int]:
    from .utf16 import utf16_column

    return {"line": line, "character": utf16_column(lines.line_text(line), column)}


def _range(span: Span, lines: LineIndex) -> dict[str, Any]:
    return {
        "start": _position(lines, span.line, span.column),
        "end": _position(lines, span.end_line, span.end_column),
    }


def diagnostic_json(
    d: Diagnostic, lines: LineIndex, *, uri: str, version: int | None, number: int
) -> dict[str, Any]:
    """An engine diagnostic as the server publishes it (see ``convert.diagnostic``)."""
    from attune_workflow.positions import LineIndex

    result: dict[str, Any] = {
        "range": _range(d.span, lines),
        "message": d.message,
        "severity": int(d.severity),
        "code": d.code,
        "codeDescription": {"href": RULE_DOCS.format(d.code)},
        "source": SOURCE,
    }
    if d.code in ("unreachable-task", "unused-ignore"):
        result["tags"] = [UNNECESSARY]
    elif d.code in ("legacy-transition", "legacy-location"):
        result["tags"] = [DEPRECATED]
    related = []
    for item in d.related:
        target_uri, target_lines = uri, lines
        if item.path is not None:
            target_uri = item.path.as_uri()
            try:
                text = item.path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                text = ""
            target_lines = LineIndex(text)
        related.append(
            {
                "location": {"uri": target_uri, "range": _range(item.span, target_lines)},
                "message": item.message,
            }
        )
    if related:
        result["relatedInformation"] = related
    data: dict[str, Any] = {"uri": uri, "version": version, "number": number}
    if d.fixes:
        data["fixes"] = len(d.fixes)
    if d.data:
        data["rule"] = d.data
    result["data"] = data
    return result


class Handover:
    """What the prelude read and analysed, for the full server to go on from: the packs
    and the index of the first document, and its analysis (the server's first analysis of
    the same text, under an equal index and settings, is then this one)."""

    def __init__(
        self,
        packs: dict[Path, PackInfo],
        index: PackIndex,
        documents: dict[Path, DocumentAnalysis],
    ) -> None:
        self.packs = packs
        self.index = index
        self.documents = documents


# Set once the prelude has analysed the first document.
handover: Handover | None = None


def first_diagnostics(
    params: dict[str, Any], document: dict[str, Any]
) -> list[dict[str, Any]] | None:
    """The diagnostics of a document just opened (None: leave it to the full server)."""
    global handover
    from attune_workflow.config import ConfigError
    from attune_workflow.incremental import DocumentAnalysis
    from attune_workflow.packindex import PackIndex
    from attune_workflow.workspace import Workspace, analyse_file, index_roots, safe_read_pack

    from .settings import parse_settings

    uri, text, version = document.get("uri"), document.get("text"), document.get("version")
    if not isinstance(uri, str) or not isinstance(text, str) or not isinstance(version, int):
        return None
    path = path_of(uri)
    if path is None:
        return None
    roots = [p for f in params.get("workspaceFolders") or [] if (p := path_of(f.get("uri", "")))]
    if not roots and isinstance(params.get("rootUri"), str):
        roots = [p for p in [path_of(params["rootUri"])] if p is not None]
    settings, problems = parse_settings(
        params.get("initializationOptions"), base=roots[0] if roots else None
    )
    if problems:
        return None  # the full server reports them, and publishes
    # The same configuration and index scope as the full server (analysis.Project).
    workspace = Workspace(roots, settings.config())
    overlay = {path: text}
    try:
        folders = index_roots([*roots, path], workspace.configs, siblings=False)
    except ConfigError:
        return None
    packs = {folder: safe_read_pack(folder, overlay) for folder in folders}
    workspace.index = PackIndex(packs.values())
    # the open document's own analysis, as the full server keeps it (see Handover)
    opened = DocumentAnalysis(path, index=workspace.index, config=workspace.config_for(path))
    analysis = analyse_file(path, text, workspace, document=opened)
    handover = Handover(packs, workspace.index, {path: opened})
    diagnostics, lines = analysis.diagnostics, analysis.lines
    return [
        diagnostic_json(d, lines, uri=uri, version=version, number=n)
        for n, d in enumerate(diagnostics)
    ]


def run(channel: Channel, out: Any) -> Any:
    """Answer ``initialize`` and publish the first document's diagnostics.

    Returns the id of the ``initialize`` request answered (None when nothing was).
    """
    first = channel.message()
    if first is None or first.get("method") != "initialize" or "id" not in first:
        return None
    params = first.get("params")
    if not isinstance(params, dict):
        return None
    write(out, {"id": first["id"], "result": initialize_result(params.get("capabilities"))})
    if _get(params, "capabilities", "textDocument", "diagnostic") is not None:
        return first["id"]  # the client pulls diagnostics: it asks the full server
    import attune_workflow.check  # noqa: F401 - loaded while the client opens its document

    deadline = time.monotonic() + FIRST_DOCUMENT_WAIT
    while True:
        message = channel.message(deadline - time.monotonic())
        if message is None:
            break
        method = message.get("method")
        if method == "textDocument/didOpen":
            document = _get(message, "params", "textDocument")
            try:
                found = first_diagnostics(params, document) if isinstance(document, dict) else None
            except Exception:  # the full server checks the file again and reports the failure
                found = None
            if found is not None:
                write(
                    out,
                    {
                        "method": "textDocument/publishDiagnostics",
                        "params": {
                            "uri": document["uri"],
                            "diagnostics": found,
                            "version": document["version"],
                        },
                    },
                )
            break
        if method not in QUIET or "id" in message:
            break
    return first["id"]


def serve_stdio() -> int:
    """Run the language server on stdio, the prelude first; returns the exit code."""
    import sys

    stdout = sys.stdout.buffer
    try:
        channel = Channel(sys.stdin.fileno())
        select.select([channel.fd], [], [], 0)
    except (OSError, ValueError, AttributeError):  # no descriptor to wait on: no prelude
        from .server import serve

        return serve()
    global handover
    answered = run(channel, stdout)
    from .server import serve

    given, handover = handover, None  # the server's from now on: nothing else keeps it
    return serve(channel=channel, answered=answered, handover=given)

#!/usr/bin/env python3
"""Odd workspaces and a hostile wire against the language server (stdlib only, Linux).

Prints one line per case, with the time, memory or exit code that shows how the server
held up. Compare two versions by running it with each one's ``--server-cmd``:

  python bench/lsp_hostile.py
  python bench/lsp_hostile.py --server-cmd \
      "env PYTHONPATH=/old/server:/old/shared python -m attune_lsp"

Cases:

* ``encoded``: a buffer under ``sp ace+accént/`` opened with VS Code's URI spelling: time
  to the diagnostics of the buffer's own text.
* ``packs300``: 300 packs and the user's, one pack with ``version: !!int "x"``: time to the
  open file's diagnostics, and whether hover answers.
* ``odd-value``: an open workflow with ``timeout: !!int "soon"``: what a diagnostic pull
  and a hover answer.
* ``edits``: resident memory before and after 10,000 edit notifications.
* ``huge-length``: ``Content-Length: 99999999999999999999``, then a request: answered or
  not, and the exit code if the server died.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))
from hostile import FLOW, make_action_pack, make_user_pack

OURS = f"{shlex.quote(sys.executable)} -m attune_lsp"
WAIT = 30.0


class Server:
    """JSON-RPC over a server's pipes; a thread reads and queues what it sends."""

    def __init__(self, cmd: str, root: Path, root_uri: str | None = None) -> None:
        env = {**os.environ, "ATTUNE_LSP_DEBOUNCE_MS": "20"}
        self.proc = subprocess.Popen(
            shlex.split(cmd),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self.ids = iter(range(1, 10**9))
        threading.Thread(target=self._read, daemon=True).start()
        caps = {"textDocument": {"hover": {}}}  # diagnostics are pushed
        uri = root_uri or root.as_uri()
        init = self.request("initialize", {"processId": None, "rootUri": uri, "capabilities": caps})
        self.answer(init)
        self.notify("initialized", {})

    def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        while True:
            length = 0
            while True:
                line = out.readline()
                if not line:
                    return
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
                elif line == b"\r\n":
                    break
            self.messages.put(json.loads(out.read(length)))

    def raw(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        self.raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def request(self, method: str, params: Any) -> int:
        msg_id = next(self.ids)
        self.send({"id": msg_id, "method": method, "params": params})
        return msg_id

    def notify(self, method: str, params: Any) -> None:
        self.send({"method": method, "params": params})

    def wait(self, check: Any, timeout: float = WAIT) -> dict[str, Any] | None:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                message = self.messages.get(timeout=left)
            except queue.Empty:
                return None
            if message.get("method") in ("workspace/configuration",) and "id" in message:
                self.send({"id": message["id"], "result": [None]})
            elif "id" in message and "method" in message:
                self.send({"id": message["id"], "result": None})
            if check(message):
                return message

    def answer(self, msg_id: int, timeout: float = WAIT) -> dict[str, Any] | None:
        return self.wait(lambda m: m.get("id") == msg_id and "method" not in m, timeout)

    def published(self, uri: str, needle: str, timeout: float = WAIT) -> float | None:
        start = time.monotonic()

        def match(m: dict[str, Any]) -> bool:
            params = m.get("params") or {}
            return (
                m.get("method") == "textDocument/publishDiagnostics"
                and params.get("uri") == uri
                and needle in json.dumps(params.get("diagnostics"))
            )

        return time.monotonic() - start if self.wait(match, timeout) else None

    def open(self, uri: str, text: str) -> None:
        item = {"uri": uri, "languageId": "yaml", "version": 1, "text": text}
        self.notify("textDocument/didOpen", {"textDocument": item})

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return -1

    def close(self) -> int | None:
        if self.proc.poll() is None:
            self.proc.kill()
        return self.proc.wait()


def outcome(answer: dict[str, Any] | None) -> str:
    if answer is None:
        return "no answer"
    if "error" in answer:
        return f"error {answer['error'].get('code')}"
    return "answered"


def user_pack(folder: Path, timeout: str = "30") -> Path:
    return make_user_pack(folder, FLOW.format(timeout=timeout))


def case_encoded(cmd: str, tmp: Path) -> str:
    root = tmp / "sp ace+accént" / "ws"
    graph = user_pack(root / "mine")
    server = Server(cmd, root, "file://" + quote(str(root)))
    uri = "file://" + quote(str(graph))
    server.open(uri, FLOW.format(timeout="30").replace("nowhere", "edited_target"))
    took = server.published(uri, "edited_target")
    server.close()
    return "no diagnostics" if took is None else f"diagnostics after {took:.2f} s"


def case_packs300(cmd: str, tmp: Path) -> str:
    root = tmp / "ws"
    for n in range(300):
        manifest = 'ref: p150\nversion: !!int "x"\n' if n == 150 else None
        make_action_pack(root / "packs" / f"p{n:03}", f"p{n:03}", manifest)
    graph = user_pack(root / "packs" / "mine")
    start = time.monotonic()
    server = Server(cmd, root)
    uri = graph.as_uri()
    server.open(uri, graph.read_text())
    took = server.published(uri, "nowhere", 60)
    hover = server.request(
        "textDocument/hover",
        {"textDocument": {"uri": uri}, "position": {"line": 3, "character": 14}},
    )
    answer = server.answer(hover, 10)
    server.close()
    shown = "no diagnostics" if took is None else f"diagnostics {time.monotonic() - start:.2f} s"
    return f"{shown} after start; hover: {outcome(answer)}"


def case_odd_value(cmd: str, tmp: Path) -> str:
    root = tmp / "ws"
    graph = user_pack(root / "mine")
    server = Server(cmd, root)
    uri = graph.as_uri()
    server.open(uri, FLOW.format(timeout='!!int "soon"'))
    pulled = server.answer(
        server.request("textDocument/diagnostic", {"textDocument": {"uri": uri}}), 15
    )
    items = (pulled or {}).get("result", {}).get("items", []) if pulled else []
    found = ", ".join(sorted({str(item.get("code")) for item in items}))
    hover = server.answer(
        server.request(
            "textDocument/hover",
            {"textDocument": {"uri": uri}, "position": {"line": 9, "character": 14}},
        ),
        15,
    )
    server.close()
    return f"pull: {outcome(pulled)} ({found or 'no diagnostics'}); hover: {outcome(hover)}"


def case_edits(cmd: str, tmp: Path, count: int) -> str:
    root = tmp / "ws"
    graph = user_pack(root / "mine")
    server = Server(cmd, root)
    uri = graph.as_uri()
    text = graph.read_text() + "# notes\n"
    server.open(uri, text)
    server.published(uri, "nowhere")
    line = text.count("\n") - 1
    version = 1

    def edits(n: int) -> None:
        nonlocal version
        for i in range(n):
            version += 1
            at = {"line": line, "character": 0}
            end = at if i % 2 == 0 else {"line": line, "character": 1}
            change = {"range": {"start": at, "end": end}, "text": "x" if i % 2 == 0 else ""}
            server.notify(
                "textDocument/didChange",
                {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]},
            )
        server.answer(server.request("workspace/symbol", {"query": ""}), 120)

    edits(2000)
    before = server.rss_kib()
    edits(count)
    after = server.rss_kib()
    server.close()
    return f"{before} KiB -> {after} KiB over {count} edits ({after - before:+} KiB)"


def case_huge_length(cmd: str, tmp: Path) -> str:
    root = tmp / "ws"
    root.mkdir()
    server = Server(cmd, root)
    server.raw(b"Content-Length: 99999999999999999999\r\n\r\n{}")
    answer = server.answer(server.request("workspace/symbol", {"query": ""}), 15)
    time.sleep(0.5)  # let a dying process finish dying before its exit code is read
    alive = server.proc.poll() is None
    code = server.close()
    return f"next request: {outcome(answer)}; " + ("alive" if alive else f"exited with {code}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server-cmd", default=OURS)
    parser.add_argument("--edits", type=int, default=10_000)
    parser.add_argument("cases", nargs="*", default=[])
    args = parser.parse_args()
    cases = {
        "encoded": lambda t: case_encoded(args.server_cmd, t),
        "packs300": lambda t: case_packs300(args.server_cmd, t),
        "odd-value": lambda t: case_odd_value(args.server_cmd, t),
        "edits": lambda t: case_edits(args.server_cmd, t, args.edits),
        "huge-length": lambda t: case_huge_length(args.server_cmd, t),
    }
    for name in args.cases or list(cases):
        tmp = Path(tempfile.mkdtemp(prefix="attune-hostile-"))
        try:
            print(f"{name}: {cases[name](tmp)}", flush=True)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

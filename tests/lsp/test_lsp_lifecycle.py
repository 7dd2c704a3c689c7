"""The server process: how it ends (exit codes, no tracebacks).

These tests speak JSON-RPC to a real server process over its stdio pipes, without a
client library, because what they check is the process itself: its exit code and stderr.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest
from lspkit import copy_workspace

from attune_workflow.registrar import embedded

TIMEOUT = 60


class Raw:
    """A server process and the messages written to and read from it."""

    def __init__(self, root: Path, env: dict[str, str] | None = None) -> None:
        self.root = root
        self.process = subprocess.Popen(
            [sys.executable, "-m", "attune_lsp"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, **(env or {})},
        )

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        stdin = self.process.stdin
        assert stdin is not None
        stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        stdin.flush()

    def read(self) -> dict[str, Any]:
        """The next message; a server silent for TIMEOUT seconds is killed (the test fails)."""
        stdout: IO[bytes] | None = self.process.stdout
        assert stdout is not None
        timer = threading.Timer(TIMEOUT, self.process.kill)
        timer.start()
        try:
            length = 0
            while True:
                line = stdout.readline()
                assert line, "the server closed its output or sent nothing in time"
                if not line.strip():
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            message: dict[str, Any] = json.loads(stdout.read(length))
        finally:
            timer.cancel()
        return message

    def response(self, ident: int) -> dict[str, Any]:
        """Read until the response to request ``ident`` (answering the server's requests)."""
        while True:
            message = self.read()
            if message.get("id") == ident and "method" not in message:
                return message
            if "method" in message and "id" in message:
                self.send({"id": message["id"], "result": None})

    def initialize(self) -> dict[str, Any]:
        self.send(
            {
                "id": 1,
                "method": "initialize",
                "params": {
                    "processId": None,
                    "rootUri": self.root.as_uri(),
                    "capabilities": {},
                },
            }
        )
        answer = self.response(1)
        self.send({"method": "initialized", "params": {}})
        return answer

    def close(self) -> tuple[int, str]:
        """Close stdin, wait for the process; its exit code and stderr."""
        stdin = self.process.stdin
        assert stdin is not None
        stdin.close()
        self.process.stdin = None
        _, err = self.process.communicate(timeout=TIMEOUT)
        return self.process.returncode, err.decode(errors="replace")


def test_shutdown_then_exit_ends_with_code_0_and_nothing_on_stderr(tmp_path: Path) -> None:
    server = Raw(copy_workspace(tmp_path / "ws"))
    server.initialize()
    server.send({"id": 2, "method": "shutdown"})
    assert server.response(2).get("error") is None
    server.send({"method": "exit"})
    code, err = server.close()
    assert (code, err) == (0, "")


def test_exit_without_shutdown_ends_with_code_1(tmp_path: Path) -> None:
    server = Raw(copy_workspace(tmp_path / "ws"))
    server.initialize()
    server.send({"method": "exit"})
    code, err = server.close()
    assert (code, err) == (1, "")


def test_stdin_closed_without_shutdown_ends_with_code_1_quietly(tmp_path: Path) -> None:
    server = Raw(copy_workspace(tmp_path / "ws"))
    server.initialize()
    code, err = server.close()
    assert (code, err) == (1, "")


@pytest.fixture
def data_dir() -> Iterator[Path]:
    """A data folder of its own for the embedded PostgreSQL (under /tmp: as root the
    server runs as a system user that must be able to enter it)."""
    base = Path(tempfile.mkdtemp(prefix="attune-lsp-exit-", dir="/tmp"))
    base.chmod(0o755)
    yield base
    embedded.stop(base)
    shutil.rmtree(base, ignore_errors=True)


def dry_run_then_quit(root: Path, data_dir: Path) -> None:
    """A server without a configured database: a dry run (which starts the embedded
    PostgreSQL if needed), then shutdown and exit."""
    env = {"ATTUNE_LSP_DATA_DIR": str(data_dir), "ATTUNE_DATABASE_URL": ""}
    server = Raw(root, env)
    server.initialize()
    workflow = root / "packs/mattermost/actions/workflows/post_thread.workflow.yaml"
    server.send(
        {
            "id": 2,
            "method": "workspace/executeCommand",
            "params": {"command": "attune.registerDryRun", "arguments": [workflow.as_uri()]},
        }
    )
    result = server.response(2)["result"]
    assert result["ok"], result
    # The registration state comes from the embedded database too.
    document = {"uri": workflow.as_uri(), "languageId": "yaml", "version": 1}
    document["text"] = workflow.read_text()
    server.send({"method": "textDocument/didOpen", "params": {"textDocument": document}})
    server.send(
        {
            "id": 4,
            "method": "textDocument/codeLens",
            "params": {"textDocument": {"uri": workflow.as_uri()}},
        }
    )
    lenses = server.response(4)["result"]
    assert lenses[0]["command"]["title"] == "Attune: not registered"
    server.send({"id": 3, "method": "shutdown"})
    server.response(3)
    server.send({"method": "exit"})
    assert server.close() == (0, "")


def test_the_embedded_database_stops_with_the_server_that_started_it(
    tmp_path: Path, data_dir: Path
) -> None:
    root = copy_workspace(tmp_path / "ws")
    users = data_dir / "lsp-clients"
    users.mkdir()
    # Another live process uses the embedded server: it keeps running.
    (users / str(os.getpid())).touch()
    dry_run_then_quit(root, data_dir)
    assert embedded.server_info(data_dir).running
    # That process is gone: the next server to leave stops it.
    (users / str(os.getpid())).unlink()
    dry_run_then_quit(root, data_dir)
    assert not embedded.server_info(data_dir).running


BLOCKER = '''
import os
import sys


class _Hold:
    """Holds the first import of lsprotocol until the test writes to the pipe."""

    def find_spec(self, name, path=None, target=None):
        if name == "lsprotocol":
            sys.meta_path.remove(self)
            with open(os.environ["ATTUNE_TEST_GATE"]) as gate:
                gate.read()
        return None


if os.environ.get("ATTUNE_TEST_GATE"):
    sys.meta_path.insert(0, _Hold())
'''


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_initialize_and_first_diagnostics_come_before_the_lsp_libraries_load(
    tmp_path: Path,
) -> None:
    root = copy_workspace(tmp_path / "ws")
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "sitecustomize.py").write_text(BLOCKER)
    gate = tmp_path / "gate"
    os.mkfifo(gate)
    path = os.pathsep.join([str(tmp_path / "site"), os.environ.get("PYTHONPATH", "")])
    server = Raw(root, {"ATTUNE_TEST_GATE": str(gate), "PYTHONPATH": path})
    try:
        answer = server.initialize()
        capabilities = answer["result"]["capabilities"]
        assert capabilities["renameProvider"] is True  # no prepareSupport in this client
        workflow = root / "packs/shop/actions/workflows/broken.workflow.yaml"
        document = {"uri": workflow.as_uri(), "languageId": "yaml", "version": 1}
        document["text"] = workflow.read_text()
        server.send({"method": "textDocument/didOpen", "params": {"textDocument": document}})
        first = server.read()
        assert first["method"] == "textDocument/publishDiagnostics"
        codes = {d["code"] for d in first["params"]["diagnostics"]}
        assert {"invalid-ref", "duplicate-key"} <= codes
    finally:
        with gate.open("w") as opened:
            opened.write("go")
    # The full server takes over: the same diagnostics, and `initialize` not answered twice.
    seen = []
    while True:
        message = server.read()
        seen.append(message)
        if message.get("method") == "textDocument/publishDiagnostics":
            if message["params"]["uri"] == workflow.as_uri():
                break
        elif "method" in message and "id" in message:
            server.send({"id": message["id"], "result": None})
    assert message["params"] == first["params"]
    server.send({"id": 2, "method": "shutdown"})
    seen.append(server.response(2))
    assert not [m for m in seen if m.get("id") == 1]
    server.send({"method": "exit"})
    assert server.close() == (0, "")

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
        stdout: IO[bytes] | None = self.process.stdout
        assert stdout is not None
        length = 0
        while True:
            line = stdout.readline()
            assert line, "the server closed its output"
            if not line.strip():
                break
            name, _, value = line.decode("ascii").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        message: dict[str, Any] = json.loads(stdout.read(length))
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

#!/usr/bin/env python3
"""Edit -> publishDiagnostics latency: attune-lsp next to yaml-language-server (stdlib only).

With no arguments it measures, in one run, on a generated 1,000-task workflow:

* attune-lsp as shipped (200 ms debounce) and with its debounce at 0 ms;
* yaml-language-server with attune-lsp's exported JSON Schema (``attune-lsp schema
  workflow``) as shipped (its fixed 200 ms debounce) and without it (``yls_nodelay.js``);
* each server's resident memory after the edits;
* spawn -> first diagnostics on a small (``--cold-tasks``) file, both servers.

The servers take turns over ``--rounds`` rounds, so a noisy spell on the shared machine
falls on all of them. attune-lsp gets ``maxFileSize`` above the file's size, so large
files are analysed rather than refused.

yaml-language-server is installed with npm into ``$PEERS`` (default: a ``peers`` folder in
the temporary directory) unless it is there already.

  python bench/lsp_latency.py                      # the comparison: --tasks 1000 --edits 50
  python bench/lsp_latency.py --server-cmd "attune-lsp" --file flow.workflow.yaml

Each measurement starts the server, opens the file, waits for its first publishDiagnostics,
then sends K full-text didChange notifications one at a time. Each edit flips the case of
one letter inside a quoted string value (outside any {{ }} block), so every version differs
and stays valid. It measures the wall time from writing didChange to reading the next
publishDiagnostics for the file (a publish for an older version is not counted when the
server reports versions).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import pathlib
import queue
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any

HERE = pathlib.Path(__file__).resolve().parent
PEERS = pathlib.Path(os.environ.get("PEERS", os.path.join(tempfile.gettempdir(), "peers")))
YLS_DIR = PEERS / "node_modules" / "yaml-language-server"
YLS_CMD = f"node {YLS_DIR / 'bin' / 'yaml-language-server'} --stdio"
YLS_NODELAY_CMD = f"node {HERE / 'yls_nodelay.js'} --stdio"
OURS_CMD = f"{shlex.quote(sys.executable)} -m attune_lsp"


class Server:
    """Minimal JSON-RPC over stdio: a reader thread timestamps every message on arrival."""

    def __init__(
        self,
        cmd: list[str],
        settings: Any,
        root_uri: str,
        stderr_path: str | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        err: Any = open(stderr_path, "wb") if stderr_path else subprocess.DEVNULL  # noqa: SIM115
        self.p = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, env=env
        )
        self.settings = settings
        self.root_uri = root_uri
        self.lock = threading.Lock()
        self.next_id = 0
        self.responses: dict[Any, Any] = {}
        self.diags: queue.Queue[tuple[float, Any]] = queue.Queue()
        self.server_requests: dict[str, int] = {}
        self.cv = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _send(self, msg: Any) -> None:
        body = json.dumps(msg).encode()
        assert self.p.stdin is not None
        with self.lock:
            self.p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self.p.stdin.flush()

    def _read(self) -> None:
        f = self.p.stdout
        assert f is not None
        while True:
            length = None
            while True:
                line = f.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                k, _, v = line.decode("ascii", "replace").partition(":")
                if k.strip().lower() == "content-length":
                    length = int(v.strip())
            assert length is not None
            msg = json.loads(f.read(length))
            t = time.perf_counter()
            method = msg.get("method")
            if method == "textDocument/publishDiagnostics":
                self.diags.put((t, msg["params"]))
            elif method is not None and "id" in msg:
                self.server_requests[method] = self.server_requests.get(method, 0) + 1
                result = self._answer(method, msg.get("params") or {})
                self._send({"jsonrpc": "2.0", "id": msg["id"], "result": result})
            elif method is None:
                with self.cv:
                    self.responses[msg.get("id")] = msg
                    self.cv.notify_all()

    def _answer(self, method: str, params: Any) -> Any:
        if method == "workspace/configuration":
            out = []
            for item in params.get("items", []):
                node = self.settings
                for part in (item.get("section") or "").split("."):
                    if not part:
                        continue
                    node = node.get(part) if isinstance(node, dict) else None
                out.append(node)
            return out
        if method == "workspace/workspaceFolders":
            return [{"uri": self.root_uri, "name": "root"}]
        # client/registerCapability, window/workDoneProgress/create, ...: null is fine
        return None

    def request(self, method: str, params: Any, timeout: float = 60) -> Any:
        self.next_id += 1
        rid = self.next_id
        self._send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        end = time.monotonic() + timeout
        with self.cv:
            while rid not in self.responses:
                left = end - time.monotonic()
                if left <= 0:
                    raise TimeoutError(method)
                self.cv.wait(left)
            msg = self.responses.pop(rid)
        if "error" in msg:
            raise RuntimeError(f"{method}: {msg['error']}")
        return msg.get("result")

    def notify(self, method: str, params: Any) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def notify_timed(self, method: str, params: Any) -> float:
        """Send and return the perf_counter time just after the write was flushed."""
        body = json.dumps({"jsonrpc": "2.0", "method": method, "params": params}).encode()
        assert self.p.stdin is not None
        with self.lock:
            t = time.perf_counter()
            self.p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self.p.stdin.flush()
        return t

    def next_diags(
        self, uri: str, min_version: int | None = None, timeout: float = 120
    ) -> tuple[float, Any, int]:
        """The next publishDiagnostics for uri (and version >= min_version when reported)."""
        end = time.monotonic() + timeout
        skipped = 0
        while True:
            left = end - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no publishDiagnostics for {uri} within {timeout}s")
            t, params = self.diags.get(timeout=left)
            if params.get("uri") != uri:
                skipped += 1
                continue
            v = params.get("version")
            if min_version is not None and v is not None and v < min_version:
                skipped += 1
                continue
            return t, params, skipped

    def drain(self, quiet_s: float) -> list[tuple[float, Any]]:
        """Collect publishes that arrive within quiet_s of each other (extra publishes)."""
        extra = []
        while True:
            try:
                extra.append(self.diags.get(timeout=quiet_s))
            except queue.Empty:
                return extra

    def close(self) -> None:
        try:
            self.request("shutdown", None, timeout=10)
            self.notify("exit", None)
        except Exception:
            pass
        try:
            self.p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()


STRING_RE = re.compile(r'"(?:[^"\\\n]|\\.)*"')


def editable_offsets(text: str) -> list[int]:
    """Offsets of one ASCII letter per double-quoted scalar, outside {{ }} blocks."""
    offs = []
    for m in STRING_RE.finditer(text):
        s, e = m.start() + 1, m.end() - 1
        inner = text[s:e]
        masked = re.sub(r"\{\{.*?\}\}", lambda b: " " * len(b.group()), inner)
        for i, ch in enumerate(masked):
            if ch.isascii() and ch.isalpha():
                offs.append(s + i)
                break
    return offs


def pct(sorted_vals: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    if not sorted_vals:
        return float("nan")
    k = max(1, math.ceil(p / 100 * len(sorted_vals)))
    return sorted_vals[k - 1]


def measure(
    cmd: list[str],
    path: pathlib.Path,
    settings: Any,
    *,
    edits: int,
    settle_ms: float = 100.0,
    timeout: float = 120.0,
    env: dict[str, str] | None = None,
    stderr: str | None = None,
    language_id: str = "yaml",
) -> dict[str, Any]:
    """One server, one file: open, then ``edits`` timed edits."""
    uri = path.as_uri()
    text = path.read_text()
    root_uri = path.parent.as_uri()
    t_start = time.perf_counter()
    srv = Server(cmd, settings, root_uri, stderr, env)
    caps = {
        "workspace": {
            "configuration": True,
            "workspaceFolders": True,
            "didChangeConfiguration": {"dynamicRegistration": True},
        },
        "textDocument": {
            "synchronization": {"dynamicRegistration": True, "didSave": True},
            # as VS Code does; makes yaml-language-server send client/registerCapability
            "formatting": {"dynamicRegistration": True},
            "publishDiagnostics": {"relatedInformation": True, "versionSupport": True},
        },
    }
    init = srv.request(
        "initialize",
        {
            "processId": os.getpid(),
            "rootUri": root_uri,
            "rootPath": str(path.parent),
            "capabilities": caps,
            "workspaceFolders": [{"uri": root_uri, "name": "root"}],
            "initializationOptions": settings,
            "clientInfo": {"name": "lsp_latency", "version": "1"},
        },
    )
    t_init = time.perf_counter()
    srv.notify("initialized", {})
    srv.notify("workspace/didChangeConfiguration", {"settings": settings})
    info = init.get("serverInfo") or {}

    version = 1
    item = {"uri": uri, "languageId": language_id, "version": version, "text": text}
    t_open = srv.notify_timed("textDocument/didOpen", {"textDocument": item})
    t_first, params, _ = srv.next_diags(uri, timeout=timeout)
    first_diags = params["diagnostics"]
    open_publishes = 1
    for _, p in srv.drain(settle_ms / 1000):  # later publishes for the open: keep the last
        if p.get("uri") == uri:
            first_diags, open_publishes = p["diagnostics"], open_publishes + 1

    offs = editable_offsets(text)
    if edits and not offs:
        sys.exit("no quoted string value with a letter outside {{ }} to edit")
    buf = list(text)
    lat: list[float] = []
    ndiag: list[int] = []
    extras = skipped_total = 0
    stride = max(1, len(offs) // max(1, edits)) if offs else 1
    for k in range(edits):
        o = offs[(k * stride + k // max(1, len(offs))) % len(offs)]
        buf[o] = buf[o].swapcase()
        version += 1
        t0 = srv.notify_timed(
            "textDocument/didChange",
            {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"text": "".join(buf)}],
            },
        )
        t1, params, skipped = srv.next_diags(uri, min_version=version, timeout=timeout)
        skipped_total += skipped
        lat.append((t1 - t0) * 1000)
        ndiag.append(len(params["diagnostics"]))
        extras += len(srv.drain(settle_ms / 1000))

    rss_kb = resident_kb(srv.p.pid)
    srv.close()

    s = sorted(lat)
    return {
        "server_cmd": " ".join(cmd),
        "server_info": info,
        "file": str(path),
        "lines": text.count("\n"),
        "bytes": len(text.encode()),
        "initialize_ms": (t_init - t_start) * 1000,
        "open_to_first_diagnostics_ms": (t_first - t_open) * 1000,
        "spawn_to_first_diagnostics_ms": (t_first - t_start) * 1000,
        "resident_mb": rss_kb / 1024 if rss_kb is not None else float("nan"),
        "first_diagnostics": len(first_diags),
        "first_diagnostics_list": first_diags,
        "open_publishes": open_publishes,
        "edits": edits,
        "latency_ms": lat,
        "p50_ms": pct(s, 50),
        "p95_ms": pct(s, 95),
        "max_ms": s[-1] if s else float("nan"),
        "min_ms": s[0] if s else float("nan"),
        "diagnostics_per_edit": sorted(set(ndiag)),
        "extra_publishes": extras,
        "stale_publishes_skipped": skipped_total,
        "server_requests": srv.server_requests,
    }


def cold_start(
    cmd: list[str],
    flow: pathlib.Path,
    settings: Any,
    env: dict[str, str] | None = None,
    timeout: float = 120.0,
) -> tuple[float, float]:
    """(spawn -> initialize answered, spawn -> first diagnostics of ``flow``), in ms.

    What a user waits for when an editor starts the server on a pack: the process
    is started, ``initialize`` sent at once with the pack folder as the workspace,
    then ``initialized``, the settings and the ``didOpen`` of the file as soon as
    ``initialize`` is answered, as editors do. ``startup.py`` and this module's
    comparison both report this measurement.
    """
    root_uri = flow.parents[2].as_uri()
    uri = flow.as_uri()
    start = time.perf_counter()
    srv = Server(cmd, settings, root_uri, env=env)
    try:
        srv.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": root_uri,
                "capabilities": {
                    "workspace": {"configuration": True, "workspaceFolders": True},
                    "textDocument": {"publishDiagnostics": {"versionSupport": True}},
                },
                "workspaceFolders": [{"uri": root_uri, "name": "root"}],
                "initializationOptions": settings,
            },
            timeout=timeout,
        )
        initialized = time.perf_counter()
        srv.notify("initialized", {})
        srv.notify("workspace/didChangeConfiguration", {"settings": settings})
        item = {"uri": uri, "languageId": "yaml", "version": 1, "text": flow.read_text()}
        srv.notify("textDocument/didOpen", {"textDocument": item})
        first, _, _ = srv.next_diags(uri, timeout=timeout)
    finally:
        srv.close()
    return (initialized - start) * 1000, (first - start) * 1000


def resident_kb(pid: int) -> int | None:
    """The resident memory of a process and its children (the server behind a launcher)."""
    total = 0
    found = False
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            status = pathlib.Path(f"/proc/{current}/status").read_text()
            children = pathlib.Path(f"/proc/{current}/task/{current}/children").read_text()
        except OSError:
            continue
        match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
        if match:
            total += int(match.group(1))
            found = True
        pids.extend(int(child) for child in children.split())
    return total if found else None


def ours_settings(path: pathlib.Path) -> dict[str, Any]:
    """attune-lsp's settings: its file-size limit raised above the file's size."""
    size = path.stat().st_size
    return {"maxFileSize": max(1 << 20, 2 * size)}


def yls_settings(schema: pathlib.Path | None, glob: str) -> dict[str, Any]:
    settings: dict[str, Any] = {"yaml": {"validate": True, "schemaStore": {"enable": False}}}
    if schema is not None:
        settings["yaml"]["schemas"] = {schema.resolve().as_uri(): [glob]}
    return settings


def report(name: str, res: dict[str, Any]) -> None:
    print(
        f"{name:<38} open {res['open_to_first_diagnostics_ms']:7.1f} ms  "
        f"p50 {res['p50_ms']:7.1f} ms  p95 {res['p95_ms']:7.1f} ms  max {res['max_ms']:7.1f} ms  "
        f"diagnostics {res['diagnostics_per_edit']}  {res['resident_mb']:.0f} MB"
    )


def ensure_yls() -> None:
    if (YLS_DIR / "package.json").is_file():
        return
    npm = shutil.which("npm")
    if npm is None:
        sys.exit(
            "npm is needed to install yaml-language-server (or set $PEERS to a folder that has it)"
        )
    PEERS.mkdir(parents=True, exist_ok=True)
    print(f"installing yaml-language-server into {PEERS} ...", file=sys.stderr)
    subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--prefix", str(PEERS), "yaml-language-server"],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def compare(args: argparse.Namespace) -> dict[str, Any]:
    sys.path.insert(0, str(HERE))
    from gen_workflow import pack

    ensure_yls()
    from bytecode import compile_packages

    compile_packages()  # as installed: the server's start-up is not the compiler's
    work = pathlib.Path(tempfile.mkdtemp(prefix="attune-lsp-bench-"))
    try:
        flow = pack(work / "perf", args.tasks)
        schema = work / "attune-workflow.schema.json"
        ours = shlex.split(args.ours)
        with schema.open("w") as out:
            subprocess.run([*ours, "schema", "workflow"], check=True, stdout=out)
        yls_env = {**os.environ, "YLS_DIR": str(YLS_DIR)}
        ours_set = ours_settings(flow)
        runs = [
            ("attune-lsp (200 ms debounce)", ours, ours_set, {**os.environ}),
            (
                "attune-lsp (no debounce)",
                ours,
                ours_set,
                {**os.environ, "ATTUNE_LSP_DEBOUNCE_MS": "0"},
            ),
            (
                "yaml-language-server (200 ms debounce)",
                shlex.split(YLS_CMD),
                yls_settings(schema, f"**/{flow.name}"),
                yls_env,
            ),
            (
                "yaml-language-server (no debounce)",
                shlex.split(YLS_NODELAY_CMD),
                yls_settings(schema, f"**/{flow.name}"),
                yls_env,
            ),
        ]
        lines = flow.read_text().count("\n")
        print(
            f"{args.tasks} tasks, {lines} lines; {args.edits} edits each, {args.rounds} rounds "
            f"alternating the servers; {os.cpu_count()} CPUs"
        )
        results: dict[str, Any] = {}
        for round_number in range(args.rounds):
            for name, cmd, settings, env in runs:
                res = measure(cmd, flow, settings, edits=args.edits, timeout=args.timeout, env=env)
                merged = results.setdefault(name, {**res, "latency_ms": [], "resident": []})
                merged["latency_ms"] += res["latency_ms"]
                merged["resident"].append(res["resident_mb"])
                if round_number == args.rounds - 1:
                    s = sorted(merged["latency_ms"])
                    merged.update(p50_ms=pct(s, 50), p95_ms=pct(s, 95), max_ms=s[-1])
                    merged["resident_mb"] = max(merged["resident"])
                    report(name, merged)
        ours_res = results["attune-lsp (no debounce)"]
        peer_res = results["yaml-language-server (no debounce)"]
        print(
            f"p50 without debounce: attune-lsp {ours_res['p50_ms']:.0f} ms vs "
            f"yaml-language-server {peer_res['p50_ms']:.0f} ms "
            f"(attune-lsp {peer_res['p50_ms'] / ours_res['p50_ms']:.2f}x faster)"
        )
        print(
            f"resident memory after {args.edits} edits: attune-lsp {ours_res['resident_mb']:.0f} MB"
            f", yaml-language-server {peer_res['resident_mb']:.0f} MB"
        )
        if args.cold_tasks:
            small = pack(work / "small", args.cold_tasks)
            cold: dict[str, list[float]] = {"attune-lsp": [], "yaml-language-server": []}
            for _ in range(args.rounds):
                for name, cmd, settings, env in (
                    ("attune-lsp", ours, ours_settings(small), {**os.environ}),
                    (
                        "yaml-language-server",
                        shlex.split(YLS_CMD),
                        yls_settings(schema, f"**/{small.name}"),
                        yls_env,
                    ),
                ):
                    _, first = cold_start(cmd, small, settings, env, timeout=args.timeout)
                    cold[name].append(first)
            ours_cold = sorted(cold["attune-lsp"])[len(cold["attune-lsp"]) // 2]
            peer_cold = sorted(cold["yaml-language-server"])[len(cold["yaml-language-server"]) // 2]
            print(
                f"spawn -> first diagnostics, {args.cold_tasks}-task file (median of "
                f"{args.rounds}): attune-lsp {ours_cold:.0f} ms, yaml-language-server "
                f"{peer_cold:.0f} ms (ratio {ours_cold / peer_cold:.2f})"
            )
        return results
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--server-cmd", help="measure only this stdio server (shell-split)")
    ap.add_argument("--file", help="the file to edit (with --server-cmd)")
    ap.add_argument("--schema", help="JSON Schema for yaml-language-server (with --server-cmd)")
    ap.add_argument("--glob", help="glob for yaml.schemas (default: **/<file name>)")
    ap.add_argument("--settings", help="JSON settings object instead of the yaml.* defaults")
    ap.add_argument("--tasks", type=int, default=1000, help="tasks of the generated workflow")
    ap.add_argument("--edits", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=3, help="rounds alternating the servers")
    ap.add_argument(
        "--cold-tasks", type=int, default=10, help="tasks of the cold-start file (0: skip)"
    )
    ap.add_argument("--ours", default=OURS_CMD, help="how to start attune-lsp")
    ap.add_argument("--timeout", type=float, default=120.0, help="per-publish timeout, seconds")
    ap.add_argument("--show-diagnostics", action="store_true")
    ap.add_argument("--json", help="also write the raw results to this file")
    ap.add_argument("--stderr", help="write the server's stderr to this file")
    a = ap.parse_args()

    if a.server_cmd is None:
        results: Any = compare(a)
    else:
        if not a.file:
            ap.error("--server-cmd needs --file")
        path = pathlib.Path(a.file).resolve()
        if a.settings:
            settings = json.loads(a.settings)
        else:
            schema = pathlib.Path(a.schema) if a.schema else None
            settings = yls_settings(schema, a.glob or f"**/{path.name}")
        results = measure(
            shlex.split(a.server_cmd),
            path,
            settings,
            edits=a.edits,
            timeout=a.timeout,
            stderr=a.stderr,
        )
        report(results["server_info"].get("name", a.server_cmd), results)
        if a.show_diagnostics:
            for d in results["first_diagnostics_list"]:
                r = d["range"]["start"]
                print(
                    f"  {r['line'] + 1}:{r['character'] + 1} [{d.get('severity')}] {d['message']}"
                )
    if a.json:
        pathlib.Path(a.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""References and rename of a much-used variable, and a hover sent while they run.

Generates a pack whose workflow uses one workflow variable N times (default 2,000: four
uses in each of N/4 tasks), starts attune-lsp on it, opens the workflow and waits for its
diagnostics. Then, in one run:

* a baseline hover (the median of several, with nothing else running);
* ``textDocument/references`` on the variable, with a hover sent right after it;
* ``textDocument/rename`` of the variable, with a hover sent right after it.

It prints the time of references and rename, and the time each of those hovers took,
as milliseconds and as a ratio to the baseline hover measured in the same run.

  python bench/refs_speed.py                 # 2,000 uses
  python bench/refs_speed.py --uses 500 1000 2000
"""

from __future__ import annotations

import argparse
import os
import pathlib
import shlex
import shutil
import statistics
import sys
import tempfile
import threading
import time
from typing import Any

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from lsp_latency import OURS_CMD, Server  # noqa: E402

USES_PER_TASK = 4


def workflow(uses: int) -> str:
    """A workflow with ``uses`` template references to ``workflow.counter``."""
    tasks = max(1, uses // USES_PER_TASK)
    out = ['version: "1.0.0"', "vars:", "  counter: 0", "tasks:"]
    for i in range(tasks):
        out += [
            f"  - name: t{i}",
            "    action: perf.step",
            "    input:",
            f'      message: "{{{{ workflow.counter }}}} of {{{{ workflow.counter + {i} }}}}"',
            '      index: "{{ workflow.counter }}"',
        ]
        if i + 1 < tasks:
            out += [
                "    next:",
                '      - when: "{{ succeeded() }}"',
                "        publish:",
                '          - total: "{{ workflow.counter * 2 }}"',
                f"        do: [t{i + 1}]",
            ]
    return "\n".join(out) + "\n"


def write_pack(root: pathlib.Path, uses: int) -> pathlib.Path:
    (root / "actions/workflows").mkdir(parents=True, exist_ok=True)
    (root / "pack.yaml").write_text('ref: perf\nlabel: Perf\nversion: "1.0.0"\n')
    (root / "actions/step.yaml").write_text(
        "ref: perf.step\nlabel: Step\nrunner_type: python\nentry_point: step.py\n"
        "parameters:\n  message: {type: string}\n  index: {type: integer}\n"
    )
    (root / "actions/flow.yaml").write_text(
        "ref: perf.flow\nlabel: Flow\nworkflow_file: workflows/flow.workflow.yaml\n"
    )
    flow = root / "actions/workflows/flow.workflow.yaml"
    flow.write_text(workflow(uses))
    return flow


def timed(srv: Server, method: str, params: Any) -> float:
    start = time.perf_counter()
    srv.request(method, params, timeout=600)
    return (time.perf_counter() - start) * 1000


def during(srv: Server, method: str, params: Any, hover: Any) -> tuple[float, float]:
    """The time of a long request, and of a hover written just after it (both in ms)."""
    times: dict[str, float] = {}
    srv.next_id += 1
    rid = srv.next_id
    started = time.perf_counter()
    srv._send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})

    def wait_long() -> None:
        with srv.cv:
            while rid not in srv.responses:
                srv.cv.wait()
            srv.responses.pop(rid)
        times["long"] = (time.perf_counter() - started) * 1000

    waiter = threading.Thread(target=wait_long)
    waiter.start()
    times["hover"] = timed(srv, "textDocument/hover", hover)
    waiter.join()
    return times["long"], times["hover"]


def measure(cmd: list[str], uses: int, work: pathlib.Path) -> dict[str, float]:
    flow = write_pack(work / f"perf{uses}", uses)
    text = flow.read_text()
    uri = flow.as_uri()
    root_uri = flow.parents[2].as_uri()
    srv = Server(cmd, {}, root_uri, env={**os.environ, "ATTUNE_LSP_DEBOUNCE_MS": "0"})
    try:
        srv.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": root_uri,
                "capabilities": {"workspace": {"workspaceFolders": True}},
                "workspaceFolders": [{"uri": root_uri, "name": "root"}],
            },
        )
        srv.notify("initialized", {})
        item = {"uri": uri, "languageId": "yaml", "version": 1, "text": text}
        srv.notify("textDocument/didOpen", {"textDocument": item})
        srv.next_diags(uri, timeout=600)
        lines = text.splitlines()
        use_line = next(i for i, line in enumerate(lines) if "workflow.counter }}" in line)
        use_col = lines[use_line].index("counter")
        name_line = next(i for i, line in enumerate(lines) if "- name: t0" in line)
        on_use = {
            "textDocument": {"uri": uri},
            "position": {"line": use_line, "character": use_col},
        }
        hover = {
            "textDocument": {"uri": uri},
            "position": {"line": name_line, "character": lines[name_line].index("t0")},
        }
        timed(srv, "textDocument/hover", hover)  # warm
        baseline = statistics.median(timed(srv, "textDocument/hover", hover) for _ in range(9))
        refs, hover_refs = during(
            srv,
            "textDocument/references",
            {**on_use, "context": {"includeDeclaration": True}},
            hover,
        )
        rename, hover_rename = during(
            srv, "textDocument/rename", {**on_use, "newName": "tally"}, hover
        )
    finally:
        srv.close()
    return {
        "uses": uses,
        "baseline_hover_ms": baseline,
        "references_ms": refs,
        "hover_during_references_ms": hover_refs,
        "rename_ms": rename,
        "hover_during_rename_ms": hover_rename,
    }


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--uses", type=int, nargs="+", default=[2000])
    ap.add_argument("--ours", default=OURS_CMD, help="how to start attune-lsp")
    args = ap.parse_args()
    work = pathlib.Path(tempfile.mkdtemp(prefix="attune-lsp-refs-"))
    try:
        print(f"{os.cpu_count()} CPUs; {USES_PER_TASK} uses per task")
        for uses in args.uses:
            r = measure(shlex.split(args.ours), uses, work)
            base = r["baseline_hover_ms"]
            print(
                f"{uses:>6} uses: references {r['references_ms']:8.1f} ms  "
                f"rename {r['rename_ms']:8.1f} ms  |  hover: baseline {base:6.1f} ms, "
                f"during references {r['hover_during_references_ms']:7.1f} ms "
                f"(x{r['hover_during_references_ms'] / base:.1f}), "
                f"during rename {r['hover_during_rename_ms']:7.1f} ms "
                f"(x{r['hover_during_rename_ms'] / base:.1f})"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

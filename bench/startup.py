#!/usr/bin/env python3
"""Start-up: spawn -> initialize answered, and spawn -> first diagnostics of a small file.

Measures attune-lsp and yaml-language-server (with attune-lsp's exported JSON Schema) in
the same run, each started ``--runs`` times (default 5) on a small generated workflow.
Each run is ``lsp_latency.cold_start`` (the measurement ``lsp_latency.py`` reports too):
it starts the process, sends ``initialize`` at once, then ``initialized`` and the
``didOpen`` of the file as soon as ``initialize`` is answered, as editors do. Prints the
medians in milliseconds and attune-lsp's ratio to yaml-language-server.

yaml-language-server is installed with npm into ``$PEERS`` (see ``lsp_latency.py``).

  python bench/startup.py
  python bench/startup.py --runs 10 --tasks 20
"""

from __future__ import annotations

import argparse
import os
import pathlib
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bytecode import compile_packages  # noqa: E402
from gen_workflow import pack  # noqa: E402
from lsp_latency import (  # noqa: E402
    OURS_CMD,
    YLS_CMD,
    YLS_DIR,
    cold_start,
    ensure_yls,
    ours_settings,
    yls_settings,
)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--tasks", type=int, default=10, help="tasks of the generated workflow")
    ap.add_argument("--ours", default=OURS_CMD, help="how to start attune-lsp")
    args = ap.parse_args()
    ensure_yls()
    compile_packages()  # as installed: the server's start-up is not the compiler's
    work = pathlib.Path(tempfile.mkdtemp(prefix="attune-lsp-start-"))
    try:
        flow = pack(work / "perf", args.tasks)
        ours = shlex.split(args.ours)
        schema = work / "attune-workflow.schema.json"
        with schema.open("w") as out:
            subprocess.run([*ours, "schema", "workflow"], check=True, stdout=out)
        servers = [
            ("attune-lsp", ours, ours_settings(flow), {**os.environ}),
            (
                "yaml-language-server",
                shlex.split(YLS_CMD),
                yls_settings(schema, f"**/{flow.name}"),
                {**os.environ, "YLS_DIR": str(YLS_DIR)},
            ),
        ]
        lines = flow.read_text().count("\n")
        print(f"{args.tasks} tasks, {lines} lines; {args.runs} runs each; {os.cpu_count()} CPUs")
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name, *_ in servers}
        for _ in range(args.runs):  # interleaved, so both see the same load
            for name, cmd, settings, env in servers:
                runs[name].append(cold_start(cmd, flow, settings, env))
        medians: dict[str, tuple[float, float]] = {}
        for name, values in runs.items():
            init = statistics.median(v[0] for v in values)
            diag = statistics.median(v[1] for v in values)
            medians[name] = (init, diag)
            print(
                f"{name:<22} spawn->initialize {init:7.0f} ms   "
                f"spawn->first diagnostics {diag:7.0f} ms"
            )
        ours_m, peer_m = medians["attune-lsp"], medians["yaml-language-server"]
        print(
            f"ratio attune-lsp / yaml-language-server: initialize {ours_m[0] / peer_m[0]:.2f}, "
            f"first diagnostics {ours_m[1] / peer_m[1]:.2f}"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

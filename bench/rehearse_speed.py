"""Rehearsal and graph of a generated N-task workflow next to ``check_text`` of the same file.

Measured in one run and reported as ratios (single absolute times on shared
machines are noise):

  python bench/rehearse_speed.py --tasks 1000

Each side runs in a fresh child process, warms up once, then times ``--repeat``
runs; the children alternate over ``--rounds``. ``rehearse`` runs one scenario
where every task succeeds (each of the N tasks renders its input, evaluates two
conditions and publishes); ``graph`` builds the graph model and its DOT text from
an analysed file; the baseline is the checker's ``check_text`` (parse and every rule).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from gen_workflow import pack
from timing import TIMED_RUNS, child_times, ms

CHILD = (
    r"""
import json, sys, time
from pathlib import Path
path, scenario, side, repeat = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
text = path.read_text(encoding="utf-8")
from attune_workflow.check import analyze, check_text
from attune_workflow.workspace import build_index
from attune_workflow.config import Config
config = Config()
index = build_index([path], config)
if side == "check":
    run = lambda: check_text(path, text, index=index, config=config)
elif side == "rehearse":
    from attune_workflow.rehearsal import rehearse_file
    def run():
        result = rehearse_file(scenario)
        assert result.passed, result.error or [e.what for e in result.expectations if not e.ok]
else:
    from attune_workflow.graphmodel import build_graph
    from attune_workflow.graphrender import render_dot
    def run():
        ctx, diagnostics = analyze(path, text, index=index, config=config)
        render_dot(build_graph(ctx.view, ctx.doc, diagnostics))
"""
    + TIMED_RUNS
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per child")
    parser.add_argument("--rounds", type=int, default=3, help="children per side")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = pack(Path(tmp) / "perf", args.tasks)
        tests = Path(tmp) / "perf" / "tests"
        tests.mkdir()
        scenario = tests / "all_ok.scenario.yaml"
        total = sum(range(args.tasks - 1))
        scenario.write_text(
            "workflow: ../actions/workflows/flow.workflow.yaml\n"
            "parameters: {count: 3}\n"
            "default: {result: {ok: true}}\n"
            f"expect: {{output: {{total: {total}}}, not_ran: [fail]}}\n",
            encoding="utf-8",
        )
        samples: dict[str, list[float]] = {"check": [], "rehearse": [], "graph": []}
        for _ in range(args.rounds):
            for side, out in samples.items():
                out += child_times(CHILD, path, scenario, side, args.repeat)
        c = ms(samples["check"])
        print(f"{args.tasks} tasks")
        print(f"check_text        {c:8.1f} ms   (baseline)")
        for side in ("rehearse", "graph"):
            t = ms(samples[side])
            print(f"{side:17} {t:8.1f} ms   ratio {t / c:.2f}x")


if __name__ == "__main__":
    main()

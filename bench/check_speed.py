"""``--check`` on a generated N-task workflow next to libyaml's compose of the same text.

Both are measured in one run, interleaved, and reported as a ratio (single
absolute times on shared machines are noise):

  python bench/check_speed.py --tasks 1000 --repeat 15

In-process: ``check_text`` (parse, model, expressions, every rule) against
``yaml.compose(text, Loader=yaml.CSafeLoader)``. End to end: the
``attune-lsp --check FILE`` command against ``python -c`` running the compose,
both as fresh processes.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from gen_workflow import pack

from attune_workflow.check import build_index, check_text
from attune_workflow.config import Config


def _median(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--processes", type=int, default=5, help="end-to-end runs (0: skip)")
    parser.add_argument("--rules", action="store_true", help="also list the slowest rules")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = pack(Path(tmp) / "perf", args.tasks)
        text = path.read_text(encoding="utf-8")
        config = Config()
        index = build_index([path], config)
        found = check_text(path, text, index=index, config=config)
        compose: list[float] = []
        check: list[float] = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            yaml.compose(text, Loader=yaml.CSafeLoader)
            compose.append(time.perf_counter() - start)
            start = time.perf_counter()
            check_text(path, text, index=index, config=config)
            check.append(time.perf_counter() - start)
        lines = text.count("\n")
        print(
            f"{args.tasks} tasks, {lines} lines, {len(text):,} characters; {len(found)} diagnostics"
        )
        c, k = _median(compose), _median(check)
        print(
            f"in-process  compose (CSafeLoader) {c:8.1f} ms   check_text {k:8.1f} ms"
            f"   ratio {k / c:.2f}x"
        )
        if args.rules:
            from attune_workflow.check import active_rules, analyze

            ctx, _ = analyze(path, text, index=index, config=config)
            costs = []
            for rule, _severity in active_rules(config):
                start = time.perf_counter()
                list(rule.check(ctx))
                costs.append((time.perf_counter() - start, rule.id))
            print("slowest rules on a parsed file:")
            for cost, rule_id in sorted(costs, reverse=True)[:8]:
                print(f"  {rule_id:28} {cost * 1000:6.2f} ms")
        if args.processes:
            exe = Path(sys.executable).parent / "attune-lsp"
            compose_cmd = [
                sys.executable,
                "-c",
                "import sys, yaml; yaml.compose(open(sys.argv[1]).read(), Loader=yaml.CSafeLoader)",
                str(path),
            ]
            check_cmd = [str(exe), "--check", str(path)]
            pc: list[float] = []
            pk: list[float] = []
            for _ in range(args.processes):
                for cmd, out in ((compose_cmd, pc), (check_cmd, pk)):
                    start = time.perf_counter()
                    subprocess.run(cmd, check=False, capture_output=True)
                    out.append(time.perf_counter() - start)
            c, k = _median(pc), _median(pk)
            print(
                f"end-to-end  python -c compose     {c:8.1f} ms   attune-lsp --check "
                f"{k:8.1f} ms   ratio {k / c:.2f}x"
            )


if __name__ == "__main__":
    main()

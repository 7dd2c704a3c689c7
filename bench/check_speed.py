"""``--check`` on a generated N-task workflow next to libyaml's compose of the same text.

Both sides are measured in one run and reported as a ratio (single absolute
times on shared machines are noise):

  python bench/check_speed.py --tasks 1000

In-process: each side runs in a fresh child process (so neither inherits the
other's heap), warms up once, then times ``--repeat`` runs; the children
alternate over ``--rounds``. Ours is ``check_text`` (parse, model, expressions,
every rule; the shared expression caches emptied before each run, as a one-shot
check starts), and an open document's incremental re-analysis after a one-character
edit inside a task; the baseline is ``yaml.compose(text, Loader=yaml.CSafeLoader)``
with the collector off, as ``check_text`` runs.
End to end: the ``attune-lsp --check FILE`` command against ``python -c``
running the compose, both as fresh processes.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bytecode import compile_packages
from gen_workflow import pack
from timing import TIMED_RUNS, child_times, ms

CHILD = (
    r"""
import json, sys, time
from pathlib import Path
path, side, repeat = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
text = path.read_text(encoding="utf-8")
if side == "compose":
    import gc, yaml
    gc.disable()  # as check_text runs: the collector is paused while a file is analysed
    run = lambda: yaml.compose(text, Loader=yaml.CSafeLoader)
elif side == "edit":
    from attune_workflow.workspace import build_index
    from attune_workflow.config import Config
    from attune_workflow.incremental import DocumentAnalysis
    config = Config()
    analysis = DocumentAnalysis(path, index=build_index([path], config), config=config)
    analysis.update(text)
    # one character typed into a task in the middle, then taken out again
    at = text.index('"', text.index("message:", len(text) // 2)) + 1
    versions = [text[:at] + "x" + text[at:], text]
    count = [0]
    def run():
        count[0] += 1
        analysis.update(versions[count[0] % 2])
else:
    from attune_workflow.check import check_text
    from attune_workflow.workspace import build_index
    from attune_workflow.config import Config
    from attune_workflow.expressions.memo import clear_shared_caches
    config = Config()
    index = build_index([path], config)
    def run():
        # as a one-shot check sees it: no expression parsed by an earlier run
        clear_shared_caches()
        check_text(path, text, index=index, config=config)
"""
    + TIMED_RUNS
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per child")
    parser.add_argument("--rounds", type=int, default=4, help="children per side")
    parser.add_argument("--processes", type=int, default=7, help="end-to-end runs (0: skip)")
    parser.add_argument("--rules", action="store_true", help="also list the slowest rules")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = pack(Path(tmp) / "perf", args.tasks)
        text = path.read_text(encoding="utf-8")
        compose: list[float] = []
        check: list[float] = []
        edit: list[float] = []
        for _ in range(args.rounds):
            compose += child_times(CHILD, path, "compose", args.repeat)
            check += child_times(CHILD, path, "check", args.repeat)
            edit += child_times(CHILD, path, "edit", args.repeat)
        print(f"{args.tasks} tasks, {text.count(chr(10))} lines, {len(text):,} characters")
        c, k, e = ms(compose), ms(check), ms(edit)
        print(
            f"in-process  yaml.compose, GC off       {c:7.1f} ms   check_text {k:7.1f} ms"
            f"   ratio {k / c:.2f}x   ({k / args.tasks * 1000:.0f} us per task)"
        )
        print(
            f"in-process  one-character edit, incremental {e:7.1f} ms"
            f"   ratio to compose {e / c:.2f}x (goal <= 0.5x)"
        )
        if args.rules:
            from attune_workflow.check import active_rules, analyze
            from attune_workflow.config import Config
            from attune_workflow.workspace import build_index

            config = Config()
            ctx, _ = analyze(path, text, index=build_index([path], config), config=config)
            costs = []
            for rule, _severity in active_rules(config):
                start = time.perf_counter()
                list(rule.check(ctx))
                costs.append((time.perf_counter() - start, rule.id))
            print("slowest rules on a parsed file:")
            for cost, rule_id in sorted(costs, reverse=True)[:8]:
                print(f"  {rule_id:28} {cost * 1000:6.2f} ms")
        if args.processes:
            compile_packages()
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
            c, k = ms(pc), ms(pk)
            print(
                f"end-to-end  python -c compose          {c:7.1f} ms   attune-lsp --check "
                f"{k:7.1f} ms   ratio {k / c:.2f}x"
            )


if __name__ == "__main__":
    main()

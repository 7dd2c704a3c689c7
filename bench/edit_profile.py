"""Where an open document's edit spends its time: one-character edits inside a middle task.

  python bench/edit_profile.py --tasks 2000 --edits 10

An N-task workflow (``gen_workflow.py``) is analysed once, then a character is
typed into a task in the middle and taken out again, ``--edits`` times in all.
The first edit after the full analysis is timed on its own (it may do work once
per tree); the others are timed without the profiler (wall and CPU time: on a
loaded machine the CPU time is the steadier), then run again under cProfile,
whose heaviest functions (by their own time and by time including their calls)
are listed. ``--findings`` gives every task two findings (an unknown input, a
negative retry count) and types a line break instead of a character, so that
the kept findings move and the cap per string has thousands to look at. The
same command, run under another checkout's interpreter, gives the figures to
compare.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from gen_workflow import pack
from timing import ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=2000)
    parser.add_argument("--edits", type=int, default=10)
    parser.add_argument("--top", type=int, default=15, help="functions listed per ordering")
    parser.add_argument("--findings", action="store_true", help="two findings in every task")
    args = parser.parse_args()

    from attune_workflow.config import Config
    from attune_workflow.incremental import DocumentAnalysis
    from attune_workflow.workspace import build_index

    with tempfile.TemporaryDirectory() as tmp:
        path = pack(Path(tmp) / "perf", args.tasks)
        text = path.read_text(encoding="utf-8")
        typed = "x"
        if args.findings:
            text = text.replace("      index: ", "      indexx: ").replace(
                "      count: 2", "      count: -2"
            )
            path.write_text(text, encoding="utf-8")
            typed = "x\n"
        config = Config()
        analysis = DocumentAnalysis(path, index=build_index([path], config), config=config)
        start = time.perf_counter()
        analysis.update(text)
        opened = time.perf_counter() - start
        at = text.index('"', text.index("message:", len(text) // 2)) + 1
        versions = [text[:at] + typed + text[at:], text]
        count = [-1]

        def edit() -> None:
            count[0] += 1
            analysis.update(versions[count[0] % 2])

        start = time.perf_counter()
        edit()
        first = time.perf_counter() - start
        times, cpu = [], []
        for _ in range(args.edits):
            start, start_cpu = time.perf_counter(), time.process_time()
            edit()
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.edits):
            edit()
        profile.disable()
        spliced = analysis.incremental_updates
        found = len(analysis.diagnostics)
    edits = 2 * args.edits + 1
    print(
        f"{args.tasks} tasks, {text.count(chr(10))} lines, {found} findings; "
        f"{spliced} of {edits} edits spliced"
    )
    print(
        f"full analysis {opened * 1000:.1f} ms   first edit {first * 1000:.1f} ms   "
        f"edit (median of {args.edits}) {ms(times):.1f} ms wall, {ms(cpu):.1f} ms CPU"
    )
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out)
        stats.sort_stats(order).print_stats(args.top)
        body = out.getvalue()
        print(body[body.index("   ncalls") :].rstrip())


if __name__ == "__main__":
    main()

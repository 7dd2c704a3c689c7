"""Timing helpers shared by the benchmarks: timed runs in fresh child processes."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

# The end of a child's code: warm up ``run()`` once, then time it ``repeat`` times.
TIMED_RUNS = """
run()
times = []
for _ in range(repeat):
    start = time.perf_counter()
    run()
    times.append(time.perf_counter() - start)
print(json.dumps(times))
"""


def child_times(code: str, *args: object) -> list[float]:
    """The times (seconds) a ``python -c code args...`` child prints as a JSON list."""
    out = subprocess.run(
        [sys.executable, "-c", code, *map(str, args)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    times: list[float] = json.loads(out)
    return times


def ms(samples: list[float]) -> float:
    """The median of samples in seconds, in milliseconds."""
    return statistics.median(samples) * 1000

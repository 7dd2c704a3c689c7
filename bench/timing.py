"""Timing helpers shared by the benchmarks: timed runs in fresh child processes."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def timed_runs(run: Callable[[], Any], repeat: int) -> list[float]:
    """Warm ``run`` up once, then the seconds of ``repeat`` timed calls."""
    run()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return times


# The end of a child's code: the times of its ``run()``, as a JSON list.
TIMED_RUNS = f"""
sys.path.insert(0, {str(Path(__file__).parent)!r})
from timing import timed_runs
print(json.dumps(timed_runs(run, repeat)))
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

"""The editor analyses on a generated N-task workflow, next to checking the same file.

Every keystroke already pays for a check (parse, model, expressions, every rule); the
features the editor asks for next (semantic tokens, document highlight, inlay hints,
selection ranges, incoming transitions) are reported as a ratio of that check's time,
both measured in this run:

  python bench/editor_features.py --tasks 2000
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from gen_workflow import pack
from timing import timed_runs

from attune_workflow.check import analyze
from attune_workflow.config import Config
from attune_workflow.inlays import inlay_hints
from attune_workflow.names import NameUses
from attune_workflow.selection import selection_spans
from attune_workflow.semantic import semantic_tokens
from attune_workflow.workspace import build_index


def timed(run: Callable[[], Any], repeat: int) -> float:
    return statistics.median(timed_runs(run, repeat))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tasks", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(pack(tmp, args.tasks))
        text = path.read_text(encoding="utf-8")
        config = Config()
        index = build_index([path], config)
        ctx, _ = analyze(path, text, index=index, config=config)
        middle = text.count("\n") // 2
        line_text = text.split("\n")[middle]
        column = len(line_text) - len(line_text.lstrip()) + 2

        def highlight() -> None:
            uses = NameUses(ctx)
            use = uses.at(middle, column)
            if use is not None:
                uses.same(use)

        # The collector settings of the server (attune_lsp.server.serve).
        gc.freeze()
        gc.set_threshold(100_000, 50, 1000)
        baseline = timed(lambda: analyze(path, text, index=index, config=config), args.repeat)
        sides = {
            # Requests reuse the analysis's context (its expressions already parsed).
            "semantic tokens": lambda: semantic_tokens(ctx),
            "document highlight": highlight,
            "incoming transitions": lambda: NameUses(ctx).started_by,
            "inlay hints": lambda: inlay_hints(ctx),
            "selection range": lambda: selection_spans(ctx, middle, column),
        }
        print(f"{args.tasks} tasks, {text.count(chr(10))} lines; check = 1.00")
        for name, run in sides.items():
            print(f"{name:22} {timed(run, args.repeat) / baseline:6.3f} x check")


if __name__ == "__main__":
    main()

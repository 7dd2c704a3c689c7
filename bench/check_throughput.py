"""``attune-lsp --check`` throughput next to check-jsonschema on the same workflow files.

Generates a pack of ``--files`` graph workflows of ``--tasks`` tasks each (every
one linked from its action file), then times, as whole processes in one run:

* ``attune-lsp --check PACK`` (every rule, the action files included);
* ``check-jsonschema --schemafile SCHEMA FILE...`` on the workflow files, with
  the JSON Schema of the workflow format that ``attune-lsp schema workflow``
  prints (the one yaml-language-server users are given).

check-jsonschema is not a dependency of the project: pass ``--peer`` (its
executable), e.g. after ``python -m venv /tmp/cjs && /tmp/cjs/bin/pip install
check-jsonschema``. It reads YAML with a pure-Python parser and is slow, so
``--peer-files`` may time it on the first files only; both sides are reported in
files per second and as a ratio:

  python bench/check_throughput.py --peer /tmp/cjs/bin/check-jsonschema
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bytecode import compile_packages
from gen_workflow import pack, workflow


def make_pack(root: Path, files: int, tasks: int) -> list[Path]:
    """A pack of ``files`` graph workflows of ``tasks`` tasks, each linked from an action."""
    pack(root, tasks)  # pack.yaml, the step action and flow.workflow.yaml
    actions = root / "actions"
    (actions / "step.py").write_text("print('step')\n")  # the step action's entry point
    text = workflow(tasks)
    paths = [actions / "workflows" / "flow.workflow.yaml"]
    for i in range(1, files):
        (actions / f"flow{i}.yaml").write_text(
            f"ref: perf.flow{i}\nlabel: Flow {i}\nworkflow_file: workflows/flow{i}.workflow.yaml\n"
            "parameters:\n  count: {type: integer, default: 3}\n"
        )
        path = actions / "workflows" / f"flow{i}.workflow.yaml"
        path.write_text(text)
        paths.append(path)
    return paths


def timed(cmd: list[str]) -> tuple[float, int, str]:
    start = time.perf_counter()
    done = subprocess.run(cmd, check=False, capture_output=True, text=True)
    return time.perf_counter() - start, done.returncode, done.stdout + done.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--tasks", type=int, default=20)
    parser.add_argument("--peer", help="the check-jsonschema executable")
    parser.add_argument(
        "--peer-files", type=int, help="files check-jsonschema checks (default: all)"
    )
    parser.add_argument("--rounds", type=int, default=1, help="runs per side (best kept)")
    args = parser.parse_args()
    ours = shutil.which("attune-lsp", path=str(Path(sys.executable).parent)) or "attune-lsp"
    peer = args.peer or shutil.which("check-jsonschema")
    compile_packages()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "perf"
        paths = make_pack(root, args.files, args.tasks)
        schema = Path(tmp) / "workflow.schema.json"
        with schema.open("w") as out:
            subprocess.run([ours, "schema", "workflow"], check=True, stdout=out)
        peer_paths = paths[: args.peer_files] if args.peer_files else paths
        print(
            f"{len(paths):,} workflow files of {args.tasks} tasks "
            f"({sum(p.stat().st_size for p in paths) / 1e6:.1f} MB); "
            f"{os.cpu_count()} cores; load {os.getloadavg()[0]:.1f}"
        )
        best_ours = best_peer = float("inf")
        for _ in range(args.rounds):
            seconds, code, output = timed([ours, "--check", str(root)])
            if code not in (0, 1):
                raise SystemExit(f"attune-lsp --check failed ({code}): {output[-2000:]}")
            if code == 1:
                raise SystemExit(f"the generated pack has findings: {output[-2000:]}")
            best_ours = min(best_ours, seconds)
            if peer is None:
                continue
            cmd = [peer, "--schemafile", str(schema), *map(str, peer_paths)]
            seconds, code, output = timed(cmd)
            if code != 0:
                raise SystemExit(f"check-jsonschema failed ({code}): {output[-2000:]}")
            best_peer = min(best_peer, seconds)
        ours_rate = len(paths) / best_ours
        print(f"attune-lsp --check    {best_ours:8.1f} s  {ours_rate:8.1f} files/s")
        if peer is None:
            print("check-jsonschema not found: pass --peer")
            return
        peer_rate = len(peer_paths) / best_peer
        print(
            f"check-jsonschema      {best_peer:8.1f} s  {peer_rate:8.1f} files/s "
            f"({len(peer_paths):,} files)"
        )
        print(f"throughput ratio      {ours_rate / peer_rate:.1f}x (goal >= 20x)")


if __name__ == "__main__":
    main()

"""Time, peak memory and exit code of ``--check`` and ``register`` on hostile workspaces.

Each case of ``tests/hostile.py`` is put in one pack beside a good pack, plus a
lone alias bomb and a string of 8,000 ``{{ x }}`` blocks; every run is a fresh
process with a time limit, its figures from ``wait4``, its time also as a ratio
to the same command on the clean workspace (good pack and an ordinary pack),
measured first in the same run:

  python bench/hostile.py                 # this checkout
  python bench/hostile.py --src OTHER     # another checkout's engine (its shared/ and server/)

``register`` runs with a database URL that cannot be reached: a run that gets
as far as connecting exits 3 with one line, which is the expected end when
the files hold nothing to refuse.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))
from hostile import TRIGGERS, WORKFLOW_HEAD, alias_bomb, make_pack, make_workspace

_RUN = "from attune_lsp.cli import run; run()"


def measure(args: list[str], env: dict[str, str], timeout: float) -> dict[str, object]:
    """Run one command; exit code, seconds, peak RSS in MB, output size, traceback seen."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-c", _RUN, *args], stdout=out, stderr=err, env=env
        )
        deadline = start + timeout
        status, usage = 0, None
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                _, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.02)
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    timed_out = seconds >= timeout
    return {
        "exit": "timeout" if timed_out else os.waitstatus_to_exitcode(status),
        "seconds": round(seconds, 2),
        "peak_mb": round(usage.ru_maxrss / 1024, 1) if usage else None,
        "stdout_bytes": len(stdout),
        "traceback": b"Traceback" in stderr,
    }


def cases(base: Path) -> dict[str, Path]:
    """Build every case under ``base``; name -> path to check (the clean baseline first)."""
    found: dict[str, Path] = {"baseline (clean)": make_workspace(base / "baseline")[0]}
    for name, make in sorted(TRIGGERS.items()):
        workspace, odd = make_workspace(base / name)
        make(odd)
        found[name] = workspace
    bomb = base / "lone-bomb" / "bomb.workflow.yaml"
    bomb.parent.mkdir(parents=True)
    bomb.write_text(alias_bomb())
    found["lone-alias-bomb"] = bomb
    blocks = base / "blocks-8000"
    make_pack(
        blocks,
        "blocks",
        WORKFLOW_HEAD + '    input:\n      m: "' + " ".join(["{{ x }}"] * 8000) + '"\n',
    )
    found["8000-blocks-one-string"] = blocks
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--src", type=Path, help="a checkout whose engine to measure")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--no-register", action="store_true")
    args = parser.parse_args()
    env = {
        **os.environ,
        "GITHUB_ACTIONS": "false",
        "ATTUNE_LSP_LOG": "",
        "ATTUNE_DATABASE_URL": "postgresql://u:secret@127.0.0.1:1/none",
    }
    if args.src:
        src = args.src.resolve()
        env["PYTHONPATH"] = f"{src / 'shared'}{os.pathsep}{src / 'server'}"
    with tempfile.TemporaryDirectory() as tmp:
        print(
            f"{'case':28} {'command':9} {'exit':>7} {'s':>7} {'x base':>7} {'MB':>7} "
            f"{'stdout':>10}  traceback"
        )
        baseline: dict[str, float] = {}
        for name, path in cases(Path(tmp)).items():
            commands = [("check", ["--check", "--format", "json", "--jobs", "1", str(path)])]
            if not args.no_register and path.is_dir():
                commands.append(("register", ["register", "--dry-run", str(path)]))
            for label, command in commands:
                row = measure(command, env, args.timeout)
                seconds = float(row["seconds"])  # type: ignore[arg-type]
                base = baseline.setdefault(label, seconds)
                print(
                    f"{name:28} {label:9} {row['exit']!s:>7} {seconds:>7} "
                    f"{seconds / base:>7.1f} {row['peak_mb']!s:>7} {row['stdout_bytes']:>10,}  "
                    f"{row['traceback']}",
                    flush=True,
                )


if __name__ == "__main__":
    main()

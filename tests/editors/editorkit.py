"""Running a real editor against the server: a fresh workspace, a script, its output."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

DATA = Path(__file__).parent.parent / "lsp" / "data" / "workspace"
WORKFLOW = "packs/shop/actions/workflows/broken.workflow.yaml"


def run_editor(
    tmp_path: Path,
    command: Sequence[str],
    env: dict[str, str],
    timeout: float,
    file: str = WORKFLOW,
) -> list[str]:
    """Run an editor on a copy of the test workspace; return the lines its script wrote.

    The script finds the workspace, the file to open, the output file and the Python
    that runs the server in ``ATTUNE_ROOT``, ``ATTUNE_FILE``, ``ATTUNE_OUT`` and
    ``ATTUNE_PYTHON``.
    """
    root = tmp_path / "ws"
    shutil.copytree(DATA, root)
    out = tmp_path / "diagnostics.txt"
    subprocess.run(
        list(command),
        env={
            **os.environ,
            "ATTUNE_ROOT": str(root),
            "ATTUNE_FILE": str(root / file),
            "ATTUNE_OUT": str(out),
            "ATTUNE_PYTHON": sys.executable,
            **env,
        },
        timeout=timeout,
        check=True,
        capture_output=True,
        stdin=subprocess.DEVNULL,
    )
    return out.read_text().splitlines()

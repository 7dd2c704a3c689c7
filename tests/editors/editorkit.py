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
# A folder name every editor percent-encodes in URIs, each its own way.
ODD_FOLDER = "sp ace+accént/ws"
# With ATTUNE_EDIT set, the scripts change the first line of the buffer to this before the
# server starts: only a check of the buffer itself reports it.
EDITED_REF = "Shop.Edited"


def run_editor(
    tmp_path: Path,
    command: Sequence[str],
    env: dict[str, str],
    timeout: float,
    file: str = WORKFLOW,
    folder: str = "ws",
) -> list[str]:
    """Run an editor on a copy of the test workspace; return the lines its script wrote.

    The script finds the workspace, the file to open, the output file and the Python
    that runs the server in ``ATTUNE_ROOT``, ``ATTUNE_FILE``, ``ATTUNE_OUT`` and
    ``ATTUNE_PYTHON``. The workspace is copied to ``folder`` under ``tmp_path``.
    """
    root = tmp_path / folder
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

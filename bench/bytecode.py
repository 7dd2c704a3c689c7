"""Compile the project's modules before timing whole processes.

An installed wheel ships its bytecode; an editable install run with
``PYTHONDONTWRITEBYTECODE`` set would compile every module on every start and
time the compiler instead of the command a user runs.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path


def compile_packages(*names: str) -> None:
    """Write the bytecode of the named packages (default: the engine and the server)."""
    folders = []
    for name in names or ("attune_workflow", "attune_lsp"):
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.origin is not None:
            folders.append(str(Path(spec.origin).parent))
    subprocess.run([sys.executable, "-m", "compileall", "-q", *folders], check=True)

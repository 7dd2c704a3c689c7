"""The language server with two test hooks on the analysis of files (run as a script).

For a file ``F`` of the workspace:

* ``F.gate``, a named pipe: the next analysis of ``F`` from the disk first reads the pipe
  to its end (and removes it), so it lasts until the test writes and closes it (opening the
  pipe to write returns once the analysis waits on it);
* ``F.analyses``, a file: each analysis of ``F`` that runs to its end appends a line, ``disk``
  (the file on disk) or ``open`` (an open document's buffer).
"""

from __future__ import annotations

import stat
import sys
from collections.abc import Mapping
from pathlib import Path

from attune_lsp import analysis
from attune_lsp.cli import run

_analyse = analysis.Project.analyse


def _gated_analyse(
    self: analysis.Project,
    uri: str,
    path: Path,
    text: str | None,
    version: int | None,
    overlay: Mapping[Path, str],
) -> analysis.Analysis | None:
    gate = path.with_name(f"{path.name}.gate")
    if text is None and gate.exists() and stat.S_ISFIFO(gate.stat().st_mode):
        gate.read_bytes()
        gate.unlink()
    result = _analyse(self, uri, path, text, version, overlay)
    record = path.with_name(f"{path.name}.analyses")
    if record.exists():
        with record.open("a", encoding="utf-8") as out:
            out.write("disk\n" if text is None else "open\n")
    return result


if __name__ == "__main__":
    analysis.Project.analyse = _gated_analyse  # type: ignore[method-assign]
    sys.argv[1:] = []
    run()

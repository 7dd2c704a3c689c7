"""Real paths: resolved once per folder within a batch, the same as resolved in full."""

from __future__ import annotations

import os
from pathlib import Path

from attune_workflow.files import folders_resolved_once, real_path


def test_batch_resolution_gives_the_full_resolution(tmp_path: Path) -> None:
    (tmp_path / "pack" / "actions").mkdir(parents=True)
    (tmp_path / "pack" / "actions" / "a.yaml").write_text("x: 1\n")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "b.yaml").write_text("y: 2\n")
    os.symlink(tmp_path / "pack", tmp_path / "linked")  # a linked folder
    os.symlink(tmp_path / "elsewhere" / "b.yaml", tmp_path / "pack" / "actions" / "b.yaml")
    os.symlink(tmp_path / "loop", tmp_path / "loop")  # a link loop
    paths = [
        tmp_path / "pack" / "actions" / "a.yaml",
        tmp_path / "linked" / "actions" / "a.yaml",
        tmp_path / "pack" / "actions" / "b.yaml",  # a linked file
        tmp_path / "linked" / "actions" / ".." / "actions" / "b.yaml",
        tmp_path / "pack" / "missing.yaml",
        tmp_path / "loop",
        tmp_path / "loop" / "x.yaml",
        Path("relative.yaml"),
        tmp_path,
    ]
    full = [real_path(path) for path in paths]
    with folders_resolved_once():
        batch = [real_path(path) for path in paths]
        again = [real_path(path) for path in paths]  # from the folder cache
    assert batch == full and again == full
    assert full[1] == full[0] and full[2] == tmp_path / "elsewhere" / "b.yaml"

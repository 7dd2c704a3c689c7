"""A real editor: headless Neovim attaches the server to a workflow and gets its diagnostic.

Neovim 0.7 (Debian's) has no ``vim.lsp.start``: the init file uses ``vim.lsp.start_client``
and ``vim.lsp.buf_attach_client``, waits for the diagnostics with ``vim.wait`` and writes
them to a file that the test reads.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).parent.parent / "lsp" / "data" / "workspace"
WORKFLOW = "packs/shop/actions/workflows/broken.workflow.yaml"

INIT = r"""
local root = os.getenv("ATTUNE_ROOT")
local file = os.getenv("ATTUNE_FILE")
local out = os.getenv("ATTUNE_OUT")
local client_id = vim.lsp.start_client({
  name = "attune-lsp",
  cmd = { os.getenv("ATTUNE_PYTHON"), "-m", "attune_lsp" },
  root_dir = root,
})
vim.cmd("edit " .. vim.fn.fnameescape(file))
vim.bo.filetype = "yaml"
vim.lsp.buf_attach_client(0, client_id)
local found = vim.wait(30000, function()
  for _, d in ipairs(vim.diagnostic.get(0)) do
    if d.code == "invalid-ref" then return true end
  end
  return false
end, 20)
local lines = {}
for _, d in ipairs(vim.diagnostic.get(0)) do
  table.insert(lines, string.format("%d:%d:%s:%s", d.lnum, d.col, d.code or "", d.message))
end
if not found then table.insert(lines, "TIMEOUT") end
vim.fn.writefile(lines, out)
vim.lsp.stop_client(client_id)
vim.cmd("qa!")
"""


@pytest.mark.skipif(shutil.which("nvim") is None, reason="nvim is not installed")
def test_neovim_shows_the_diagnostic_on_its_line(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    shutil.copytree(DATA, root)
    init = tmp_path / "init.lua"
    init.write_text(INIT)
    out = tmp_path / "diagnostics.txt"
    env = {
        **os.environ,
        "ATTUNE_ROOT": str(root),
        "ATTUNE_FILE": str(root / WORKFLOW),
        "ATTUNE_OUT": str(out),
        "ATTUNE_PYTHON": sys.executable,
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    subprocess.run(
        ["nvim", "--headless", "--clean", "-u", str(init)],
        env=env,
        timeout=90,
        check=True,
        capture_output=True,
        stdin=subprocess.DEVNULL,
    )
    lines = out.read_text().splitlines()
    assert "TIMEOUT" not in lines
    # `ref: Shop.Broken` is line 1, the value starts in column 6 (0-based: 0, 5).
    assert any(line.startswith("0:5:invalid-ref:Workflow ref 'Shop.Broken'") for line in lines)

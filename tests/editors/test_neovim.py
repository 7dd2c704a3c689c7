"""A real editor: headless Neovim attaches the server to a workflow and gets its diagnostic.

Neovim 0.7 (Debian's) has no ``vim.lsp.start``: the init file uses ``vim.lsp.start_client``
and ``vim.lsp.buf_attach_client``, waits for the diagnostics with ``vim.wait`` and writes
them to a file that the test reads.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from editorkit import EDITED_REF, ODD_FOLDER, run_editor

INIT = r"""
local root = os.getenv("ATTUNE_ROOT")
local file = os.getenv("ATTUNE_FILE")
local out = os.getenv("ATTUNE_OUT")
local want = os.getenv("ATTUNE_WANT") or "Shop.Broken"
local client_id = vim.lsp.start_client({
  name = "attune-lsp",
  cmd = { os.getenv("ATTUNE_PYTHON"), "-m", "attune_lsp" },
  root_dir = root,
})
vim.cmd("edit " .. vim.fn.fnameescape(file))
vim.bo.filetype = "yaml"
if os.getenv("ATTUNE_EDIT") then
  vim.api.nvim_buf_set_lines(0, 0, 1, false, { "ref: " .. want })
end
vim.lsp.buf_attach_client(0, client_id)
local found = vim.wait(30000, function()
  for _, d in ipairs(vim.diagnostic.get(0)) do
    if d.code == "invalid-ref" and string.find(d.message, want, 1, true) then return true end
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
    init = tmp_path / "init.lua"
    init.write_text(INIT)
    state = {"XDG_STATE_HOME": str(tmp_path / "state"), "XDG_DATA_HOME": str(tmp_path / "data")}
    lines = run_editor(tmp_path, ["nvim", "--headless", "--clean", "-u", str(init)], state, 90)
    assert "TIMEOUT" not in lines
    # `ref: Shop.Broken` is line 1, the value starts in column 6 (0-based: 0, 5).
    assert any(line.startswith("0:5:invalid-ref:Workflow ref 'Shop.Broken'") for line in lines)


@pytest.mark.skipif(shutil.which("nvim") is None, reason="nvim is not installed")
def test_neovim_checks_a_buffer_under_a_folder_that_needs_encoding(tmp_path: Path) -> None:
    init = tmp_path / "init.lua"
    init.write_text(INIT)
    env = {
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "ATTUNE_EDIT": "1",
        "ATTUNE_WANT": EDITED_REF,
    }
    command = ["nvim", "--headless", "--clean", "-u", str(init)]
    lines = run_editor(tmp_path, command, env, 90, folder=ODD_FOLDER)
    assert "TIMEOUT" not in lines
    assert any(line.startswith(f"0:5:invalid-ref:Workflow ref '{EDITED_REF}'") for line in lines)

"""A real editor: headless Neovim attaches the server to a workflow and gets its diagnostic.

Neovim 0.7 (Debian's) has no ``vim.lsp.start``: the init file uses ``vim.lsp.start_client``
and ``vim.lsp.buf_attach_client``, waits for the diagnostics with ``vim.wait`` and writes
them to a file that the test reads.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from editorkit import EDITED_REF, ODD_FOLDER, TYPED_REFS, check_completions, run_editor

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


COMPLETE = r"""
local root = os.getenv("ATTUNE_ROOT")
local out = os.getenv("ATTUNE_OUT")
local file = root .. "/packs/shop/actions/workflows/typed.workflow.yaml"
local client_id = vim.lsp.start_client({
  name = "attune-lsp",
  cmd = { os.getenv("ATTUNE_PYTHON"), "-m", "attune_lsp" },
  root_dir = root,
})
vim.o.swapfile = false
vim.cmd("edit " .. vim.fn.fnameescape(file))
vim.bo.filetype = "yaml"
vim.api.nvim_buf_set_lines(0, 0, -1, false, {'version: "1.0.0"', "tasks:", "  - name: a", "    action: x"})
vim.lsp.buf_attach_client(0, client_id)
vim.bo.omnifunc = "v:lua.vim.lsp.omnifunc"
vim.o.completeopt = "menuone,noinsert"
vim.wait(30000, function()
  local c = vim.lsp.get_client_by_id(client_id)
  return c ~= nil and c.initialized
end, 20)
local results = {}
local function key(k) return vim.api.nvim_replace_termcodes(k, true, false, true) end
for _, typed in ipairs(vim.split(os.getenv("ATTUNE_TYPED"), ",")) do
  vim.api.nvim_buf_set_lines(0, 3, 4, false, { "    action: " .. typed })
  vim.api.nvim_win_set_cursor(0, { 4, 0 })
  local words = {}
  local ticks = 0
  local timer = vim.loop.new_timer()
  timer:start(20, 20, vim.schedule_wrap(function()
    ticks = ticks + 1
    local info = vim.fn.complete_info({ "items", "pum_visible" })
    if #(info.items or {}) > 0 or ticks > 1000 then
      timer:stop()
      for _, it in ipairs(info.items or {}) do table.insert(words, it.word) end
      -- Accept the first item matching the typed word, then leave insert mode.
      vim.api.nvim_feedkeys(key("<C-y><Esc>"), "n", false)
    end
  end))
  vim.api.nvim_feedkeys(key("A<C-x><C-o>"), "nx!", false)
  vim.wait(30000, function() return vim.fn.mode() == "n" end, 10)
  table.insert(results, typed .. "|" .. vim.api.nvim_buf_get_lines(0, 3, 4, false)[1] .. "|" .. table.concat(words, ","))
end
vim.fn.writefile(results, out)
vim.lsp.stop_client(client_id)
vim.cmd("qa!")
"""


@pytest.mark.skipif(shutil.which("nvim") is None, reason="nvim is not installed")
def test_neovim_completes_the_word_after_a_dot(tmp_path: Path) -> None:
    """Neovim 0.7's omnifunc: the item's edit must cover the word Neovim filters on."""
    init = tmp_path / "init.lua"
    init.write_text(COMPLETE)
    env = {
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "ATTUNE_TYPED": ",".join(TYPED_REFS),
    }
    lines = run_editor(tmp_path, ["nvim", "--headless", "--clean", "-u", str(init)], env, 120)
    check_completions(lines)


QUIT = r"""
local out = os.getenv("ATTUNE_OUT")
local exited = nil
local client_id = vim.lsp.start_client({
  name = "attune-lsp",
  cmd = { os.getenv("ATTUNE_PYTHON"), "-m", "attune_lsp" },
  root_dir = os.getenv("ATTUNE_ROOT"),
  on_exit = function(code, signal) exited = string.format("exit %d signal %d", code, signal) end,
})
vim.o.swapfile = false
vim.cmd("edit " .. vim.fn.fnameescape(os.getenv("ATTUNE_FILE")))
vim.bo.filetype = "yaml"
vim.lsp.buf_attach_client(0, client_id)
vim.wait(30000, function() return #vim.diagnostic.get(0) > 0 end, 20)
vim.lsp.stop_client(client_id)
vim.wait(30000, function() return exited ~= nil end, 20)
vim.fn.writefile({ exited or "TIMEOUT" }, out)
vim.cmd("qa!")
"""


@pytest.mark.skipif(shutil.which("nvim") is None, reason="nvim is not installed")
def test_neovim_sees_the_server_quit_with_code_0(tmp_path: Path) -> None:
    """Neovim sends shutdown and exit when it stops the client; it reports other codes."""
    init = tmp_path / "init.lua"
    init.write_text(QUIT)
    env = {"XDG_STATE_HOME": str(tmp_path / "state"), "XDG_DATA_HOME": str(tmp_path / "data")}
    lines = run_editor(tmp_path, ["nvim", "--headless", "--clean", "-u", str(init)], env, 120)
    assert lines == ["exit 0 signal 0"]

"""A real editor: headless Neovim 0.7 asks the server for semantic tokens and inlay hints.

Neovim 0.7 draws neither, so the init file sends the requests with ``vim.lsp.buf_request_sync``, decodes the
tokens through the legend the server advertised, and writes one line per token and
per hint to a file that the test reads.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from editorkit import run_editor

GRAPH = "packs/shop/actions/workflows/fulfil.workflow.yaml"

INIT = r"""
local root = os.getenv("ATTUNE_ROOT")
local file = root .. "/" .. os.getenv("ATTUNE_TARGET")
local out = os.getenv("ATTUNE_OUT")
local lines = {}
local client_id = vim.lsp.start_client({
  name = "attune-lsp",
  cmd = { os.getenv("ATTUNE_PYTHON"), "-m", "attune_lsp" },
  root_dir = root,
})
vim.cmd("edit " .. vim.fn.fnameescape(file))
vim.bo.filetype = "yaml"
vim.lsp.buf_attach_client(0, client_id)
local ready = vim.wait(30000, function()
  local client = vim.lsp.get_client_by_id(client_id)
  return client ~= nil and client.initialized == true
end, 20)
if not ready then table.insert(lines, "TIMEOUT") end
local client = vim.lsp.get_client_by_id(client_id)
local legend = client.server_capabilities.semanticTokensProvider.legend
local doc = { textDocument = vim.lsp.util.make_text_document_params() }
local answers = vim.lsp.buf_request_sync(0, "textDocument/semanticTokens/full", doc, 30000)
local data = answers and answers[client_id] and answers[client_id].result
if data then
  data = data.data
  local line, col = 0, 0
  for i = 1, #data, 5 do
    if data[i] > 0 then col = 0 end
    line = line + data[i]
    col = col + data[i + 1]
    local text = vim.api.nvim_buf_get_lines(0, line, line + 1, false)[1]
    local byte = vim.str_byteindex(text, col, true)
    local stop = vim.str_byteindex(text, col + data[i + 2], true)
    local word = string.sub(text, byte + 1, stop)
    table.insert(lines, string.format("token %d %s %s", line, word, legend.tokenTypes[data[i + 3] + 1]))
  end
else
  table.insert(lines, "NO TOKENS")
end
local range = { start = { line = 0, character = 0 }, ["end"] = { line = 40, character = 0 } }
local hint_params = { textDocument = doc.textDocument, range = range }
answers = vim.lsp.buf_request_sync(0, "textDocument/inlayHint", hint_params, 30000)
local hints = answers and answers[client_id] and answers[client_id].result
for _, hint in ipairs(hints or {}) do
  table.insert(lines, string.format("hint %d %d %s", hint.position.line, hint.position.character, hint.label))
end
vim.fn.writefile(lines, out)
vim.lsp.stop_client(client_id)
vim.cmd("qa!")
"""


@pytest.mark.skipif(shutil.which("nvim") is None, reason="nvim is not installed")
def test_neovim_gets_semantic_tokens_and_inlay_hints(tmp_path: Path) -> None:
    init = tmp_path / "init.lua"
    init.write_text(INIT)
    env = {
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "ATTUNE_TARGET": GRAPH,
    }
    lines = run_editor(tmp_path, ["nvim", "--headless", "--clean", "-u", str(init)], env, 90)
    assert "TIMEOUT" not in lines and "NO TOKENS" not in lines
    tokens = [line for line in lines if line.startswith("token ")]
    # The tokens of line 28: "Done: {{ task.pack_order.sent_id }} {{ workflow.shipped }}"
    assert [t for t in tokens if t.startswith("token 27 ")] == [
        "token 27 {{ macro",
        "token 27 task namespace",
        "token 27 pack_order class",
        "token 27 sent_id property",
        "token 27 }} macro",
        "token 27 {{ macro",
        "token 27 workflow namespace",
        "token 27 shipped variable",
        "token 27 }} macro",
    ]
    assert "token 4 pack_order class" in tokens
    # `message` of task pack_order, line 8 (0-based 7), ends in column 13.
    assert "hint 7 13 (string, required)" in lines

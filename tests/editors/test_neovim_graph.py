"""A real editor asks for the workflow graph and is asked to open the drawn picture.

Headless Neovim sends the ``attune/workflowGraph`` request and runs ``attune.showGraph``;
its ``window/showDocument`` handler records what the server asked it to open. Neovim 0.7
announces no showDocument support, so the init file turns it on, as newer versions do.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from editorkit import run_editor

THREAD = "packs/mattermost/actions/workflows/post_thread.workflow.yaml"

INIT = r"""
local root = os.getenv("ATTUNE_ROOT")
local file = os.getenv("ATTUNE_FILE")
local out = os.getenv("ATTUNE_OUT")
local lines = {}
local capabilities = vim.lsp.protocol.make_client_capabilities()
capabilities.window.showDocument = { support = true }
local client_id = vim.lsp.start_client({
  name = "attune-lsp",
  cmd = { os.getenv("ATTUNE_PYTHON"), "-m", "attune_lsp" },
  root_dir = root,
  capabilities = capabilities,
  handlers = {
    ["window/showDocument"] = function(_, result)
      table.insert(lines, "show:" .. tostring(result.external) .. ":" .. result.uri)
      return { success = true }
    end,
  },
})
vim.cmd("edit " .. vim.fn.fnameescape(file))
vim.bo.filetype = "yaml"
vim.lsp.buf_attach_client(0, client_id)
vim.wait(30000, function()
  local c = vim.lsp.get_client_by_id(client_id)
  return c ~= nil and c.server_capabilities ~= nil
end, 20)
local client = vim.lsp.get_client_by_id(client_id)
local uri = vim.uri_from_bufnr(0)
local graph = client.request_sync("attune/workflowGraph", { textDocument = { uri = uri } }, 30000, 0)
if graph and graph.result then
  for _, n in ipairs(graph.result.nodes) do
    table.insert(lines, string.format("node:%s:%s:%d", n.id, n.name, n.nameRange.start.line))
  end
  for _, e in ipairs(graph.result.edges) do
    table.insert(lines, string.format("edge:%s>%s:%s", e.source, e.target, e.condition))
  end
else
  table.insert(lines, "NO-GRAPH " .. vim.inspect(graph))
end
local done = client.request_sync("workspace/executeCommand",
  { command = "attune.showGraph", arguments = { uri } }, 60000, 0)
if done and done.result then
  table.insert(lines, "command:" .. tostring(done.result.ok) .. ":" .. tostring(done.result.opened))
else
  table.insert(lines, "NO-COMMAND " .. vim.inspect(done))
end
vim.fn.writefile(lines, out)
vim.lsp.stop_client(client_id)
vim.cmd("qa!")
"""


@pytest.mark.skipif(shutil.which("nvim") is None, reason="nvim is not installed")
@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is installed by .ci/run")
def test_neovim_gets_the_graph_and_opens_the_picture(tmp_path: Path) -> None:
    init = tmp_path / "init.lua"
    init.write_text(INIT)
    pictures = tmp_path / "graphs"
    env = {
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "ATTUNE_LSP_GRAPH_DIR": str(pictures),
    }
    lines = run_editor(
        tmp_path, ["nvim", "--headless", "--clean", "-u", str(init)], env, 120, THREAD
    )
    assert lines[:3] == [
        "node:t0:create_root:3",
        "node:t1:create_replies:13",
        "edge:t0>t1:succeeded",
    ]
    shown = [line for line in lines if line.startswith("show:")]
    assert len(shown) == 1
    assert shown[0].startswith("show:true:file://")
    page = Path(shown[0].removeprefix("show:true:file://"))
    assert page.parent == pictures
    assert "<svg" in page.read_text(encoding="utf-8")
    assert lines[-1] == "command:true:true"

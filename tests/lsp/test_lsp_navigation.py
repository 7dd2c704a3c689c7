"""Hover, definition, references, rename, symbols and folding, end to end."""

from __future__ import annotations

from pathlib import Path

import pytest
from lspkit import Client, apply_edits, open_doc
from lsprotocol import types as lsp

pytestmark = pytest.mark.asyncio(loop_scope="module")

GRAPH = "packs/shop/actions/workflows/fulfil.workflow.yaml"
ACTION = "packs/shop/actions/fulfil.yaml"
NOTIFY = "packs/shop/actions/notify.yaml"


def at(text: str, needle: str, offset: int = 0, nth: int = 0) -> lsp.Position:
    """The position of the ``nth`` occurrence of ``needle`` (plus ``offset`` characters)."""
    index = -1
    for _ in range(nth + 1):
        index = text.index(needle, index + 1)
    index += offset
    line = text.count("\n", 0, index)
    return lsp.Position(line, index - (text.rfind("\n", 0, index) + 1))


async def opened(client: Client, workspace: Path, rel: str) -> tuple[str, str]:
    path = workspace / rel
    uri = await open_doc(client, path)
    return uri, path.read_text()


def doc_id(uri: str) -> lsp.TextDocumentIdentifier:
    return lsp.TextDocumentIdentifier(uri=uri)


async def hover_text(client: Client, uri: str, position: lsp.Position) -> str:
    result = await client.text_document_hover_async(
        lsp.HoverParams(text_document=doc_id(uri), position=position)
    )
    assert result is not None
    contents = result.contents
    assert isinstance(contents, lsp.MarkupContent)
    return contents.value


async def test_hover(client: Client, workspace: Path) -> None:
    uri, text = await opened(client, workspace, GRAPH)
    key = await hover_text(client, uri, at(text, "action:", 1))
    assert "**action**" in key and "pack.name" in key
    action = await hover_text(client, uri, at(text, "shop.notify", 3))
    assert "Send a notification to a channel" in action
    assert "| `message` | string | yes |" in action
    param = await hover_text(client, uri, at(text, "parameters.order_id", 13))
    assert "**order_id**: `string` (required)" in param and "The order to ship" in param
    function = await hover_text(client, uri, at(text, "succeeded()", 2))
    assert "succeeded()" in function and "just completed succeeded" in function
    namespace = await hover_text(client, uri, at(text, "workflow.shipped", 2))
    assert "Workflow variables" in namespace
    task = await hover_text(client, uri, at(text, "do: [ship]", 6))
    assert "**task** `ship`" in task and "core.echo" in task and "→ report" in task
    input_key = await hover_text(client, uri, at(text, "level: info", 1))
    assert "**level**" in input_key and "`info`" in input_key


async def definition(client: Client, uri: str, position: lsp.Position) -> list[lsp.Location]:
    result = await client.text_document_definition_async(
        lsp.DefinitionParams(text_document=doc_id(uri), position=position)
    )
    assert isinstance(result, list)
    return result


async def test_definition(client: Client, workspace: Path) -> None:
    uri, text = await opened(client, workspace, GRAPH)
    (task,) = await definition(client, uri, at(text, "do: [ship]", 6))
    assert task.uri == uri and task.range.start == at(text, "name: ship", 6)
    (ref,) = await definition(client, uri, at(text, "task.pack_order", 7))
    assert ref.range.start == at(text, "name: pack_order", 6)
    (action,) = await definition(client, uri, at(text, "shop.notify", 2))
    assert action.uri == (workspace / NOTIFY).as_uri()
    assert action.range.start == lsp.Position(0, 5)  # the `ref` value
    (param,) = await definition(client, uri, at(text, "parameters.order_id", 13))
    action_text = (workspace / ACTION).read_text()
    assert param.uri == (workspace / ACTION).as_uri()
    assert param.range.start == at(action_text, "order_id")
    (variable,) = await definition(client, uri, at(text, "workflow.shipped", 10))
    assert variable.uri == uri and variable.range.start == at(text, "shipped: false")
    action_uri, _ = await opened(client, workspace, ACTION)
    (graph,) = await definition(client, action_uri, at(action_text, "workflows/fulfil", 3))
    assert graph.uri == uri


async def test_references(client: Client, workspace: Path) -> None:
    uri, text = await opened(client, workspace, GRAPH)
    found = await client.text_document_references_async(
        lsp.ReferenceParams(
            text_document=doc_id(uri),
            position=at(text, "name: report", 7),
            context=lsp.ReferenceContext(include_declaration=True),
        )
    )
    assert found is not None
    starts = sorted((loc.range.start.line, loc.range.start.character) for loc in found)
    expected = [at(text, "report", nth=i) for i in range(3)]
    assert starts == sorted((p.line, p.character) for p in expected)
    without = await client.text_document_references_async(
        lsp.ReferenceParams(
            text_document=doc_id(uri),
            position=at(text, "name: report", 7),
            context=lsp.ReferenceContext(include_declaration=False),
        )
    )
    assert without is not None and len(without) == 2


async def rename(
    client: Client, uri: str, position: lsp.Position, new: str
) -> dict[str, list[lsp.TextEdit]]:
    edit = await client.text_document_rename_async(
        lsp.RenameParams(text_document=doc_id(uri), position=position, new_name=new)
    )
    assert edit is not None and edit.changes is not None
    return {k: list(v) for k, v in edit.changes.items()}


async def test_rename_task(client: Client, workspace: Path) -> None:
    uri, text = await opened(client, workspace, GRAPH)
    prepared = await client.text_document_prepare_rename_async(
        lsp.PrepareRenameParams(text_document=doc_id(uri), position=at(text, "task.pack_order", 8))
    )
    assert isinstance(prepared, lsp.PrepareRenamePlaceholder)
    assert prepared.placeholder == "pack_order"
    changes = await rename(client, uri, at(text, "task.pack_order", 8), "packing")
    assert list(changes) == [uri]
    result = apply_edits(text, changes[uri])
    assert "name: packing\n" in result and "{{ task.packing.sent_id }}" in result
    assert "pack_order" not in result


async def test_rename_variable(client: Client, workspace: Path) -> None:
    uri, text = await opened(client, workspace, GRAPH)
    changes = await rename(client, uri, at(text, "vars.shipped", 6), "done")
    result = apply_edits(text, changes[uri])
    assert "  done: false" in result and "- done: true" in result
    assert "{{ workflow.done }}" in result and "{{ vars.done }}" in result
    assert "shipped:" in result  # the output_map key is not the variable


async def test_rename_parameter_across_files(client: Client, workspace: Path) -> None:
    uri, text = await opened(client, workspace, GRAPH)
    changes = await rename(client, uri, at(text, "parameters.order_id", 12), "order")
    action_uri = (workspace / ACTION).as_uri()
    assert set(changes) == {uri, action_uri}
    graph = apply_edits(text, changes[uri])
    assert graph.count("parameters.order }}") == 2 and "order_id" not in graph
    action = apply_edits((workspace / ACTION).read_text(), changes[action_uri])
    assert "  order: {type: string" in action
    # An action's parameter: the `input` keys of its callers follow.
    notify_uri, notify = await opened(client, workspace, NOTIFY)
    changes = await rename(client, notify_uri, at(notify, "level:"), "severity")
    assert set(changes) == {notify_uri, uri}
    assert "      severity: info" in apply_edits(text, changes[uri])


async def refused(client: Client, uri: str, position: lsp.Position, new: str) -> str:
    """The message of a rename the server refuses."""
    with pytest.raises(Exception) as error:
        await client.text_document_rename_async(
            lsp.RenameParams(text_document=doc_id(uri), position=position, new_name=new)
        )
    return str(error.value)


async def test_rename_refuses_reserved_and_taken_names(client: Client, workspace: Path) -> None:
    uri, text = await opened(client, workspace, GRAPH)
    task = at(text, "name: ship", 6)
    assert "'item' is a reserved word" in await refused(client, uri, task, "item")
    assert "A task named 'report' already exists" in await refused(client, uri, task, "report")
    variable = at(text, "vars.shipped", 6)
    assert "reserved word" in await refused(client, uri, variable, "workflow")
    parameter = at(text, "parameters.order_id", 12)
    assert "'express' already exists" in await refused(client, uri, parameter, "express")


async def test_action_ref_in_its_own_file(client: Client, workspace: Path) -> None:
    uri, text = await opened(client, workspace, NOTIFY)
    ref = at(text, "shop.notify", 5)
    assert "Send a notification to a channel" in await hover_text(client, uri, ref)
    found = await client.text_document_references_async(
        lsp.ReferenceParams(
            text_document=doc_id(uri),
            position=ref,
            context=lsp.ReferenceContext(include_declaration=True),
        )
    )
    graph_uri = (workspace / GRAPH).as_uri()
    assert found is not None
    assert sorted(loc.uri for loc in found) == sorted([uri, graph_uri, graph_uri])
    changes = await rename(client, uri, ref, "shop.alert")
    assert apply_edits(text, changes[uri]).startswith("ref: shop.alert\n")
    graph = apply_edits((workspace / GRAPH).read_text(), changes[graph_uri])
    assert graph.count("action: shop.alert") == 2 and "shop.notify" not in graph
    assert "not a ref of pack 'shop'" in await refused(client, uri, ref, "other.alert")


async def test_prepare_rename_rejects_other_places(client: Client, workspace: Path) -> None:
    uri, text = await opened(client, workspace, GRAPH)
    for position in (at(text, "version"), at(text, "core.echo", 2), at(text, "succeeded", 1)):
        result = await client.text_document_prepare_rename_async(
            lsp.PrepareRenameParams(text_document=doc_id(uri), position=position)
        )
        assert result is None


async def test_document_symbols(client: Client, workspace: Path) -> None:
    uri, text = await opened(client, workspace, GRAPH)
    result = await client.text_document_document_symbol_async(
        lsp.DocumentSymbolParams(text_document=doc_id(uri))
    )
    assert result
    if isinstance(result[0], lsp.DocumentSymbol):
        tasks = [s for s in result if s.kind == lsp.SymbolKind.Function]
        assert [t.name for t in tasks] == ["pack_order", "ship", "report"]
        first = tasks[0]
        assert isinstance(first, lsp.DocumentSymbol) and first.children is not None
        assert [c.name for c in first.children] == ["next[0] → ship", "next[1] → report"]
        assert first.detail == "shop.notify"
        assert first.selection_range.start == at(text, "pack_order")
    else:
        names = [s.name for s in result]
        assert {"pack_order", "ship", "report", "next[0] → ship"} <= set(names)


async def test_workspace_symbols(client: Client, workspace: Path) -> None:
    result = await client.workspace_symbol_async(lsp.WorkspaceSymbolParams(query="post"))
    assert result is not None
    names = {(s.name, s.kind) for s in result}
    assert ("mattermost.post_message", lsp.SymbolKind.Class) in names
    assert ("mattermost.post_thread", lsp.SymbolKind.Module) in names  # the workflow
    tasks = await client.workspace_symbol_async(lsp.WorkspaceSymbolParams(query="create_repl"))
    assert tasks is not None
    (task,) = [s for s in tasks if s.name == "create_replies"]
    assert task.kind == lsp.SymbolKind.Function and task.container_name == "mattermost.post_thread"


async def test_folding(client: Client, workspace: Path) -> None:
    uri, text = await opened(client, workspace, GRAPH)
    result = await client.text_document_folding_range_async(
        lsp.FoldingRangeParams(text_document=doc_id(uri))
    )
    assert result is not None
    ranges = {(r.start_line, r.end_line) for r in result}
    lines = text.split("\n")
    ship = lines.index("  - name: ship")
    report = lines.index("  - name: report")
    assert (ship, report - 1) in ranges  # a task
    block = lines.index("      message: |")
    assert (block, block + 2) in ranges  # a block scalar
    tasks = lines.index("tasks:")
    assert (tasks, lines.index("output_map:") - 1) in ranges

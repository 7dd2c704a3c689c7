"""Completion end to end, on text being typed (often not valid YAML yet)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lspkit import Client, apply_edits, cursor, labels, open_scratch
from lsprotocol import types as lsp

pytestmark = pytest.mark.asyncio(loop_scope="module")

HEAD = 'version: "1.0.0"\nvars:\n  shipped: false\n'


async def complete(
    client: Client, workspace: Path, text: str
) -> tuple[str, list[lsp.CompletionItem]]:
    body, position = cursor(text)
    folder = workspace / "packs/shop/actions/workflows"
    uri = await open_scratch(client, folder, body)
    result = await client.text_document_completion_async(
        lsp.CompletionParams(text_document=lsp.TextDocumentIdentifier(uri=uri), position=position)
    )
    assert isinstance(result, lsp.CompletionList)
    return body, list(result.items)


def item(items: list[lsp.CompletionItem], label: str) -> lsp.CompletionItem:
    return next(i for i in items if i.label == label)


async def test_top_level_keys(client: Client, workspace: Path) -> None:
    _, items = await complete(client, workspace, HEAD + "§\n")
    names = labels(items)
    assert {"tasks", "output_map", "cancellation_policy", "description"} <= set(names)
    assert "version" not in names and "vars" not in names  # already there
    tasks = item(items, "tasks")
    assert tasks.detail == "list of Task mappings"
    assert tasks.sort_text is not None and tasks.sort_text.startswith("0")  # required first


async def test_task_transition_and_nested_keys(client: Client, workspace: Path) -> None:
    text = HEAD + "tasks:\n  - name: a\n    act§\n"
    _, items = await complete(client, workspace, text)
    assert {"action", "input", "next", "retry", "with_items"} <= set(labels(items))
    assert "name" not in labels(items)
    doc = item(items, "action").documentation
    assert doc is not None and "pack.name" in (doc if isinstance(doc, str) else doc.value)

    text = HEAD + "tasks:\n  - name: a\n    next:\n      - §\n"
    _, items = await complete(client, workspace, text)
    assert set(labels(items)) >= {"when", "publish", "do"}

    text = HEAD + "tasks:\n  - name: a\n    retry:\n      count: 3\n      §\n"
    _, items = await complete(client, workspace, text)
    assert set(labels(items)) >= {"delay", "backoff", "max_delay"}
    assert "count" not in labels(items)

    for key, expected in (
        ("wait_for", {"inquiry", "execution", "work_queue_item"}),
        ("iterate_cache", {"namespace", "owner_type", "page_size"}),
    ):
        text = HEAD + f"tasks:\n  - name: a\n    {key}:\n      §\n"
        _, items = await complete(client, workspace, text)
        assert expected <= set(labels(items)), key


async def test_enum_values(client: Client, workspace: Path) -> None:
    text = HEAD + "tasks:\n  - name: a\n    type: §\n"
    _, items = await complete(client, workspace, text)
    assert labels(items) == ["action", "parallel", "workflow"]
    text = HEAD + "tasks:\n  - name: a\n    retry:\n      backoff: ex§\n"
    body, items = await complete(client, workspace, text)
    assert set(labels(items)) == {"constant", "linear", "exponential"}
    edit = item(items, "exponential").text_edit
    assert isinstance(edit, lsp.TextEdit)
    assert "backoff: exponential\n" in apply_edits(body, [edit])
    _, items = await complete(client, workspace, HEAD + "cancellation_policy: §\n")
    assert set(labels(items)) == {"allow_finish", "cancel_running"}


TASKS = """tasks:
  - name: first
    action: core.echo
    next:
      - do: [§
  - name: second
    action: core.noop
  - name: third
    action: core.noop
"""


async def test_task_names_in_do_and_legacy_targets(client: Client, workspace: Path) -> None:
    _, items = await complete(client, workspace, HEAD + TASKS)
    assert set(labels(items)) == {"second", "third"}  # not the task itself
    block = TASKS.replace("      - do: [§", "      - do:\n          - second\n          - §")
    _, items = await complete(client, workspace, HEAD + block)
    assert "third" in labels(items)
    legacy = TASKS.replace("    next:\n      - do: [§", "    on_success: §")
    _, items = await complete(client, workspace, HEAD + legacy)
    assert set(labels(items)) == {"second", "third"}


async def test_action_refs(client: Client, workspace: Path) -> None:
    text = HEAD + "tasks:\n  - name: a\n    action: shop.§\n"
    body, items = await complete(client, workspace, text)
    names = labels(items)
    # After `shop.` only the refs that start with it: editors filter on the word after the dot.
    assert {"shop.notify", "shop.fulfil"} <= set(names)
    assert not [name for name in names if not name.startswith("shop.")]
    notify = item(items, "shop.notify")
    doc = notify.documentation
    assert doc is not None
    text_doc = doc if isinstance(doc, str) else doc.value
    assert "Send a notification" in text_doc and "| `message` |" in text_doc
    assert isinstance(notify.text_edit, lsp.TextEdit)
    assert "    action: shop.notify\n" in apply_edits(body, [notify.text_edit])


@pytest.mark.parametrize("typed", ["co", "core.", "core.ec", "core.ech"])
async def test_action_ref_edits_cover_the_typed_word(
    client: Client, workspace: Path, typed: str
) -> None:
    text = HEAD + f"tasks:\n  - name: a\n    action: {typed}§\n"
    body, items = await complete(client, workspace, text)
    echo = item(items, "core.echo")
    assert isinstance(echo.text_edit, lsp.TextEdit)
    assert "    action: core.echo\n" in apply_edits(body, [echo.text_edit])
    word = typed.rpartition(".")[2]
    line = body.splitlines()[echo.text_edit.range.start.line]
    start, end = echo.text_edit.range.start.character, echo.text_edit.range.end.character
    assert line[start:end] == word  # the edit replaces the word the editor filters on
    assert (echo.filter_text or echo.label).startswith(word)
    assert (echo.filter_text or echo.label) == echo.text_edit.new_text


async def test_input_names_required_first_as_snippets(client: Client, workspace: Path) -> None:
    text = (
        HEAD
        + "tasks:\n  - name: a\n    action: shop.notify\n    input:\n      level: info\n      §\n"
    )
    _, items = await complete(client, workspace, text)
    assert set(labels(items)) == {"message", "channel"}  # `level` is there already
    ordered = sorted(items, key=lambda i: i.sort_text or "")
    assert ordered[0].label == "message"
    channel = item(items, "channel")
    assert isinstance(channel.text_edit, lsp.TextEdit)
    assert channel.insert_text_format == lsp.InsertTextFormat.Snippet
    assert channel.text_edit.new_text == "channel: ${1:general}"


async def test_expression_names_members_and_functions(client: Client, workspace: Path) -> None:
    base = HEAD + 'tasks:\n  - name: a\n    action: core.echo\n    input:\n      message: "{{ §"\n'
    _, items = await complete(client, workspace, base)
    names = set(labels(items))
    assert {"parameters", "workflow", "task", "length", "join", "shipped"} <= names
    assert "succeeded" not in names  # only in transitions
    length = item(items, "length")
    assert length.detail == "length(v)"
    assert isinstance(length.text_edit, lsp.TextEdit) and length.text_edit.new_text == "length($1)"

    graph = workspace / "packs/shop/actions/workflows/fulfil.workflow.yaml"
    text = graph.read_text().replace(
        'message: "Packing {{ parameters.order_id }}"', 'message: "Packing {{ parameters.§ }}"'
    )
    body, position = cursor(text)
    uri = graph.as_uri()
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            text_document=lsp.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=body)
        )
    )
    result = await client.text_document_completion_async(
        lsp.CompletionParams(text_document=lsp.TextDocumentIdentifier(uri=uri), position=position)
    )
    assert set(labels(result)) == {"order_id", "express"}
    order = next(i for i in result.items if i.label == "order_id")  # type: ignore[union-attr]
    assert order.detail == "string"

    transition = HEAD + (
        "tasks:\n  - name: build\n    action: shop.notify\n    next:\n"
        '      - when: "{{ su§ }}"\n        do: [ship]\n  - name: ship\n    action: core.noop\n'
    )
    _, items = await complete(client, workspace, transition)
    assert "succeeded" in labels(items)
    output = HEAD + (
        "tasks:\n  - name: build\n    action: shop.notify\n  - name: ship\n"
        '    action: core.noop\n    input:\n      message: "{{ task.build.§ }}"\n'
    )
    _, items = await complete(client, workspace, output)
    assert labels(items) == ["sent_id"]  # the output of shop.notify


async def test_task_and_variable_members(client: Client, workspace: Path) -> None:
    text = HEAD + (
        "tasks:\n  - name: build\n    action: core.echo\n  - name: ship\n    action: core.echo\n"
        '    input:\n      message: "{{ task.§"\n'
    )
    _, items = await complete(client, workspace, text)
    assert set(labels(items)) == {"build", "ship"}
    _, items = await complete(client, workspace, text.replace("task.§", "workflow.§"))
    assert labels(items) == ["shipped"]
    _, items = await complete(client, workspace, text.replace("{{ task.§", '{{ task["§'))
    assert set(labels(items)) == {"build", "ship"}


async def test_completion_on_broken_yaml(client: Client, workspace: Path) -> None:
    # An unclosed flow sequence and a tab: the parser gives up, the lines still tell.
    text = HEAD + "tasks:\n  - name: a\n    action: [core.echo\n\t\n  - name: b\n    ret§\n"
    _, items = await complete(client, workspace, text)
    assert {"retry", "next", "input"} <= set(labels(items))
    text = HEAD + "tasks:\n  - name: a\n    next:\n      - do: [b, \n  - name: b\n    type: §"
    _, items = await complete(client, workspace, text)
    assert labels(items) == ["action", "parallel", "workflow"]


async def test_action_file_keys(client: Client, workspace: Path) -> None:
    text = "ref: shop.thing\n§\n"
    body, position = cursor(text)
    path = workspace / "packs/shop/actions/thing.yaml"
    uri = path.as_uri()
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            text_document=lsp.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=body)
        )
    )
    result = await client.text_document_completion_async(
        lsp.CompletionParams(text_document=lsp.TextDocumentIdentifier(uri=uri), position=position)
    )
    assert {"workflow_file", "parameters", "runner_type", "output"} <= set(labels(result))
    assert "ref" not in labels(result)

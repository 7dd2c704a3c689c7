"""Semantic tokens, links, highlights, selection ranges, signature help, incoming
transitions, inlay hints and snippets, end to end."""

from __future__ import annotations

import copy
import itertools
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
import yaml
from lspkit import CONFIG, Client, apply_edits, cursor, labels, open_doc, open_scratch, start
from lsprotocol import types as lsp
from pytest_lsp import client_capabilities

pytestmark = pytest.mark.asyncio(loop_scope="module")

GRAPH = "packs/shop/actions/workflows/fulfil.workflow.yaml"
ACTION = "packs/shop/actions/fulfil.yaml"
NOTIFY = "packs/shop/actions/notify.yaml"
SCRATCH = "packs/shop/actions/workflows"


def doc_id(uri: str) -> lsp.TextDocumentIdentifier:
    return lsp.TextDocumentIdentifier(uri=uri)


def at(text: str, needle: str, offset: int = 0, nth: int = 0) -> lsp.Position:
    """The UTF-16 position of the ``nth`` occurrence of ``needle`` plus ``offset``."""
    index = -1
    for _ in range(nth + 1):
        index = text.index(needle, index + 1)
    index += offset
    line_start = text.rfind("\n", 0, index) + 1
    column = len(text[line_start:index].encode("utf-16-le")) // 2
    return lsp.Position(text.count("\n", 0, index), column)


def span_text(text: str, rng: lsp.Range) -> str:
    """The text of a one-line LSP range (UTF-16 columns)."""
    line = text.split("\n")[rng.start.line].encode("utf-16-le")
    return line[rng.start.character * 2 : rng.end.character * 2].decode("utf-16-le")


async def opened(client: Client, workspace: Path, rel: str) -> tuple[str, str]:
    path = workspace / rel
    return await open_doc(client, path), path.read_text()


# -- semantic tokens -------------------------------------------------------------------------


def decode(
    client: Client, text: str, data: list[int]
) -> list[tuple[int, str, str, frozenset[str]]]:
    """(line, text, type, modifiers) of each token, read through the advertised legend."""
    provider = client.server_capabilities.semantic_tokens_provider
    assert provider is not None
    legend = provider.legend
    found = []
    line = column = 0
    lines = text.split("\n")
    for i in range(0, len(data), 5):
        delta_line, delta_start, length, kind, bits = data[i : i + 5]
        line += delta_line
        column = column + delta_start if delta_line == 0 else delta_start
        units = lines[line].encode("utf-16-le")[column * 2 : (column + length) * 2]
        modifiers = frozenset(
            name for n, name in enumerate(legend.token_modifiers) if bits & (1 << n)
        )
        found.append((line, units.decode("utf-16-le"), legend.token_types[kind], modifiers))
    return found


async def test_semantic_tokens_of_expressions_and_task_names(
    client: Client, workspace: Path
) -> None:
    provider = client.server_capabilities.semantic_tokens_provider
    assert isinstance(provider, lsp.SemanticTokensOptions)
    assert provider.full and provider.range
    assert {"namespace", "function", "class", "string", "number", "operator"} <= set(
        provider.legend.token_types
    )
    uri, text = await opened(client, workspace, GRAPH)
    result = await client.text_document_semantic_tokens_full_async(
        lsp.SemanticTokensParams(text_document=doc_id(uri))
    )
    assert result is not None
    tokens = decode(client, text, list(result.data))
    kinds = {(line, word): kind for line, word, kind, _ in tokens}
    assert kinds[(4, "pack_order")] == "class"  # - name: pack_order
    assert (4, "pack_order", "class", frozenset({"declaration"})) in tokens
    assert kinds[(7, "parameters")] == "namespace"
    assert kinds[(7, "order_id")] == "parameter"
    assert kinds[(7, "{{")] == kinds[(7, "}}")] == "macro"
    assert kinds[(9, "succeeded")] == "function"
    assert kinds[(12, "ship")] == "class"  # do: [ship]
    assert kinds[(27, "task")] == "namespace"
    assert kinds[(27, "pack_order")] == "class"  # task.pack_order
    assert kinds[(27, "sent_id")] == "property"
    assert kinds[(27, "shipped")] == "variable"
    assert all(word for _, word, _, _ in tokens)  # every token lands on its characters


async def test_semantic_tokens_count_utf16_and_cover_literals(
    client: Client, workspace: Path
) -> None:
    text = (
        'version: "1.0.0"\ntasks:\n  - name: a\n    action: core.echo\n    input:\n'
        "      message: \"🎉 {{ length(parameters.x) + 1.5 > 2 and 'y' in keys(item) }}\"\n"
    )
    uri = await open_scratch(client, workspace / SCRATCH, text)
    result = await client.text_document_semantic_tokens_full_async(
        lsp.SemanticTokensParams(text_document=doc_id(uri))
    )
    assert result is not None
    tokens = [(word, kind) for line, word, kind, _ in decode(client, text, list(result.data))]
    assert tokens[-14:] == [
        ("{{", "macro"),
        ("length", "function"),
        ("parameters", "namespace"),
        ("x", "parameter"),
        ("+", "operator"),
        ("1.5", "number"),
        (">", "operator"),
        ("2", "number"),
        ("and", "keyword"),
        ("'y'", "string"),
        ("in", "keyword"),
        ("keys", "function"),
        ("item", "namespace"),
        ("}}", "macro"),
    ]
    ranged = await client.text_document_semantic_tokens_range_async(
        lsp.SemanticTokensRangeParams(
            text_document=doc_id(uri), range=lsp.Range(lsp.Position(2, 0), lsp.Position(3, 0))
        )
    )
    assert ranged is not None
    assert [(w, k) for _, w, k, _ in decode(client, text, list(ranged.data))] == [("a", "class")]


# -- document links ----------------------------------------------------------------------------


async def test_document_links(client: Client, workspace: Path) -> None:
    uri, text = await opened(client, workspace, ACTION)
    links = await client.text_document_document_link_async(
        lsp.DocumentLinkParams(text_document=doc_id(uri))
    )
    assert links is not None
    assert [(span_text(text, link.range), link.target) for link in links] == [
        ("workflows/fulfil.workflow.yaml", (workspace / GRAPH).as_uri())
    ]
    uri, text = await opened(client, workspace, NOTIFY)
    links = await client.text_document_document_link_async(
        lsp.DocumentLinkParams(text_document=doc_id(uri))
    )
    assert links is not None
    notify_py = (workspace / "packs/shop/actions/notify.py").as_uri()
    assert [(span_text(text, link.range), link.target) for link in links] == [
        ("notify.py", notify_py)
    ]
    uri, text = await opened(client, workspace, GRAPH)
    links = await client.text_document_document_link_async(
        lsp.DocumentLinkParams(text_document=doc_id(uri))
    )
    assert links is not None
    # core.echo is known from the bundled index only: it has no file to open.
    assert [(span_text(text, link.range), link.target) for link in links] == [
        ("shop.notify", (workspace / NOTIFY).as_uri()),
        ("shop.notify", (workspace / NOTIFY).as_uri()),
    ]


# -- document highlight --------------------------------------------------------------------


async def highlights(
    client: Client, uri: str, text: str, position: lsp.Position
) -> list[tuple[int, str, lsp.DocumentHighlightKind | None]]:
    result = await client.text_document_document_highlight_async(
        lsp.DocumentHighlightParams(text_document=doc_id(uri), position=position)
    )
    assert result is not None
    return [(h.range.start.line, span_text(text, h.range), h.kind) for h in result]


async def test_document_highlight(client: Client, workspace: Path) -> None:
    uri, text = await opened(client, workspace, GRAPH)
    read, write = lsp.DocumentHighlightKind.Read, lsp.DocumentHighlightKind.Write
    variable = await highlights(client, uri, text, at(text, "workflow.shipped", 10))
    assert variable == [
        (2, "shipped", write),  # vars
        (11, "shipped", write),  # publish
        (27, "shipped", read),
        (30, "shipped", read),
    ]
    task = await highlights(client, uri, text, at(text, "name: report", 7))
    assert task == [(15, "report", read), (23, "report", read), (24, "report", write)]
    from_template = await highlights(client, uri, text, at(text, "task.pack_order", 6))
    assert from_template == [(4, "pack_order", write), (27, "pack_order", read)]
    assert (
        await client.text_document_document_highlight_async(
            lsp.DocumentHighlightParams(text_document=doc_id(uri), position=at(text, "version"))
        )
        is None
    )


# -- selection range -------------------------------------------------------------------------


async def test_selection_range_grows_from_the_expression_to_the_file(
    client: Client, workspace: Path
) -> None:
    uri, text = await opened(client, workspace, GRAPH)
    position = at(text, "task.pack_order", 7)
    result = await client.text_document_selection_range_async(
        lsp.SelectionRangeParams(text_document=doc_id(uri), positions=[position])
    )
    assert result is not None and len(result) == 1
    chain: list[lsp.Range] = []
    node: lsp.SelectionRange | None = result[0]
    while node is not None:
        chain.append(node.range)
        node = node.parent
    assert [span_text(text, r) for r in chain[:5]] == [
        "pack_order",
        "task.pack_order",
        "task.pack_order.sent_id",
        "{{ task.pack_order.sent_id }}",
        '"Done: {{ task.pack_order.sent_id }} {{ workflow.shipped }}"',
    ]
    for inner, outer in itertools.pairwise(chain):
        assert (outer.start.line, outer.start.character) <= (
            inner.start.line,
            inner.start.character,
        )
        assert (inner.end.line, inner.end.character) <= (outer.end.line, outer.end.character)
        assert inner != outer
    assert chain[-1].start == lsp.Position(0, 0)


# -- signature help ----------------------------------------------------------------------------


async def signature(client: Client, workspace: Path, text: str) -> lsp.SignatureHelp | None:
    body, position = cursor(text)
    uri = await open_scratch(client, workspace / SCRATCH, body)
    return await client.text_document_signature_help_async(
        lsp.SignatureHelpParams(text_document=doc_id(uri), position=position)
    )


TASK = 'version: "1.0.0"\ntasks:\n  - name: a\n    action: core.echo\n    input:\n'


async def test_signature_help(client: Client, workspace: Path) -> None:
    caps = client.server_capabilities.signature_help_provider
    assert caps is not None and "(" in (caps.trigger_characters or [])
    help_ = await signature(
        client, workspace, TASK + "      message: \"{{ replace(parameters.x, 'a', §) }}\"\n"
    )
    assert help_ is not None
    (sig,) = help_.signatures
    assert sig.label == "replace(s, old, new)"
    assert [p.label for p in sig.parameters or []] == ["s", "old", "new"]
    assert help_.active_parameter == 2
    # While typing: the block is not closed yet.
    help_ = await signature(client, workspace, TASK + "      message: |\n        {{ range(1, §\n")
    assert help_ is not None
    assert [s.label for s in help_.signatures] == ["range(n)", "range(start, end)"]
    assert help_.active_signature == 1 and help_.active_parameter == 1
    # Outside a call: nothing.
    assert await signature(client, workspace, TASK + '      message: "{{ §length(x) }}"\n') is None


# -- incoming transitions --------------------------------------------------------------------


async def test_incoming_transitions(client: Client, workspace: Path) -> None:
    uri, text = await opened(client, workspace, GRAPH)
    lenses = await client.text_document_code_lens_async(
        lsp.CodeLensParams(text_document=doc_id(uri))
    )
    assert lenses is not None
    started = {
        span_text(text, lens.range): lens.command.title
        for lens in lenses
        if lens.command and lens.command.title.startswith("started by")
    }
    assert started == {"ship": "started by pack_order", "report": "started by pack_order, ship"}
    refs = await client.text_document_references_async(
        lsp.ReferenceParams(
            text_document=doc_id(uri),
            position=at(text, "name: report", 7),
            context=lsp.ReferenceContext(include_declaration=False),
        )
    )
    assert refs is not None
    # The transitions of the tasks that start it: pack_order (line 15), ship (line 23).
    assert sorted(r.range.start.line for r in refs) == [15, 23]


# -- inlay hints -----------------------------------------------------------------------------


async def hints(client: Client, uri: str, text: str) -> list[tuple[str, str]]:
    result = await client.text_document_inlay_hint_async(
        lsp.InlayHintParams(
            text_document=doc_id(uri),
            range=lsp.Range(lsp.Position(0, 0), lsp.Position(len(text.split("\n")), 0)),
        )
    )
    assert result is not None
    lines = text.split("\n")
    found = []
    for hint in result:
        before = lines[hint.position.line].encode("utf-16-le")[: hint.position.character * 2]
        assert isinstance(hint.label, str)
        found.append((before.decode("utf-16-le").strip(), hint.label))
    return found


async def test_inlay_hints(client: Client, workspace: Path) -> None:
    uri, text = await opened(client, workspace, GRAPH)
    found = await hints(client, uri, text)
    assert found == [
        ("message", "(string, required)"),
        ("message", "(string)"),  # core.echo
        ("message", "(string, required)"),
        ("level", "(string)"),
    ]
    text = 'version: "1.0.0"\ntasks:\n  - name: a\n    action: shop.notify\n'
    uri = await open_scratch(client, workspace / SCRATCH, text)
    assert await hints(client, uri, text) == [
        ("action: shop.notify", "defaults: channel=general, level=info")
    ]


# -- snippets ----------------------------------------------------------------------------------


def expand(snippet: str) -> str:
    """A snippet with each placeholder replaced by its default (first choice)."""
    out = []
    i = 0
    while i < len(snippet):
        char = snippet[i]
        if char == "\\":
            out.append(snippet[i + 1])
            i += 2
        elif snippet.startswith("${", i):
            i += 2
            while snippet[i].isdigit():
                i += 1
            if snippet[i] == "|":  # a choice: keep the first
                end = snippet.index("|}", i)
                out.append(snippet[i + 1 : end].split(",")[0])
                i = end + 2
            else:  # ":" then the default, up to the unescaped "}"
                i += 1
                while snippet[i] != "}":
                    if snippet[i] == "\\":
                        i += 1
                    out.append(snippet[i])
                    i += 1
                i += 1
        elif char == "$" and snippet[i + 1 : i + 2].isdigit():
            i += 2
        else:
            out.append(char)
            i += 1
    return "".join(out)


async def completion_items(
    client: Client, workspace: Path, text: str
) -> tuple[str, list[lsp.CompletionItem]]:
    body, position = cursor(text)
    uri = await open_scratch(client, workspace / SCRATCH, body)
    result = await client.text_document_completion_async(
        lsp.CompletionParams(text_document=doc_id(uri), position=position)
    )
    assert isinstance(result, lsp.CompletionList)
    return body, list(result.items)


async def test_task_and_transition_snippets(client: Client, workspace: Path) -> None:
    head = 'version: "1.0.0"\ntasks:\n  - name: first\n    action: core.echo\n'
    body, items = await completion_items(client, workspace, head + "  - §\n")
    task = next(i for i in items if i.label == "task")
    assert task.kind == lsp.CompletionItemKind.Snippet
    assert task.insert_text_format == lsp.InsertTextFormat.Snippet
    assert isinstance(task.text_edit, lsp.TextEdit)
    assert "${1:task_1}" in task.text_edit.new_text
    expanded = expand(apply_edits(body, [task.text_edit]))
    new = yaml.safe_load(expanded)["tasks"][1]
    assert new == {
        "name": "task_1",
        "action": "core.echo",
        "input": {"message": "hello"},
        "next": [{"when": "{{ succeeded() }}", "do": ["first"]}],
    }
    body, items = await completion_items(client, workspace, head + "    next:\n      - §\n")
    entry = next(i for i in items if i.label == "when / do")
    assert isinstance(entry.text_edit, lsp.TextEdit)
    assert "${2|first|}" not in entry.text_edit.new_text  # one name: a plain placeholder
    expanded = expand(apply_edits(body, [entry.text_edit]))
    assert yaml.safe_load(expanded)["tasks"][0]["next"] == [
        {"when": "{{ succeeded() }}", "do": ["first"]}
    ]
    # Not on a key of an existing task.
    _, items = await completion_items(client, workspace, head + "    §\n")
    assert "task" not in labels(items) and "when / do" not in labels(items)


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def plain_client(lsp_client: Client, workspace: Path) -> AsyncIterator[None]:
    """A client whose completion does not support snippets."""
    capabilities = copy.deepcopy(client_capabilities("neovim"))
    assert capabilities.text_document and capabilities.text_document.completion
    item = capabilities.text_document.completion.completion_item
    assert item is not None
    item.snippet_support = False
    await start(lsp_client, "neovim", workspace, capabilities=capabilities)
    yield
    await lsp_client.shutdown_session()


async def test_no_snippets_without_client_support(plain_client: Client, workspace: Path) -> None:
    head = 'version: "1.0.0"\ntasks:\n  - name: first\n    action: core.echo\n'
    _, items = await completion_items(plain_client, workspace, head + "  - §\n")
    assert "name" in labels(items)  # the keys are still offered
    assert "task" not in labels(items)
    assert all(i.insert_text_format != lsp.InsertTextFormat.Snippet for i in items)

"""Broken files cost only their own findings: odd values in an open document, a broken
pack among 300, and packs the user never asked for (next to the workspace root).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from lspkit import CONFIG, PROFILES, Client, cursor, labels, open_doc, start
from lsprotocol import types as lsp

from hostile import FLOW, make_action_pack, make_user_pack

ODD_VALUES = {
    "int-tag-on-word": '!!int "soon"',
    "float-tag-on-word": '!!float "later"',
    "4301-digit-integer": "1" * 4301,
}
BROKEN_MANIFESTS = {
    "int-tag-on-word": 'ref: p{n}\nversion: !!int "x"\n',
    "4301-digit-integer": f"ref: p{{n}}\nversion: {'9' * 4301}\n",
    "syntax-error": "ref: p{n}\nversion: [1.0\n",
    "not-a-mapping": "- just\n- a list\n",
}


def make_packs(parent: Path, count: int, broken: str, broken_at: int) -> None:
    for n in range(count):
        manifest = BROKEN_MANIFESTS[broken].format(n=f"{n:03}") if n == broken_at else None
        make_action_pack(parent / f"p{n:03}", f"p{n:03}", manifest)


def codes(diagnostics: list[lsp.Diagnostic]) -> set[str]:
    return {str(d.code) for d in diagnostics}


def at(text: str, needle: str, offset: int = 0) -> lsp.Position:
    index = text.index(needle) + offset
    return lsp.Position(text.count("\n", 0, index), index - (text.rfind("\n", 0, index) + 1))


def doc(uri: str) -> lsp.TextDocumentIdentifier:
    return lsp.TextDocumentIdentifier(uri=uri)


async def hover(client: Client, uri: str, position: lsp.Position) -> str | None:
    result = await client.text_document_hover_async(
        lsp.HoverParams(text_document=doc(uri), position=position)
    )
    if result is None:
        return None
    assert isinstance(result.contents, lsp.MarkupContent)
    return result.contents.value


async def complete(client: Client, uri: str, folder: Path, text: str) -> list[str]:
    body, position = cursor(text)
    scratch = await open_doc(client, folder / "scratch.workflow.yaml", body)
    result = await client.text_document_completion_async(
        lsp.CompletionParams(text_document=doc(scratch), position=position)
    )
    return labels(result)


# -- an open document with odd values --------------------------------------------------------


@pytest_lsp.fixture(config=CONFIG, params=PROFILES)
async def lsp_client(
    lsp_client: Client, request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[None]:
    lsp_client.root = tmp_path / "ws"
    lsp_client.root.mkdir()
    await start(lsp_client, request.param, lsp_client.root)
    yield
    await lsp_client.shutdown_session()


@pytest.mark.asyncio
@pytest.mark.parametrize("value", list(ODD_VALUES.values()), ids=list(ODD_VALUES))
async def test_odd_value_keeps_the_documents_diagnostics(lsp_client: Client, value: str) -> None:
    graph = make_user_pack(lsp_client.root / "mine", FLOW.format(timeout="30"))
    text = FLOW.format(timeout=value)
    uri = await open_doc(lsp_client, graph, text)
    # Pulled (Neovim) or pushed (VS Code): a pull that failed would raise here.
    found = await lsp_client.diagnostics_of(uri, lambda d: "unknown-task" in codes(d))
    assert "unknown-task" in codes(found)
    assert not any("Internal error" in d.message for d in found)
    described = await hover(lsp_client, uri, at(text, "core.echo", 2))
    assert described is not None and "core.echo" in described
    assert await hover(lsp_client, uri, at(text, "timeout", 2)) is not None


# -- a workspace of 300 packs, one of them broken ----------------------------------------------


@pytest_lsp.fixture(config=CONFIG, params=PROFILES)
async def many_packs(
    lsp_client: Client, request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[Client]:
    """A server on a workspace of 300 packs and the user's, one pack broken."""
    root = tmp_path / "ws"
    make_packs(root / "packs", 300, "int-tag-on-word", 150)
    lsp_client.root = root
    make_user_pack(root / "packs" / "mine", FLOW.format(timeout="30"))
    await start(lsp_client, request.param, root)
    yield lsp_client
    await lsp_client.shutdown_session()


@pytest.mark.asyncio
async def test_one_broken_pack_among_300(many_packs: Client) -> None:
    client = many_packs
    graph = client.root / "packs/mine/actions/workflows/flow.workflow.yaml"
    text = graph.read_text()
    uri = await open_doc(client, graph)
    found = await client.diagnostics_of(uri, lambda d: "unknown-task" in codes(d))
    assert "unknown-action" not in codes(found)  # p007.run is known: the index was built
    described = await hover(client, uri, at(text, "p007.run", 2))
    assert described is not None and "Run step p007" in described
    references = await client.text_document_references_async(
        lsp.ReferenceParams(
            text_document=doc(uri),
            position=at(text, "second", 1),
            context=lsp.ReferenceContext(include_declaration=True),
        )
    )
    assert references is not None and len(references) == 2
    edit = await client.text_document_rename_async(
        lsp.RenameParams(text_document=doc(uri), position=at(text, "second", 1), new_name="later")
    )
    assert edit is not None and edit.changes is not None and len(edit.changes[uri]) == 2
    names = await complete(
        client, uri, graph.parent, 'version: "1.0.0"\ntasks:\n  - name: a\n    action: p29§\n'
    )
    assert "p299.run" in names
    # The broken pack's own manifest is reported, and only there.
    broken = (client.root / "packs/p150/pack.yaml").as_uri()
    manifest = await open_doc(client, client.root / "packs/p150/pack.yaml")
    assert manifest == broken
    assert await client.diagnostics_of(broken, lambda d: bool(d))


# -- packs next to the workspace root are not the user's ---------------------------------------


@pytest_lsp.fixture(config=CONFIG, params=["neovim"])
async def pack_root(
    lsp_client: Client, request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[Client]:
    """A server whose workspace root is a pack folder, among other (broken) packs."""
    packs = tmp_path / "packs"
    make_packs(packs, 40, request.node.callspec.params.get("broken", "syntax-error"), 7)
    lsp_client.root = packs / "mine"
    make_user_pack(lsp_client.root, FLOW.format(timeout="30"))
    await start(lsp_client, request.param, lsp_client.root)
    yield lsp_client
    await lsp_client.shutdown_session()


@pytest.mark.asyncio
@pytest.mark.parametrize("broken", list(BROKEN_MANIFESTS))
async def test_packs_beside_the_root_are_not_indexed(pack_root: Client, broken: str) -> None:
    client = pack_root
    graph = client.root / "actions/workflows/flow.workflow.yaml"
    uri = await open_doc(client, graph)
    found = await client.diagnostics_of(uri, lambda d: "unknown-task" in codes(d))
    assert "unknown-task" in codes(found)
    # A file of a pack outside the workspace: its pack is indexed, not its neighbours.
    other = await open_doc(client, client.root.parent / "p003" / "actions" / "run.yaml")
    await client.diagnostics_of(other)
    names = await complete(
        client, uri, graph.parent, 'version: "1.0.0"\ntasks:\n  - name: a\n    action: §\n'
    )
    assert "mine.flow" in names and "p003.run" in names
    assert [name for name in names if name.startswith("p0")] == ["p003.run"], names

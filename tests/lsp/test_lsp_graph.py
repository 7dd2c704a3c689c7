"""The workflow graph request, the showGraph command and rehearsal in the editor."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lspkit import PROFILES, Client, copy_workspace, open_doc, server_config, start
from lsprotocol import types as lsp
from pytest_lsp import client_capabilities

from graph_edges import CORPUS_EDGES

THREAD = "packs/mattermost/actions/workflows/post_thread.workflow.yaml"
DEPLOY = "packs/deployments/actions/workflows/deploy_app.workflow.yaml"
SCENARIO = """\
name: two replies
workflow: mattermost.post_thread
parameters:
  channel_id: abcdefghijklmnopqrstuvwxyz
  message: hello
  replies: [one, two]
tasks:
  create_root:
    result: {result: {post: {id: p1}}}
expect:
  order: [create_root, create_replies]
  output: {root_post_id: p1, reply_count: 2}
"""


CONFIG = server_config(ATTUNE_LSP_GRAPH_DIR=str(Path(tempfile.gettempdir()) / "attune-lsp-graphs"))


@pytest_lsp.fixture(config=CONFIG, params=PROFILES)
async def lsp_client(
    lsp_client: Client, request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[None]:
    """A server on a workspace whose mattermost pack has a scenario."""
    root = copy_workspace(tmp_path / "ws")
    tests = root / "packs" / "mattermost" / "tests"
    tests.mkdir()
    (tests / "thread.scenario.yaml").write_text(SCENARIO, encoding="utf-8")
    lsp_client.root = root

    @lsp_client.feature(lsp.WORKSPACE_INLAY_HINT_REFRESH)
    def inlay_refresh(ls: Client, params: Any) -> None:
        return None

    await start(lsp_client, request.param, root)
    yield
    await lsp_client.shutdown_session()


def field(obj: Any, name: str) -> Any:
    return obj[name] if isinstance(obj, dict) else getattr(obj, name)


async def graph(client: Client, uri: str) -> Any:
    return await client.protocol.send_request_async(
        "attune/workflowGraph", {"textDocument": {"uri": uri}}
    )


LEGACY = """\
version: "1.0"
tasks:
  - name: task1
    action: core.echo
    on_success: task_s
    on_failure: task_f
    on_complete: task_c
    on_timeout: task_t
    publish:
      - out: "{{ result() }}"
  - name: task_s
    action: core.echo
  - name: task_f
    action: core.echo
  - name: task_c
    action: core.echo
  - name: task_t
    action: core.echo
"""

EDGES = {
    **CORPUS_EDGES,
    "legacy": [
        ("task1", "task_s", "succeeded", ["out"]),
        ("task1", "task_f", "failed", []),
        ("task1", "task_c", "always", []),
        ("task1", "task_t", "timed_out", []),
    ],
}


def edges_of(data: Any) -> list[tuple[str, str, str, list[str]]]:
    names = {field(n, "id"): field(n, "name") for n in field(data, "nodes")}
    return [
        (
            names[field(e, "source")],
            names[field(e, "target")],
            field(e, "condition"),
            list(field(e, "publishes")),
        )
        for e in field(data, "edges")
    ]


@pytest.mark.parametrize("which", list(EDGES))
async def test_the_request_gives_every_edge(lsp_client: Client, which: str) -> None:
    if which == "legacy":
        uri = await open_doc(
            lsp_client, lsp_client.root / "packs/shop/workflows/legacy.yaml", LEGACY
        )
    else:
        uri = await open_doc(lsp_client, lsp_client.root / which)
    assert edges_of(await graph(lsp_client, uri)) == EDGES[which]


async def test_the_graph_request_gives_nodes_edges_and_ranges(lsp_client: Client) -> None:
    uri = await open_doc(lsp_client, lsp_client.root / DEPLOY)
    await lsp_client.pushed(uri)
    data = await graph(lsp_client, uri)
    nodes = {field(n, "id"): n for n in field(data, "nodes")}
    assert field(data, "dot").startswith("digraph workflow {")
    validate = nodes["t0"]
    assert field(validate, "state") == "error" and field(validate, "entry") is True
    name_range = field(validate, "nameRange")
    assert field(field(name_range, "start"), "line") == 9
    assert field(field(name_range, "start"), "character") == 10
    first = field(data, "edges")[0]
    assert field(first, "publishes") == ["validation_summary"]
    assert field(field(field(first, "range"), "start"), "line") == 20


async def test_a_file_that_is_not_a_workflow_gives_an_empty_graph(lsp_client: Client) -> None:
    uri = await open_doc(lsp_client, lsp_client.root / "packs/mattermost/pack.yaml")
    data = await graph(lsp_client, uri)
    assert list(field(data, "nodes")) == [] and list(field(data, "edges")) == []


async def test_show_graph_writes_a_page_and_asks_the_client_to_open_it(
    lsp_client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uri = await open_doc(lsp_client, lsp_client.root / THREAD)
    result = await lsp_client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command="attune.showGraph", arguments=[uri])
    )
    shown = lsp_client.shown_documents
    window = client_capabilities(lsp_client.profile).window
    if not (window and window.show_document and window.show_document.support):
        # Profiles without showDocument support get the path in a message instead.
        assert field(result, "opened") is False
        assert any("Workflow graph written to" in m.message for m in lsp_client.messages)
        return
    assert field(result, "ok") is True and field(result, "opened") is True
    assert len(shown) == 1 and shown[0].external is True
    page = Path(shown[0].uri.removeprefix("file://"))
    html = page.read_text(encoding="utf-8")
    assert "<svg" in html and "create_root" in html and "create_replies" in html


async def test_rehearse_lens_hints_hover_and_path(lsp_client: Client) -> None:
    path = lsp_client.root / THREAD
    uri = await open_doc(lsp_client, path)
    await lsp_client.pushed(uri)
    lenses = await lsp_client.text_document_code_lens_async(
        lsp.CodeLensParams(text_document=lsp.TextDocumentIdentifier(uri=uri))
    )
    rehearse = [
        lens for lens in lenses or [] if lens.command and lens.command.command == "attune.rehearse"
    ]
    assert [lens.command.title for lens in rehearse if lens.command] == ["Rehearse: two replies"]
    command = rehearse[0].command
    assert command is not None
    result = await lsp_client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command=command.command, arguments=command.arguments)
    )
    assert field(result, "ok") is True
    hints = await lsp_client.text_document_inlay_hint_async(
        lsp.InlayHintParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri),
            range=lsp.Range(start=lsp.Position(0, 0), end=lsp.Position(40, 0)),
        )
    )
    # The rehearsal's path comes with the input hints of the tasks' actions.
    path_hints = [(h.position.line, h.label) for h in hints or [] if str(h.label).startswith("ran")]
    assert path_hints == [(3, "ran 1st"), (13, "ran 2nd")]
    # `root_id: "{{ task.create_root.result.post.id }}"` is line 21 (0-based).
    hover = await lsp_client.text_document_hover_async(
        lsp.HoverParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri), position=lsp.Position(21, 30)
        )
    )
    assert hover is not None
    assert isinstance(hover.contents, lsp.MarkupContent)
    assert hover.contents.value == '**Rehearsal two replies**: `"p1"`'
    data = await graph(lsp_client, uri)
    ran = field(field(data, "path"), "ran")
    assert (field(ran, "create_root"), field(ran, "create_replies")) == (1, 2)
    assert "ran 1st" in field(data, "dot")
    # The path is shown until the next edit.
    text = path.read_text(encoding="utf-8")
    lsp_client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=text + "# edited\n")],
        )
    )
    hints = await lsp_client.text_document_inlay_hint_async(
        lsp.InlayHintParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri),
            range=lsp.Range(start=lsp.Position(0, 0), end=lsp.Position(40, 0)),
        )
    )
    assert hints is not None
    assert not [h for h in hints if str(h.label).startswith(("ran", "skipped"))]
    data = await graph(lsp_client, uri)
    assert "path" not in (data if isinstance(data, dict) else data._fields)

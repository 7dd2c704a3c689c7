"""The register commands and code lens against a real PostgreSQL, and a database that is down."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lspkit import (
    CONFIG,
    PROFILES,
    TIMEOUT,
    Client,
    copy_workspace,
    drop_database,
    new_database,
    open_doc,
    start,
)
from lsprotocol import types as lsp


def lsp_uri_path(uri: str) -> str:
    from urllib.parse import unquote, urlparse

    return unquote(urlparse(uri).path)


THREAD = "packs/mattermost/actions/workflows/post_thread.workflow.yaml"
BROKEN = "packs/shop/actions/workflows/broken.workflow.yaml"
SECRET = "s3cret-pw"
DOWN_URL = f"postgresql://attune:{SECRET}@127.0.0.1:1/attune"


@pytest_lsp.fixture(config=CONFIG, params=PROFILES)
async def lsp_client(
    lsp_client: Client, request: pytest.FixtureRequest, tmp_path: Path, postgres: str
) -> AsyncIterator[None]:
    """A server on a workspace and a migrated database of its own."""
    name, url = new_database(postgres)
    lsp_client.root = copy_workspace(tmp_path / "ws")
    await start(lsp_client, request.param, lsp_client.root, {"databaseUrl": url})
    yield
    await lsp_client.shutdown_session()
    drop_database(postgres, name)


async def command(client: Client, name: str, target: Path) -> dict[str, Any]:
    result = await asyncio.wait_for(
        client.workspace_execute_command_async(
            lsp.ExecuteCommandParams(command=name, arguments=[target.as_uri()])
        ),
        TIMEOUT,
    )
    assert isinstance(result, dict)
    return result


async def lens_titles(client: Client, uri: str) -> list[str]:
    lenses = await client.text_document_code_lens_async(
        lsp.CodeLensParams(text_document=lsp.TextDocumentIdentifier(uri=uri))
    )
    return [lens.command.title for lens in lenses or [] if lens.command]


def logged(client: Client) -> str:
    return "\n".join(m.message for m in client.log_messages)


async def outcome(client: Client, text: str) -> lsp.ShowMessageParams:
    """The message the server shows once a confirmed command is done."""

    def shown() -> lsp.ShowMessageParams | None:
        return next((m for m in client.messages if text in m.message), None)

    found: lsp.ShowMessageParams = await client.wait_for(shown)
    return found


def pending(result: dict[str, Any]) -> bool:
    """The request was answered at once; the question and the rest come after it."""
    return bool(result["ok"] and result.get("pending") and result["shown"])


@pytest.mark.asyncio
async def test_register_workflow_round_trip(lsp_client: Client) -> None:
    client = lsp_client
    path = client.root / THREAD
    uri = await open_doc(client, path)
    assert (await lens_titles(client, uri))[0] == "Attune: not registered"

    dry = await command(client, "attune.registerDryRun", path)
    assert dry["ok"] and not dry["written"]
    assert dry["outcomes"][0]["status"] == "created"
    assert not client.requests  # a dry run writes nothing and asks nothing

    client.answers.append("Register")
    assert pending(await command(client, "attune.register", path))
    done = await outcome(client, "Registered (")
    assert done.type == lsp.MessageType.Info and "1 workflow: 1 created" in done.message
    (question,) = client.requests
    assert [a.title for a in question.actions or []] == ["Register", "Cancel"]
    assert "mattermost.post_thread" in question.message
    assert "1 workflow: 1 created" in question.message  # what registering would do
    ends = [
        v
        for values in client.progress_reports.values()
        for v in values
        if isinstance(v, lsp.WorkDoneProgressBegin) and "Registering" in (v.title or "")
    ]
    assert ends
    assert (await lens_titles(client, uri))[0] == "Attune: up to date"

    # Change the file on disk: the lens says it differs and a dry run lists the change.
    text = path.read_text().replace("concurrency: 1", "concurrency: 2")
    path.write_text(text)
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )
    client.text_document_did_save(
        lsp.DidSaveTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=uri))
    )
    assert (await lens_titles(client, uri))[0] == "Attune: differs from the database"
    dry = await command(client, "attune.registerDryRun", path)
    assert dry["outcomes"][0]["status"] == "updated"
    assert "~ task create_replies (concurrency)" in dry["outcomes"][0]["diff"]
    assert "~ task create_replies (concurrency)" in logged(client)
    # The user sees the changes: in a read-only document, or in the message itself.
    if client.shown_documents:
        (opened,) = client.shown_documents
        diff = Path(lsp_uri_path(opened.uri))
        assert "~ task create_replies (concurrency)" in diff.read_text()
        assert not os.access(diff, os.W_OK) or os.geteuid() == 0
        assert not diff.stat().st_mode & 0o222
    else:
        assert "~ task create_replies (concurrency)" in dry["message"]

    client.answers.append("Unregister")
    assert pending(await command(client, "attune.unregister", path))
    assert "1 removed" in (await outcome(client, "Unregistered: ")).message
    assert (await lens_titles(client, uri))[0] == "Attune: not registered"


@pytest.mark.asyncio
async def test_cancel_refuse_and_pack(lsp_client: Client) -> None:
    client = lsp_client
    path = client.root / THREAD
    client.answers.append("Cancel")
    assert pending(await command(client, "attune.register", path))
    await outcome(client, "Registration cancelled")
    assert (await command(client, "attune.registerDryRun", path))["outcomes"][0]["status"] == (
        "created"
    )  # still not registered

    asked = len(client.requests)
    refused = await command(client, "attune.register", client.root / BROKEN)
    assert not refused["ok"]
    assert "error" in refused["message"] and "not registered" in refused["message"]
    assert refused["message"].startswith("Shop.Broken has ")
    assert len(client.requests) == asked  # refused before asking
    assert "[invalid-ref]" in logged(client)
    errors = [m for m in client.messages if m.type == lsp.MessageType.Error]
    assert any("not registered" in m.message for m in errors)

    client.answers.append("Register")
    assert pending(await command(client, "attune.registerPack", client.root / "packs/mattermost"))
    assert "1 workflow: 1 created" in (await outcome(client, "Registered (")).message


@pytest_lsp.fixture(config=CONFIG, params=PROFILES)
async def down(
    lsp_client: Client, request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[None]:
    """A server whose database does not answer."""
    lsp_client.root = copy_workspace(tmp_path / "ws")
    await start(lsp_client, request.param, lsp_client.root, {"databaseUrl": DOWN_URL})
    yield
    await lsp_client.shutdown_session()


@pytest.mark.asyncio
async def test_database_down(down: Client) -> None:
    client = down

    def errors() -> list[lsp.ShowMessageParams]:
        return [m for m in client.messages if m.type == lsp.MessageType.Error]

    await client.wait_for(errors)
    assert "database is unavailable" in errors()[0].message
    path = client.root / THREAD
    uri = await open_doc(client, path)
    hover = await client.text_document_hover_async(
        lsp.HoverParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri), position=lsp.Position(4, 14)
        )
    )
    assert hover is not None  # still serving
    assert (await lens_titles(client, uri))[0].startswith("Attune: database unavailable")
    result = await command(client, "attune.registerDryRun", path)
    assert not result["ok"] and "database is unavailable" in result["message"]
    # Registering fails before asking anything, and the lens title stays short.
    client.answers.append("Register")
    failed = await command(client, "attune.register", path)
    assert not failed["ok"] and "database is unavailable" in failed["message"]
    assert not client.requests
    assert (await lens_titles(client, uri))[0] == "Attune: database unavailable"
    everything = logged(client) + "".join(m.message for m in client.messages) + str(result)
    everything += "".join(await lens_titles(client, uri))
    assert SECRET not in everything
    assert "***" in result["message"]
    assert len([m for m in errors() if "database is unavailable (" in m.message]) == 1


@pytest.mark.asyncio
async def test_the_question_does_not_hold_the_request(lsp_client: Client) -> None:
    client = lsp_client
    later: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    client.answers.append(later)
    result = await command(client, "attune.register", client.root / THREAD)
    assert pending(result)  # answered while the question waits for the user
    await client.wait_for(lambda: client.requests)
    later.set_result("Register")
    assert "1 workflow: 1 created" in (await outcome(client, "Registered (")).message


@pytest.mark.asyncio
async def test_a_pack_with_a_broken_workflow_names_it(lsp_client: Client) -> None:
    client = lsp_client
    result = await command(client, "attune.registerPack", client.root / "packs/shop")
    assert not result["ok"] and not client.requests
    message = result["message"]
    assert message.startswith("Shop.Broken has ") and "nothing is registered" in message
    assert "workflows has" not in message
    # One workflow: its ref as written, not capitalised.
    thread = client.root / THREAD
    thread.write_text(
        thread.read_text().replace("concurrency: 1", "concurrency: 1\n    concurrency: 2")
    )
    result = await command(client, "attune.register", thread)
    assert result["message"].startswith("mattermost.post_thread has 1 error and is not registered")


@pytest.mark.asyncio
async def test_register_a_pack_of_200_workflows(lsp_client: Client) -> None:
    client = lsp_client
    pack = client.root / "packs" / "big"
    (pack / "workflows").mkdir(parents=True)
    (pack / "pack.yaml").write_text('ref: big\nlabel: Big\nversion: "1.0.0"\n')
    for i in range(200):
        (pack / "workflows" / f"w{i}.yaml").write_text(
            f'ref: big.w{i}\nlabel: W{i}\nversion: "1.0.0"\n'
            "tasks:\n  - name: a\n    action: core.noop\n"
        )
    client.answers.append("Register")
    assert pending(await command(client, "attune.registerPack", pack))
    assert "200 workflows: 200 created" in (await outcome(client, "Registered (")).message

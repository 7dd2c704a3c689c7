"""Documents whose URIs need percent-encoding get their diagnostics, pushed and pulled.

Each client spells URIs its own way: VS Code encodes every reserved character (``+`` as
``%2B``), Neovim leaves ``+`` as it is. The workspace here lives under a folder whose
name needs encoding, so the scan, open files and unsaved buffers all go through it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest
import pytest_lsp
from lspkit import CONFIG, PROFILES, Client, copy_workspace, start
from lsprotocol import types as lsp

BROKEN = "packs/shop/actions/workflows/broken.workflow.yaml"
DEPLOY = "packs/deployments/actions/workflows/deploy_app.workflow.yaml"
WORKFLOWS = "packs/shop/actions/workflows"
ODD = "sp ace+accént"
# Neovim keeps these characters as they are; VS Code encodes all but the unreserved ones.
SAFE = {"visual_studio_code": "/", "neovim": "/+"}


def spelled(client: Client, path: str) -> str:
    """The URI of a path as the client's editor spells it."""
    return "file://" + quote(path, safe=SAFE[client.profile])


def names_file(uri: str, path: str) -> bool:
    """Whether a URI, however spelled, names this path."""
    parts = urlsplit(uri)
    return parts.scheme == "file" and unquote(parts.path) == path


def codes(diagnostics: list[lsp.Diagnostic]) -> set[str]:
    return {str(d.code) for d in diagnostics}


@pytest_lsp.fixture(config=CONFIG, params=PROFILES)
async def lsp_client(
    lsp_client: Client, request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[None]:
    """A server on a workspace under a folder whose name needs encoding."""
    lsp_client.profile = request.param
    lsp_client.root = copy_workspace(tmp_path / ODD / "ws")
    root = lsp_client.root
    await start(lsp_client, request.param, root, root_uri=spelled(lsp_client, str(root)))
    yield
    await lsp_client.shutdown_session()


def open_text(client: Client, uri: str, text: str) -> None:
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            text_document=lsp.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text)
        )
    )


async def diagnostics(
    client: Client,
    uri: str,
    path: str,
    expected: set[str],
    also: Callable[[list[lsp.Diagnostic]], bool] = lambda d: True,
) -> set[str]:
    """The codes of a document's diagnostics once they hold ``expected`` (pulled or pushed)."""

    def check(found: list[lsp.Diagnostic]) -> bool:
        return expected <= codes(found) and also(found)

    if client.profile == "neovim":
        return codes(await client.diagnostics_of(uri, check))

    def ready() -> set[str] | None:
        for key, params in client.published.by_uri.items():
            if names_file(key, path) and check(list(params.diagnostics)):
                return codes(list(params.diagnostics))
        return None

    result: set[str] = await client.wait_for(ready)
    return result


@pytest.mark.asyncio
async def test_open_file_under_encoded_folder(lsp_client: Client) -> None:
    path = str(lsp_client.root / BROKEN)
    uri = spelled(lsp_client, path)
    # The buffer differs from the disk: its ref is valid, so only its own check says so.
    text = Path(path).read_text(encoding="utf-8").replace("Shop.Broken", "shop.broken")
    open_text(lsp_client, uri, text)
    found = await diagnostics(
        lsp_client, uri, path, {"duplicate-key"}, lambda d: "invalid-ref" not in codes(d)
    )
    assert "invalid-ref" not in found


@pytest.mark.asyncio
async def test_scan_reports_files_under_encoded_folder(lsp_client: Client) -> None:
    path = str(lsp_client.root / DEPLOY)
    if lsp_client.profile == "neovim":
        report = await lsp_client.workspace_diagnostic_async(
            lsp.WorkspaceDiagnosticParams(previous_result_ids=[])
        )
        assert any(names_file(item.uri, path) for item in report.items)
    else:
        await diagnostics(lsp_client, spelled(lsp_client, path), path, set())


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "name",
    [
        "nul\x00byte.workflow.yaml",
        "per%cent.workflow.yaml",
        "/".join(["x" * 300] * 20) + "/long.workflow.yaml",
    ],
    ids=["nul", "percent", "very-long"],
)
async def test_unsaved_buffer_with_odd_name(lsp_client: Client, name: str) -> None:
    path = str(lsp_client.root / WORKFLOWS) + "/" + name
    uri = spelled(lsp_client, path)
    assert len(uri) > 6000 or "%" in uri
    text = "ref: Shop.Odd\nversion: '1.0.0'\ntasks:\n  - name: a\n    action: core.echo\n"
    open_text(lsp_client, uri, text + "    next: [{do: [nowhere]}]\n")
    found = await diagnostics(lsp_client, uri, path, {"invalid-ref", "unknown-task"})
    assert {"invalid-ref", "unknown-task"} <= found

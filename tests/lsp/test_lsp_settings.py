"""Settings: initialization options, changes, pulled configuration, bad values, project files."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from lspkit import CONFIG, PROFILES, Client, copy_workspace, open_doc, start
from lsprotocol import types as lsp

BROKEN = "packs/shop/actions/workflows/broken.workflow.yaml"


def severities(diagnostics: list[lsp.Diagnostic]) -> dict[str, lsp.DiagnosticSeverity | None]:
    return {str(d.code): d.severity for d in diagnostics}


@pytest_lsp.fixture(config=CONFIG, params=PROFILES)
async def lsp_client(
    lsp_client: Client, request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[None]:
    """A server started with the options a test names in its ``options`` marker."""
    marker = request.node.get_closest_marker("options")
    options = marker.args[0] if marker else {}
    lsp_client.root = copy_workspace(tmp_path / "ws")
    if marker and len(marker.args) > 1:
        (lsp_client.root / ".attune-lsp.yaml").write_text(marker.args[1])
    await start(lsp_client, request.param, lsp_client.root, options)
    yield
    await lsp_client.shutdown_session()


@pytest.mark.asyncio
@pytest.mark.options({"rules": {"invalid-ref": "off", "duplicate-key": "warning"}})
async def test_initialization_options(lsp_client: Client) -> None:
    uri = await open_doc(lsp_client, lsp_client.root / BROKEN)
    found = await lsp_client.diagnostics_of(uri, lambda d: "duplicate-key" in severities(d))
    assert "invalid-ref" not in severities(found)
    assert severities(found)["duplicate-key"] == lsp.DiagnosticSeverity.Warning


@pytest.mark.asyncio
async def test_changed_configuration(lsp_client: Client) -> None:
    uri = await open_doc(lsp_client, lsp_client.root / BROKEN)
    await lsp_client.diagnostics_of(uri, lambda d: "invalid-ref" in severities(d))
    settings = {"rules": {"invalid-ref": "hint"}}
    if lsp_client.profile == "neovim":
        # Neovim answers workspace/configuration: the notification only says "changed".
        lsp_client.set_configuration(settings, section="attune")
        lsp_client.workspace_did_change_configuration(
            lsp.DidChangeConfigurationParams(settings=None)
        )
    else:
        lsp_client.workspace_did_change_configuration(
            lsp.DidChangeConfigurationParams(settings={"attune": settings})
        )
    found = await lsp_client.diagnostics_of(
        uri, lambda d: severities(d).get("invalid-ref") == lsp.DiagnosticSeverity.Hint
    )
    assert severities(found)["duplicate-key"] == lsp.DiagnosticSeverity.Error


@pytest.mark.asyncio
@pytest.mark.options({"maxFileSize": "big", "rules": {"no-such-rule": "error"}, "colour": 1})
async def test_bad_options_one_message_defaults_used(lsp_client: Client) -> None:
    uri = await open_doc(lsp_client, lsp_client.root / BROKEN)
    found = await lsp_client.diagnostics_of(uri, lambda d: "invalid-ref" in severities(d))
    assert "duplicate-key" in severities(found)
    errors = [m for m in lsp_client.messages if m.type == lsp.MessageType.Error]
    assert len(errors) == 1
    for word in ("maxFileSize", "no-such-rule", "colour", "Defaults are used"):
        assert word in errors[0].message


@pytest.mark.asyncio
@pytest.mark.options(
    {"rules": {"invalid-ref": "warning"}},
    "rules:\n  invalid-ref: hint\n  duplicate-key: information\n",
)
async def test_project_file_applies_under_editor_settings(lsp_client: Client) -> None:
    uri = await open_doc(lsp_client, lsp_client.root / BROKEN)
    found = await lsp_client.diagnostics_of(uri, lambda d: "invalid-ref" in severities(d))
    assert severities(found)["duplicate-key"] == lsp.DiagnosticSeverity.Information
    assert severities(found)["invalid-ref"] == lsp.DiagnosticSeverity.Warning  # editor wins

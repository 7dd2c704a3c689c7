"""Diagnostics end to end: push and pull, the workspace scan, debouncing, dependents."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from lspkit import CONFIG, HELD, PROFILES, Client, copy_workspace, open_doc, start
from lsprotocol import types as lsp

BROKEN = "packs/shop/actions/workflows/broken.workflow.yaml"
FULFIL = "packs/shop/actions/workflows/fulfil.workflow.yaml"
NOTIFY = "packs/shop/actions/notify.yaml"
DEPLOY = "packs/deployments/actions/workflows/deploy_app.workflow.yaml"


def codes(diagnostics: list[lsp.Diagnostic]) -> set[str]:
    return {str(d.code) for d in diagnostics}


@pytest_lsp.fixture(config=CONFIG, params=["neovim"])
async def pull_client(
    lsp_client: Client, request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[None]:
    """A server for a client that pulls diagnostics (Neovim 0.11's profile)."""
    lsp_client.root = copy_workspace(tmp_path / "ws")
    await start(lsp_client, request.param, lsp_client.root)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=CONFIG, params=PROFILES)
async def lsp_client(
    lsp_client: Client, request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[None]:
    """A server of its own on a workspace of its own (these tests change files)."""
    lsp_client.root = copy_workspace(tmp_path / "ws")
    await start(lsp_client, request.param, lsp_client.root)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=HELD, params=PROFILES)
async def held_client(
    lsp_client: Client, request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[None]:
    """A server whose edits wait for a save or a pull (its debounce window never ends)."""
    lsp_client.root = copy_workspace(tmp_path / "ws")
    await start(lsp_client, request.param, lsp_client.root)
    yield
    await lsp_client.shutdown_session()


def root(client: Client) -> Path:
    return client.root


@pytest.mark.asyncio
async def test_diagnostic_fields_and_utf16_ranges(lsp_client: Client) -> None:
    uri = await open_doc(lsp_client, root(lsp_client) / BROKEN)
    found = await lsp_client.diagnostics_of(uri, lambda d: "duplicate-key" in codes(d))
    ref = next(d for d in found if d.code == "invalid-ref")
    assert ref.range == lsp.Range(lsp.Position(0, 5), lsp.Position(0, 16))
    assert ref.source == "attune"
    assert ref.severity == lsp.DiagnosticSeverity.Error
    assert ref.code_description is not None
    assert ref.code_description.href.endswith("docs/rules.md#invalid-ref")
    assert isinstance(ref.data, dict) and ref.data["fixes"] == 1
    # `output_map: {"🚀": "a", "🚀": "b"}`: the emoji is two UTF-16 code units.
    dup = next(d for d in found if d.code == "duplicate-key")
    assert dup.range == lsp.Range(lsp.Position(7, 24), lsp.Position(7, 28))
    assert dup.related_information is not None
    first = dup.related_information[0].location
    assert first.uri == uri
    assert first.range.start == lsp.Position(7, 13)


@pytest.mark.asyncio
async def test_workspace_scan_reports_files_that_are_not_open(lsp_client: Client) -> None:
    uri = (root(lsp_client) / DEPLOY).as_uri()
    reports = [v for values in lsp_client.progress_reports.values() for v in values]
    assert isinstance(reports[0], lsp.WorkDoneProgressBegin)
    assert isinstance(reports[-1], lsp.WorkDoneProgressEnd)
    if lsp_client.profile == "neovim":
        report = await lsp_client.workspace_diagnostic_async(
            lsp.WorkspaceDiagnosticParams(previous_result_ids=[])
        )
        items = {item.uri: item for item in report.items}
        assert isinstance(items[uri], lsp.WorkspaceFullDocumentDiagnosticReport)
        assert "unknown-action" in codes(list(items[uri].items))
        assert (root(lsp_client) / FULFIL).as_uri() in items
        # Unchanged files come back as unchanged reports.
        again = await lsp_client.workspace_diagnostic_async(
            lsp.WorkspaceDiagnosticParams(
                previous_result_ids=[
                    lsp.PreviousResultId(uri=u, value=i.result_id or "") for u, i in items.items()
                ]
            )
        )
        assert all(
            isinstance(i, lsp.WorkspaceUnchangedDocumentDiagnosticReport) for i in again.items
        )
    else:
        found = await lsp_client.pushed(uri, lambda d: "unknown-action" in codes(d))
        assert all(d.source == "attune" for d in found)


@pytest.mark.asyncio
async def test_edits_are_debounced_and_stale_results_never_published(held_client: Client) -> None:
    lsp_client = held_client
    path = root(lsp_client) / BROKEN
    text = path.read_text()
    uri = await open_doc(lsp_client, path, text)
    if lsp_client.profile == "visual_studio_code":
        # Wait for the open document's own result (version 1), not the workspace scan's
        # push of the same file, so that the edits below meet an idle server.
        history = lsp_client.published.history
        await lsp_client.wait_for(lambda: any(p.uri == uri and p.version == 1 for p in history))
    await lsp_client.diagnostics_of(uri, lambda d: "invalid-ref" in codes(d))
    fixed = text.replace("Shop.Broken", "shop.broken")
    versions = [(2, text + "\n"), (3, text + "\n\n"), (4, fixed)]
    for version, body in versions:
        lsp_client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=body)],
            )
        )
    # The edits wait inside the debounce window; the save asks for the last one at once.
    lsp_client.text_document_did_save(
        lsp.DidSaveTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=uri))
    )
    found = await lsp_client.diagnostics_of(uri, lambda d: "invalid-ref" not in codes(d))
    assert "duplicate-key" in codes(found)
    if lsp_client.profile == "visual_studio_code":
        seen = [p.version for p in lsp_client.published.history if p.uri == uri and p.version]
        # Versions only grow and end with the last edit; the edits 2 and 3 were
        # superseded inside the window and never published.
        assert seen == sorted(seen)
        assert seen[-1] == 4
        assert 2 not in seen and 3 not in seen


@pytest.mark.asyncio
async def test_pull_unchanged_result_id(pull_client: Client) -> None:
    uri = await open_doc(pull_client, root(pull_client) / BROKEN)
    first = await pull_client.text_document_diagnostic_async(
        lsp.DocumentDiagnosticParams(text_document=lsp.TextDocumentIdentifier(uri=uri))
    )
    assert isinstance(first, lsp.RelatedFullDocumentDiagnosticReport)
    again = await pull_client.text_document_diagnostic_async(
        lsp.DocumentDiagnosticParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri), previous_result_id=first.result_id
        )
    )
    assert isinstance(again, lsp.RelatedUnchangedDocumentDiagnosticReport)
    # A client that pulls gets no pushes for its open documents (what the workspace scan
    # pushed before the file was opened is taken back).
    pushed = [p for p in pull_client.published.history if p.uri == uri]
    assert all(p.version is None for p in pushed)
    assert not pull_client.published.by_uri[uri].diagnostics


NEW_REQUIRED = "  recipient: {type: string, required: true}\n"


@pytest.mark.asyncio
async def test_editing_an_action_buffer_rechecks_its_callers(lsp_client: Client) -> None:
    notify = root(lsp_client) / NOTIFY
    caller = (root(lsp_client) / FULFIL).as_uri()
    workflow = await open_doc(lsp_client, root(lsp_client) / FULFIL)
    await lsp_client.diagnostics_of(workflow, lambda d: "missing-input" not in codes(d))
    text = notify.read_text()
    uri = await open_doc(lsp_client, notify, text)
    changed = text.replace("parameters:\n", "parameters:\n" + NEW_REQUIRED)
    lsp_client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=changed)],
        )
    )
    found = await lsp_client.diagnostics_of(caller, lambda d: "missing-input" in codes(d))
    assert sum(1 for d in found if d.code == "missing-input") == 2


@pytest.mark.asyncio
async def test_changed_action_on_disk_rechecks_closed_callers(lsp_client: Client) -> None:
    notify = root(lsp_client) / NOTIFY
    caller = (root(lsp_client) / FULFIL).as_uri()
    notify.write_text(notify.read_text().replace("parameters:\n", "parameters:\n" + NEW_REQUIRED))
    lsp_client.workspace_did_change_watched_files(
        lsp.DidChangeWatchedFilesParams(
            changes=[lsp.FileEvent(uri=notify.as_uri(), type=lsp.FileChangeType.Changed)]
        )
    )
    if lsp_client.profile == "neovim":
        await lsp_client.wait_for(
            lambda: any("Re-checked" in m.message for m in lsp_client.log_messages)
        )
        report = await lsp_client.workspace_diagnostic_async(
            lsp.WorkspaceDiagnosticParams(previous_result_ids=[])
        )
        items = {item.uri: item for item in report.items}
        found = list(items[caller].items)  # type: ignore[union-attr]
    else:
        found = await lsp_client.pushed(caller, lambda d: "missing-input" in codes(d))
    assert "missing-input" in codes(found)


@pytest.mark.asyncio
async def test_watcher_is_registered_dynamically(lsp_client: Client) -> None:
    registered = getattr(lsp_client, "registrations", [])
    if lsp_client.profile == "visual_studio_code":
        methods = [r.method for params in registered for r in params.registrations]
        assert lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES in methods
        options = next(
            r.register_options
            for params in registered
            for r in params.registrations
            if r.method == lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES
        )
        globs = [
            w["globPattern"] if isinstance(w, dict) else w.glob_pattern
            for w in (options["watchers"] if isinstance(options, dict) else options.watchers)
        ]
        assert globs == ["**/*.yaml", "**/*.yml"]
    else:
        # Neovim 0.11 cannot register file watchers dynamically: none is asked for.
        assert registered == []


@pytest.mark.asyncio
async def test_a_manifest_in_a_workflows_folder_outside_packs_is_not_checked(
    lsp_client: Client,
) -> None:
    manifest = root(lsp_client) / "k8s" / "workflows" / "build.yaml"
    manifest.parent.mkdir(parents=True)
    manifest.write_text(
        "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  generateName: b-\n"
        "spec:\n  entrypoint: main\n  templates:\n    - name: main\n"
    )
    uri = await open_doc(lsp_client, manifest)
    assert await lsp_client.diagnostics_of(uri) == []

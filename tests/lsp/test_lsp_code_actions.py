"""Code actions and code lens end to end: engine fixes, ignore comments, register commands."""

from __future__ import annotations

from pathlib import Path

import pytest
from lspkit import Client, apply_edits, open_scratch
from lsprotocol import types as lsp

pytestmark = pytest.mark.asyncio(loop_scope="module")

FOLDER = "packs/shop/actions/workflows"
BROKEN = """ref: Shop.Broken
version: "1.0.0"
tasks:
  - name: first
    action: core.echo
    input:
      message: hello
"""


def codes(diagnostics: list[lsp.Diagnostic]) -> set[str]:
    return {str(d.code) for d in diagnostics}


async def actions_for(client: Client, uri: str, diagnostic: lsp.Diagnostic) -> list[lsp.CodeAction]:
    result = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri),
            range=diagnostic.range,
            context=lsp.CodeActionContext(diagnostics=[diagnostic]),
        )
    )
    assert result is not None
    return [a for a in result if isinstance(a, lsp.CodeAction)]


async def change(client: Client, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def test_engine_fix_applied(client: Client, workspace: Path) -> None:
    uri = await open_scratch(client, workspace / FOLDER, BROKEN)
    found = await client.diagnostics_of(uri, lambda d: "invalid-ref" in codes(d))
    diagnostic = next(d for d in found if d.code == "invalid-ref")
    actions = await actions_for(client, uri, diagnostic)
    fix = next(a for a in actions if a.title == "Change to 'shop.broken'")
    assert fix.kind == lsp.CodeActionKind.QuickFix and fix.is_preferred
    assert fix.diagnostics and fix.diagnostics[0].code == "invalid-ref"
    assert fix.edit is not None and fix.edit.changes is not None
    fixed = apply_edits(BROKEN, list(fix.edit.changes[uri]))
    assert fixed.startswith("ref: shop.broken\n")
    await change(client, uri, 2, fixed)
    after = await client.diagnostics_of(uri, lambda d: "invalid-ref" not in codes(d))
    assert "invalid-ref" not in codes(after)


async def test_ignore_on_this_line(client: Client, workspace: Path) -> None:
    uri = await open_scratch(client, workspace / FOLDER, BROKEN)
    found = await client.diagnostics_of(uri, lambda d: "invalid-ref" in codes(d))
    diagnostic = next(d for d in found if d.code == "invalid-ref")
    actions = await actions_for(client, uri, diagnostic)
    ignore = next(a for a in actions if a.title == "Ignore 'invalid-ref' on this line")
    assert ignore.edit is not None and ignore.edit.changes is not None
    text = apply_edits(BROKEN, list(ignore.edit.changes[uri]))
    assert text.startswith("ref: Shop.Broken  # attune: ignore[invalid-ref]\n")
    await change(client, uri, 2, text)
    after = await client.diagnostics_of(uri, lambda d: "invalid-ref" not in codes(d))
    assert "unused-ignore" not in codes(after)


async def test_ignore_adds_to_an_existing_comment(client: Client, workspace: Path) -> None:
    text = BROKEN.replace("ref: Shop.Broken", "ref: Shop.Broken  # attune: ignore[unknown-key]")
    uri = await open_scratch(client, workspace / FOLDER, text)
    found = await client.diagnostics_of(uri, lambda d: "invalid-ref" in codes(d))
    diagnostic = next(d for d in found if d.code == "invalid-ref")
    actions = await actions_for(client, uri, diagnostic)
    ignore = next(a for a in actions if a.title == "Ignore 'invalid-ref' on this line")
    assert ignore.edit is not None and ignore.edit.changes is not None
    result = apply_edits(text, list(ignore.edit.changes[uri]))
    assert result.startswith("ref: Shop.Broken  # attune: ignore[unknown-key, invalid-ref]\n")


async def test_source_actions_and_code_lens(client: Client, workspace: Path) -> None:
    path = workspace / "packs/mattermost/actions/workflows/post_thread.workflow.yaml"
    uri = path.as_uri()
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            text_document=lsp.TextDocumentItem(
                uri=uri, language_id="yaml", version=1, text=path.read_text()
            )
        )
    )
    result = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri),
            range=lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0)),
            context=lsp.CodeActionContext(diagnostics=[], only=[lsp.CodeActionKind.Source]),
        )
    )
    assert result is not None
    commands = {a.command.command for a in result if isinstance(a, lsp.CodeAction) and a.command}
    assert commands == {
        "attune.register",
        "attune.registerDryRun",
        "attune.unregister",
        "attune.registerPack",
    }
    assert all(a.kind == lsp.CodeActionKind.Source for a in result if isinstance(a, lsp.CodeAction))
    lenses = await client.text_document_code_lens_async(
        lsp.CodeLensParams(text_document=lsp.TextDocumentIdentifier(uri=uri))
    )
    assert lenses is not None
    titles = [lens.command.title for lens in lenses if lens.command]
    # No database configured: no state lens. The second task is started by the first.
    assert titles == ["Register", "Dry run", "started by create_root"]
    assert lenses[0].command is not None and list(lenses[0].command.arguments or []) == [uri]

"""One tree, three ways in: ``--check``, the language server and the loader agree.

Pack ``a`` holds an ``.attune-lsp.yaml`` that turns ``orphan-workflow-file`` off and
raises ``unknown-task`` to a warning; pack ``b`` has none. Both packs have the same
unlinked workflow file, so only the per-file configuration tells them apart.
"""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from contextlib import redirect_stdout
from pathlib import Path

import pytest
import pytest_lsp
from lspkit import CONFIG, Client, open_doc, start

from attune_lsp.cli import main
from attune_workflow.loader import PACK_CHECK_RULES, LoaderConfig, WorkflowLoader

# (file, code, severity, start line, start column, end line, end column), 0-based
Finding = tuple[str, str, str, int, int, int, int]

WORKFLOW = """\
version: "1.0.0"
tasks:
  - name: first
    action: core.echo
    next:
      - do: [nowhere]
"""
FILES = ("a/actions/workflows/lonely.workflow.yaml", "b/actions/workflows/lonely.workflow.yaml")
SEVERITIES = {1: "error", 2: "warning", 3: "information", 4: "hint"}


def make_tree(root: Path) -> Path:
    for pack in ("a", "b"):
        (root / pack / "actions" / "workflows").mkdir(parents=True)
        (root / pack / "pack.yaml").write_text(f"ref: {pack}\nlabel: {pack}\nversion: 1.0.0\n")
        (root / pack / "actions" / "workflows" / "lonely.workflow.yaml").write_text(WORKFLOW)
    (root / "a" / ".attune-lsp.yaml").write_text(
        "rules:\n  orphan-workflow-file: off\n  unknown-task: warning\n"
    )
    return root


def comparable(found: set[Finding]) -> set[Finding]:
    """The findings of the workflow files that every path reports (the loader leaves the
    pack checks to the pack installer)."""
    return {f for f in found if f[0] in FILES and f[1] not in PACK_CHECK_RULES}


def from_cli(root: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> set[Finding]:
    monkeypatch.chdir(root)
    out = io.StringIO()
    with redirect_stdout(out):
        main(["--check", "--format", "json", *args])
    return {
        (i["path"], i["code"], i["severity"], i["line"] - 1, i["column"] - 1,
         i["end_line"] - 1, i["end_column"] - 1)
        for i in json.loads(out.getvalue())
    }  # fmt: skip


def from_loader(root: Path) -> set[Finding]:
    loaded = WorkflowLoader(LoaderConfig(packs_base_dir=root)).load_all_workflows()
    return {
        (str(w.file.path.relative_to(root.resolve())), d.code, d.severity.label,
         d.span.line, d.span.column, d.span.end_line, d.span.end_column)
        for w in loaded.values()
        for d in w.diagnostics
    }  # fmt: skip


@pytest_lsp.fixture(config=CONFIG)
async def lsp_client(lsp_client: Client, tmp_path: Path) -> AsyncIterator[None]:
    lsp_client.root = make_tree(tmp_path / "tree")
    await start(lsp_client, "visual_studio_code", lsp_client.root)
    yield
    await lsp_client.shutdown_session()


@pytest.mark.asyncio
async def test_check_server_and_loader_agree(
    lsp_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = lsp_client.root
    served: set[Finding] = set()
    for name in FILES:
        uri = await open_doc(lsp_client, root / name)
        for d in await lsp_client.diagnostics_of(uri):
            served.add(
                (name, str(d.code), SEVERITIES[d.severity or 1], d.range.start.line,
                 d.range.start.character, d.range.end.line, d.range.end.character)
            )  # fmt: skip
    whole = from_cli(root, monkeypatch, ".")
    both = from_cli(root, monkeypatch, "a", "b")
    loaded = from_loader(root)

    expected = comparable(whole)
    assert {(f[0], f[1], f[2]) for f in expected} == {
        (FILES[0], "unknown-task", "warning"),
        (FILES[1], "unknown-task", "error"),
        (FILES[1], "orphan-workflow-file", "warning"),
    }
    assert comparable(both) == expected
    assert comparable(served) == expected
    assert comparable(loaded) == expected

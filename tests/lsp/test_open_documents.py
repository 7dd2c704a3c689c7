"""The server keeps one incremental analysis per open document and none for closed ones."""

from __future__ import annotations

from pathlib import Path

from attune_lsp.analysis import Project
from attune_workflow.check import analyze

SOURCE = (
    Path(__file__).parents[1]
    / "data"
    / "corpus"
    / "packs"
    / "deployments"
    / "actions"
    / "workflows"
    / "deploy_app.workflow.yaml"
)


def test_an_open_buffer_is_analysed_incrementally_and_forgotten_when_closed() -> None:
    project = Project()
    path = SOURCE.resolve()
    project.rebuild([], project.base, {}, extra=[path])
    text = path.read_text(encoding="utf-8")
    first = project.analyse(path.as_uri(), path, text, 1, {path: text})
    assert first is not None
    at = text.index("\n", text.index("- name:", text.index("tasks:")))
    edited = text[:at] + "x" + text[at:]
    second = project.analyse(path.as_uri(), path, edited, 2, {path: edited})
    assert second is not None
    document = project._documents[path]
    assert document.incremental_updates == 1
    expected = analyze(path, edited, index=project.index, config=project.config_for(path))[1]
    assert second.diagnostics == expected
    # closed: a later analysis of another file drops it; a file on disk keeps none
    project.analyse(path.as_uri(), path, None, None, {})
    assert path not in project._documents

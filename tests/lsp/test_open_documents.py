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
    # an analysis of the file on disk (the background thread's) neither keeps one nor drops
    # the open document's
    project.analyse(path.as_uri(), path, None, None, {})
    assert list(project._documents) == [path]
    # closed: forgotten; or dropped by the next analysis of another open buffer
    project.forget(path)
    assert path not in project._documents
    project.analyse(path.as_uri(), path, text, 1, {path: text})
    other = path.with_name("other.workflow.yaml")
    project.analyse(other.as_uri(), other, "version: 1.0\n", 1, {other: "version: 1.0\n"})
    assert list(project._documents) == [other]


def test_a_rescan_of_unchanged_packs_keeps_the_index_and_the_tree(tmp_path: Path) -> None:
    import shutil

    pack = tmp_path / "deployments"
    shutil.copytree(SOURCE.parents[2], pack)
    path = (pack / "actions" / "workflows" / SOURCE.name).resolve()
    project = Project()
    project.rebuild([tmp_path], project.base, {})
    text = path.read_text(encoding="utf-8")
    assert project.analyse(path.as_uri(), path, text, 1, {path: text}) is not None
    index = project.index
    # the same packs read again (a rescan, settings that leave them): the same index, and
    # an edit after it is spliced
    project.rebuild([tmp_path], project.base, {path: text})
    assert project.index is index
    at = text.index("\n", text.index("- name:", text.index("tasks:")))
    edited = text[:at] + "x" + text[at:]
    second = project.analyse(path.as_uri(), path, edited, 2, {path: edited})
    assert second is not None
    assert project._documents[path].incremental_updates == 1
    # an action changed: a new index, under which the same tree is checked again
    action = pack / "actions" / "deploy_app.yaml"
    action.write_text(action.read_text(encoding="utf-8").replace("Deploy App", "Deploy"))
    project.rebuild([tmp_path], project.base, {path: edited})
    assert project.index is not index
    third = project.analyse(path.as_uri(), path, edited, 3, {path: edited})
    assert third is not None
    assert project._documents[path].incremental_updates == 2
    expected = analyze(path, edited, index=project.index, config=project.config_for(path))[1]
    assert third.diagnostics == expected


def test_the_server_goes_on_from_the_prelude_s_analysis_of_the_first_document(
    tmp_path: Path,
) -> None:
    import shutil

    from attune_lsp import prelude

    pack = tmp_path / "deployments"
    shutil.copytree(SOURCE.parents[2], pack)
    path = (pack / "actions" / "workflows" / SOURCE.name).resolve()
    text = path.read_text(encoding="utf-8")
    params = {"rootUri": tmp_path.as_uri(), "workspaceFolders": [{"uri": tmp_path.as_uri()}]}
    document = {"uri": path.as_uri(), "text": text, "version": 1}
    published = prelude.first_diagnostics(params, document)
    handover = prelude.handover
    assert published is not None and handover is not None
    opened = handover.documents[path]
    ctx = opened.context
    project = Project()
    project.adopt(handover.packs, handover.index, handover.documents)
    # the workspace scan reads the same packs: the index is kept, and so is the analysis
    project.rebuild([tmp_path], project.base, {path: text})
    assert project.index is handover.index
    first = project.analyse(path.as_uri(), path, text, 1, {path: text})
    assert first is not None
    assert first.ctx is ctx
    assert [d["message"] for d in published] == [d.message for d in first.published]
    # and the next edit is spliced into it
    at = text.index("\n", text.index("- name:", text.index("tasks:")))
    edited = text[:at] + "x" + text[at:]
    second = project.analyse(path.as_uri(), path, edited, 2, {path: edited})
    assert second is not None
    assert project._documents[path] is opened
    assert opened.incremental_updates == 1
    expected = analyze(path, edited, index=project.index, config=project.config_for(path))[1]
    assert second.diagnostics == expected

"""The loader finds, names and reloads workflows as Attune's WorkflowLoader does."""

from __future__ import annotations

from pathlib import Path

import pytest

from attune_workflow.loader import LoaderConfig, LoaderError, WorkflowLoader

GOOD = 'version: "1.0.0"\ntasks:\n  - name: a\n    action: core.echo\n'


@pytest.fixture
def packs(tmp_path: Path) -> Path:
    base = tmp_path / "packs"
    (base / "mypack" / "workflows").mkdir(parents=True)
    (base / "mypack" / "actions" / "workflows").mkdir(parents=True)
    (base / "mypack" / "workflows" / "deploy.yaml").write_text(
        GOOD.replace("core.echo", "core.noop")
    )
    (base / "mypack" / "workflows" / "build.workflow.yml").write_text(GOOD)
    (base / "mypack" / "actions" / "workflows" / "deploy.workflow.yaml").write_text(GOOD)
    (base / "mypack" / "actions" / "workflows" / "notes.txt").write_text("not yaml")
    (base / "other" / "workflows").mkdir(parents=True)
    (base / "other" / "workflows" / "broken.yaml").write_text(
        "version: [1.0]\ntasks:\n  - name: a\n    next:\n      - do: [nowhere]\n"
    )
    return base


def test_load_all_names_refs_and_collision(packs: Path) -> None:
    loaded = WorkflowLoader(LoaderConfig(packs_base_dir=packs)).load_all_workflows()
    assert set(loaded) == {"mypack.deploy", "mypack.build", "other.broken"}
    deploy = loaded["mypack.deploy"]
    assert deploy.file.path.parts[-3:] == ("actions", "workflows", "deploy.workflow.yaml")
    assert deploy.valid


def test_a_loaded_workflow_carries_all_its_diagnostics(packs: Path) -> None:
    broken = WorkflowLoader(LoaderConfig(packs_base_dir=packs)).load_all_workflows()["other.broken"]
    codes = {d.code for d in broken.errors}
    assert {"wrong-type", "unknown-task", "missing-key"} <= codes
    assert not broken.valid


def test_size_limit_is_a_diagnostic(packs: Path) -> None:
    loader = WorkflowLoader(LoaderConfig(packs_base_dir=packs, max_file_size=10))
    loaded = loader.load_all_workflows()["mypack.build"]
    assert [d.code for d in loaded.diagnostics] == ["file-too-large"]
    assert loaded.definition is None


def test_skip_validation_keeps_only_parse_checks(packs: Path) -> None:
    loader = WorkflowLoader(LoaderConfig(packs_base_dir=packs, skip_validation=True))
    codes = {d.code for d in loader.load_all_workflows()["other.broken"].diagnostics}
    assert "wrong-type" in codes and "unknown-task" not in codes


def test_reload_by_ref_search_order(packs: Path) -> None:
    loader = WorkflowLoader(LoaderConfig(packs_base_dir=packs))
    assert loader.reload_workflow("mypack.deploy").file.path.parts[-2] == "workflows"
    assert loader.reload_workflow("mypack.deploy").file.path.parts[-3] == "actions"
    assert loader.reload_workflow("mypack.build").file.name == "build"


@pytest.mark.parametrize("ref", ["mypack", "a.b.c", ".x", "mypack."])
def test_reload_rejects_bad_refs(packs: Path, ref: str) -> None:
    with pytest.raises(LoaderError, match="Invalid workflow reference"):
        WorkflowLoader(LoaderConfig(packs_base_dir=packs)).reload_workflow(ref)


def test_reload_missing_and_missing_base(packs: Path, tmp_path: Path) -> None:
    with pytest.raises(LoaderError, match="not found"):
        WorkflowLoader(LoaderConfig(packs_base_dir=packs)).reload_workflow("mypack.nope")
    with pytest.raises(LoaderError, match="does not exist"):
        WorkflowLoader(LoaderConfig(packs_base_dir=tmp_path / "none")).load_all_workflows()


def test_scalars_are_stored_as_the_text_attune_reads(tmp_path: Path) -> None:
    # serde_yaml_ng hands a string field the scalar's text, and `input:` an empty map
    folder = tmp_path / "packs" / "p" / "actions" / "workflows"
    folder.mkdir(parents=True)
    (folder / "w.yaml").write_text(
        "version: 1.10\ntasks:\n  - name: 7\n    action: core.noop\n    input:\n"
        "    next:\n      - when: true\n        do: [7]\n"
    )
    loaded = WorkflowLoader(LoaderConfig(packs_base_dir=tmp_path / "packs")).load_all_workflows()
    workflow = loaded["p.w"]
    assert workflow.errors == []
    assert workflow.data is not None and workflow.data["version"] == "1.10"
    assert workflow.definition == {
        "version": "1.10",
        "tasks": [
            {
                "name": "7",
                "action": "core.noop",
                "type": "action",
                "next": [{"when": "true", "do": ["7"]}],
            }
        ],
    }

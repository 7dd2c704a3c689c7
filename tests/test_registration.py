"""From pack files to registrar records, as Attune's registration paths map them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from attune_workflow.registrar import registration
from attune_workflow.registrar.registration import collect, derive_label

EXAMPLES = Path(__file__).parent.parent / "examples" / "packs"


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return Path(shutil.copytree(EXAMPLES / "demo", tmp_path / "demo"))


def test_action_linked_and_standalone_records(demo: Path) -> None:
    records, problems = collect([demo])
    assert problems == []
    by_ref = {r.ref: r for r in records}
    assert set(by_ref) == {"demo.onboard_user", "demo.nightly_cleanup"}

    linked = by_ref["demo.onboard_user"]
    assert linked.label == "Onboard User"  # from the action: the graph file has none
    assert linked.param_schema is not None and set(linked.param_schema) == {"user", "teams"}
    assert linked.action is not None
    assert linked.action.entrypoint == "workflows/onboard_user.workflow.yaml"
    assert linked.definition["tasks"][0]["name"] == "greet_user"
    assert linked.pack is not None and linked.pack.version == "0.1.0"
    assert linked.errors == ()

    standalone = by_ref["demo.nightly_cleanup"]
    assert standalone.action is None  # the registrar writes the companion action
    first = standalone.definition["tasks"][0]
    assert "on_success" not in first
    assert first["next"] == [{"when": "{{ succeeded() }}", "do": ["announce"]}]


def test_errors_of_the_graph_and_action_files_are_carried(demo: Path) -> None:
    graph = demo / "actions" / "workflows" / "onboard_user.workflow.yaml"
    graph.write_text(graph.read_text().replace("do: [notify_teams]", "do: [nowhere]"))
    action = demo / "actions" / "onboard_user.yaml"
    action.write_text(action.read_text().replace("ref: demo.onboard_user", "ref: demo.Onboard"))
    records, _ = collect([graph])
    (record,) = records
    assert any("[unknown-task]" in e for e in record.errors)
    assert any("onboard_user.yaml" in e and "[invalid-ref]" in e for e in record.errors)


def test_a_single_file_registers_only_its_workflow(demo: Path) -> None:
    records, problems = collect([demo / "actions" / "onboard_user.yaml"])
    assert problems == []
    assert [r.ref for r in records] == ["demo.onboard_user"]


def test_paths_outside_packs_are_problems(tmp_path: Path) -> None:
    loose = tmp_path / "loose.yaml"
    loose.write_text("version: '1'\ntasks: []\n")
    records, problems = collect([loose, tmp_path / "missing"])
    assert records == []
    assert len(problems) == 2 and "not inside a pack" in problems[0]


def test_pool_and_serial_give_the_same_records(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    graph = (demo / "actions" / "workflows" / "onboard_user.workflow.yaml").read_text()
    for i in range(70):
        (demo / "actions" / f"w{i}.yaml").write_text(
            f"ref: demo.w{i}\nworkflow_file: workflows/w{i}.workflow.yaml\n"
            "parameters:\n  user: {type: string}\n  teams: {type: array}\n"
        )
        (demo / "actions" / "workflows" / f"w{i}.workflow.yaml").write_text(graph)
    pooled, _ = collect([demo])
    monkeypatch.setattr(registration, "PARALLEL_THRESHOLD", 10**9)
    serial, _ = collect([demo])
    assert len(pooled) == 72
    assert sorted(pooled, key=lambda r: r.ref) == sorted(serial, key=lambda r: r.ref)


@pytest.mark.parametrize(
    ("name", "label"), [("http_request", "Http Request"), ("deploy-app", "Deploy App")]
)
def test_derived_labels(name: str, label: str) -> None:
    assert derive_label(name) == label

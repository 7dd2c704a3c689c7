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
    ("name", "label"),
    [
        ("http_request", "Http Request"),
        ("deploy-app", "Deploy-app"),
        ("my-flow", "My-flow"),
        ("a__b", "A  B"),
        ("eTL_job", "ETL Job"),
    ],
)
def test_derived_labels(name: str, label: str) -> None:
    assert derive_label(name) == label


def test_definition_has_the_shape_of_attunes_serialiser() -> None:
    import yaml

    from attune_workflow.normalize import normalize
    from attune_workflow.registrar.registration import attune_definition

    doc = yaml.safe_load(
        """
version: "1.0.0"
cancellation_policy: cancel_running
tasks:
  - name: a
    action: core.echo
    wait_for: {inquiry: 5}
    __chart_meta__: {position: {x: 1, y: 2}}
    next:
      - when: "{{ succeeded() }}"
        do: []
      - publish: []
        do: [b]
  - name: b
    type: parallel
    tasks:
      - name: c
        action: core.echo
        iterate_cache: {namespace: users}
        retry: {count: 2, delay: 1}
        on_success: d
      - name: d
        action: core.echo
"""
    )
    definition = attune_definition(normalize(doc))
    none = dict.fromkeys(
        (
            "permission_set_refs",
            "trace_tag_template",
            "worker_selector",
            "worker_tolerations",
            "worker_affinity",
            "when",
            "with_items",
            "batch_size",
            "concurrency",
            "timeout",
            "join",
        )
    )
    assert definition == {
        "ref": "",
        "label": "",
        "description": None,
        "version": "1.0.0",
        "parameters": None,
        "output": None,
        "vars": {},
        "output_map": None,
        "tags": [],
        "cancellation_policy": "cancel_running",
        "tasks": [
            {
                **none,
                "name": "a",
                "type": "action",
                "action": "core.echo",
                "input": {},
                "wait_for": {"inquiry": 5},
                "iterate_cache": None,
                "retry": None,
                "next": [{"when": "{{ succeeded() }}", "do": []}, {"do": ["b"]}],
                "tasks": None,
                "__chart_meta__": {"position": {"x": 1, "y": 2}},
            },
            {
                **none,
                "name": "b",
                "type": "parallel",
                "action": None,
                "input": {},
                "iterate_cache": None,
                "retry": None,
                "next": [],
                "tasks": [
                    {
                        **none,
                        "name": "c",
                        "type": "action",
                        "action": "core.echo",
                        "input": {},
                        "iterate_cache": {
                            "namespace": "users",
                            "generation": "active",
                            "page_size": 100,
                            "require_fresh": False,
                        },
                        "retry": {
                            "count": 2,
                            "delay": 1,
                            "backoff": "constant",
                            "max_delay": None,
                            "on_error": None,
                        },
                        "next": [{"when": "{{ succeeded() }}", "do": ["d"]}],
                        "tasks": None,
                    },
                    {
                        **none,
                        "name": "d",
                        "type": "action",
                        "action": "core.echo",
                        "input": {},
                        "iterate_cache": None,
                        "retry": None,
                        "next": [],
                        "tasks": None,
                    },
                ],
            },
        ],
    }


def test_an_action_linked_record_is_filled_as_attunes_pack_loader_fills_it(
    tmp_path: Path,
) -> None:
    pack = tmp_path / "ops"
    (pack / "actions" / "workflows").mkdir(parents=True)
    (pack / "pack.yaml").write_text('ref: ops\nlabel: Ops\nversion: "1.0.0"\n')
    (pack / "actions" / "my-flow_job.yaml").write_text(
        "ref: ops.my-flow_job\n"
        "workflow_file: workflows/job.workflow.yaml\n"
        "parameter_delivery: FILE\n"
        "reference_visibility: ' Private '\n"
        "default_execution_permission_set_refs: [' standard ', '']\n"
        "log_retention_policy: days\n"
        "log_retention_limit: 7\n"
        "artifact_retention_policy: versions\n"
        "artifact_retention_limit: 3\n"
        "tags: [nightly, 5]\n"
    )
    (pack / "actions" / "workflows" / "job.workflow.yaml").write_text(
        'version: "1.0.0"\ntasks:\n  - name: a\n    action: core.echo\n'
    )
    records, problems = collect([pack])
    assert problems == []
    [record] = records
    assert record.action is not None
    assert (record.ref, record.label, record.description, record.tags) == (
        "ops.my-flow_job",
        "My-flow Job",
        "",
        ("nightly",),
    )
    definition = record.definition
    assert (definition["ref"], definition["label"], definition["description"]) == (
        "ops.my-flow_job",
        "My-flow Job",
        "",
    )
    assert definition["tags"] == ["nightly"]
    action = record.action
    assert (action.label, action.description) == ("My-flow Job", None)
    assert (action.parameter_delivery, action.reference_visibility) == ("file", "private")
    assert action.default_execution_permission_set_refs == ("standard",)
    assert (
        action.log_retention_policy,
        action.log_retention_limit,
        action.artifact_retention_policy,
        action.artifact_retention_limit,
    ) == ("days", 7, "versions", 3)


def test_a_standalone_record_keeps_the_file_name_as_its_label(tmp_path: Path) -> None:
    pack = tmp_path / "ops"
    (pack / "workflows").mkdir(parents=True)
    (pack / "pack.yaml").write_text('ref: ops\nlabel: Ops\nversion: "1.0.0"\n')
    (pack / "workflows" / "my-flow.yaml").write_text(
        'version: "1.0.0"\ntasks:\n  - name: a\n    action: core.echo\n'
    )
    [record], _ = collect([pack])
    # WorkflowRegistrar.effective_label: the loader's file name, verbatim.
    assert (record.ref, record.label, record.description) == ("ops.my-flow", "my-flow", None)
    assert (record.definition["ref"], record.definition["label"]) == ("", "")

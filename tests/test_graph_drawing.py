"""The drawn graph: nodes and edges of corpus workflows, DOT, Mermaid, JSON, SVG and HTML."""

from __future__ import annotations

import io
import json
import re
import shutil
from argparse import Namespace
from pathlib import Path

import pytest

from attune_lsp.cli import main
from attune_lsp.graphcli import model_of_file, run_graph
from attune_workflow import graphrender
from attune_workflow.graphmodel import condition_label
from graph_edges import CORPUS_EDGES

CORPUS = Path(__file__).parent / "data" / "corpus"
POST_THREAD = CORPUS / "packs/mattermost/actions/workflows/post_thread.workflow.yaml"
DEPLOY = CORPUS / "packs/deployments/actions/workflows/deploy_app.workflow.yaml"
LEGACY = CORPUS / "snippets/legacy_all_transition_types.yaml"
LEGACY_DECISION = CORPUS / "snippets/legacy_decision.yaml"
LEGACY_PARALLEL = CORPUS / "snippets/legacy_parallel.yaml"

EXPECTED_EDGES = {
    **{CORPUS / path: edges for path, edges in CORPUS_EDGES.items()},
    LEGACY: [
        ("task1", "task_s", "succeeded", []),
        ("task1", "task_f", "failed", []),
        ("task1", "task_c", "always", []),
        ("task1", "task_t", "timed_out", []),
    ],
    LEGACY_DECISION: [
        ("check", "success_task", "result().status == 'ok'", []),
        ("check", "error_task", "result().status == 'error'", []),
    ],
}


def graph_output(path: Path, fmt: str) -> str:
    out = io.StringIO()
    code = run_graph(Namespace(file=path, format=fmt, output=None, scenario=None), out)
    assert code == 0
    return out.getvalue()


@pytest.mark.parametrize("path", list(EXPECTED_EDGES), ids=lambda p: p.name)
def test_edges_from_json_match_edge_by_edge(path: Path) -> None:
    data = json.loads(graph_output(path, "json"))
    names = {node["id"]: node["name"] for node in data["nodes"]}
    edges = [
        (names[e["source"]], names[e["target"]], e["condition"], e["publishes"])
        for e in data["edges"]
    ]
    assert edges == EXPECTED_EDGES[path]
    for edge in data["edges"]:
        assert edge["range"]["line"] >= 1


@pytest.mark.parametrize("path", list(EXPECTED_EDGES), ids=lambda p: p.name)
def test_edges_from_dot_match_edge_by_edge(path: Path) -> None:
    dot = graph_output(path, "dot")
    names = dict(re.findall(r'^\s+"(t\d+)" \[label=<<b>([^<]+)</b>', dot, re.M))
    edges = [
        (names[a], names[b], label.split("\\n✎ ")[0].replace("\\'", "'"))
        for a, b, label in re.findall(
            r'^\s+"(t\d+)" -> "(t\d+)" \[label="((?:[^"\\]|\\.)*)"', dot, re.M
        )
    ]
    assert edges == [
        (a, b, c if len(c) <= 40 else c[:39] + "…") for a, b, c, _ in EXPECTED_EDGES[path]
    ]


def test_nodes_of_post_thread() -> None:
    model = model_of_file(POST_THREAD)
    assert [(n.name, n.action, n.badges, n.entry, n.severity) for n in model.nodes] == [
        ("create_root", "mattermost.post_message", [], True, None),
        ("create_replies", "mattermost.post_message", ["with_items"], False, None),
    ]
    root = model.nodes[0]
    assert (root.span.line, root.name_span and root.name_span.line) == (3, 3)


def test_nodes_of_deployments_show_badges_errors_and_publish_only_transitions() -> None:
    model = model_of_file(DEPLOY)
    nodes = {n.name: n for n in model.nodes}
    assert nodes["validate"].badges == ["retry ×2"]
    assert nodes["validate"].entry and not nodes["maybe_approve"].entry
    assert nodes["ask_for_approval"].badges == ["timeout 3600"]
    # deployments.* actions are not defined anywhere: unknown-action errors.
    assert nodes["validate"].severity == "error"
    assert any(m.startswith("unknown-action") for m in nodes["validate"].messages)
    assert nodes["summarize"].severity is None
    assert nodes["summarize"].publishes == ["final_status"]


def test_parallel_tasks_are_clusters_that_never_run() -> None:
    model = model_of_file(LEGACY_PARALLEL)
    nodes = {n.name: n for n in model.nodes}
    assert nodes["check1"].parent == nodes["parallel_checks"].id
    assert nodes["parallel_checks"].never_runs and nodes["check1"].never_runs
    assert nodes["final_task"].never_runs is None
    dot = graph_output(LEGACY_PARALLEL, "dot")
    assert 'subgraph "cluster_t0"' in dot and "parallel: parallel_checks" in dot


def test_unreachable_tasks_are_marked(tmp_path: Path) -> None:
    wf = tmp_path / "loop.yaml"
    wf.write_text(
        'version: "1"\ntasks:\n  - name: a\n    action: core.noop\n'
        "  - name: b\n    action: core.noop\n    next:\n      - do: [c]\n"
        "  - name: c\n    action: core.noop\n    next:\n      - do: [b]\n",
        encoding="utf-8",
    )
    nodes = {n.name: n for n in model_of_file(wf).nodes}
    assert [nodes[x].unreachable for x in "abc"] == [False, True, True]
    assert nodes["b"].severity == "warning"
    assert "unreachable" in graph_output(wf, "dot")


def test_mermaid_lists_nodes_edges_and_classes() -> None:
    text = graph_output(DEPLOY, "mermaid")
    assert text.startswith("flowchart TD\n")
    assert "  t0 -->|succeeded ✎ validation_summary| t1" in text
    assert "  t3 -->|failed| t5" in text
    assert "class t0,t3,t5 error" in text


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is installed by .ci/run")
def test_svg_and_html_are_drawn_by_graphviz(tmp_path: Path) -> None:
    out = tmp_path / "g.svg"
    assert main(["graph", str(POST_THREAD), "--format", "svg", "-o", str(out)]) == 0
    svg = out.read_text(encoding="utf-8")
    assert "<svg" in svg and "create_root" in svg and "create_replies" in svg
    assert 'id="node_t0"' in svg and 'id="edge_e0"' in svg
    page = graph_output(POST_THREAD, "html")
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page


def test_a_missing_graphviz_names_the_package(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(graphrender.shutil, "which", lambda name: None)
    assert main(["graph", str(POST_THREAD), "--format", "svg"]) == 3
    err = capsys.readouterr().err
    assert "apt-get install graphviz" in err and "--format dot" in err


def test_not_a_workflow_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    action = CORPUS / "packs/mattermost/actions/post_thread.yaml"
    assert main(["graph", str(action)]) == 2
    assert "is not a workflow file" in capsys.readouterr().err
    assert main(["graph", "no/such.yaml"]) == 2
    assert "no such file" in capsys.readouterr().err


def test_a_file_that_does_not_parse_says_where(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.workflow.yaml"
    bad.write_text('version: "1"\ntasks:\n  - name: a\n    action: [unclosed\n', encoding="utf-8")
    assert main(["graph", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:4:21: Did not find expected" in err and "is not a workflow" not in err


def test_scenario_overlay_marks_the_path(tmp_path: Path) -> None:
    demo = Path(__file__).parent.parent / "examples/packs/demo"
    out = io.StringIO()
    args = Namespace(
        file=demo / "actions/workflows/onboard_user.workflow.yaml",
        format="dot",
        output=None,
        scenario=demo / "tests/greet_fails.scenario.yaml",
    )
    assert run_graph(args, out) == 0
    dot = out.getvalue()
    assert "ran 1st" in dot and "ran 2nd" in dot and "skipped" in dot
    assert 'label="scenario: greeting fails (passed)"' in dot


@pytest.mark.parametrize(
    ("when", "label"),
    [
        (None, "always"),
        ("{{ succeeded() }}", "succeeded"),
        (" {{failed()}} ", "failed"),
        ("{{ timed_out() }}", "timed_out"),
        ("{{ succeeded() and x }}", "succeeded() and x"),
        ("{{ a }} and {{ b }}", "{{ a }} and {{ b }}"),
    ],
)
def test_condition_labels(when: str | None, label: str) -> None:
    assert condition_label(when) == label

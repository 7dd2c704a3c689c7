"""Legacy transitions fold into ``next`` exactly as Attune's parser orders them."""

from __future__ import annotations

from pathlib import Path

from attune_workflow.normalize import legacy_transitions, normalize
from attune_workflow.yamlsource import parse_yaml

SNIPPETS = Path(__file__).parent / "data" / "corpus" / "snippets"


def test_order_of_legacy_fields_and_publish_placement() -> None:
    task = {
        "name": "a",
        "on_timeout": "t",
        "on_complete": "c",
        "on_failure": "f",
        "on_success": "s",
        "decision": [{"when": "{{ x }}", "next": "d1"}, {"next": "d2", "default": True}],
        "publish": [{"out": "{{ result() }}"}],
    }
    assert legacy_transitions(task) == [
        {"when": "{{ succeeded() }}", "do": ["s"], "publish": [{"out": "{{ result() }}"}]},
        {"when": "{{ failed() }}", "do": ["f"]},
        {"do": ["c"]},
        {"when": "{{ timed_out() }}", "do": ["t"]},
        {"when": "{{ x }}", "do": ["d1"]},
        {"do": ["d2"]},
    ]


def test_publish_without_success_transition() -> None:
    assert legacy_transitions({"on_failure": "f", "publish": ["v"]}) == [
        {"when": "{{ failed() }}", "do": ["f"], "publish": ["v"]}
    ]
    assert legacy_transitions({"publish": ["v"]}) == [
        {"when": "{{ succeeded() }}", "publish": ["v"]}
    ]


def test_next_wins_and_legacy_is_dropped() -> None:
    data = parse_yaml((SNIPPETS / "next_precedence_over_legacy.yaml").read_text()).data
    out = normalize(data)
    for task in out["tasks"]:
        assert not {
            "on_success",
            "on_failure",
            "on_complete",
            "on_timeout",
            "decision",
            "publish",
        } & set(task)
    first = out["tasks"][0]
    assert first["next"] == data["tasks"][0]["next"]


def test_unknown_keys_and_defaults_are_dropped() -> None:
    data = {
        "version": "1",
        "name": "old",
        "cancellation_policy": "allow_finish",
        "tasks": [{"name": "a", "action": "core.echo", "delay": 5, "input": {}}],
    }
    assert normalize(data) == {
        "version": "1",
        "tasks": [{"name": "a", "action": "core.echo", "type": "action"}],
    }


def test_parallel_sub_tasks_fold_one_level_only() -> None:
    data = {
        "version": "1",
        "tasks": [
            {"name": "p", "type": "parallel", "tasks": [
                {"name": "x", "action": "a.b", "on_success": "y"},
                {"name": "y", "type": "parallel", "tasks": [{"name": "z", "action": "a.b", "on_success": "w"}]},
            ]},
        ],
    }  # fmt: skip
    out = normalize(data)
    sub = out["tasks"][0]["tasks"]
    assert sub[0]["next"] == [{"when": "{{ succeeded() }}", "do": ["y"]}]
    assert "next" not in sub[1]["tasks"][0]


def test_every_legacy_snippet_has_only_next() -> None:
    for path in SNIPPETS.glob("legacy_*.yaml"):
        out = normalize(parse_yaml(path.read_text()).data)
        legacy = {"on_success", "on_failure", "on_complete", "on_timeout", "decision", "publish"}
        assert out["tasks"]
        for task in out["tasks"]:
            assert not legacy & set(task), path.name
        assert any(task.get("next") for task in out["tasks"]), path.name

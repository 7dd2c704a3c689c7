"""Structure and types rules: missing-key, wrong-type, invalid-value, no-tasks, unknown-key,
iteration-conflict, wait-for-misuse.

Spans are written as the CLI prints them: (rule, line, column, end column), 1-based.
"""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest
from rulekit import Spec, spec
from rulekit import apply as apply_fix

from attune_workflow.check import check_text
from attune_workflow.config import Config
from attune_workflow.context import Context
from attune_workflow.diagnostics import Diagnostic, Fix, Severity
from attune_workflow.packindex import PackIndex
from attune_workflow.rules import GROUPS, RULES_BY_ID
from attune_workflow.workspace import check_paths
from attune_workflow.yamlsource import parse_yaml

DATA = Path(__file__).parent.parent / "data"
STRUCTURE = tuple(GROUPS["Structure and types"])
GRAPH = "p/actions/workflows/w.yaml"


def diagnostics(text: str, path: str = GRAPH) -> list[Diagnostic]:
    """The structure rules' findings for a workflow text."""
    found = check_text(Path(path), dedent(text), index=PackIndex(), config=Config())
    return [d for d in found if d.code in STRUCTURE]


def specs(text: str, path: str = GRAPH) -> list[Spec]:
    return [spec(d) for d in diagnostics(text, path)]


def apply(text: str, fix: Fix) -> str:
    """The dedented text after a fix's edits."""
    return apply_fix(dedent(text), fix)


def only(text: str, path: str = GRAPH) -> Diagnostic:
    found = diagnostics(text, path)
    assert len(found) == 1, found
    return found[0]


# -- real files ---------------------------------------------------------------------------------


def test_mattermost_pack_is_clean() -> None:
    reports = check_paths([DATA / "corpus" / "packs" / "mattermost"], Config(), jobs=1)
    found = [d for r in reports for d in r.diagnostics if d.code in STRUCTURE]
    assert found == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("wait_for_multiple_targets", ["invalid-value"]),
        ("wait_for_with_iteration", ["wait-for-misuse"]),
        ("wait_for_in_cycle", ["wait-for-misuse"]),
    ],
)
def test_wait_for_snippets(name: str, expected: list[str]) -> None:
    path = DATA / "corpus" / "snippets" / f"{name}.yaml"
    assert [d.code for d in diagnostics(path.read_text(), str(path))] == expected


def test_other_snippets_have_no_structural_findings() -> None:
    for path in sorted((DATA / "corpus" / "snippets").glob("*.yaml")):
        if path.stem.startswith("wait_for_"):
            continue
        assert diagnostics(path.read_text(), str(path)) == [], path.name


def test_severities() -> None:
    for rule_id in STRUCTURE:
        expected = Severity.WARNING if rule_id == "unknown-key" else Severity.ERROR
        assert RULES_BY_ID[rule_id].severity is expected


# -- missing-key --------------------------------------------------------------------------------


def test_missing_version_points_at_first_key_and_adds_it() -> None:
    text = """\
        # comment
        ref: p.w
        tasks:
          - name: a
            action: p.a
        """
    found = only(text)
    assert (found.code, found.span.line, found.span.column, found.span.end_column) == (
        "missing-key",
        1,
        0,
        3,
    )
    assert apply(text, found.fixes[0]).splitlines()[1:3] == ['version: "1.0.0"', "ref: p.w"]


def test_missing_keys_point_at_the_key_of_the_mapping_that_lacks_them() -> None:
    text = """\
        version: "1"
        tasks:
          - name: a
            retry:
              count: 2
            iterate_cache: {owner_type: pack}
            decision:
              - when: "{{ succeeded() }}"
          - input: {}
            action: p.b
        """
    assert specs(text) == [
        ("missing-key", 3, 5, 3, 9),  # task 'a' has no 'action'
        ("missing-key", 4, 5, 4, 10),  # retry.delay
        ("missing-key", 6, 5, 6, 18),  # iterate_cache.namespace
        ("missing-key", 8, 9, 8, 13),  # decision[0].next
        ("missing-key", 9, 5, 9, 10),  # task #2 has no 'name'
    ]


def test_action_required_by_type() -> None:
    text = """\
        version: "1"
        tasks:
          - name: a
            type: workflow
          - name: b
            action:
          - name: c
            type: parallel
          - name: d
            type: paralel
          - name: e
            type: parallel
            tasks:
        """
    found = diagnostics(text)
    assert [(d.code, d.span.line + 1) for d in found] == [
        ("missing-key", 3),
        ("missing-key", 6),
        ("missing-key", 7),
        ("invalid-value", 10),
        ("no-tasks", 13),
    ]
    assert found[0].message == (
        "Task 'a' of type 'workflow' has no 'action': Attune rejects the workflow; "
        "name the workflow action it runs"
    )
    assert "has an empty 'action'" in found[1].message
    assert "of type 'parallel' has no 'tasks'" in found[2].message


def test_graph_file_without_ref_is_fine() -> None:
    assert specs("version: '1'\ntasks:\n  - name: a\n    action: p.a\n") == []


# -- wrong-type ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1.0", "1", "2.5", "true", "abc"])
def test_any_scalar_is_a_string_field_text(value: str) -> None:
    # serde_yaml_ng hands a string field the scalar's text: version: 1.0 is "1.0"
    text = f"version: {value}\ntasks:\n  - name: 7\n    action: p.a\n    with_items: {value}\n"
    assert specs(text) == []


@pytest.mark.parametrize(("value", "number"), [("2.10", "2.1"), ("010", "10"), ("1e3", "1000.0")])
def test_fragile_number_text_gets_a_quoting_hint(value: str, number: str) -> None:
    text = f"version: {value}\ntasks:\n  - name: a\n    action: p.a\n"
    found = only(text)
    assert (found.code, found.severity) == ("wrong-type", Severity.HINT)
    assert found.message == (
        f'Attune reads this as the text "{value}", as written, but YAML readers see the '
        f'number {number}: quote it ("{value}")'
    )
    assert apply(text, found.fixes[0]).splitlines()[0] == f'version: "{value}"'


@pytest.mark.parametrize(("key", "empty"), [("input", "{}"), ("next", "[]")])
def test_empty_value_is_an_empty_collection(key: str, empty: str) -> None:
    assert specs(f'version: "1"\ntasks:\n  - name: a\n    action: p.a\n    {key}:\n') == []
    found = only(f'version: "1"\ntasks:\n  - name: a\n    action: p.a\n    {key}: ~\n')
    assert found.code == "wrong-type"
    assert found.message.endswith(f"not null: remove the key or write {empty}")


@pytest.mark.parametrize(("value", "fixed"), [("t2", "[t2]"), ('"t2"', '["t2"]')])
def test_scalar_do_becomes_a_list(value: str, fixed: str) -> None:
    text = f"""\
        version: "1"
        tasks:
          - name: t1
            action: p.a
            next:
              - do: {value}
          - name: t2
            action: p.b
        """
    found = only(text)
    assert (found.code, found.span.line + 1, found.span.column + 1) == ("wrong-type", 6, 13)
    assert f"do: {fixed}" in apply(text, found.fixes[0])


def test_with_items_flow_list_becomes_a_template() -> None:
    text = 'version: "1"\ntasks:\n  - name: a\n    action: p.a\n    with_items: [1, "x", true]\n'
    found = only(text)
    assert apply(text, found.fixes[0]).splitlines()[4] == (
        "    with_items: \"{{ [1, 'x', true] }}\""
    )


def test_vars_list_fix_gives_a_mapping() -> None:
    text = """\
        version: "1"
        vars:
          - a: 1
          - b:
              c: 2
        tasks:
          - name: a
            action: p.a
        """
    found = only(text)
    assert (found.code, found.span.line + 1, found.span.column + 1) == ("wrong-type", 2, 1)
    fixed = apply(text, found.fixes[0])
    assert parse_yaml(fixed).data["vars"] == {"a": 1, "b": {"c": 2}}
    assert diagnostics(fixed) == []


def test_boolean_words_and_quoted_integers() -> None:
    text = """\
        version: "1"
        tasks:
          - name: a
            action: p.a
            join: "2"
            iterate_cache:
              namespace: users
              require_fresh: yes
        """
    found = diagnostics(text)
    assert [(d.code, d.span.line + 1, d.span.column + 1) for d in found] == [
        ("wrong-type", 5, 11),
        ("wrong-type", 8, 22),
    ]
    fixed = apply(apply(text, found[1].fixes[0]), found[0].fixes[0])
    assert "join: 2" in fixed and "require_fresh: true" in fixed


def test_null_mapping_fix_writes_braces() -> None:
    text = 'version: "1"\ntasks:\n  - name: a\n    action: p.a\n    input: ~\n'
    found = only(text)
    assert (found.span.line + 1, found.span.column + 1, found.span.end_column + 1) == (5, 12, 13)
    assert apply(text, found.fixes[0]).splitlines()[4] == "    input: {}"


def test_output_map_value_becomes_a_template() -> None:
    text = 'version: "1"\ntasks:\n  - name: a\n    action: p.a\noutput_map:\n  n: 3\n'
    found = only(text)
    assert (found.code, found.severity) == ("wrong-type", Severity.WARNING)
    assert found.message == (
        "'output_map.n' is an integer: Attune publishes the string \"3\", not an integer; "
        'write it as a template ("{{ 3 }}") to keep its type'
    )
    assert apply(text, found.fixes[0]).splitlines()[5] == '  n: "{{ 3 }}"'


def test_non_string_keys() -> None:
    # the keys of a string-keyed map are texts too; a publish directive keeps YAML types
    text = 'version: "1"\nvars:\n  1: a\n  b: 2\ntasks:\n  - name: a\n    action: p.a\n'
    assert specs(text) == []
    text = (
        'version: "1"\ntasks:\n  - name: a\n    action: p.a\n    next:\n'
        "      - publish:\n          - 1: a\n"
    )
    found = only(text)
    assert (found.code, found.span.line + 1, found.span.column + 1) == ("wrong-type", 7, 13)


def test_mapping_where_a_string_is_needed() -> None:
    text = "version: {1: a}\ntasks:\n  - name: a\n    action: p.a\n"
    assert only(text).message == "'version' must be a string, not a mapping"


def test_range_failures_of_unions_are_not_type_errors() -> None:
    text = """\
        version: "1"
        tasks:
          - name: a
            action: p.a
            timeout: 0
          - name: b
            action: p.b
            timeout: 1.5
        """
    assert specs(text) == [("invalid-value", 5, 14, 5, 15), ("wrong-type", 8, 14, 8, 17)]


def test_wait_for_and_null_tasks_belong_to_other_rules() -> None:
    text = 'version: "1"\ntasks:\n'
    assert [d.code for d in diagnostics(text)] == ["no-tasks"]
    text = """\
        version: "1"
        tasks:
          - name: a
            action: p.a
            wait_for:
              inquiry: [1]
        """
    assert [d.code for d in diagnostics(text)] == ["invalid-value"]


# -- invalid-value ------------------------------------------------------------------------------


def test_enum_fix_replaces_the_value() -> None:
    text = 'version: "1"\ntasks:\n  - name: a\n    type: "Action"\n    action: p.a\n'
    found = only(text)
    assert found.message.endswith("did you mean 'action'?")
    assert apply(text, found.fixes[0]).splitlines()[3] == "    type: action"


def test_non_string_enum_value() -> None:
    text = 'version: "1"\ncancellation_policy: 1\ntasks:\n  - name: a\n    action: p.a\n'
    found = only(text)
    assert found.message == (
        "'cancellation_policy' must be 'allow_finish' or 'cancel_running', not 1: "
        "Attune rejects the workflow"
    )
    assert found.fixes == ()


def test_iteration_bounds_only_on_iterating_tasks() -> None:
    text = """\
        version: "1"
        tasks:
          - name: a
            action: p.a
            batch_size: 0
            concurrency: 1000
          - name: b
            action: p.b
            batch_size: -1
          - name: c
            action: p.c
            with_items: "{{ parameters.x }}"
            batch_size: 1001
            concurrency: 0
          - name: d
            action: p.d
            with_items:
            concurrency: 0
        """
    assert specs(text) == [
        ("invalid-value", 9, 17, 9, 19),
        ("invalid-value", 13, 17, 13, 21),
        ("invalid-value", 14, 18, 14, 19),
    ]


def test_lengths() -> None:
    text = f'ref: p.{"x" * 254}\nlabel: ok\nversion: "{"1" * 51}"\ntasks:\n  - name: a\n    action: p.a\n'
    found = diagnostics(text)
    assert [d.message for d in found] == [
        "'ref' must have at most 255 characters, not 256: Attune rejects the workflow",
        "'version' must have 1 to 50 characters, not 51: Attune rejects the workflow",
    ]


def test_vars_names_are_unicode_alphanumeric() -> None:
    text = """\
        version: "1"
        vars:
          état_1: a
          名前: b
          x-y: c
          "": d
          a/b: e
        tasks:
          - name: a
            action: p.a
        """
    assert specs(text) == [("invalid-value", 6, 3, 6, 5), ("invalid-value", 7, 3, 7, 6)]


def test_max_delay_below_delay() -> None:
    text = """\
        version: "1"
        tasks:
          - name: a
            action: p.a
            retry: {count: 1, delay: 10, max_delay: 5}
        """
    found = only(text)
    assert (found.code, found.span.column + 1, found.span.end_column + 1) == (
        "invalid-value",
        45,
        46,
    )


@pytest.mark.parametrize(
    "value",
    ["0", "-1", "1.5", "plain-text", '"{{ }}"', "{}", "null", '"x {{ a }}"', '"42"', "true"],
)
def test_wait_for_bad_values(value: str) -> None:
    text = f'version: "1"\ntasks:\n  - name: a\n    action: p.a\n    wait_for:\n      inquiry: {value}\n'
    found = only(text)
    assert (found.code, found.span.line + 1) == ("invalid-value", 6)


@pytest.mark.parametrize(
    "value", ["1", "42", '"{{ task.x.id }}"', "' {{ parameters.id }} '", "|\n        {{ 5 }}"]
)
def test_wait_for_good_values(value: str) -> None:
    text = f'version: "1"\ntasks:\n  - name: a\n    action: p.a\n    wait_for:\n      execution: {value}\n'
    assert diagnostics(text) == []


def test_wait_for_unparsable_template_is_left_to_expression_syntax() -> None:
    text = 'version: "1"\ntasks:\n  - name: a\n    action: p.a\n    wait_for:\n      inquiry: "{{ 1 + }}"\n'
    assert diagnostics(text) == []
    found = check_text(Path(GRAPH), text, index=PackIndex(), config=Config())
    assert "expression-syntax" in [d.code for d in found]


def test_wait_for_key_counts() -> None:
    text = """\
        version: "1"
        tasks:
          - name: a
            action: p.a
            wait_for: {}
          - name: b
            action: p.b
            wait_for: {inquiry: 1, execution: 2}
          - name: c
            action: p.c
            wait_for: {timeout: 5}
          - name: d
            action: p.d
            wait_for:
        """
    assert specs(text) == [
        ("invalid-value", 5, 15, 5, 17),
        ("invalid-value", 8, 28, 8, 37),
        ("unknown-key", 11, 16, 11, 23),
    ]


def test_quoted_positive_integer_wait_for_fix() -> None:
    text = (
        'version: "1"\ntasks:\n  - name: a\n    action: p.a\n    wait_for:\n      inquiry: "42"\n'
    )
    found = only(text)
    assert apply(text, found.fixes[0]).splitlines()[5] == "      inquiry: 42"


# -- unknown-key --------------------------------------------------------------------------------


def test_unknown_key_severity_and_rename() -> None:
    text = """\
        version: "1"
        tasks:
          - name: a
            actoin: p.a
            wait_for:
              inquiry: 1
              inquiri: 2
            iterate_cache:
              namespace: x
              page_sise: 3
        """
    found = diagnostics(text)
    unknown = [d for d in found if d.code == "unknown-key"]
    assert [(d.severity, d.span.line + 1) for d in unknown] == [
        (Severity.WARNING, 4),
        (Severity.ERROR, 7),
        (Severity.ERROR, 10),
    ]
    assert apply(text, unknown[0].fixes[0]).splitlines()[3] == "    action: p.a"
    assert apply(text, unknown[2].fixes[0]).splitlines()[9] == "      page_size: 3"
    # the typo leaves the task without an action, and it may not wait while iterating
    assert [d.code for d in found if d.code != "unknown-key"] == ["missing-key", "wait-for-misuse"]


def test_configured_severity_applies_to_every_unknown_key() -> None:
    text = 'version: "1"\ntasks:\n  - name: a\n    action: p.a\n    wait_for: {inquiry: 1, x: 2}\n'
    config = Config(rules={"unknown-key": Severity.HINT})
    found = check_text(Path(GRAPH), text, index=PackIndex(), config=config)
    assert [d.severity for d in found if d.code == "unknown-key"] == [Severity.HINT]


def test_no_rename_onto_an_existing_key() -> None:
    text = 'version: "1"\ntasks:\n  - name: a\n    action: p.a\n    actoin: p.b\n'
    found = only(text)
    assert "did you mean 'action'?" in found.message
    assert found.fixes == ()


def test_dropped_keys_by_layout() -> None:
    text = 'name: x\ninput: [a]\nversion: "1"\ntasks:\n  - name: a\n    action: p.a\n'
    graph = [d.message for d in diagnostics(text)]
    standalone = [d.message for d in diagnostics(text, "p/workflows/w.yaml")]
    assert "the action that links this file" in graph[0]
    assert "use 'ref' (pack.name) and 'label'" in standalone[0]
    assert "in the action file" in graph[1]
    assert "in the action file" not in standalone[1]


def test_task_parameters_rename_to_input() -> None:
    text = 'version: "1"\ntasks:\n  - name: a\n    action: p.a\n    parameters: {x: 1}\n'
    found = only(text)
    assert apply(text, found.fixes[0]).splitlines()[4] == "    input: {x: 1}"


def test_chart_meta_and_aliases_are_known() -> None:
    text = """\
        version: "1"
        __chart_meta__: {}
        tasks:
          - name: a
            action: p.a
            permission_set_ref: standard
            __chart_meta__: {position: {x: 1, y: 2}}
            next:
              - do: [b]
                __chart_meta__: {label: go}
          - name: b
            action: p.b
        """
    assert specs(text) == [("unknown-key", 2, 1, 2, 15)]


def test_merge_keys_are_not_expanded() -> None:
    text = """\
        version: "1"
        defaults: &defaults
          action: p.a
        tasks:
          - name: a
            <<: *defaults
        """
    found = diagnostics(text)
    assert [(d.code, d.span.line + 1) for d in found] == [
        ("unknown-key", 2),
        ("missing-key", 5),
        ("unknown-key", 6),
    ]
    assert "does not expand merge keys" in found[2].message


# -- no-tasks -----------------------------------------------------------------------------------


def test_no_tasks() -> None:
    assert specs('version: "1"\ntasks: []\n') == [("no-tasks", 2, 8, 2, 10)]
    assert specs('version: "1"\ntasks: ~\n') == [("no-tasks", 2, 1, 2, 6)]
    text = 'version: "1"\ntasks:\n  - name: p\n    type: parallel\n    tasks: []\n'
    assert specs(text) == [("no-tasks", 5, 12, 5, 14)]
    text = 'version: "1"\ntasks:\n  - name: p\n    action: p.p\n    tasks: []\n'
    assert specs(text) == []


# -- iteration-conflict -------------------------------------------------------------------------


def test_iteration_conflict() -> None:
    text = """\
        version: "1"
        tasks:
          - name: a
            iterate_cache: {namespace: x}
            action: p.a
            with_items: "{{ parameters.x }}"
          - name: b
            type: parallel
            iterate_cache: {namespace: x}
            with_items: "{{ parameters.x }}"
            tasks:
              - name: c
                action: p.c
          - name: d
            type: workflow
            action: p.d
            with_items: ~
        """
    found = diagnostics(text)
    assert [(d.code, d.span.line + 1, d.span.column + 1) for d in found] == [
        ("iteration-conflict", 6, 5),
        ("iteration-conflict", 9, 5),
        ("iteration-conflict", 10, 5),
        ("iteration-conflict", 10, 5),
    ]
    assert found[0].related[0].span.line == 3


# -- wait-for-misuse ----------------------------------------------------------------------------


def test_first_reason_only() -> None:
    text = """\
        version: "1"
        tasks:
          - name: p
            type: parallel
            with_items: "{{ parameters.x }}"
            wait_for: {inquiry: 1}
            tasks:
              - name: c
                action: p.c
                wait_for: {inquiry: 1}
                with_items: "{{ parameters.x }}"
        """
    found = [d for d in diagnostics(text) if d.code == "wait-for-misuse"]
    assert [(d.span.line + 1, d.message.split(":")[0]) for d in found] == [
        (6, "Task 'p' of type 'parallel' cannot use 'wait_for'"),
        (10, "Task 'c' is a sub-task of parallel task 'p'"),
    ]


def test_cycle_message_and_related_edge() -> None:
    text = """\
        version: "1"
        tasks:
          - name: a
            action: p.a
            next:
              - do: [b]
          - name: b
            action: p.b
            wait_for: {execution: 5}
            next:
              - do: [c, a]
          - name: c
            action: p.c
            next:
              - do: [b]
        """
    found = only(text)
    assert found.message.startswith("Task 'b' is in a cycle (b -> c -> b)")
    assert (found.related[0].span.line + 1, found.related[0].span.column + 1) == (15, 14)


def test_legacy_edges_ignored_when_next_is_set() -> None:
    text = """\
        version: "1"
        tasks:
          - name: a
            action: p.a
            wait_for: {inquiry: 1}
            on_failure: a
            next:
              - do: [b]
          - name: b
            action: p.b
        """
    assert diagnostics(text) == []
    text = text.replace("            next:\n              - do: [b]\n", "")
    assert [d.code for d in diagnostics(text)] == ["wait-for-misuse"]


def test_cycle_outside_the_waiting_task_is_fine() -> None:
    text = """\
        version: "1"
        tasks:
          - name: w
            action: p.w
            wait_for: {inquiry: 1}
            next:
              - do: [x]
          - name: x
            action: p.x
            next:
              - do: [y]
          - name: y
            action: p.y
            next:
              - do: [x]
        """
    assert diagnostics(text) == []


def _chain(count: int, back_edge: bool) -> str:
    lines = ['version: "1"', "tasks:"]
    for i in range(count):
        lines += [f"  - name: t{i}", f"    action: p.a{i % 7}"]
        if i == 0:
            lines.append("    wait_for: {inquiry: 1}")
        if i + 1 < count:
            lines.append(f"    next: [{{do: [t{i + 1}]}}]")
        elif back_edge:
            lines.append("    next: [{do: [t0]}]")
    return "\n".join(lines) + "\n"


def test_long_chains_do_not_recurse() -> None:
    text = _chain(3000, back_edge=True)
    found = only(text)
    assert found.code == "wait-for-misuse"
    assert "(t0 -> t1 -> t2 -> t3 -> ... -> t2998 -> t2999 -> t0)" in found.message
    assert diagnostics(_chain(3000, back_edge=False)) == []


def test_a_large_cycle_is_one_finding() -> None:
    text = _chain(1000, back_edge=True)
    ctx = Context(Path(GRAPH), text, parse_yaml(text), index=PackIndex(), config=Config())
    assert ctx.structure == [] and ctx.view is not None
    found = [d for rule_id in STRUCTURE for d in RULES_BY_ID[rule_id].check(ctx)]
    assert [d.code for d in found] == ["wait-for-misuse"]

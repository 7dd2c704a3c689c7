"""Expression rules: exact spans in every scalar style, quick fixes, and what stays silent."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from rulekit import Spec, apply, spec

from attune_workflow.check import analyze, check_text
from attune_workflow.config import Config
from attune_workflow.diagnostics import Diagnostic
from attune_workflow.packindex import PackIndex
from attune_workflow.positions import LineIndex
from attune_workflow.rules import GROUPS, RULES_BY_ID
from attune_workflow.workspace import check_paths
from attune_workflow.yamlsource import parse_yaml

EXPRESSION_RULES = set(GROUPS["Expressions"])
CORPUS = Path(__file__).parent.parent / "data" / "corpus"
PATH = Path("pack/actions/workflows/w.yaml")


def workflow(body: str, header: str = "") -> str:
    """A workflow document: optional top-level keys, then `tasks:` with `body` (dedented)."""
    head = textwrap.dedent(header)
    return 'version: "1.0.0"\n' + head + "tasks:\n" + textwrap.indent(textwrap.dedent(body), "  ")


def diagnostics(text: str, *rules: str, path: Path = PATH) -> list[Diagnostic]:
    found = check_text(path, text, index=PackIndex(), config=Config())
    wanted = set(rules) or EXPRESSION_RULES
    return [d for d in found if d.code in wanted]


def spans(text: str, *rules: str) -> list[Spec]:
    """Full span specs of the findings (see ``rulekit``)."""
    return [spec(d) for d in diagnostics(text, *rules)]


def underlined(text: str, d: Diagnostic) -> str:
    lines = LineIndex(text)
    start = lines.offset(d.span.line, d.span.column)
    end = lines.offset(d.span.end_line, d.span.end_column)
    return text[start:end]


def fixed(text: str, rule: str) -> str:
    """The text after the first fix of the only finding of `rule`; the result still parses."""
    (d,) = diagnostics(text, rule)
    assert d.fixes, d
    result = apply(text, d.fixes[0])
    assert parse_yaml(result).syntax_error is None, result
    return result


def echo(message: str) -> str:
    return workflow(
        f"""\
        - name: greet
          action: core.echo
          input:
            message: {message}
        """
    )


# -- positions in every scalar style ---------------------------------------------------------


@pytest.mark.parametrize(
    "scalar",
    [
        "{{ a = 1 }} text",
        '"{{ a = 1 }} text"',
        "'{{ a = 1 }} text'",
        '"tab\\t{{ a = 1 }}"',
        "'it''s {{ a = 1 }}'",
    ],
)
def test_syntax_error_points_at_the_bad_token_in_flow_scalars(scalar: str) -> None:
    if scalar.startswith("{"):
        scalar = "x " + scalar  # a plain scalar cannot start with `{`
    text = echo(scalar)
    (d,) = diagnostics(text, "expression-syntax")
    assert underlined(text, d) == "="
    assert d.message.startswith("Syntax error: unexpected '='")


def test_positions_inside_literal_and_folded_block_scalars() -> None:
    text = workflow(
        """\
        - name: greet
          action: core.echo
          input:
            message: |
              first line
              value {{ keystore.db.pw }} and {{ task.nope.x }}
          next:
            - when: >
                {{ succeeded()
                and lenght(parameters.x) > 0 }}
        """
    )
    found = diagnostics(text)
    assert [(d.code, underlined(text, d)) for d in found] == [
        ("keystore-access", "keystore.db.pw"),
        ("unknown-task-reference", "nope"),
        ("unknown-function", "lenght"),
    ]
    assert [d.span.line + 1 for d in found] == [8, 8, 12]


def test_syntax_error_in_a_multi_line_double_quoted_scalar() -> None:
    text = echo('"{{ parameters.a +\n        * 2 }}"')
    (d,) = diagnostics(text, "expression-syntax")
    assert underlined(text, d) == "*"
    assert d.span.line == 6


# -- unsupported syntax ------------------------------------------------------------------------


def test_filter_fix_rewrites_the_whole_construct() -> None:
    text = echo('"{{ parameters.hosts | length }}"')
    assert spans(text, "unsupported-syntax") == [("unsupported-syntax", 6, 37, 6, 45)]
    assert "{{ length(parameters.hosts) }}" in fixed(text, "unsupported-syntax")


def test_chained_filters_give_a_composed_rewrite() -> None:
    text = echo('"{{ parameters.name | trim | upper }}"')
    found = diagnostics(text, "unsupported-syntax")
    assert len(found) == 2
    last = apply(text, found[-1].fixes[0])
    assert "{{ upper(trim(parameters.name)) }}" in last


def test_rewrite_with_quotes_inside_a_double_quoted_scalar_uses_single_quotes() -> None:
    text = echo('"{{ st2kv.system.db.password }}"')
    assert "{{ keystore['db.password'] }}" in fixed(text, "unsupported-syntax")


def test_rewrite_with_quotes_inside_a_single_quoted_scalar() -> None:
    text = echo("'{{ parameters.hosts | join(\", \") }}'")
    assert "'{{ join(parameters.hosts, \", \") }}'" in fixed(text, "unsupported-syntax")


def test_constructs_without_exact_equivalent_have_no_fix() -> None:
    text = echo("\"{{ a if b else c }} {{ {'k': 1} }}\"")
    found = diagnostics(text, "unsupported-syntax")
    assert [underlined(text, d) for d in found] == ["if b else c", "{'k': 1}"]
    assert all(not d.fixes for d in found)


def test_jinja_statement_in_a_string_without_blocks() -> None:
    text = workflow(
        """\
        - name: greet
          action: core.echo
          input:
            message: "{% if x %}yes{% endif %}"
        """
    )
    found = diagnostics(text, "unsupported-syntax")
    assert [underlined(text, d) for d in found] == ["{% if x %}", "{% endif %}"]


def test_jinja_statements_outside_templated_fields_are_not_reported() -> None:
    text = workflow(
        """\
        - name: greet
          action: core.echo
          __chart_meta__:
            note: "{% raw %}"
        """,
        header='description: "{% if x %}"\n',
    )
    assert diagnostics(text, "unsupported-syntax") == []


def test_ctx_argument_is_not_also_an_unknown_variable() -> None:
    text = echo('"{{ ctx(attempts) }}"')
    assert [d.code for d in diagnostics(text)] == ["unsupported-syntax"]


# -- functions ---------------------------------------------------------------------------------


def test_unknown_function_fix_and_no_suggestion_for_unrelated_names() -> None:
    text = echo('"{{ lenght(parameters.x) }} {{ now() }}"')
    found = diagnostics(text, "unknown-function")
    assert [underlined(text, d) for d in found] == ["lenght", "now"]
    assert found[0].fixes and not found[1].fixes
    assert "{{ length(parameters.x) }}" in apply(text, found[0].fixes[0])


def test_wrong_arity_spans_the_call_and_names_the_signature() -> None:
    text = echo('"{{ join(parameters.x) }} {{ range(1) }} {{ range(1, 2) }} {{ result(1) }}"')
    found = diagnostics(text, "wrong-arity")
    assert [underlined(text, d) for d in found] == ["join(parameters.x)", "result(1)"]
    assert "'join(arr, sep)'" in found[0].message


def test_unknown_function_is_not_also_a_wrong_arity() -> None:
    text = echo('"{{ uuid(1, 2) }}"')
    assert [d.code for d in diagnostics(text)] == ["unknown-function"]


# -- names ---------------------------------------------------------------------------------------


def test_known_bare_names() -> None:
    text = workflow(
        """\
        - name: greet
          action: core.echo
          input:
            message: "{{ hosts }} {{ attempts }} {{ execution }} {{ work_queue_item }} {{ item }} {{ index }} {{ system }} {{ config }} {{ true }}"
        """,
        header="parameters:\n  hosts: {type: array}\nvars:\n  attempts: 0\n",
    )
    assert diagnostics(text, "unknown-variable") == []


def test_bare_name_of_a_json_schema_parameter_block_is_known() -> None:
    text = workflow(
        """\
        - name: greet
          action: core.echo
          input:
            message: "{{ hosts }} {{ parameters.hosts }}"
        """,
        header="parameters:\n  type: object\n  properties:\n    hosts: {type: array}\n",
    )
    assert diagnostics(text) == []


def test_published_bare_name_gets_a_workflow_fix() -> None:
    text = workflow(
        """\
        - name: greet
          action: core.echo
          input:
            message: "{{ summary }}"
          next:
            - publish:
                - summary: "{{ result() }}"
        """
    )
    assert '"{{ workflow.summary }}"' in fixed(text, "unknown-variable")


def test_misspelt_namespace_gets_a_fix() -> None:
    text = echo('"{{ paramters.x }}"')
    (d,) = diagnostics(text, "unknown-variable")
    assert "did you mean 'parameters'?" in d.message
    assert "{{ parameters.x }}" in apply(text, d.fixes[0])


def test_misspelt_parameter_gets_a_parameters_fix() -> None:
    text = workflow(
        """\
        - name: greet
          action: core.echo
          input:
            message: "{{ hsts }}"
        """,
        header="parameters:\n  hosts: {type: array}\n",
    )
    assert "{{ parameters.hosts }}" in fixed(text, "unknown-variable")


def test_unknown_variable_message_follows_attune() -> None:
    (d,) = diagnostics(echo('"{{ region }}"'), "unknown-variable")
    assert d.message == (
        "Unknown variable 'region': use 'parameters.region' for input parameters, "
        "or define it in workflow vars"
    )


# -- task references -----------------------------------------------------------------------------


def test_sub_task_names_are_known_everywhere() -> None:
    text = workflow(
        """\
        - name: checks
          type: parallel
          tasks:
            - name: lint
              action: core.echo
              input:
                message: "{{ task['unit-tests'].stdout }}"
            - name: unit-tests
              action: core.echo
              input:
                message: "{{ tasks.lint.stdout }}"
        - name: report
          action: core.echo
          input:
            message: "{{ task.lint.stdout }} {{ task.checks }}"
        """
    )
    assert diagnostics(text) == []


def test_bracketed_task_fix_keeps_the_quotes() -> None:
    text = echo("\"{{ task['gret'].stdout }}\"")
    assert "{{ task['greet'].stdout }}" in fixed(text, "unknown-task-reference")


def test_dynamic_and_bare_task_references_are_not_checked() -> None:
    assert diagnostics(echo('"{{ task[parameters.name] }} {{ task }} {{ task[0] }}"')) == []


def test_wait_namespaces_need_the_matching_wait_for() -> None:
    text = workflow(
        """\
        - name: approve
          action: core.ask
          wait_for:
            inquiry: 7
          input:
            prompt: "ok?"
          next:
            - when: "{{ inquiry.approve.response.ok and execution.approve.id != null }}"
        """
    )
    found = diagnostics(text, "unknown-task-reference")
    assert [underlined(text, d) for d in found] == ["approve"]
    assert found[0].message.startswith("Task 'approve' has no 'wait_for: {execution: …}'")
    assert "inquiry.approve.id" in apply(text, found[0].fixes[0])


# -- parameters and variables --------------------------------------------------------------------


def test_parameters_are_not_checked_without_a_schema() -> None:
    assert diagnostics(echo('"{{ parameters.anything }}"'), path=Path("loose.yaml")) == []


def test_graph_file_linked_to_an_action_uses_its_parameters(tmp_path: Path) -> None:
    (tmp_path / "actions" / "workflows").mkdir(parents=True)
    (tmp_path / "pack.yaml").write_text('ref: shop\nlabel: Shop\nversion: "1.0.0"\n')
    (tmp_path / "actions" / "sync.yaml").write_text(
        "ref: shop.sync\nworkflow_file: workflows/sync.workflow.yaml\n"
        "parameters:\n  store_id: {type: string}\n"
    )
    graph = tmp_path / "actions" / "workflows" / "sync.workflow.yaml"
    graph.write_text(echo("\"{{ parameters.store_id }} {{ parameters['store'] }}\""))
    reports = check_paths([tmp_path], Config(), jobs=1)
    (report,) = [r for r in reports if r.path.name == graph.name]
    found = [d for d in report.diagnostics if d.code in EXPRESSION_RULES]
    assert [d.code for d in found] == ["unknown-parameter"]
    assert "'shop.sync'" in found[0].message and "did you mean 'store_id'?" in found[0].message


def test_unknown_parameter_fix() -> None:
    text = workflow(
        """\
        - name: greet
          action: core.echo
          input:
            message: "{{ parameters.itme_count }}"
        """,
        header="parameters:\n  item_count: {type: integer}\n",
    )
    assert "{{ parameters.item_count }}" in fixed(text, "unknown-parameter")


def test_workflow_variables_from_every_publish_form() -> None:
    text = workflow(
        """\
        - name: first
          action: core.echo
          input:
            message: "{{ workflow.a }} {{ vars.b }} {{ variables.c }} {{ workflow['d'] }}"
          publish:
            - c: "{{ result() }}"
          on_success: second
        - name: second
          action: core.echo
          input:
            message: "x"
          next:
            - publish:
                - b: 1
                - d
        """,
        header="vars:\n  a: 0\n",
    )
    assert diagnostics(text) == []


def test_workflow_variable_that_is_a_parameter_gets_a_parameters_fix() -> None:
    text = workflow(
        """\
        - name: greet
          action: core.echo
          input:
            message: "{{ vars.region }}"
        """,
        header="parameters:\n  region: {type: string}\n",
    )
    assert "{{ parameters.region }}" in fixed(text, "unknown-workflow-variable")


# -- keystore ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scalar", "expected"),
    [
        ('"{{ keystore.db.password }}"', "\"{{ keystore['db.password'] }}\""),
        ("'{{ keystore.db.password }}'", "'{{ keystore[\"db.password\"] }}'"),
        ("pw {{ keystore.db.password }}", 'pw {{ keystore["db.password"] }}'),
        ('"{{ keystore.db.password.field }}"', "\"{{ keystore['db.password.field'] }}\""),
    ],
)
def test_keystore_fix_in_every_quoting(scalar: str, expected: str) -> None:
    assert f"message: {expected}\n" in fixed(echo(scalar), "keystore-access")


def test_keystore_dot_access_stops_at_the_first_bracket() -> None:
    text = echo("'{{ keystore.db[\"x\"] }}'")
    (d,) = diagnostics(text, "keystore-access")
    assert underlined(text, d) == "keystore.db"


def test_keystore_bracket_access_and_dynamic_keys_are_fine() -> None:
    text = echo("\"{{ keystore['a.b'].c }} {{ keystore[parameters.key] }}\"")
    assert diagnostics(text, "keystore-access") == []


# -- transition functions and result paths -------------------------------------------------------


def test_transition_functions_in_every_transition_form_are_fine() -> None:
    text = workflow(
        """\
        - name: first
          action: core.echo
          input:
            message: "x"
          publish:
            - out: "{{ result() }}"
          decision:
            - when: "{{ succeeded() and result().ok }}"
              next: second
        - name: second
          action: core.echo
          input:
            message: "{{ workflow.out }}"
          next:
            - when: "{{ timed_out() or cancelled() }}"
              publish:
                - again: "{{ failed() }}"
        """
    )
    assert diagnostics(text, "transition-function-scope") == []


def test_transition_functions_outside_transitions() -> None:
    text = workflow(
        """\
        - name: first
          action: core.echo
          when: "{{ succeeded() }}"
          with_items: "{{ result() }}"
          input:
            message: "{{ failed() }}"
        """
    )
    found = diagnostics(text, "transition-function-scope")
    assert [underlined(text, d) for d in found] == ["succeeded()", "result()", "failed()"]


def test_result_path_fixes_drop_the_step() -> None:
    text = workflow(
        """\
        - name: first
          action: core.echo
          input:
            message: "x"
          next:
            - publish:
                - a: "{{ result().result.id }}"
                - b: "{{ task.first['result'].id }}"
        """
    )
    found = diagnostics(text, "result-path")
    assert [underlined(text, d) for d in found] == ["result", "'result'"]
    assert "{{ result().id }}" in apply(text, found[0].fixes[0])
    assert "{{ task.first.id }}" in apply(text, found[1].fixes[0])


def test_result_path_of_an_unknown_task_is_left_to_unknown_task_reference() -> None:
    text = echo('"{{ task.nope.result.id }}"')
    assert [d.code for d in diagnostics(text)] == ["unknown-task-reference"]


# -- mixed templates -----------------------------------------------------------------------------


def test_mixed_template_fields() -> None:
    text = workflow(
        """\
        - name: first
          action: core.echo
          with_items: "{{ parameters.a }}{{ parameters.b }}"
          timeout: " {{ parameters.t }} "
          wait_for:
            inquiry: "id {{ parameters.i }}"
          worker_tolerations: "{{ parameters.tolerations }}"
          worker_affinity:
            required: "x {{ parameters.y }}"
          input:
            message: "count {{ parameters.n }}"
        """
    )
    found = diagnostics(text, "mixed-template-type")
    assert [underlined(text, d) for d in found] == ["{{ parameters.a }}{{ parameters.b }}"]


# -- docs, robustness and the corpus -------------------------------------------------------------------


@pytest.mark.parametrize("rule_id", sorted(EXPRESSION_RULES))
def test_documented_example_fires_and_its_fix_is_clean(rule_id: str) -> None:
    example, use_instead = re.findall(r"```yaml\n(.*?)```", RULES_BY_ID[rule_id].doc, re.S)

    def as_workflow(block: str) -> str:
        if block.startswith("- name"):
            block = "tasks:\n" + textwrap.indent(block, "  ")
        return 'version: "1.0.0"\n' + block

    assert {d.code for d in diagnostics(as_workflow(example))} == {rule_id}
    assert diagnostics(as_workflow(use_instead), *RULES_BY_ID) == []


@pytest.mark.parametrize(
    "text",
    [
        "version: '1'\ntasks: 5\n",
        "version: '1'\ntasks:\n  - 5\n  - name: [x]\n    input: 3\n    with_items: [1]\n",
        "version: '1'\ntasks:\n  - name: a\n    input:\n      m: '{{ }} {{ unclosed'\n",
        "version: '1'\ntasks:\n  - name: a\n    next: {when: '{{ x }}'}\n    publish: 4\n",
        "version: '1'\nvars: [a]\nparameters: 7\ntasks:\n  - name: a\n    input: {m: '{{ a }}'}\n",
        "version: '1'\ntasks:\n  - name: a\n    wait_for: [inquiry]\n    input: {m: '{{ inquiry.a }}'}\n",
        "version: '1'\ntasks:\n  - name: a\n    input: {m: '{{ ((((((((((x' }\n",
        "- not a mapping\n",
    ],
)
def test_bad_input_never_raises(text: str) -> None:
    diagnostics(text)


def test_mattermost_pack_has_no_expression_findings() -> None:
    reports = check_paths([CORPUS / "packs" / "mattermost"], Config(), jobs=1)
    assert [d for r in reports for d in r.diagnostics if d.code in EXPRESSION_RULES] == []


def test_each_rule_is_silent_on_a_large_valid_workflow() -> None:
    tasks = []
    for i in range(1000):
        tasks.append(
            f"""\
            - name: t{i}
              action: core.echo
              input:
                message: "step {i} of {{{{ parameters.count }}}} {{{{ task.t{max(i - 1, 0)}.stdout }}}}"
              next:
                - when: "{{{{ succeeded() and result().ok == true }}}}"
                  publish:
                    - total: "{{{{ workflow.total + {i} }}}}"
                  do: [t{min(i + 1, 999)}]
            """
        )
    text = workflow(
        "".join(textwrap.dedent(t) for t in tasks),
        header="parameters:\n  count: {type: integer}\nvars:\n  total: 0\n",
    )
    ctx, _ = analyze(PATH, text, index=PackIndex(), config=Config())
    assert len(ctx.expressions) >= 3000
    for rule_id in sorted(EXPRESSION_RULES):
        rule = RULES_BY_ID[rule_id]
        found = list(rule.check(ctx))
        assert found == [], (rule_id, found[:3])

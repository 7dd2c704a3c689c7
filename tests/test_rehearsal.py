"""Rehearsal: walking a workflow as Attune's scheduler does, on mocked task results."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from attune_workflow.rehearsal import Rehearsal, coverage, find_scenarios, rehearse_file

EXAMPLES = Path(__file__).parent.parent / "examples" / "packs"


def run(tmp_path: Path, workflow: str, scenario: str) -> Rehearsal:
    (tmp_path / "wf.workflow.yaml").write_text(textwrap.dedent(workflow), encoding="utf-8")
    path = tmp_path / "case.scenario.yaml"
    path.write_text("workflow: wf.workflow.yaml\n" + textwrap.dedent(scenario), encoding="utf-8")
    return rehearse_file(path)


def failed(run: Rehearsal) -> list[str]:
    return [f"{e.what} ({e.detail})" for e in run.expectations if not e.ok]


BRANCH = """\
version: "1.0"
tasks:
  - name: build
    action: core.echo
    next:
      - when: "{{ succeeded() }}"
        do: [ship]
      - when: "{{ failed() }}"
        publish:
          - reason: "{{ result().error }}"
        do: [alert]
  - name: ship
    action: core.echo
  - name: alert
    action: core.echo
    input:
      message: "build failed: {{ workflow.reason }}"
"""


def test_branching_on_failure(tmp_path: Path) -> None:
    r = run(
        tmp_path,
        BRANCH,
        """\
        tasks:
          build: {status: failed, result: {error: boom}}
        expect:
          ran: [build, alert]
          not_ran: [ship]
          vars: {reason: boom}
        """,
    )
    assert r.passed, failed(r)
    assert r.ran == ["build", "alert"]
    assert r.steps[1].input == {"message": "build failed: boom"}
    assert [t.fired for t in r.steps[0].transitions] == [False, True]
    assert r.status == "succeeded"


def test_success_path_and_a_broken_expectation_fails(tmp_path: Path) -> None:
    r = run(tmp_path, BRANCH, "expect:\n  ran: [alert]\n  order: [ship, build]\n")
    assert not r.passed
    assert r.ran == ["build", "ship"]
    assert failed(r) == [
        "alert ran (no transition started it)",
        "order ship → build (actual order: build → ship)",
    ]


def test_an_unhandled_failure_fails_the_workflow(tmp_path: Path) -> None:
    wf = 'version: "1"\ntasks:\n  - name: a\n    action: core.echo\n    next:\n      - when: "{{ succeeded() }}"\n        do: [b]\n  - name: b\n    action: core.echo\n'
    r = run(tmp_path, wf, "tasks:\n  a: {status: failed}\nexpect:\n  status: failed\n")
    assert r.passed, failed(r)
    assert "no transition handled the outcome of a" in r.notes[0]


JOIN = """\
version: "1"
tasks:
  - name: start
    action: core.noop
    next:
      - do: [left, right]
  - name: left
    action: core.noop
    next:
      - when: "{{ succeeded() }}"
        do: [merge]
  - name: right
    action: core.noop
    next:
      - when: "{{ succeeded() }}"
        do: [merge]
  - name: merge
    action: core.noop
    join: 2
"""


def test_join_waits_for_distinct_predecessors(tmp_path: Path) -> None:
    r = run(tmp_path, JOIN, "expect:\n  order: [start, left, right, merge]\n")
    assert r.passed, failed(r)
    notes = r.steps[1].transitions[0].notes
    assert notes == ["merge waits at its join (1 of 2)"]
    assert r.steps[2].transitions[0].started == ["merge"]


def test_join_never_reached_when_a_branch_fails(tmp_path: Path) -> None:
    r = run(tmp_path, JOIN, "tasks:\n  right: {status: failed}\nexpect:\n  not_ran: [merge]\n")
    assert r.passed, failed(r)
    assert r.not_run["merge"] == "join never reached (1 of 2)"


def test_a_task_is_dispatched_at_most_once(tmp_path: Path) -> None:
    wf = JOIN.replace("    join: 2\n", "")
    r = run(tmp_path, wf, "expect:\n  order: [start, left, right, merge]\n")
    assert r.passed, failed(r)
    assert r.ran.count("merge") == 1
    assert r.steps[2].transitions[0].notes == [
        "merge already dispatched (a task runs at most once)"
    ]


ITEMS = """\
version: "1"
tasks:
  - name: deploy
    action: core.echo
    with_items: "{{ parameters.regions }}"
    input:
      region: "{{ item }}"
      position: "{{ index }}"
    next:
      - when: "{{ succeeded() }}"
        do: [done]
      - when: "{{ failed() }}"
        publish:
          - results: "{{ result().items }}"
        do: [rollback]
  - name: done
    action: core.noop
  - name: rollback
    action: core.noop
"""


def test_with_items_with_a_failing_item(tmp_path: Path) -> None:
    r = run(
        tmp_path,
        ITEMS,
        """\
        parameters: {regions: [eu, us, ap]}
        tasks:
          deploy:
            items:
              - {result: {ok: eu}}
              - {status: failed, result: {error: us down}}
              - {result: {ok: ap}}
        expect:
          ran: [deploy, rollback]
          not_ran: [done]
          vars:
            results: [{ok: eu}, {error: us down}, {ok: ap}]
        """,
    )
    assert r.passed, failed(r)
    step = r.steps[0]
    assert step.status == "failed" and step.items == 3
    assert step.input == [
        {"region": "eu", "position": 0},
        {"region": "us", "position": 1},
        {"region": "ap", "position": 2},
    ]
    assert "item 1 failed" in step.notes


def test_with_items_over_an_empty_list_succeeds(tmp_path: Path) -> None:
    r = run(tmp_path, ITEMS, "parameters: {regions: []}\nexpect:\n  ran: [deploy, done]\n")
    assert r.passed, failed(r)
    assert r.steps[0].result == {"succeeded": True, "items": []}


def test_with_items_that_is_not_a_list_fails_the_task(tmp_path: Path) -> None:
    r = run(tmp_path, ITEMS, "parameters: {regions: eu}\nexpect:\n  ran: [rollback]\n")
    assert r.passed, failed(r)
    assert r.steps[0].notes == ['with_items gave "eu", not an array']


RETRY = """\
version: "1"
tasks:
  - name: flaky
    action: core.http_request
    retry: {count: 2, delay: 1}
    next:
      - when: "{{ succeeded() }}"
        publish:
          - code: "{{ result().status_code }}"
        do: [after]
  - name: after
    action: core.noop
"""


def test_retry_takes_the_attempt_that_succeeds(tmp_path: Path) -> None:
    r = run(
        tmp_path,
        RETRY,
        """\
        tasks:
          flaky:
            attempts:
              - {status: failed, result: {status_code: 500}}
              - {status: timed_out}
              - {result: {status_code: 200}}
        expect:
          ran: [flaky, after]
          vars: {code: 200}
        """,
    )
    assert r.passed, failed(r)
    assert r.steps[0].attempts == 3


def test_retry_gives_up_after_count_attempts(tmp_path: Path) -> None:
    r = run(
        tmp_path,
        RETRY,
        """\
        tasks:
          flaky:
            attempts:
              - {status: failed}
              - {status: failed}
              - {status: failed}
              - {result: {status_code: 200}}
        expect:
          not_ran: [after]
          status: failed
        """,
    )
    assert r.passed, failed(r)
    assert r.steps[0].attempts == 3
    assert r.steps[0].notes == ["4 attempts mocked, but retry allows only 3"]


def test_publish_then_read_in_order(tmp_path: Path) -> None:
    wf = """\
    version: "1"
    vars: {count: 0}
    tasks:
      - name: first
        action: core.noop
        next:
          - publish:
              - count: "{{ workflow.count + 1 }}"
              - doubled: "{{ workflow.count * 2 }}"
              - whole
            do: [second]
      - name: second
        action: core.echo
        input:
          message: "count={{ count }} doubled={{ vars.doubled }} id={{ workflow.whole.id }}"
        next:
          - when: "{{ workflow.doubled == 2 }}"
            publish:
              - seen: "{{ task.first.id }}"
    output_map:
      total: "{{ workflow.count }}"
      missing: "{{ workflow.nope }}"
    """
    r = run(
        tmp_path,
        wf,
        """\
        tasks:
          first: {result: {data: {id: 7}}}
        expect:
          vars: {count: 1, doubled: 2, seen: 7}
          output: {total: 1}
        """,
    )
    assert r.passed, failed(r)
    assert r.steps[1].input == {"message": "count=1 doubled=2 id=7"}
    assert r.output == {"total": 1}
    assert r.notes == ["output missing left out: field not found: nope"]


def test_an_expression_error_fires_as_on_success(tmp_path: Path) -> None:
    wf = """\
    version: "1"
    tasks:
      - name: check
        action: core.noop
        next:
          - when: "{{ result().missing.code == 200 }}"
            do: [go]
      - name: go
        action: core.noop
    """
    ok = run(tmp_path, wf, "expect:\n  ran: [go]\n")
    assert ok.passed, failed(ok)
    trace = ok.steps[0].transitions[0]
    assert trace.fired
    assert "could not be evaluated" in trace.reason and "as on success" in trace.reason
    bad = run(tmp_path, wf, "tasks:\n  check: {status: failed}\nexpect:\n  not_ran: [go]\n")
    assert bad.passed, failed(bad)
    assert not bad.steps[0].transitions[0].fired


def test_legacy_transitions_are_walked_as_attune_normalises_them(tmp_path: Path) -> None:
    wf = """\
    version: "1"
    tasks:
      - name: a
        action: core.noop
        on_success: b
        on_complete: c
        publish:
          - got: "{{ result().v }}"
      - name: b
        action: core.noop
      - name: c
        action: core.noop
    """
    r = run(
        tmp_path, wf, "default: {result: {v: 1}}\nexpect:\n  order: [a, b, c]\n  vars: {got: 1}\n"
    )
    assert r.passed, failed(r)


def test_parallel_tasks_never_run_and_task_when_is_ignored(tmp_path: Path) -> None:
    wf = """\
    version: "1"
    tasks:
      - name: a
        action: core.noop
        when: "{{ false }}"
        next:
          - do: [fan]
      - name: fan
        type: parallel
        tasks:
          - name: x
            action: core.noop
    """
    r = run(tmp_path, wf, "expect:\n  ran: [a]\n  not_ran: [fan]\n")
    assert r.passed, failed(r)
    assert "never runs parallel tasks" in r.not_run["fan"]
    assert r.steps[0].notes == ["task-level `when` is not evaluated by Attune's scheduler"]


@pytest.mark.parametrize(
    ("scenario", "message"),
    [
        ("workflow: nope.yaml\n", "workflow file not found: nope.yaml"),
        ("workflow: pack.missing\n", "no workflow 'pack.missing'"),
        ("tasks: {}\n", "workflow: Field required"),
        ("workflow: wf.workflow.yaml\ntasks:\n  a: {status: exploded}\n", "tasks.a.status"),
        ("workflow: wf.workflow.yaml\nexpect: {ran: [a], typo: 1}\n", "expect.typo: Extra inputs"),
        ("- a list\n", "a scenario is a mapping"),
        ("workflow: [unclosed\n", "bad.scenario.yaml:1:19: not valid YAML"),
        ("workflow: 2024-01-01\n", "no workflow '2024-01-01'"),
    ],
)
def test_bad_scenarios_give_clear_errors(tmp_path: Path, scenario: str, message: str) -> None:
    (tmp_path / "wf.workflow.yaml").write_text(BRANCH, encoding="utf-8")
    path = tmp_path / "bad.scenario.yaml"
    path.write_text(scenario, encoding="utf-8")
    r = rehearse_file(path)
    assert not r.passed
    assert r.error is not None and message in r.error


def test_the_example_pack_scenarios_pass_and_cover_every_transition() -> None:
    demo = EXAMPLES / "demo"
    paths = find_scenarios(demo)
    assert [p.name for p in paths] == ["greet_fails.scenario.yaml", "happy_path.scenario.yaml"]
    runs = [rehearse_file(p) for p in paths]
    assert all(r.passed for r in runs), [failed(r) for r in runs]
    assert {r.ref for r in runs} == {"demo.onboard_user"}
    sites = coverage(runs)
    assert [(s.task, s.index, s.fired) for s in sites] == [
        ("greet_user", 0, True),
        ("greet_user", 1, True),
    ]
    assert sites[0].line == 15


def test_coverage_lists_transitions_no_scenario_fired(tmp_path: Path) -> None:
    r = run(tmp_path, BRANCH, "expect: {}\n")
    sites = coverage([r])
    assert [(s.task, s.index, s.fired) for s in sites] == [("build", 0, True), ("build", 1, False)]
    assert sites[1].label == "when {{ failed() }} → alert"

"""Task-graph rules and the graph helper: scopes, edges, cycles and the fixes' edits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rulekit import Spec, apply, spec

from attune_workflow.check import check_text
from attune_workflow.config import Config
from attune_workflow.diagnostics import Diagnostic, Severity
from attune_workflow.graph import (
    effective_transitions,
    ignored_transitions,
    in_cycle,
    workflow_graph,
)
from attune_workflow.normalize import normalize
from attune_workflow.packindex import PackIndex
from attune_workflow.rules import GROUPS, RULES_BY_ID
from attune_workflow.view import WorkflowView, build_view
from attune_workflow.yamlsource import parse_yaml

GRAPH_RULES = set(GROUPS["Task graph"])
SNIPPETS = Path(__file__).parent.parent / "data" / "corpus" / "snippets"
PATH = Path("pack/actions/workflows/w.yaml")


def diagnostics(text: str, *rules: str) -> list[Diagnostic]:
    found = check_text(PATH, text, index=PackIndex(), config=Config())
    wanted = set(rules) or GRAPH_RULES
    return [d for d in found if d.code in wanted]


def spans(text: str, *rules: str) -> list[Spec]:
    """Full span specs of the findings (see ``rulekit``)."""
    return [spec(d) for d in diagnostics(text, *rules)]


def view_of(text: str) -> WorkflowView:
    view = build_view(parse_yaml(text).root)
    assert view is not None
    return view


def normalized(text: str) -> dict[str, Any]:
    doc = parse_yaml(text)
    assert doc.syntax_error is None, doc.syntax_error
    return normalize(doc.data)


def chain(count: int, *, cycle: bool = False) -> str:
    parts = ['version: "1.0.0"', "tasks:"]
    for i in range(count):
        parts.append(f"  - name: t{i}")
        parts.append("    action: core.noop")
        if i + 1 < count or cycle:
            parts.append(f"    next:\n      - do: [t{(i + 1) % count}]")
    return "\n".join(parts) + "\n"


# -- the graph helper -------------------------------------------------------------------


def test_next_wins_over_legacy_and_empty_next_does_not() -> None:
    view = view_of(
        """\
version: "1.0.0"
tasks:
  - name: a
    action: core.noop
    on_success: c
    next:
      - do: [b]
  - name: b
    action: core.noop
    next: []
    on_failure: c
  - name: c
    action: core.noop
"""
    )
    a, b, c = view.tasks
    assert [t.source for t in effective_transitions(a)] == ["next"]
    assert [t.source for t in ignored_transitions(a)] == ["on_success"]
    assert [t.source for t in effective_transitions(b)] == ["on_failure"]
    graph = workflow_graph(view)
    assert graph.top.successors[a] == [b]
    assert graph.top.predecessors[c] == [b]
    assert graph.top.entries == [a]
    assert graph.top.unreachable == []


def test_graph_is_cached_per_view() -> None:
    view = view_of(chain(3))
    assert workflow_graph(view) is workflow_graph(view)
    assert workflow_graph(view_of(chain(3))) is not workflow_graph(view)


def test_scopes_and_cycles() -> None:
    view = view_of(
        """\
version: "1.0.0"
tasks:
  - name: start
    action: core.noop
    next:
      - do: [loop_a, group]
  - name: loop_a
    action: core.noop
    next:
      - do: [loop_b]
  - name: loop_b
    action: core.noop
    next:
      - do: [loop_a]
  - name: group
    type: parallel
    tasks:
      - name: retry
        action: core.noop
        next:
          - when: "{{ failed() }}"
            do: [retry]
      - name: loop_a
        action: core.noop
"""
    )
    graph = workflow_graph(view)
    start, loop_a, loop_b, group = view.tasks
    retry, inner = group.children
    assert len(graph.scopes) == 2
    assert graph.scope(retry).parent is group
    assert graph.scope(inner).names == {"retry": retry, "loop_a": inner}
    assert in_cycle(view) == {loop_a, loop_b, retry}
    assert start not in graph.cyclic and inner not in graph.cyclic


def test_long_chain_needs_no_recursion() -> None:
    view = view_of(chain(1500, cycle=True))
    assert len(in_cycle(view)) == 1500
    view = view_of(chain(1500))
    graph = workflow_graph(view)
    assert not graph.cyclic
    assert len(graph.top.components) == 1500
    assert graph.top.entries == [view.tasks[0]]
    assert len(graph.top.reachable) == 1500


def test_rules_run_on_a_large_workflow() -> None:
    text = chain(1000)
    doc = parse_yaml(text)
    from attune_workflow.context import Context

    ctx = Context(PATH, text, doc, index=PackIndex(), config=Config())
    assert ctx.view is not None
    for rule_id in sorted(GRAPH_RULES):
        rule = RULES_BY_ID[rule_id]
        assert list(rule.check(ctx)) == [], rule_id


# -- unknown-task ---------------------------------------------------------------------------


def test_unknown_task_spans_every_kind_of_target() -> None:
    text = """\
version: "1.0.0"
tasks:
  - name: a
    action: core.noop
    on_success: x1
    decision:
      - next: x2
  - name: b
    action: core.noop
    next:
      - do: [x3, a]
      - do:
          - 'x4'
"""
    assert spans(text, "unknown-task") == [
        ("unknown-task", 5, 17, 5, 19),
        ("unknown-task", 7, 15, 7, 17),
        ("unknown-task", 11, 14, 11, 16),
        ("unknown-task", 13, 13, 13, 17),
    ]


def test_unknown_task_skips_ignored_legacy_targets() -> None:
    text = """\
version: "1.0.0"
tasks:
  - name: a
    action: core.noop
    on_success: missing
    next:
      - do: [b]
  - name: b
    action: core.noop
"""
    assert spans(text) == [("legacy-ignored", 5, 5, 5, 15)]


def test_unknown_task_fixes() -> None:
    text = """\
version: "1.0.0"
tasks:
  - name: build
    action: core.noop
    next:
      - do: ["deplyo"]
  - name: deploy
    action: core.noop  # last task

output_map:
  ok: "{{ succeeded() }}"
"""
    (diag,) = diagnostics(text, "unknown-task")
    assert diag.message.endswith("did you mean 'deploy'?")
    replace, create = diag.fixes
    assert replace.preferred and replace.title == "Replace with 'deploy'"
    assert 'do: ["deploy"]' in apply(text, replace)
    assert diagnostics(apply(text, replace)) == []
    created = apply(text, create)
    assert create.title == "Create task 'deplyo'"
    assert (
        "    action: core.noop  # last task\n  - name: deplyo\n    action: core.noop\n" in created
    )
    assert diagnostics(created) == []


def test_unknown_task_create_fix_in_a_parallel_scope() -> None:
    text = """\
version: "1.0.0"
tasks:
- name: group
  type: parallel
  tasks:
  - name: one
    action: core.noop
    next:
    - do: [two]
- name: after
  action: core.noop
"""
    (diag,) = diagnostics(text, "unknown-task")
    assert "sub-tasks of 'group' may only start their siblings" in diag.message
    (create,) = diag.fixes
    created = apply(text, create)
    assert "    - do: [two]\n  - name: two\n    action: core.noop\n- name: after" in created
    assert diagnostics(created, "unknown-task") == []


def test_unknown_task_between_scopes() -> None:
    text = """\
version: "1.0.0"
tasks:
  - name: group
    type: parallel
    tasks:
      - name: inner
        action: core.noop
        next:
          - do: [outer]
    next:
      - do: [inner]
  - name: outer
    action: core.noop
"""
    messages = [d.message for d in diagnostics(text, "unknown-task")]
    assert messages == [
        "Unknown task 'outer': sub-tasks of 'group' may only start their siblings, and none is "
        "named 'outer'; Attune rejects the workflow",
        "Unknown task 'inner': it is a sub-task of 'group', and a top-level task may only start "
        "top-level tasks; Attune rejects the workflow",
    ]


def test_unknown_task_tolerates_broken_shapes() -> None:
    text = """\
version: "1.0.0"
tasks:
  - just a string
  - name: a
    next: {do: b}
    on_success: [c, a]
    decision: nope
  - next:
      - do: [a, 7, null]
"""
    # Attune takes the scalar 7 as the task name "7"
    assert spans(text, "unknown-task") == [
        ("unknown-task", 6, 18, 6, 19),
        ("unknown-task", 9, 17, 9, 18),
    ]


# -- duplicate-task, reserved-task-name ---------------------------------------------------------


def test_duplicate_task_related_and_scopes() -> None:
    text = """\
version: "1.0.0"
tasks:
  - name: a
    type: parallel
    tasks:
      - name: a
        action: core.noop
      - name: a
        action: core.noop
  - name: a
    action: core.noop
"""
    found = diagnostics(text, "duplicate-task")
    assert [(d.span.line + 1, d.span.column + 1) for d in found] == [(8, 15), (10, 11)]
    assert [r.span.line + 1 for d in found for r in d.related] == [6, 3]


def test_reserved_names_top_level_error_sub_task_warning() -> None:
    text = """\
version: "1.0.0"
tasks:
  - name: vars
    type: parallel
    tasks:
      - name: kv
        action: core.noop
      - name: batch
        action: core.noop
"""
    found = diagnostics(text, "reserved-task-name")
    assert [(d.span.line + 1, d.severity) for d in found] == [
        (3, Severity.ERROR),
        (6, Severity.WARNING),
        (8, Severity.WARNING),
    ]


# -- unreachable-task ---------------------------------------------------------------------------


def test_unreachable_counts_legacy_edges_and_skips_sub_tasks() -> None:
    text = """\
version: "1.0.0"
tasks:
  - name: entry
    action: core.noop
  - name: a
    action: core.noop
    on_failure: b
  - name: b
    action: core.noop
    on_success: a
  - name: group
    type: parallel
    tasks:
      - name: x
        action: core.noop
        next:
          - do: [y]
      - name: y
        action: core.noop
        next:
          - do: [x]
"""
    assert spans(text, "unreachable-task") == [
        ("unreachable-task", 5, 11, 5, 12),
        ("unreachable-task", 8, 11, 8, 12),
    ]


def test_unreachable_ignores_discarded_legacy_edges() -> None:
    text = """\
version: "1.0.0"
tasks:
  - name: entry
    action: core.noop
    on_success: loop
    next:
      - do: [done]
  - name: loop
    action: core.noop
    next:
      - do: [loop]
  - name: done
    action: core.noop
"""
    assert spans(text, "unreachable-task") == [("unreachable-task", 8, 11, 8, 15)]


# -- join-count -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("join", "sources", "expected"),
    [
        (2, ["a", "b"], None),
        (3, ["a", "b"], Severity.ERROR),
        (0, ["a", "b"], None),
        (1, ["a"], Severity.WARNING),
        (2, ["a"], Severity.ERROR),  # a task is dispatched at most once
        (1, [], Severity.WARNING),
        (5, ["a", "a"], Severity.ERROR),
    ],
)
def test_join_count(join: int, sources: list[str], expected: Severity | None) -> None:
    parts = ['version: "1.0.0"', "tasks:"]
    for name in dict.fromkeys(["a", "b", *sources]):
        targets = ", ".join(["j"] * sources.count(name))
        parts += [f"  - name: {name}", "    action: core.noop"]
        if targets:
            parts.append(f"    next:\n      - do: [{targets}]")
    parts += ["  - name: j", "    action: core.noop", f"    join: {join}"]
    found = diagnostics("\n".join(parts) + "\n", "join-count")
    assert [d.severity for d in found] == ([expected] if expected else [])


def test_join_count_uses_the_kept_transitions() -> None:
    text = """\
version: "1.0.0"
tasks:
  - name: a
    action: core.noop
    on_success: j
  - name: b
    action: core.noop
    on_success: j
    next:
      - do: [c]
  - name: c
    action: core.noop
    decision:
      - next: j
  - name: j
    action: core.noop
    join: 3
"""
    (diag,) = diagnostics(text, "join-count")
    assert diag.severity is Severity.ERROR
    assert "only 2 tasks transition into 'j'" in diag.message
    assert [r.span.line + 1 for r in diag.related] == [5, 14]
    assert (diag.span.line + 1, diag.span.column + 1, diag.span.end_column + 1) == (17, 11, 12)


def test_join_count_ignores_non_integers() -> None:
    text = """\
version: "1.0.0"
tasks:
  - name: j
    action: core.noop
    join: "{{ 2 }}"
  - name: k
    action: core.noop
    join: true
"""
    assert diagnostics(text, "join-count") == []


# -- duplicate-target -----------------------------------------------------------------------


def test_duplicate_target_fix_in_a_flow_list() -> None:
    text = 'version: "1.0.0"\ntasks:\n  - name: a\n    action: core.noop\n    next:\n'
    text += '      - do: [b, "b", c, b]\n  - name: b\n    action: core.noop\n'
    text += "  - name: c\n    action: core.noop\n"
    found = diagnostics(text, "duplicate-target")
    assert [(d.span.column + 1, d.span.end_column + 1) for d in found] == [(17, 20), (25, 26)]
    assert found[0].related[0].span.column == 13
    assert apply(text, found[0].fixes[0]).count("do: [b, c, b]") == 1
    assert apply(text, found[1].fixes[0]).count('do: [b, "b", c]') == 1


def test_duplicate_target_fix_in_a_block_list_at_the_end() -> None:
    text = """\
version: "1.0.0"
tasks:
  - name: b
    action: core.noop
  - name: a
    action: core.noop
    next:
      - do:
          - b
          - b"""
    (diag,) = diagnostics(text, "duplicate-target")
    fixed = apply(text, diag.fixes[0])
    assert fixed.endswith("      - do:\n          - b")
    assert diagnostics(fixed) == []


# -- legacy-transition and its rewrite --------------------------------------------------------


def rewrite(text: str) -> str:
    found = diagnostics(text, "legacy-transition")
    assert found
    fixes = {d.fixes for d in found}
    texts = set()
    for fix_set in fixes:
        (fix,) = fix_set
        assert fix.title == "Rewrite as next"
        texts.add(fix)
    # apply the fixes task by task (each rewrites one task), last task first
    ordered = sorted(texts, key=lambda f: f.edits[0].span.line, reverse=True)
    for fix in ordered:
        text = apply(text, fix)
    return text


def assert_rewrite_equivalent(original: str) -> str:
    rewritten = rewrite(original)
    assert diagnostics(rewritten, "legacy-transition", "legacy-ignored") == []
    assert normalized(rewritten) == normalized(original)
    return rewritten


@pytest.mark.parametrize("name", sorted(p.stem for p in SNIPPETS.glob("legacy_*.yaml")))
def test_rewrite_snippets(name: str) -> None:
    assert_rewrite_equivalent((SNIPPETS / f"{name}.yaml").read_text(encoding="utf-8"))


def test_rewrite_keeps_comments_and_unrelated_lines() -> None:
    text = """\
version: "1.0.0"
tasks:
  - name: check   # the check
    action: core.echo
    # routing below
    decision:
      - when: >-
          {{ result().code
          == 0 }}
        next: ok
      # the fallback
      - next: "not ok"
        default: true
    input:
      message: hi   # greeting
    publish:
      - code: "{{ result().code }}"
      - raw
      - text: |
          two
          lines

    on_timeout: ok
    next: []
  - name: ok
    action: core.noop
  - name: not ok
    action: core.noop
"""
    rewritten = assert_rewrite_equivalent(text)
    assert (
        rewritten
        == """\
version: "1.0.0"
tasks:
  - name: check   # the check
    action: core.echo
    # routing below
    next:
      - when: "{{ timed_out() }}"
        publish:
          - code: "{{ result().code }}"
          - raw
          - text: |
              two
              lines
        do:
          - ok
      - when: "{{ result().code == 0 }}"
        do:
          - ok
      - do:
          - "not ok"
    input:
      message: hi   # greeting

  - name: ok
    action: core.noop
  - name: not ok
    action: core.noop
"""
    )


def test_rewrite_publish_goes_to_the_success_transition() -> None:
    text = """\
version: "1.0.0"
tasks:
- on_failure: b
  name: a
  action: core.noop
  publish: [{x: 1}]
  on_success: b
- name: b
  action: core.noop
  type: parallel
  tasks:
  - name: c
    action: core.noop
    publish:
    - y: 2
"""
    rewritten = assert_rewrite_equivalent(text)
    assert rewritten.startswith(
        """\
version: "1.0.0"
tasks:
- next:
    - when: "{{ succeeded() }}"
      publish: [{x: 1}]
      do:
        - b
    - when: "{{ failed() }}"
      do:
        - b
  name: a
  action: core.noop
- name: b
"""
    )
    assert (
        """\
  - name: c
    action: core.noop
    next:
      - when: "{{ succeeded() }}"
        publish:
          - y: 2
"""
        in rewritten
    )


def test_rewrite_is_not_offered_for_wrong_types() -> None:
    text = """\
version: "1.0.0"
tasks:
  - name: a
    action: core.noop
    on_success: b
    on_failure: [b]
  - name: b
    action: core.noop
"""
    found = diagnostics(text, "legacy-transition")
    assert [(d.span.line + 1, d.fixes) for d in found] == [(5, ())]


def test_legacy_transition_messages() -> None:
    text = """\
version: "1.0.0"
tasks:
  - name: a
    action: core.noop
    decision:
      - next: b
    publish:
      - x: 1
  - name: b
    action: core.noop
"""
    assert [d.message for d in diagnostics(text)] == [
        "Legacy 'decision': Attune converts its branch to 'next' transitions, in order after "
        "any 'on_*' keys ('default' flags are ignored)",
        "Legacy task-level 'publish': Attune moves it onto the 'next' transition made from "
        "'decision' branch 1",
    ]


# -- legacy-ignored -------------------------------------------------------------------------


def test_legacy_ignored_fixes_keep_the_definition() -> None:
    text = """\
version: "1.0.0"
tasks:
  - name: a
    action: core.noop
    on_success: b  # old
    publish:
      - x: 1
    next:
      - do: [b]
    decision:
      - when: "{{ failed() }}"
        next: b
    on_timeout: ""
  - name: b
    action: core.noop
"""
    found = diagnostics(text)
    assert [(d.code, d.span.line + 1) for d in found] == [
        ("legacy-ignored", 5),
        ("legacy-ignored", 6),
        ("legacy-ignored", 10),
    ]
    one, remove_all = found[0].fixes
    assert one.preferred and one.title == "Remove 'on_success'"
    assert "on_success" not in apply(text, one)
    assert "publish" in apply(text, one)
    cleaned = apply(text, remove_all)
    assert (
        cleaned
        == """\
version: "1.0.0"
tasks:
  - name: a
    action: core.noop
    next:
      - do: [b]
    on_timeout: ""
  - name: b
    action: core.noop
"""
    )
    assert normalized(cleaned) == normalized(text)


def test_legacy_ignored_first_key_on_the_dash_line() -> None:
    text = """\
version: "1.0.0"
tasks:
  - on_success: b
    name: a
    action: core.noop
    next:
      - do: [b]
  - name: b
    action: core.noop
"""
    (diag,) = diagnostics(text)
    (fix,) = diag.fixes
    fixed = apply(text, fix)
    assert fixed.startswith('version: "1.0.0"\ntasks:\n  - name: a\n    action: core.noop\n')
    assert diagnostics(fixed) == []


# -- the corpus snippets ----------------------------------------------------------------------

SNIPPET_RULES = {
    "next_precedence_over_legacy": {"legacy-ignored"},
    "next_invalid_ref": {"unknown-task"},
    "duplicate_task_names": {"duplicate-task"},
    "reserved_keyword": {"reserved-task-name"},
    "legacy_simple": {"legacy-transition"},
    "legacy_parallel": {"legacy-transition", "skipped-by-scheduler"},
    "legacy_decision": {"legacy-transition"},
    "legacy_all_transition_types": {"legacy-transition"},
    # every task has an inbound transition: the scheduler starts none
    "next_cycle": {"unreachable-task"},
    "wait_for_in_cycle": {"unreachable-task"},
}


@pytest.mark.parametrize("path", sorted(SNIPPETS.glob("*.yaml")), ids=lambda p: p.stem)
def test_snippets_get_only_their_graph_findings(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    found = check_text(path, text, index=PackIndex(), config=Config())
    codes = {d.code for d in found if d.code in GRAPH_RULES}
    assert codes == SNIPPET_RULES.get(path.stem, set())
    if "legacy-transition" in codes:
        assert {d.severity for d in found if d.code == "legacy-transition"} == {
            Severity.INFORMATION
        }
    if path.stem == "next_invalid_ref":
        (diag,) = [d for d in found if d.code == "unknown-task"]
        assert [f.title for f in diag.fixes] == ["Create task 'nonexistent_task'"]


def test_fixes_keep_crlf_line_breaks() -> None:
    text = (SNIPPETS / "legacy_decision.yaml").read_text(encoding="utf-8").replace("\n", "\r\n")
    rewritten = assert_rewrite_equivalent(text)
    assert "\n" not in rewritten.replace("\r\n", "")
    text = 'version: "1.0.0"\r\ntasks:\r\n  - name: a\r\n    action: core.noop\r\n'
    text += "    on_success: b\r\n"
    (diag,) = diagnostics(text, "unknown-task")
    created = apply(text, diag.fixes[0])
    assert created.endswith("    on_success: b\r\n  - name: b\r\n    action: core.noop\r\n")


def test_rewrite_is_not_offered_with_repeated_keys() -> None:
    text = """\
version: "1.0.0"
tasks:
  - name: a
    action: core.noop
    on_success: b
    on_success: b
  - name: b
    action: core.noop
"""
    assert [d.fixes for d in diagnostics(text, "legacy-transition")] == [()]


LEGACY_LINES = {
    "on_success": ["on_success: b"],
    "on_failure": ["on_failure: c"],
    "on_complete": ["on_complete: b"],
    "on_timeout": ["on_timeout: c"],
    "decision": ["decision:", '  - when: "{{ result().ok }}"', "    next: c", "  - next: b"],
    "publish": ["publish:", "  - seen: true", '  - last: "{{ result() }}"'],
}


@pytest.mark.parametrize("mask", range(1, 64))
def test_rewrite_every_combination(mask: int) -> None:
    keys = [key for i, key in enumerate(LEGACY_LINES) if mask >> i & 1]
    keys = keys[mask % len(keys) :] + keys[: mask % len(keys)]  # vary the source order
    body = ["name: a", "action: core.noop"]
    for key in keys:
        body.extend(LEGACY_LINES[key])
    if mask % 3 == 0:
        body.insert(1, "# a comment that stays")
    task = "\n".join(("  - " if i == 0 else "    ") + line for i, line in enumerate(body))
    text = f'version: "1.0.0"\ntasks:\n{task}\n  - name: b\n    action: core.noop\n'
    text += "  - name: c\n    action: core.noop\n"
    rewritten = assert_rewrite_equivalent(text)
    assert ("# a comment that stays" in rewritten) == (mask % 3 == 0)

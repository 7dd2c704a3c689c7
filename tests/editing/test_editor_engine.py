"""The engine's analyses behind the editor features, in process, on inline YAML."""

from __future__ import annotations

from pathlib import Path

import pytest

from attune_workflow.check import analyze
from attune_workflow.config import Config
from attune_workflow.context import Context
from attune_workflow.expressions import lookup_function
from attune_workflow.expressions.signature import signature_at, signatures_of
from attune_workflow.inlays import inlay_hints
from attune_workflow.links import document_links
from attune_workflow.names import NameKind, NameUses
from attune_workflow.packindex import ActionInfo, PackIndex, PackInfo
from attune_workflow.selection import selection_spans
from attune_workflow.semantic import semantic_tokens
from attune_workflow.snippets import free_name, new_task, next_entry

PATH = Path("/nowhere/pack/actions/workflows/w.workflow.yaml")


def context(text: str, index: PackIndex | None = None, path: Path = PATH) -> Context:
    ctx, _ = analyze(path, text, index=index or PackIndex(), config=Config())
    return ctx


def cursor(text: str) -> tuple[str, int, int]:
    """Text without its ``§`` mark, and the mark's (line, code-point column)."""
    before, _, after = text.partition("§")
    return before + after, before.count("\n"), len(before.rsplit("\n", 1)[-1])


def words(text: str, ctx: Context) -> list[tuple[int, str, str]]:
    lines = text.split("\n")
    return [
        (t.span.line, lines[t.span.line][t.span.column : t.span.end_column], t.type)
        for t in semantic_tokens(ctx)
    ]


# -- signature help ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("src", "name", "signature", "parameter"),
    [
        ("length(", "length", 0, 0),
        ("replace(a, [1, 2], ", "replace", 0, 2),  # commas inside a list do not count
        ("range(1, ", "range", 1, 1),  # the two-argument form
        ("max(length(a), ", "max", 0, 1),  # back in the outer call
        ("max(length(a", "length", 0, 0),
        ("slice(x, (1 + 2), ", "slice", 0, 2),
    ],
)
def test_signature_at(src: str, name: str, signature: int, parameter: int) -> None:
    found = signature_at(src, len(src))
    assert found is not None
    assert (found.function.name, found.active_signature, found.active_parameter) == (
        name,
        signature,
        parameter,
    )


@pytest.mark.parametrize("src", ["length(x) + ", "nope(", "not (", "(1, ", "", "x["])
def test_no_signature_outside_known_calls(src: str) -> None:
    assert signature_at(src, len(src)) is None


def test_signatures_come_from_the_function_table() -> None:
    fn = lookup_function("slice")
    assert fn is not None
    (only,) = signatures_of(fn)
    assert only.parameters == ("v", "start", "end")


# -- semantic tokens ---------------------------------------------------------------------------


def test_tokens_of_an_expression_that_does_not_parse() -> None:
    text = 'tasks:\n  - name: a\n    action: core.echo\n    input:\n      m: "{{ x | upper }}"\n'
    found = [(w, k) for _, w, k in words(text, context(text))]
    assert ("x", "variable") in found and ("upper", "variable") in found
    text = 'tasks:\n  - name: a\n    action: core.echo\n    input:\n      m: "{{ length(x }}"\n'
    found = [(w, k) for _, w, k in words(text, context(text))]
    assert ("length", "function") in found


def test_tokens_of_a_folded_scalar_stay_on_their_lines() -> None:
    text = (
        "tasks:\n  - name: a\n    action: core.echo\n    input:\n"
        "      m: >-\n        {{ parameters.x +\n        1 }}\n"
    )
    found = words(text, context(text))
    assert (5, "parameters", "namespace") in found
    assert (5, "+", "operator") in found
    assert (6, "1", "number") in found
    assert (6, "}}", "macro") in found


def test_no_tokens_outside_workflows() -> None:
    ctx = context("ref: a.b\nparameters: {x: {type: string}}\n", path=Path("/p/actions/b.yaml"))
    assert semantic_tokens(ctx) == []


# -- names -------------------------------------------------------------------------------------

SCOPES = """tasks:
  - name: step
    action: core.echo
    next:
      - do: [outer]
  - name: outer
    type: parallel
    tasks:
      - name: step
        action: core.echo
        next:
          - do: [last]
      - name: last
        action: core.echo
    next:
      - do: [step]
output_map:
  x: "{{ task.step.result }}"
"""


def test_uses_follow_task_scopes() -> None:
    ctx = context(SCOPES)
    uses = NameUses(ctx)
    inner_decl = uses.at(8, 15)  # the sub-task's "step"
    assert inner_decl is not None and inner_decl.write
    assert [u.span.line for u in uses.same(inner_decl)] == [8]
    outer_decl = uses.at(1, 12)
    assert outer_decl is not None
    # The transition of `outer` (line 15) is to its sibling, the template to the first.
    assert [u.span.line for u in uses.same(outer_decl)] == [1, 15, 17]
    assert uses.at(0, 0) is None


def test_started_by() -> None:
    ctx = context(SCOPES)
    assert ctx.view is not None
    started = NameUses(ctx).started_by
    by_name = {
        (t.name, t.parent is None): [s.name for s in started.get(id(t), [])]
        for t in ctx.view.all_tasks()
    }
    assert by_name == {
        ("step", True): ["outer"],
        ("outer", True): ["step"],
        ("step", False): [],
        ("last", False): ["step"],
    }


def test_variables_and_parameters_are_used_by_name() -> None:
    text = (
        "parameters:\n  p: {type: string}\nvars:\n  v: 1\ntasks:\n  - name: a\n"
        "    action: core.echo\n    input:\n"
        "      m: \"{{ parameters.p }} {{ vars.v }} {{ v }} {{ workflow['v'] }}\"\n"
        "    next:\n      - publish:\n          - v: 2\n"
    )
    uses = NameUses(context(text))
    variable = uses.at(3, 2)
    assert variable is not None and variable.kind is NameKind.VARIABLE
    same = uses.same(variable)
    assert [(u.span.line, u.write) for u in same] == [
        (3, True),
        (8, False),
        (8, False),
        (8, False),
        (11, True),
    ]
    parameter = uses.at(1, 2)
    assert parameter is not None and len(uses.same(parameter)) == 2


# -- selection, links, hints, snippets -------------------------------------------------------


def test_selection_from_a_key() -> None:
    text, line, column = cursor("tasks:\n  - name: a\n    act§ion: core.echo\n")
    spans = selection_spans(context(text), line, column)
    lines = text.split("\n")
    first = spans[0]
    assert lines[first.line][first.column : first.end_column] == "action"
    second = spans[1]
    assert lines[second.line][second.column : second.end_column] == "action: core.echo"
    assert spans[-1].start == (0, 0)


def test_links_only_to_existing_files(tmp_path: Path) -> None:
    actions = tmp_path / "pack" / "actions"
    (actions / "workflows").mkdir(parents=True)
    (actions / "workflows" / "w.yaml").write_text("tasks: []\n")
    (actions / "run.sh").write_text("echo\n")
    text = "ref: pack.a\nworkflow_file: workflows/w.yaml\nentry_point: run.sh\n"
    ctx = context(text, path=actions / "a.yaml")
    assert [link.target for link in document_links(ctx)] == [
        (actions / "workflows" / "w.yaml").resolve(),
        (actions / "run.sh").resolve(),
    ]
    ctx = context("ref: pack.a\nentry_point: missing.sh\n", path=actions / "a.yaml")
    assert document_links(ctx) == []


def test_hints_read_json_schema_parameters() -> None:
    pack = PackInfo(ref="p", root=None)
    pack.actions["p.act"] = ActionInfo(
        ref="p.act",
        pack="p",
        parameters={
            "type": "object",
            "properties": {
                "n": {"type": "integer"},
                "tags": {"type": "array", "items": {"type": "string"}},
            },
            "required": ["n"],
        },
    )
    pack.actions["p.quiet"] = ActionInfo(
        ref="p.quiet", pack="p", parameters={"x": {"type": "string"}}
    )
    index = PackIndex([pack])
    text = (
        "tasks:\n  - name: a\n    action: p.act\n    input:\n      n: 1\n      tags: []\n"
        "      other: 2\n  - name: b\n    action: p.quiet\n"
    )
    hints = [(h.at.line, h.label) for h in inlay_hints(context(text, index))]
    # No hint for an undeclared key, nor defaults when the action has none.
    assert hints == [(4, "(integer, required)"), (5, "(array of string)")]
    assert inlay_hints(context(text, index), range(5, 6)) == inlay_hints(context(text, index))[1:]


def test_snippet_skeletons() -> None:
    assert free_name(["task_1", "task_3"]) == "task_2"
    task = new_task(["a", "b"])
    assert task.plain()[0] == "name: task_1"
    assert task.plain()[-1] == "    do: [a]"
    assert next_entry([]).plain() == ['when: "{{ succeeded() }}"', "do: [next_task]"]


# -- bad input -----------------------------------------------------------------------------------

BROKEN = [
    "",
    "tasks: 3\n",
    "tasks:\n  - 3\n  - [a]\n",
    "tasks:\n  - name: a\n    next: x\n    input: [1]\n    action: [x]\n",
    "tasks:\n  - name: a\n    next:\n      - do: {x: 1}\n        when: [1]\n",
    'tasks:\n  - name: a\n    action: core.echo\n    input:\n      m: "{{ }} {{ ( }} {{ \'a }}"\n',
    "tasks:\n  - name:\n    action: core.echo\n  - name: ''\n",
    "- just a list\n",
    "tasks: [\n",
]


@pytest.mark.parametrize("text", BROKEN)
def test_bad_input_never_raises(text: str) -> None:
    ctx = context(text)
    semantic_tokens(ctx)
    inlay_hints(ctx)
    document_links(ctx)
    uses = NameUses(ctx)
    assert isinstance(uses.started_by, dict)
    lines = text.split("\n")
    for line, line_text in enumerate(lines):
        for column in range(len(line_text) + 1):
            selection_spans(ctx, line, column)
            use = uses.at(line, column)
            if use is not None:
                assert use in uses.same(use)


def test_tokens_after_an_escape_land_on_their_source_characters() -> None:
    text = (
        "tasks:\n  - name: a\n    action: core.echo\n    input:\n"
        '      m: "\\t\\"{{ x + \\"y\\" }}"\n'
    )
    found = words(text, context(text))
    assert (4, "x", "variable") in found
    assert (4, '\\"y\\"', "string") in found
    assert (4, "}}", "macro") in found

"""Incremental analysis gives the findings of a full analysis after every edit."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attune_workflow.check import analyze
from attune_workflow.config import Config
from attune_workflow.expressions.memo import FileMemo
from attune_workflow.expressions.parser import parse_expression
from attune_workflow.incremental import DocumentAnalysis, _ScalarRanges, common_ends
from attune_workflow.workspace import build_index
from attune_workflow.yamlsource import (
    MappingNode,
    ScalarNode,
    SequenceNode,
    YamlDocument,
    node_end,
    node_start,
    parse_yaml,
)

CORPUS = Path(__file__).parent / "data" / "corpus"
WORKFLOWS = sorted(
    path
    for path in CORPUS.rglob("*.yaml")
    if "\ntasks:" in path.read_text(encoding="utf-8")
    or path.read_text(encoding="utf-8").startswith("tasks:")
)
# a task graph with a finding of each cross-task rule
GRAPH_FLOW = Path(__file__).parent / "data" / "incremental" / "graph.workflow.yaml"
CONFIG = Config(strict=True)
INDEX = build_index([CORPUS / "packs"], CONFIG)
# Mostly what typing inside a task inserts; some pieces change the block structure.
PIECES = [
    "a", "x1", " ", "_", "0", ".", "\n", "\n    ", "\n      - ", "{{ ", " }}", "{{ result().ok }}",
    "parameters.", "task.", "succeeded()", "next:", "do: [", "]", "- name: n", ": ", "'", '"',
    "#", "# attune: ignore[unknown-task]", "é", "😀", "tasks:", "\n- ", "&a", "*a", "...", "\t",
    " 99999999999999999999999", " 0o9", " !!int x",
]  # fmt: skip


def full(path: Path, text: str) -> list[object]:
    return list(analyze(path, text, index=INDEX, config=CONFIG)[1])


def _graph_shape(view: object) -> list[object]:
    """A task graph as positions: scopes, names, edges, successors, predecessors, caches."""
    from attune_workflow.graph import WorkflowGraph, workflow_graph
    from attune_workflow.view import TaskView, WorkflowView

    assert isinstance(view, WorkflowView)

    def where(task: TaskView | None) -> tuple[int, ...]:
        path: list[int] = []
        while task is not None:
            path.insert(0, task.index)
            task = task.parent
        return tuple(path)

    def shape(graph: WorkflowGraph) -> list[object]:
        found: list[object] = []
        for scope in graph.scopes:
            found.append(
                (
                    where(scope.parent),
                    [where(t) for t in scope.tasks],
                    {name: where(t) for name, t in scope.names.items()},
                    [
                        (where(e.source), where(e.target), e.transition.node, e.index)
                        for e in scope.edges
                    ],
                    # (only looked up: compared in task order)
                    sorted((where(t), [where(s) for s in v]) for t, v in scope.successors.items()),
                    sorted(
                        (where(t), [where(s) for s in v]) for t, v in scope.predecessors.items()
                    ),
                    sorted(where(t) for t in scope.reachable),
                    [where(t) for t in scope.entries],
                    [where(t) for t in scope.unreachable],
                    sorted(where(t) for t in scope.cyclic),
                )
            )
            assert all(graph.scope(t) is scope for t in scope.tasks)
        return found

    kept = workflow_graph(view)
    # each view and transition of the graph is the view's own
    tasks = list(view.all_tasks())
    assert {id(t) for scope in kept.scopes for t in scope.tasks} == {id(t) for t in tasks}
    assert all(
        any(e.transition is t for t in e.source.transitions) for s in kept.scopes for e in s.edges
    )
    assert shape(kept) == shape(WorkflowGraph(view))
    return shape(kept)


def test_the_corpus_has_workflows() -> None:
    assert len(WORKFLOWS) >= 10


def test_common_ends_do_not_overlap() -> None:
    assert common_ends("abcabc", "abc") == (3, 0)
    assert common_ends("aaaa", "aaaaa") == (4, 0)
    assert common_ends("x" * 9000 + "1" + "y" * 9000, "x" * 9000 + "22" + "y" * 9000) == (
        9000,
        9000,
    )


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_an_edit_inside_a_task_is_spliced(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    doc = parse_yaml(text)
    analysis = DocumentAnalysis(path, index=INDEX, config=CONFIG)
    analysis.update(text)
    assert analysis.incremental_updates == 0
    tasks = dict((k.value, v) for k, v in doc.root.value)["tasks"]  # type: ignore[union-attr]
    last = tasks.value[-1]
    # a character at the end of the last task's first scalar value
    first_value = last.value[0][1] if hasattr(last, "value") and last.value else last
    at = first_value.end_mark.index
    edited = text[:at] + "z" + text[at:]
    ctx, found = analysis.update(edited)
    assert found == full(path, edited)
    assert ctx.doc.data == parse_yaml(edited).data
    if "&" not in text[last.start_mark.index :] and "*" not in text[last.start_mark.index :]:
        assert analysis.incremental_updates == 1


def _random_edits(examples: int) -> settings:
    """The settings of a random-edit test: no deadline, big workflows allowed."""
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@_random_edits(60)
@given(
    source=st.sampled_from(WORKFLOWS),
    edits=st.lists(
        st.tuples(
            st.floats(min_value=0, max_value=1),
            st.integers(min_value=0, max_value=4),
            st.sampled_from(PIECES),
        ),
        min_size=1,
        max_size=8,
    ),
)
def test_incremental_equals_full_after_every_edit(
    source: Path, edits: list[tuple[float, int, str]]
) -> None:
    text = source.read_text(encoding="utf-8")
    analysis = DocumentAnalysis(source, index=INDEX, config=CONFIG)
    analysis.update(text)
    for where, removed, piece in edits:
        at = int(where * len(text))
        text = text[:at] + piece + text[at + removed :]
        ctx, found = analysis.update(text)
        reference, expected = analyze(source, text, index=INDEX, config=CONFIG)
        assert found == expected
        assert ctx.doc.data == reference.doc.data
        assert ctx.doc.duplicates == reference.doc.duplicates
        assert sorted(ctx.doc.scalar_errors) == sorted(reference.doc.scalar_errors)
        assert ctx.decoded == reference.decoded
        assert [(e.kind, e.path, e.key, e.message) for e in ctx.structure] == [
            (e.kind, e.path, e.key, e.message) for e in reference.structure
        ]
        assert [(n.value, p) for n, p in ctx.scalar_texts] == [
            (n.value, p) for n, p in reference.scalar_texts
        ]
        if ctx.view is not None and "_graph" in ctx.view.__dict__:
            _graph_shape(ctx.view)


def _places(text: str) -> dict[str, list[tuple[int, int]]]:
    """Ranges ``[start, end)`` of the text where each kind of targeted edit goes."""
    doc = parse_yaml(text)
    places: dict[str, list[tuple[int, int]]] = {
        "task": [],
        "name": [],
        "top": [],
        "key": [],
        "target": [],
    }
    root = doc.root
    if not isinstance(root, MappingNode) or doc.syntax_error is not None:
        return places
    for key, value in root.value:
        if not isinstance(key, ScalarNode):
            continue
        if key.value == "tasks" and isinstance(value, SequenceNode):
            for item in value.value:
                places["task"].append((node_start(item), node_end(item)))
                if isinstance(item, MappingNode):
                    for field, name in item.value:
                        if getattr(field, "value", None) == "name" and isinstance(name, ScalarNode):
                            places["name"].append((node_start(name), node_end(name)))
                    places["target"].extend(_targets_in(item))
        elif node_end(value) > node_start(value):
            places["top"].append((node_start(value), node_end(value)))
            if key.value in ("vars", "parameters") and isinstance(value, MappingNode):
                places["key"].extend((node_start(k), node_end(k)) for k, _ in value.value)
    return places


def _targets_in(node: object) -> list[tuple[int, int]]:
    """Ranges of the task names that ``do`` lists and legacy ``on_*`` keys of a task start."""
    found: list[tuple[int, int]] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, MappingNode):
            for key, value in current.value:
                word = getattr(key, "value", None)
                if word == "do" and isinstance(value, SequenceNode):
                    found.extend(
                        (node_start(n), node_end(n))
                        for n in value.value
                        if isinstance(n, ScalarNode) and node_end(n) > node_start(n)
                    )
                elif str(word).startswith("on_") and isinstance(value, ScalarNode):
                    if node_end(value) > node_start(value):
                        found.append((node_start(value), node_end(value)))
                else:
                    stack.append(value)
        elif isinstance(current, SequenceNode):
            stack.extend(current.value)
    return found


def _names(text: str, places: list[tuple[int, int]]) -> list[str]:
    return [text[start:end] for start, end in places]


EDIT = st.tuples(
    st.sampled_from(["anywhere", "task", "task", "name", "top", "key", "target"]),
    st.floats(min_value=0, max_value=1),
    st.floats(min_value=0, max_value=1),
    st.integers(min_value=0, max_value=4),
    st.sampled_from(PIECES),
)


def _apply(text: str, edit: tuple[str, float, float, int, str]) -> str:
    kind, which, where, removed, piece = edit
    places = _places(text)
    if kind == "anywhere" or not places.get(kind):
        at = int(where * len(text))
        return text[:at] + piece + text[at + removed :]
    chosen = places[kind]
    start, end = chosen[min(int(which * len(chosen)), len(chosen) - 1)]
    if kind in ("name", "target"):
        # another task's name (a duplicate, a target that appears) or a new one
        names = _names(text, places["name"] or chosen)
        other = names[int(where * len(names)) % len(names)]
        new = other if removed % 2 else other + piece.strip()[:3]
        return text[:start] + new + text[end:]
    if kind == "key":
        # a variable or parameter renamed: what the tasks may read changes
        return text[: end - 1] + text[end:] if removed % 2 else text[:end] + "z" + text[end:]
    at = start + int(where * (end - start))
    return text[:at] + piece + text[at + removed :]


@_random_edits(80)
@given(
    source=st.sampled_from([*WORKFLOWS, GRAPH_FLOW, GRAPH_FLOW]),
    edits=st.lists(EDIT, min_size=1, max_size=10),
)
def test_targeted_edits_give_the_full_findings(
    source: Path, edits: list[tuple[str, float, float, int, str]]
) -> None:
    """Edits inside tasks, of task names, of top-level blocks and of the names they declare,
    some moving lines.

    After every edit the findings (code, severity, full range, message, related
    places and fixes) are those of a full analysis of the same text.
    """
    text = source.read_text(encoding="utf-8")
    analysis = DocumentAnalysis(source, index=INDEX, config=CONFIG)
    analysis.update(text)
    for edit in edits:
        text = _apply(text, edit)
        ctx, found = analysis.update(text)
        assert found == full(source, text)
        assert ctx.doc.data == parse_yaml(text).data
        if ctx.view is not None and "_graph" in ctx.view.__dict__:
            _graph_shape(ctx.view)


def test_random_edits_mostly_take_the_incremental_path() -> None:
    """Typing in tasks, one character at a time, splices instead of re-parsing."""
    source = CORPUS / "packs" / "deployments" / "actions" / "workflows" / "deploy_app.workflow.yaml"
    text = source.read_text(encoding="utf-8")
    analysis = DocumentAnalysis(source, index=INDEX, config=CONFIG)
    analysis.update(text)
    # inside the quotes of the first task's first input
    at = text.index('"\n', text.index("app_name:", text.index("tasks:"))) - 1
    for char in " {{xy":
        at += 1
        text = text[:at] + char + text[at:]
        assert analysis.update(text)[1] == full(source, text)
    assert analysis.incremental_updates == 5
    # the names did not change: the task rules ran on the edited task alone
    assert analysis.partial_rule_runs == 5


def test_a_renamed_task_runs_every_rule_on_the_whole_file() -> None:
    """A new name changes what the other tasks may refer to."""
    source = CORPUS / "packs" / "deployments" / "actions" / "workflows" / "deploy_app.workflow.yaml"
    text = source.read_text(encoding="utf-8")
    analysis = DocumentAnalysis(source, index=INDEX, config=CONFIG)
    analysis.update(text)
    name = _places(text)["name"][-1]
    text = text[: name[1]] + "_renamed" + text[name[1] :]
    assert analysis.update(text)[1] == full(source, text)
    assert analysis.incremental_updates == 1
    assert analysis.partial_rule_runs == 0


@pytest.mark.parametrize(
    ("key", "piece", "partial"),
    [("vars:", "x", 1), ("vars:", "\n  more: 1", 0), ("output_map:", " {{ nope }}", 1)],
)
def test_an_edit_in_a_top_level_block_is_spliced(key: str, piece: str, partial: int) -> None:
    """A value edit in ``vars`` or ``output_map`` keeps the tasks and their findings; a new
    variable name runs the task rules on every task again."""
    source = next(path for path in WORKFLOWS if f"\n{key}" in path.read_text(encoding="utf-8"))
    text = source.read_text(encoding="utf-8")
    analysis = DocumentAnalysis(source, index=INDEX, config=CONFIG)
    analysis.update(text)
    # at the end of the block's first value line
    at = text.index("\n", text.index("\n", text.index(f"\n{key}") + 1) + 1)
    if piece.startswith(" {{"):
        at -= 1  # inside the closing quote
    text = text[:at] + piece + text[at:]
    assert analysis.update(text)[1] == full(source, text)
    assert analysis.incremental_updates == 1
    assert analysis.partial_rule_runs == partial


def test_a_new_variable_is_known_in_every_task() -> None:
    """Declaring a ``vars`` key splices the block and checks the tasks' reads again."""
    source = CORPUS / "packs" / "examples" / "actions" / "workflows"
    source = source / "process_cached_users.workflow.yaml"
    text = source.read_text(encoding="utf-8")
    analysis = DocumentAnalysis(source, index=INDEX, config=CONFIG)
    analysis.update(text)
    text = text.replace("processing {{ workflow.status }}", "{{ workflow.extra }}", 1)
    unknown = analysis.update(text)[1]
    assert [d.code for d in unknown].count("unknown-workflow-variable") == 1
    text = text.replace("\n  status: pending", "\n  status: pending\n  extra: 1", 1)
    known = analysis.update(text)[1]
    assert known == full(source, text)
    assert analysis.incremental_updates == 2
    assert [d.code for d in known].count("unknown-workflow-variable") == 0


def test_an_edit_in_the_last_task_moves_the_fixes_that_add_a_task(tmp_path: Path) -> None:
    """A missing target's fix adds the task after the last one, wherever that now ends."""
    path = tmp_path / "flow.workflow.yaml"
    text = (
        'version: "1.0.0"\ntasks:\n  - name: a\n    action: core.noop\n    next:\n'
        "      - do: [missing]\n  - name: b\n    action: core.noop\n"
    )
    analysis = DocumentAnalysis(path, index=INDEX, config=CONFIG)
    analysis.update(text)
    text = text.replace("name: b\n", "name: b\n    input:\n      x: 1\n")
    found = analysis.update(text)[1]
    assert found == full(path, text)
    assert analysis.incremental_updates == 1
    (create,) = [fix for d in found if d.code == "unknown-task" for fix in d.fixes]
    assert create.edits[0].span.line == 9


def test_the_same_text_again_keeps_its_analysis() -> None:
    source = WORKFLOWS[0]
    text = source.read_text(encoding="utf-8")
    analysis = DocumentAnalysis(source, index=INDEX, config=CONFIG)
    ctx, found = analysis.update(text)
    again, found_again = analysis.update(text)
    assert again is ctx
    assert found_again == found == full(source, text)
    # other settings are a new analysis
    other, _ = analysis.update(text, config=Config(strict=False))
    assert other is not ctx


def test_the_file_memo_holds_one_version() -> None:
    memo = FileMemo()
    with memo.generation():
        for n in range(50):
            parse_expression(f"a + {n}")
    assert len(memo) == 50
    with memo.generation():
        parse_expression("a + 1")
        parse_expression("b")
    assert len(memo) == 2


def _marks(node: object) -> list[tuple[int, int, int, int]]:
    """Every mark of a tree, in document order."""
    found: list[tuple[int, int, int, int]] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if current is None:
            continue
        start, end = current.start_mark, current.end_mark  # type: ignore[attr-defined]
        found.append((start.index, start.line, end.index, end.line))
        value = current.value  # type: ignore[attr-defined]
        if isinstance(current, MappingNode):
            stack.extend(n for pair in reversed(value) for n in reversed(pair))
        elif isinstance(current, SequenceNode):
            stack.extend(reversed(value))
    return found


def _line_added_in_first_task(text: str) -> str:
    doc = parse_yaml(text)
    tasks = dict((k.value, v) for k, v in doc.root.value)["tasks"]  # type: ignore[union-attr]
    first = tasks.value[0].value[0][1]
    at = first.end_mark.index
    return text[:at] + "  # note\n    # more" + text[at:]


@pytest.mark.parametrize("held", [True, False])
def test_a_tree_a_reader_holds_is_never_spliced(held: bool) -> None:
    path = (
        CORPUS
        / "packs"
        / "examples"
        / "actions"
        / "workflows"
        / "process_cached_users.workflow.yaml"
    )
    text = path.read_text(encoding="utf-8")
    analysis = DocumentAnalysis(path, index=INDEX, config=CONFIG)
    old, _ = analysis.update(text)
    before = _marks(old.doc.root)
    analysis.held = lambda ctx: held and ctx is old
    edited = _line_added_in_first_task(text)
    ctx, found = analysis.update(edited)
    assert found == full(path, edited)
    assert ctx.doc.data == parse_yaml(edited).data
    if held:
        # the reader's tree keeps its positions; the new version was parsed afresh
        assert _marks(old.doc.root) == before
        assert (analysis.held_fallbacks, analysis.incremental_updates) == (1, 0)
    else:
        # the splice moves the nodes after the edit in place: why a held tree is not spliced
        assert _marks(old.doc.root) != before
        assert (analysis.held_fallbacks, analysis.incremental_updates) == (0, 1)


@pytest.mark.parametrize("path", WORKFLOWS[:6], ids=lambda p: p.name)
def test_a_new_index_keeps_the_tree_and_runs_every_rule(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    analysis = DocumentAnalysis(path, index=INDEX, config=CONFIG)
    analysis.update(text)
    empty = build_index([], CONFIG)
    ctx, found = analysis.update(text, index=empty)
    reference, expected = analyze(path, text, index=empty, config=CONFIG)
    assert found == expected
    assert ctx.doc.data == reference.doc.data
    edited = _line_added_in_first_task(text)
    ctx, found = analysis.update(edited, index=INDEX)
    assert found == full(path, edited)
    assert ctx.doc.data == parse_yaml(edited).data
    if "&" not in text:
        assert analysis.incremental_updates == 2  # the same tree under both indexes


def test_equal_settings_are_not_new_settings() -> None:
    path = WORKFLOWS[0]
    text = path.read_text(encoding="utf-8")
    analysis = DocumentAnalysis(path, index=INDEX, config=CONFIG)
    analysis.update(text)
    edited = _line_added_in_first_task(text)
    _, found = analysis.update(edited, config=Config(strict=True))
    assert found == full(path, edited)
    assert analysis.incremental_updates == 1
    _, found = analysis.update(text, config=Config(strict=False))
    assert found == list(analyze(path, text, index=INDEX, config=Config(strict=False))[1])
    assert analysis.incremental_updates == 1


def _every_mark(node: object) -> list[tuple[object, ...]]:
    """Each node of a tree in document order: its kind, a scalar's value, and the index,
    line and column of its start and end marks."""
    found: list[tuple[object, ...]] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if current is None:
            continue
        start, end = current.start_mark, current.end_mark  # type: ignore[attr-defined]
        value = current.value  # type: ignore[attr-defined]
        found.append(
            (
                type(current).__name__,
                value if isinstance(current, ScalarNode) else None,
                (start.index, start.line, start.column),
                (end.index, end.line, end.column),
                (node_start(current), node_end(current)),  # type: ignore[arg-type]
            )
        )
        if isinstance(current, MappingNode):
            stack.extend(n for pair in reversed(value) for n in reversed(pair))
        elif isinstance(current, SequenceNode):
            stack.extend(reversed(value))
    return found


def _scalar_ranges(doc: YamlDocument) -> list[tuple[int, int]]:
    """What ``cap_per_string`` finds by walking the whole tree."""
    found = []
    stack = [doc.root]
    while stack:
        node = stack.pop()
        if isinstance(node, ScalarNode) and node_end(node) - node_start(node) > 1:
            found.append((node_start(node), node_end(node)))
        elif isinstance(node, MappingNode):
            stack.extend(n for pair in node.value for n in pair)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
    return sorted(found)


def test_findings_past_the_cap_in_a_moved_string_are_counted_as_after_a_parse() -> None:
    """A string with more findings of one rule than the cap, after tasks edited before it
    (its offsets kept from edit to edit)."""
    path = CORPUS / "generated" / "cap.workflow.yaml"
    many = " ".join(f"{{{{ nope_{n} }}}}" for n in range(30))
    tasks = "".join(
        f'  - name: t{n}\n    action: core.noop\n    input:\n      message: "{n}"\n'
        for n in range(8)
    )
    text = (
        f'version: "1.0.0"\ntasks:\n{tasks}  - name: last\n    action: core.noop\n'
        f'    input:\n      message: "{many}"\noutput_map:\n  out: "{many}"\n'
    )
    analysis = DocumentAnalysis(path, index=INDEX, config=CONFIG)
    _, found = analysis.update(text)
    assert any(d.message.startswith("... and 10 more") for d in found)
    for anchor, piece in [
        ('"3', "x"),
        ("name: t1\n", "    retry:\n      count: 1\n"),
        ('"5', "yy"),
    ]:
        at = text.index(anchor) + len(anchor)
        text = text[:at] + piece + text[at:]
        _, found = analysis.update(text)
        assert found == full(path, text)
    assert analysis.incremental_updates == 3


# libyaml also breaks lines at U+0085, U+2028 and U+2029: such a text is parsed afresh
MARK_PIECES = [*PIECES, "\r\n", "\u2028", "\x85", "\n  - name: added\n    action: core.noop"]


@_random_edits(80)
@given(
    source=st.sampled_from(WORKFLOWS),
    edits=st.lists(
        st.tuples(
            st.sampled_from(["anywhere", "task", "task", "task", "name", "top", "key"]),
            st.floats(min_value=0, max_value=1),
            st.floats(min_value=0, max_value=1),
            st.integers(min_value=0, max_value=4),
            st.sampled_from(MARK_PIECES),
        ),
        min_size=1,
        max_size=10,
    ),
)
def test_a_spliced_tree_has_the_marks_of_a_fresh_parse(
    source: Path, edits: list[tuple[str, float, float, int, str]]
) -> None:
    """Every node's start and end (offset, line and column) after each edit is that of a
    parse of the new text: the nodes after the edit moved, the re-composed ones too."""
    text = source.read_text(encoding="utf-8")
    analysis = DocumentAnalysis(source, index=INDEX, config=CONFIG)
    analysis.update(text)
    for edit in edits:
        text = _apply(text, edit)
        ctx, _ = analysis.update(text)
        fresh = parse_yaml(text)
        assert _every_mark(ctx.doc.root) == _every_mark(fresh.root)
        # the strings that findings are capped in, from the kept per-item offsets
        ranges = _ScalarRanges()(ctx.doc)
        if ranges is not None:
            assert ranges == _scalar_ranges(fresh)


def test_moved_tasks_keep_the_marks_of_a_fresh_parse_edit_after_edit() -> None:
    """Typing in one task, then in an earlier one, then in ``vars``: each splice moves the
    later tasks and ``output_map`` (some of them again) to where a parse puts them."""
    path = CORPUS / "generated" / "flow.workflow.yaml"
    tasks = "".join(
        f'  - name: t{n}\n    action: core.noop\n    input:\n      message: "{n}"\n'
        f"    next:\n      - do: [t{n + 1}]\n"
        for n in range(30)
    )
    text = f'version: "1.0.0"\nvars:\n  total: 0\ntasks:\n{tasks}output_map:\n  total: 1\n'
    analysis = DocumentAnalysis(path, index=INDEX, config=CONFIG)
    analysis.update(text)
    for edits, (anchor, piece) in enumerate(
        [
            ('"20', "x"),
            ('"20', "\n        more"),
            ('"5', "yz"),
            ('"20', "w"),
            ("vars:\n", "  other: 2\n"),
            ('"29"\n', "    retry:\n      count: 1\n"),
            ('"0', "q"),
        ],
        start=1,
    ):
        at = text.index(anchor) + len(anchor)
        text = text[:at] + piece + text[at:]
        ctx, found = analysis.update(text)
        assert analysis.incremental_updates == edits
        assert _every_mark(ctx.doc.root) == _every_mark(parse_yaml(text).root)
        assert found == full(path, text)


@pytest.mark.parametrize("odd", ["\u2028", "\x85", "\u2029"])
def test_a_text_with_a_line_break_only_libyaml_counts_is_parsed_afresh(odd: str) -> None:
    """libyaml breaks lines at U+0085, U+2028 and U+2029, the editor and LineIndex do not:
    the lines of a region would not be libyaml's, so such a text is not spliced."""
    source = next(path for path in WORKFLOWS if path.name == "chart_meta.yaml")
    text = source.read_text(encoding="utf-8")
    analysis = DocumentAnalysis(source, index=INDEX, config=CONFIG)
    analysis.update(text)
    at = text.index("osition:", text.index("- name: task2"))
    text = text[:at] + odd + text[at:]
    analysis.update(text)
    text = text.replace("- name: task2", "- name: task1suc", 1)
    ctx, found = analysis.update(text)
    assert found == full(source, text)
    assert _every_mark(ctx.doc.root) == _every_mark(parse_yaml(text).root)
    assert analysis.incremental_updates == 0


# -- the task graph and the cross-task rules -------------------------------------------------

# Rules that walk every task and ran on the whole file after every edit before they were
# given a task or graph scope; an edit that keeps what the tasks declare must not run them so.
WALKING_RULES = frozenset(
    {
        "duplicate-target",
        "duplicate-task",
        "invalid-ref",
        "invalid-value",
        "iteration-conflict",
        "join-count",
        "legacy-ignored",
        "legacy-transition",
        "missing-key",
        "no-tasks",
        "reserved-task-name",
        "unknown-key",
        "unreachable-task",
        "wait-for-misuse",
        "wrong-type",
    }
)


def _whole_file_runs(analysis: DocumentAnalysis, text: str) -> tuple[list[object], set[str]]:
    """The findings of an update, and the rules it ran on the whole file."""
    before = dict(analysis.whole_file_runs)
    found = analysis.update(text)[1]
    ran = {rule for rule, count in analysis.whole_file_runs.items() if count > before.get(rule, 0)}
    return list(found), ran


def test_the_graph_workflow_has_a_finding_of_each_cross_task_rule() -> None:
    found = analyze(GRAPH_FLOW, GRAPH_FLOW.read_text(encoding="utf-8"), index=INDEX, config=CONFIG)
    codes = {d.code for d in found[1]}
    assert {
        "duplicate-target",
        "duplicate-task",
        "join-count",
        "unreachable-task",
        "wait-for-misuse",
    } <= codes


# (what the edit does, the text replaced, its replacement, the rules it runs on the whole file
# among WALKING_RULES: None for all of them, whether the task graph is made from the last one)
GRAPH_EDITS = [
    ("typing in an input", "message: \"{{ workflow.total }}", "message: \"{{ workflow.total }}x", set(), True),
    (
        "a line added to a task that others start",
        "  - name: left\n    action: core.noop\n    next:",
        "  - name: left\n    action: core.noop\n    timeout: 5\n    next:",
        {"duplicate-task", "duplicate-target"},
        True,
    ),
    (
        "a space before a place that a finding points at",
        "      - do: [join_here]\n  - name: right",
        "      - do:  [join_here]\n  - name: right",
        {"join-count"},
        True,
    ),
    ("typing in the first task", "{{ succeeded() }}", "{{ succeeded()x }}", set(), True),
    (
        "a target changed",
        "do: [loop_a]\n  - name: island",
        "do: [island]\n  - name: island",
        {"join-count", "unreachable-task", "wait-for-misuse"},
        True,
    ),
    (
        "a legacy target changed",
        "on_success: island",
        "on_success: last",
        {"join-count", "unreachable-task", "wait-for-misuse"},
        True,
    ),
    (
        "a transition closes a loop",
        "      - publish:",
        "      - do: [start]\n      - publish:",
        {"duplicate-task", "duplicate-target", "join-count", "unreachable-task", "wait-for-misuse"},
        True,
    ),
    ("a task renamed", "name: island", "name: islands", None, False),
    # the fixes that rewrite the legacy keys of another task write the file's line break
    ("a first Windows line break", "    input:\n", "    input:\r\n", None, True),
    ("a sub-task renamed", "      - name: a\n        action: core.noop\n  -", "      - name: c\n        action: core.noop\n  -", None, True),
    ("a join added", "  - name: loop_b\n", "  - name: loop_b\n    join: 2\n", {"duplicate-task", "duplicate-target"}, True),
    ("a join removed", "    join: 3\n", "", {"duplicate-task", "duplicate-target"}, True),
    ("a join changed", "join: 3", "join: 2", set(), True),
    ("a wait broken", "execution: 5", "execution: 0", set(), True),
    ("a wait renamed", "execution: 5", "inquiry: 5", None, True),
    ("a wait emptied", "wait_for:\n      execution: 5", "wait_for: 5", None, True),
]  # fmt: skip


@pytest.mark.parametrize(
    ("old", "new", "whole", "spliced_graph"),
    [edit[1:] for edit in GRAPH_EDITS],
    ids=[edit[0] for edit in GRAPH_EDITS],
)
def test_edits_of_the_task_graph_give_the_full_findings(
    old: str, new: str, whole: set[str] | None, spliced_graph: bool
) -> None:
    """Each edit is spliced; the findings are those of a full analysis, and the cross-task
    rules ran on the whole file only where the edit changed what they read."""
    text = GRAPH_FLOW.read_text(encoding="utf-8")
    analysis = DocumentAnalysis(GRAPH_FLOW, index=INDEX, config=CONFIG)
    analysis.update(text)
    assert text.count(old) == 1
    edited = text.replace(old, new)
    found, ran = _whole_file_runs(analysis, edited)
    assert found == full(GRAPH_FLOW, edited)
    context = analysis.context
    assert context is not None
    _graph_shape(context.view)
    assert analysis.incremental_updates == 1
    assert ran & WALKING_RULES == (WALKING_RULES if whole is None else whole)
    assert analysis.graph_splices == int(spliced_graph)
    # and back again
    found, _ = _whole_file_runs(analysis, text)
    assert found == full(GRAPH_FLOW, text)
    assert analysis.incremental_updates == 2


def _generated(count: int) -> str:
    lines = ['version: "1.0.0"', "tasks:"]
    for n in range(count):
        lines += [f"  - name: t{n}", "    action: core.noop", "    input:", f'      message: "{n}"']
        if n + 1 < count:
            lines += ["    next:", f"      - do: [t{n + 1}]"]
    return "\n".join(lines) + "\n"


def test_typing_in_a_task_runs_no_walking_rule_on_the_whole_file_and_keeps_the_graph(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit that keeps what the tasks declare and start neither walks every task in a
    rule nor builds the task graph again."""
    from attune_workflow import graph
    from attune_workflow.rules import RULES_BY_ID
    from attune_workflow.rules.base import Scope

    path = tmp_path / "flow.workflow.yaml"
    text = _generated(60)
    analysis = DocumentAnalysis(path, index=INDEX, config=CONFIG)
    analysis.update(text)
    built: list[object] = []
    original = graph.ScopeGraph.__init__

    def counted(self: graph.ScopeGraph, *args: object) -> None:
        built.append(self)
        original(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(graph.ScopeGraph, "__init__", counted)
    at = text.index('"30"') + 2
    for char in "abc":
        text = text[:at] + char + text[at:]
        at += 1
        found, ran = _whole_file_runs(analysis, text)
        assert not built  # the full analysis below builds its own
        assert found == full(path, text)
        built.clear()
        assert not ran & WALKING_RULES
        assert {RULES_BY_ID[rule].scope for rule in ran} <= {Scope.FILE}
    assert analysis.incremental_updates == 3
    assert analysis.graph_splices == 3

"""What is under a cursor in a parsed file, and where else the same thing is named.

Used by hover, go-to-definition, references and rename. Everything here works on the
engine's :class:`Context` (positioned YAML nodes, the workflow view, parsed templates)
and returns engine spans; the features convert them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from attune_workflow.context import Context, FileKind
from attune_workflow.expressions import (
    KEYWORDS,
    NAMESPACES,
    Call,
    Expr,
    nodes_at,
    parse_expression,
    reference_at,
)
from attune_workflow.expressions import (
    Path as RefPath,
)
from attune_workflow.expressions.templates import Block, block_at
from attune_workflow.names import TASK_ROOTS as TASK_ROOTS
from attune_workflow.names import WORKFLOW_ROOTS as WORKFLOW_ROOTS
from attune_workflow.names import expression_names, published_names
from attune_workflow.names import parameter_keys as parameter_keys
from attune_workflow.packindex import ActionInfo
from attune_workflow.positions import LineIndex, Span
from attune_workflow.view import TaskView, WorkflowView
from attune_workflow.yamlsource import (
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    end_position,
    is_string,
    mapping_get,
    mapping_items,
    scalar_offsets,
    start_position,
)

Kind = Literal[
    "task", "variable", "parameter", "action", "input", "function", "namespace", "file", "key"
]


@dataclass(frozen=True, slots=True)
class Step:
    """One step from the document root to the node under the cursor."""

    key: str | int
    key_node: ScalarNode | None
    node: Node


@dataclass(slots=True)
class Target:
    """The named thing under the cursor.

    ``span`` is the part of the source that names it (for rename: exactly the characters
    to replace). ``task`` is set for tasks, ``action`` for action refs and inputs, ``steps``
    for keys (the path to the mapping that holds the key).
    """

    kind: Kind
    name: str
    span: Span
    task: TaskView | None = None
    action: ActionInfo | None = None
    steps: tuple[Step, ...] = ()
    namespace: str | None = None
    detail: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Occurrence:
    """A place that names a target; ``declaration`` for where it is defined."""

    path: Path
    span: Span
    declaration: bool


# -- finding the node under a cursor -----------------------------------------------------------


def _contains(node: Node, line: int, column: int, lines: LineIndex) -> bool:
    return start_position(node, lines) <= (line, column) <= end_position(node, lines)


def steps_at(ctx: Context, line: int, column: int) -> tuple[tuple[Step, ...], bool]:
    """The steps from the root to the innermost node at the cursor; True if it is a key."""
    node = ctx.doc.root
    lines = ctx.doc.lines
    steps: list[Step] = []
    if node is None:
        return (), False
    while True:
        if isinstance(node, MappingNode):
            for key_node, value in node.value:
                if isinstance(key_node, ScalarNode) and _contains(key_node, line, column, lines):
                    steps.append(Step(str(key_node.value), key_node, value))
                    return tuple(steps), True
                end = end_position(value, lines)
                if _contains(value, line, column, lines) and not (
                    start_position(value, lines)[0] == end[0]
                    and (line, column) == end
                    and isinstance(value, MappingNode | SequenceNode)
                ):
                    key = str(key_node.value) if isinstance(key_node, ScalarNode) else "?"
                    steps.append(
                        Step(key, key_node if isinstance(key_node, ScalarNode) else None, value)
                    )
                    node = value
                    break
            else:
                return tuple(steps), False
        elif isinstance(node, SequenceNode):
            for i, item in enumerate(node.value):
                if _contains(item, line, column, lines):
                    steps.append(Step(i, None, item))
                    node = item
                    break
            else:
                return tuple(steps), False
        else:
            return tuple(steps), False


def value_offset(ctx: Context, node: ScalarNode, line: int, column: int) -> int | None:
    """The offset in a scalar's value of a source position (None outside the value)."""
    offsets = scalar_offsets(ctx.text, node)
    if offsets is None:
        return None
    target = ctx.doc.lines.offset(line, column)
    best: int | None = None
    for i, source in enumerate(offsets):
        if source == target:
            return i
        if source < target:
            best = i + 1
        else:
            break
    return best


def node_extent(lines: LineIndex, node: Node) -> Span:
    """A node's span ending at its last character.

    A block node's end mark lies where the next token starts (the next item's ``-``, or
    the start of a line); the span stops instead at the end of its last line of content.
    """
    start_line, start_column = start_position(node, lines)
    line, column = end_position(node, lines)
    if line > start_line and not lines.line_text(line)[:column].strip():
        line -= 1
        while line > start_line:
            text = lines.line_text(line).strip()
            if text and not text.startswith("#"):
                break
            line -= 1
        column = len(lines.line_text(line).rstrip())
    return Span(start_line, start_column, line, column)


def value_span(ctx: Context, node: ScalarNode) -> Span:
    """The span of a scalar's characters, without quotes."""
    return ctx.value_span(node, 0, len(str(node.value)))


def task_of(view: WorkflowView | None, steps: tuple[Step, ...]) -> TaskView | None:
    """The innermost task whose node is on the path."""
    if view is None:
        return None
    found: TaskView | None = None
    nodes = {id(step.node) for step in steps}
    for task in view.all_tasks():
        if id(task.node) in nodes:
            found = task
    return found


def resolve_target(view: WorkflowView, task: TaskView | None, name: str) -> TaskView | None:
    """The task a transition of ``task`` names (its siblings), or any task by name."""
    if task is not None:
        sibling = view.sibling_named(task, name)
        if sibling is not None:
            return sibling
    return view.task_named(name)


# -- expressions --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExprAt:
    """The parsed ``{{ }}`` block under a cursor."""

    node: ScalarNode
    block: Block
    ast: Expr | None
    offset: int  # cursor offset inside the expression text


def expression_at(ctx: Context, node: ScalarNode, line: int, column: int) -> ExprAt | None:
    """The template block of a scalar under a cursor."""
    if not is_string(node) or "{{" not in str(node.value):
        return None
    offset = value_offset(ctx, node, line, column)
    if offset is None:
        return None
    block = block_at(str(node.value), offset)
    if block is None:
        return None
    result = parse_expression(block.expr)
    return ExprAt(node, block, result.ast, offset - block.expr_start)


def _expr_span(ctx: Context, node: ScalarNode, block: Block, start: int, end: int) -> Span:
    return ctx.value_span(node, block.expr_start + start, block.expr_start + end)


def _segment_name_span(ref: RefPath, index: int) -> tuple[int, int]:
    segment = ref.segments[index]
    if segment.bracketed and isinstance(segment.key, str):
        return segment.start + 1, segment.end - 1
    return segment.start, segment.end


def expression_target(ctx: Context, at: ExprAt, task: TaskView | None) -> Target | None:
    """What the cursor names inside an expression."""
    if at.ast is None:
        return None
    for expr in reversed(nodes_at(at.ast, at.offset) or nodes_at(at.ast, max(at.offset - 1, 0))):
        if isinstance(expr, Call) and expr.name_start <= at.offset <= expr.name_end:
            span = _expr_span(ctx, at.node, at.block, expr.name_start, expr.name_end)
            return Target("function", expr.name, span)
    found = reference_at(at.ast, at.offset)
    if found is None:
        return None
    ref, part = found
    root = ref.root_name
    if part == -1:
        start, end = (
            (ref.root.start, ref.root.end)
            if not isinstance(ref.root, Call)
            else (ref.root.name_start, ref.root.name_end)
        )
        span = _expr_span(ctx, at.node, at.block, start, end)
        if isinstance(ref.root, Call):
            return Target("function", root, span)
        if root in NAMESPACES:
            return Target("namespace", root, span)
        if root in KEYWORDS:
            return None
        return Target("variable", root, span, namespace=None)
    if part != 0 or not isinstance(ref.segments[0].key, str):
        return None
    name = ref.segments[0].key
    start, end = _segment_name_span(ref, 0)
    span = _expr_span(ctx, at.node, at.block, start, end)
    if root in TASK_ROOTS and ctx.view is not None:
        return Target("task", name, span, task=ctx.view.task_named(name), namespace=root)
    if root == "parameters":
        return Target("parameter", name, span, namespace=root)
    if root in WORKFLOW_ROOTS:
        return Target("variable", name, span, namespace=root)
    return None


def expression_references(ctx: Context) -> Iterator[tuple[str, str, Span, TaskView | None]]:
    """(kind, name, span, task) of every task, parameter and variable named in templates.

    Reads the expressions the analysis parsed once (``ctx.expressions``): one pass.
    """
    seen: set[tuple[int, int]] = set()
    for expression in ctx.expressions:
        node, block, task = expression.node, expression.block, expression.task
        key = (id(node), block.start)
        if key in seen or expression.parsed.ast is None:
            continue
        seen.add(key)
        for kind, name, start, end in expression_names(expression.parsed.ast):
            yield kind.value, name, _expr_span(ctx, node, block, start, end), task


# -- the target under a cursor ------------------------------------------------------------------


def target_at(ctx: Context, line: int, column: int) -> Target | None:
    """The named thing at a cursor (None for plain text and unknown places)."""
    steps, on_key = steps_at(ctx, line, column)
    if not steps:
        return None
    last = steps[-1]
    keys = [step.key for step in steps]
    view = ctx.view
    task = task_of(view, steps)
    if ctx.kind is FileKind.ACTION:
        return _action_file_target(ctx, steps, on_key)
    if ctx.kind is not FileKind.WORKFLOW:
        return None
    if on_key:
        assert last.key_node is not None
        span = value_span(ctx, last.key_node)
        name = str(last.key)
        if keys[:1] == ["vars"] and len(keys) == 2:
            return Target("variable", name, span, steps=steps)
        if (
            keys[:1] == ["parameters"]
            and name in parameter_keys(ctx.doc.root)
            and (parameter_keys(ctx.doc.root)[name] is last.key_node)
        ):
            return Target("parameter", name, span, steps=steps)
        if (
            len(keys) >= 3
            and keys[-2] == "input"
            and task is not None
            and task.value("input") is (steps[-2].node)
        ):
            action = ctx.index.action(task.string("action") or "")
            return Target("input", name, span, task=task, action=action, steps=steps)
        if _is_publish_key(steps):
            return Target("variable", name, span, steps=steps)
        return Target("key", name, span, task=task, steps=steps[:-1])
    node = last.node
    if not isinstance(node, ScalarNode):
        return None
    if is_string(node) and "{{" in str(node.value):
        at = expression_at(ctx, node, line, column)
        if at is not None:
            return expression_target(ctx, at, task)
    if not is_string(node):
        return None
    value = str(node.value)
    span = value_span(ctx, node)
    if task is not None and view is not None:
        for transition in task.transitions:
            for target in transition.targets:
                if target.node is node:
                    return Target("task", value, span, task=resolve_target(view, task, value))
        if task.value("name") is node:
            return Target("task", value, span, task=task)
        if task.value("action") is node:
            return Target("action", value, span, task=task, action=ctx.index.action(value))
    if _is_publish_item(steps):
        return Target("variable", value, span, steps=steps)
    key = next((k for k in reversed(keys) if isinstance(k, str)), None)
    if key is not None and len(steps) >= 1:
        return Target("key", key, span, task=task, steps=steps, detail={"value": True})
    return None


def _is_publish_key(steps: tuple[Step, ...]) -> bool:
    # ... publish: [ {name: value} ]  -> steps end with ("publish", i, name)
    return len(steps) >= 3 and steps[-3].key == "publish" and isinstance(steps[-2].key, int)


def _is_publish_item(steps: tuple[Step, ...]) -> bool:
    return len(steps) >= 2 and steps[-2].key == "publish" and isinstance(steps[-1].key, int)


def _action_file_target(ctx: Context, steps: tuple[Step, ...], on_key: bool) -> Target | None:
    keys = [step.key for step in steps]
    last = steps[-1]
    if on_key and last.key_node is not None:
        declared = parameter_keys(ctx.doc.root)
        if keys[0] == "parameters" and declared.get(str(last.key)) is last.key_node:
            return Target("parameter", str(last.key), value_span(ctx, last.key_node), steps=steps)
        return Target("key", str(last.key), value_span(ctx, last.key_node), steps=steps[:-1])
    node = last.node
    if keys == ["workflow_file"] and isinstance(node, ScalarNode) and is_string(node):
        return Target("file", str(node.value), value_span(ctx, node))
    if keys == ["ref"] and isinstance(node, ScalarNode) and is_string(node):
        ref = str(node.value)
        return Target("action", ref, value_span(ctx, node), action=ctx.index.action(ref))
    if isinstance(node, ScalarNode) and len(steps) == 1:
        return Target(
            "key", str(keys[0]), value_span(ctx, node), steps=steps, detail={"value": True}
        )
    return None


# -- occurrences within one file ----------------------------------------------------------------


def task_occurrences(ctx: Context, task: TaskView) -> list[Occurrence]:
    """The declaration of a task and every transition and template naming it."""
    view = ctx.view
    if view is None or task.name is None or task.name_node is None:
        return []
    found = [Occurrence(ctx.path, value_span(ctx, task.name_node), True)]
    for other in view.all_tasks():
        for transition in other.transitions:
            for target in transition.targets:
                if target.name == task.name and resolve_target(view, other, target.name) is task:
                    found.append(Occurrence(ctx.path, value_span(ctx, target.node), False))
    for kind, name, span, _ in expression_references(ctx):
        if kind == "task" and name == task.name and view.task_named(name) is task:
            found.append(Occurrence(ctx.path, span, False))
    return found


def variable_occurrences(ctx: Context, name: str) -> list[Occurrence]:
    """``vars`` keys, published names and template references of a workflow variable."""
    found: list[Occurrence] = []
    vars_entry = mapping_get(ctx.doc.root, "vars")
    if vars_entry is not None:
        for key, key_node, _ in mapping_items(vars_entry[1]):
            if key == name:
                found.append(Occurrence(ctx.path, value_span(ctx, key_node), True))
    view = ctx.view
    for task in view.all_tasks() if view is not None else ():
        publishes = [t.publish for t in task.transitions]
        for node in [*publishes, task.value("publish")]:
            for key_node in published_names(node):
                if str(key_node.value) == name:
                    found.append(Occurrence(ctx.path, value_span(ctx, key_node), True))
    for kind, ref, span, _ in expression_references(ctx):
        if kind == "variable" and ref == name:
            found.append(Occurrence(ctx.path, span, False))
    return found


def parameter_occurrences(ctx: Context, name: str) -> list[Occurrence]:
    """The workflow's own declaration of a parameter and its template references."""
    found: list[Occurrence] = []
    declared = parameter_keys(ctx.doc.root).get(name)
    if declared is not None:
        found.append(Occurrence(ctx.path, value_span(ctx, declared), True))
    for kind, ref, span, _ in expression_references(ctx):
        if kind == "parameter" and ref == name:
            found.append(Occurrence(ctx.path, span, False))
    return found


def input_occurrences(ctx: Context, action_ref: str, name: str) -> list[Occurrence]:
    """The ``input`` keys naming a parameter of an action, in the tasks that call it."""
    found: list[Occurrence] = []
    view = ctx.view
    for task in view.all_tasks() if view is not None else ():
        if task.string("action") != action_ref:
            continue
        for key, key_node, _ in mapping_items(task.value("input")):
            if key == name:
                found.append(Occurrence(ctx.path, value_span(ctx, key_node), False))
    return found


def declaration_in(ctx: Context, name: str) -> Span | None:
    """Where a file (workflow or action) declares a parameter."""
    key = parameter_keys(ctx.doc.root).get(name)
    return value_span(ctx, key) if key is not None else None

"""Which task, variable and parameter names are used where in one workflow file.

One pass over the workflow builds the list of every use; editor features look up the
use under a cursor and every other use of the same thing (document highlight), and
which tasks start each task (incoming transitions). A task is identified by its
view, not its name: sub-task scopes may reuse a name, and a transition names a task
of its own scope first.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from .context import Context
from .expressions import NAMESPACES, Call, Expr, parse_expression, paths
from .expressions.memo import file_memoized
from .expressions.namespaces import KEYWORDS
from .positions import Span
from .view import TaskView, WorkflowView
from .yamlsource import (
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    is_string,
    mapping_get,
    scalar_offsets,
)

TASK_ROOTS = frozenset(name for name, info in NAMESPACES.items() if info.task_keyed)
WORKFLOW_ROOTS = frozenset(
    name for name, info in NAMESPACES.items() if info.canonical == "workflow"
)


class NameKind(enum.StrEnum):
    """What a name names."""

    TASK = "task"
    VARIABLE = "variable"
    PARAMETER = "parameter"


@dataclass(frozen=True, slots=True)
class NameUse:
    """One place that names a task, variable or parameter.

    ``key`` identifies a task: its view (None when no task has the name); variables and
    parameters are identified by their name. ``write`` marks declarations and
    assignments (a task's ``name``, ``vars`` keys, published names, parameter keys).
    """

    kind: NameKind
    name: str
    key: object
    span: Span
    write: bool


class NameUses:
    """Every use of a name in a workflow file, and the transitions between its tasks."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    @cached_property
    def uses(self) -> list[NameUse]:
        """Every use, in the order met (declarations first, then transitions, templates)."""
        return list(_collect(self.ctx)) if self.ctx.view is not None else []

    def at(self, line: int, column: int) -> NameUse | None:
        """The use under a cursor (its end included)."""
        for inclusive in (False, True):
            for use in self.uses:
                span = use.span
                if span.start <= (line, column) < span.end or (
                    inclusive and (line, column) == span.end
                ):
                    return use
        return None

    def same(self, use: NameUse) -> list[NameUse]:
        """Every use of what ``use`` names (itself included), in document order."""
        if use.kind is NameKind.TASK and use.key is not None:
            found = [u for u in self.uses if u.kind is use.kind and u.key is use.key]
        else:
            found = [u for u in self.uses if u.kind is use.kind and u.name == use.name]
        return sorted(found, key=lambda u: u.span)

    @cached_property
    def started_by(self) -> dict[int, list[TaskView]]:
        """For each task (by ``id`` of its view), the tasks whose transitions start it."""
        view = self.ctx.view
        found: dict[int, list[TaskView]] = {}
        if view is None:
            return found
        resolve = _Resolver(view)
        for task in view.all_tasks():
            for transition in task.transitions:
                for target in transition.targets:
                    started = resolve(task, target.name)
                    if started is None:
                        continue
                    sources = found.setdefault(id(started), [])
                    if task not in sources:
                        sources.append(task)
        return found


class _Resolver:
    """The task a transition names: a sibling first, else the first of that name."""

    def __init__(self, view: WorkflowView) -> None:
        self.view = view
        self.first: dict[str, TaskView] = {}
        for task in view.all_tasks():
            if task.name is not None:
                self.first.setdefault(task.name, task)
        self.scopes: dict[int, dict[str, TaskView]] = {}

    def __call__(self, task: TaskView | None, name: str) -> TaskView | None:
        if task is not None:
            scope = self.view.scope_of(task)
            names = self.scopes.get(id(scope))
            if names is None:
                names = {}
                for sibling in scope:
                    if sibling.name is not None:
                        names.setdefault(sibling.name, sibling)
                self.scopes[id(scope)] = names
            if name in names:
                return names[name]
        return self.first.get(name)


def _collect(ctx: Context) -> Iterator[NameUse]:
    view = ctx.view
    assert view is not None
    resolve = _Resolver(view)

    def whole(node: ScalarNode) -> Span:
        return ctx.value_span(node, 0, len(str(node.value)))

    for name, node in parameter_keys(ctx.doc.root).items():
        yield NameUse(NameKind.PARAMETER, name, name, whole(node), True)
    entry = mapping_get(ctx.doc.root, "vars")
    if entry is not None and isinstance(entry[1], MappingNode):
        for key, _ in entry[1].value:
            if isinstance(key, ScalarNode):
                name = str(key.value)
                yield NameUse(NameKind.VARIABLE, name, name, whole(key), True)
    for task in view.all_tasks():
        if task.name is not None and task.name_node is not None:
            yield NameUse(NameKind.TASK, task.name, task, whole(task.name_node), True)
        publishes: list[Node | None] = [t.publish for t in task.transitions]
        publishes.append(task.value("publish"))
        for published in publishes:
            for node in published_names(published):
                name = str(node.value)
                yield NameUse(NameKind.VARIABLE, name, name, whole(node), True)
        for transition in task.transitions:
            for target in transition.targets:
                started = resolve(task, target.name)
                yield NameUse(NameKind.TASK, target.name, started, whole(target.node), False)
    offsets: dict[int, list[int] | None] = {}
    lines = ctx.doc.lines
    for expr in ctx.expressions:
        node = expr.node
        if id(node) not in offsets:
            offsets[id(node)] = scalar_offsets(ctx.text, node)
        mapped = offsets[id(node)]
        base = expr.block.expr_start
        for kind, name, start, end in _expression_names(expr.block.expr):
            if mapped is not None and base + end < len(mapped):
                first = mapped[base + start]
                span = lines.span(first, mapped[base + end - 1] + 1)
            else:
                span = ctx.expression_span(expr, start, end)
            key = resolve(None, name) if kind is NameKind.TASK else name
            yield NameUse(kind, name, key, span, False)


@file_memoized(4096)
def _expression_names(src: str) -> tuple[tuple[NameKind, str, int, int], ...]:
    """(kind, name, start, end) of the names an expression reads, by its text."""
    ast = parse_expression(src).ast
    return () if ast is None else expression_names(ast)


def expression_names(ast: Expr) -> tuple[tuple[NameKind, str, int, int], ...]:
    """(kind, name, start, end) of the task, parameter and variable names a parsed
    expression reads (offsets in the expression's text, without brackets and quotes)."""
    found = []
    for ref in paths(ast):
        if isinstance(ref.root, Call):
            continue
        root = ref.root_name
        if not ref.segments:
            if root not in NAMESPACES and root not in KEYWORDS:
                found.append((NameKind.VARIABLE, root, ref.root.start, ref.root.end))
            continue
        segment = ref.segments[0]
        key = segment.key
        if not isinstance(key, str):
            continue
        start, end = segment.start, segment.end
        if segment.bracketed:
            start, end = start + 1, end - 1
        if root in TASK_ROOTS:
            found.append((NameKind.TASK, key, start, end))
        elif root == "parameters":
            found.append((NameKind.PARAMETER, key, start, end))
        elif root in WORKFLOW_ROOTS:
            found.append((NameKind.VARIABLE, key, start, end))
    return tuple(found)


def published_names(node: Node | None) -> Iterator[ScalarNode]:
    """The names a ``publish`` list gives (its mappings' keys and its plain strings)."""
    if isinstance(node, SequenceNode):
        for item in node.value:
            if isinstance(item, MappingNode):
                for key, _ in item.value:
                    if isinstance(key, ScalarNode):
                        yield key
            elif isinstance(item, ScalarNode) and is_string(item):
                yield item


def parameter_keys(root: Node | None) -> dict[str, ScalarNode]:
    """The declared parameter names of a file's ``parameters`` (flat or JSON-schema style)."""
    entry = mapping_get(root, "parameters")
    if entry is None or not isinstance(entry[1], MappingNode):
        return {}
    params = entry[1]
    props = mapping_get(params, "properties")
    typed = mapping_get(params, "type") is not None
    if props is not None and typed and isinstance(props[1], MappingNode):
        params = props[1]
    return {str(key.value): key for key, _ in params.value if isinstance(key, ScalarNode)}

"""A positioned, forgiving view of a workflow: tasks, transitions and templates.

Built once from the YAML nodes; every graph and expression rule reads it. It
never assumes the file is valid: a task that is not a mapping, a ``do`` that is
a scalar, a missing name are all represented so rules can still run on the rest.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

from .yamlsource import (
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    is_null,
)

LEGACY_TARGET_KEYS = ("on_success", "on_failure", "on_complete", "on_timeout")
LEGACY_WHEN = {
    "on_success": "{{ succeeded() }}",
    "on_failure": "{{ failed() }}",
    "on_complete": None,
    "on_timeout": "{{ timed_out() }}",
}


@dataclass(slots=True)
class Target:
    """A task name a transition starts, with its node."""

    name: str
    node: ScalarNode


@dataclass(slots=True)
class TransitionView:
    """A transition: a ``next`` entry, a legacy ``on_*`` key or a ``decision`` branch."""

    source: str  # "next", "on_success", ..., "decision"
    index: int
    node: Node
    when: ScalarNode | None = None
    publish: Node | None = None
    targets: list[Target] = field(default_factory=list)
    do_node: Node | None = None


@dataclass(eq=False, slots=True)
class TaskView:
    """A task with its nodes, its scope and its transitions."""

    node: Node
    index: int
    parent: TaskView | None
    fields: dict[str, tuple[ScalarNode, Node]]
    name: str | None = None
    name_node: ScalarNode | None = None
    children: list[TaskView] = field(default_factory=list)
    transitions: list[TransitionView] = field(default_factory=list)

    @property
    def type(self) -> str:
        """The task type (``action`` when absent or not a string)."""
        entry = self.fields.get("type")
        text = scalar_text(entry[1]) if entry else None
        return text if text is not None else "action"

    def value(self, key: str) -> Node | None:
        """The value node of a task key."""
        entry = self.fields.get(key)
        return entry[1] if entry else None

    def key(self, key: str) -> ScalarNode | None:
        """The key node of a task key."""
        entry = self.fields.get(key)
        return entry[0] if entry else None

    def string(self, key: str) -> str | None:
        """A task key's value when it is a string scalar."""
        node = self.value(key)
        return scalar_text(node) if node is not None else None

    @property
    def label(self) -> str:
        """How messages name the task."""
        return f"task '{self.name}'" if self.name is not None else f"task #{self.index + 1}"

    @property
    def uses_next(self) -> bool:
        """Whether the task has a non-empty ``next`` list (legacy keys are then ignored)."""
        node = self.value("next")
        return isinstance(node, SequenceNode) and bool(node.value)

    @property
    def iterates(self) -> bool:
        """Whether the task has ``with_items`` or ``iterate_cache``."""
        return "with_items" in self.fields or "iterate_cache" in self.fields


@dataclass
class WorkflowView:
    """The tasks of a workflow in every scope."""

    root: MappingNode
    fields: dict[str, tuple[ScalarNode, Node]]
    tasks: list[TaskView]

    def value(self, key: str) -> Node | None:
        """The value node of a top-level key."""
        entry = self.fields.get(key)
        return entry[1] if entry else None

    def all_tasks(self) -> Iterator[TaskView]:
        """Every task, parents before their sub-tasks."""
        return iter(self._flat)

    @cached_property
    def _flat(self) -> tuple[TaskView, ...]:
        order: list[TaskView] = []
        stack = list(reversed(self.tasks))
        while stack:
            task = stack.pop()
            order.append(task)
            stack.extend(reversed(task.children))
        return tuple(order)

    def scope_of(self, task: TaskView) -> list[TaskView]:
        """The tasks a task's transitions may target: its siblings."""
        return task.parent.children if task.parent else self.tasks

    def task_named(self, name: str) -> TaskView | None:
        """The first task of that name at any depth."""
        return self._first_named.get(name)

    @cached_property
    def _first_named(self) -> dict[str, TaskView]:
        named: dict[str, TaskView] = {}
        for task in self._flat:
            if task.name is not None:
                named.setdefault(task.name, task)
        return named

    def sibling_named(self, task: TaskView, name: str) -> TaskView | None:
        """The first task of that name in the scope of ``task`` (its siblings)."""
        scope = self._scopes.get(id(task.parent) if task.parent else 0)
        return scope.get(name) if scope is not None else None

    @cached_property
    def _scopes(self) -> dict[int, dict[str, TaskView]]:
        scopes: dict[int, dict[str, TaskView]] = {}
        for parent, tasks in [(0, self.tasks)] + [(id(t), t.children) for t in self._flat]:
            named = scopes.setdefault(parent, {})
            for sibling in tasks:
                if sibling.name is not None:
                    named.setdefault(sibling.name, sibling)
        return scopes


def build_view(root: Node | None) -> WorkflowView | None:
    """Build the view from a workflow document's root node (None if not a mapping)."""
    if not isinstance(root, MappingNode):
        return None
    fields = _index(root)
    tasks_node = fields.get("tasks", (None, None))[1]
    return WorkflowView(root=root, fields=fields, tasks=_tasks(tasks_node, None))


def _tasks(node: Node | None, parent: TaskView | None) -> list[TaskView]:
    if not isinstance(node, SequenceNode):
        return []
    return [build_task(item, index, parent) for index, item in enumerate(node.value)]


def _index(node: Node) -> dict[str, tuple[ScalarNode, Node]]:
    """Key -> (key node, value node) of a mapping (``mapping_index``, inlined for speed)."""
    result: dict[str, tuple[ScalarNode, Node]] = {}
    if node.__class__ is MappingNode:
        for key_node, value_node in node.value:
            if key_node.__class__ is ScalarNode:
                key = key_node.value
                if key not in result:  # the first of duplicates wins
                    result[key] = (key_node, value_node)
    return result


def build_task(item: Node, index: int, parent: TaskView | None) -> TaskView:
    """The view of one task item (and its sub-tasks) at ``index`` of its list."""
    fields = _index(item)
    name = fields.get("name")
    task = TaskView(item, index, parent, fields, None, None, [], _transitions(fields))
    if name is not None:
        name_node = name[1]
        if name_node.__class__ is ScalarNode and name_node.value != "":
            task.name = str(name_node.value)
            task.name_node = name_node
    sub = fields.get("tasks")
    if sub is not None:
        task.children = _tasks(sub[1], task)
    return task


def _transitions(fields: dict[str, tuple[ScalarNode, Node]]) -> list[TransitionView]:
    result: list[TransitionView] = []
    nxt = fields.get("next")
    if nxt is not None and nxt[1].__class__ is SequenceNode:
        for index, item in enumerate(nxt[1].value):
            entry = _index(item)
            when = entry.get("when")
            publish = entry.get("publish")
            do = entry.get("do")
            result.append(
                TransitionView(
                    "next",
                    index,
                    item,
                    when[1] if when is not None and when[1].__class__ is ScalarNode else None,
                    publish[1] if publish is not None else None,
                    _targets(do[1]) if do is not None else [],
                    do[1] if do is not None else None,
                )
            )
    for key in LEGACY_TARGET_KEYS:
        legacy = fields.get(key)
        if legacy is not None:
            value = legacy[1]
            result.append(TransitionView(key, 0, value, None, None, _targets(value), value))
    decision = fields.get("decision")
    if decision is not None and decision[1].__class__ is SequenceNode:
        for index, item in enumerate(decision[1].value):
            entry = _index(item)
            when = entry.get("when")
            target = entry.get("next")
            result.append(
                TransitionView(
                    "decision",
                    index,
                    item,
                    when[1] if when is not None and when[1].__class__ is ScalarNode else None,
                    None,
                    _targets(target[1]) if target is not None else [],
                    target[1] if target is not None else None,
                )
            )
    return result


def _targets(node: Node) -> list[Target]:
    kind = node.__class__
    if kind is ScalarNode:
        text = scalar_text(node)
        return [Target(text, node)] if text else []  # type: ignore[arg-type]
    if kind is SequenceNode:
        return [
            Target(item.value, item)
            for item in node.value
            if item.__class__ is ScalarNode and item.tag != _NULL
        ]
    return []


_NULL = "tag:yaml.org,2002:null"


def scalar_text(node: Node) -> str | None:
    """The text Attune's decoder gives a string field: any scalar but null, as written."""
    if isinstance(node, ScalarNode) and not is_null(node):
        return str(node.value)
    return None

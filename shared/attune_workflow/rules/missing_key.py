"""A key that Attune requires is absent.

## What it does
Reports a missing `version` or `tasks` at the top of a workflow, a task without
`name`, an `action` or `workflow` task without `action`, a `parallel` task
without `tasks`, a `retry` without `count` or `delay`, an `iterate_cache`
without `namespace` and a legacy `decision` branch without `next`. The finding
points at the key of the mapping that lacks the key (the task's `name`, the
`retry:` key, or the first key of the document).

## Why is this bad?
Attune's parser rejects the whole file (`missing field ...` or `Task 'x' of type
'action' must have an 'action' field`), so the pack does not install and the
workflow cannot run.

## Example
```yaml
version: "1.0.0"
tasks:
  - name: deploy
    input:
      target: prod
    retry:
      count: 3
```

## Use instead
```yaml
version: "1.0.0"
tasks:
  - name: deploy
    action: ops.deploy
    input:
      target: prod
    retry:
      count: 3
      delay: 10
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import Context, FileKind
from ..diagnostics import Diagnostic, Edit, Fix, Severity
from ..positions import Span
from ..view import TaskView, WorkflowView
from ..yamlsource import MappingNode, Node, ScalarNode, is_null, is_string, start_position
from .base import Scope

ID = "missing-key"
SEVERITY = Severity.ERROR
KINDS = frozenset({FileKind.WORKFLOW})
SCOPE = Scope.TASK

TASK_TYPES = ("action", "parallel", "workflow")

DataPath = tuple[str | int, ...]

_WHY = {
    "version": 'add version: "1.0.0"',
    "tasks": "add a 'tasks' list with at least one task",
    "count": "give the number of attempts (1..100)",
    "delay": "give the seconds between attempts",
    "namespace": "name the cache namespace to iterate",
    "next": "name the task this branch starts",
}


# -- helpers shared by the structure rules ----------------------------------------------------


def task_type(task: TaskView) -> str | None:
    """The type of a task (``action`` when absent); None when the value is not a known type."""
    entry = task.fields.get("type")
    if entry is None:
        return "action"
    node = entry[1]
    if is_string(node) and node.value in TASK_TYPES:
        return str(node.value)
    return None


def iterates(task: TaskView) -> bool:
    """Whether a task iterates: a non-null ``with_items`` or ``iterate_cache``."""
    return not is_null(task.value("with_items")) or not is_null(task.value("iterate_cache"))


def locate_task(view: WorkflowView | None, path: DataPath) -> tuple[TaskView | None, DataPath]:
    """The innermost task a data path runs through, and the rest of the path below it."""
    if view is None:
        return None, path
    scope = view.tasks
    task: TaskView | None = None
    i = 0
    while i + 1 < len(path) and path[i] == "tasks" and isinstance(path[i + 1], int):
        index = path[i + 1]
        assert isinstance(index, int)
        if index >= len(scope):
            break
        task = scope[index]
        scope = task.children
        i += 2
    return (task, path[i:]) if task is not None else (None, path)


def dotted(path: DataPath) -> str:
    """``retry.count`` / ``next[0].do`` for a data path."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def describe(view: WorkflowView | None, path: DataPath) -> str:
    """How messages name the thing at a data path: ``'retry' of task 'deploy'``, ``'version'``."""
    if not path:
        return "the workflow"
    task, rest = locate_task(view, path)
    if task is None:
        return f"'{dotted(path)}'"
    if not rest:
        return task.label
    return f"'{dotted(rest)}' of {task.label}"


def sentence(text: str) -> str:
    """The text with a capital first letter."""
    return text[:1].upper() + text[1:]


def first_key(node: Node) -> ScalarNode | None:
    """The first key of a mapping node."""
    if isinstance(node, MappingNode) and node.value:
        key = node.value[0][0]
        return key if isinstance(key, ScalarNode) else None
    return None


def anchor(ctx: Context, node: Node, key_node: ScalarNode | None) -> Span:
    """Where to report something about a mapping: its key, else its first key, else itself."""
    if key_node is not None:
        return ctx.span(key_node)
    key = first_key(node)
    return ctx.span(key if key is not None else node)


# -- the rule -----------------------------------------------------------------------------------


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Report missing required keys from the model and the per-type task requirements."""
    view = ctx.view
    if view is None:
        return
    for error in ctx.structure:
        if error.kind != "missing" or error.key is None:
            continue
        key = error.key
        task, rest = locate_task(view, error.path)
        if task is not None and rest and rest[0] == "wait_for":
            continue
        why = _WHY.get(key)
        rejects = "it" if not error.path else "the workflow"
        message = f"{sentence(describe(view, error.path))} has no '{key}': Attune rejects {rejects}"
        if why:
            message += f"; {why}"
        fixes: tuple[Fix, ...] = ()
        if not error.path and key == "version":
            fixes = _add_version(ctx, error.node)
        span = anchor(ctx, error.node, error.key_node)
        yield ctx.diagnostic(ID, SEVERITY, span, message, fixes=fixes)
    for task in view.all_tasks():
        if not isinstance(task.node, MappingNode):
            continue
        kind = task_type(task)
        if kind in ("action", "workflow"):
            entry = task.fields.get("action")
            if entry is not None and not is_null(entry[1]):
                continue
            what = "the action it runs" if kind == "action" else "the workflow action it runs"
            if entry is not None:
                span = ctx.span(entry[0])
                message = f"{sentence(task.label)} of type '{kind}' has an empty 'action'"
            else:
                span = anchor(ctx, task.node, task.key("name"))
                message = f"{sentence(task.label)} of type '{kind}' has no 'action'"
            yield ctx.diagnostic(
                ID, SEVERITY, span, f"{message}: Attune rejects the workflow; name {what}"
            )
        elif kind == "parallel" and "tasks" not in task.fields:
            yield ctx.diagnostic(
                ID,
                SEVERITY,
                anchor(ctx, task.node, task.key("name")),
                f"{sentence(task.label)} of type 'parallel' has no 'tasks': "
                "Attune rejects the workflow; list the sub-tasks to run in parallel",
            )


def _add_version(ctx: Context, root: Node) -> tuple[Fix, ...]:
    key = first_key(root)
    if key is None or not isinstance(root, MappingNode) or root.flow_style:
        return ()
    line, column = start_position(key, ctx.doc.lines)[0], start_position(key, ctx.doc.lines)[1]
    edit = Edit(Span(line, column, line, column), f'version: "1.0.0"\n{" " * column}')
    return (Fix("Add 'version: \"1.0.0\"'", (edit,), preferred=True),)

"""A transition names a task that does not exist in its scope.

## What it does
Checks every `do` target of `next`, every legacy `on_success` / `on_failure` /
`on_complete` / `on_timeout` target and every `decision[].next`: each must name
a task of the same scope. Top-level tasks may start top-level tasks; the
sub-tasks of a parallel task may only start their siblings. Quick fixes
replace a misspelt name with the close match, or append a minimal task of that
name to the scope's task list.

## Why is this bad?
Attune's parser rejects the whole workflow (`Invalid task reference: Task 'a'
references non-existent task 'b'`), so the pack does not install.

## Example
```yaml
tasks:
  - name: build
    action: ci.build
    next:
      - do: [deplyo]
  - name: deploy
    action: ci.deploy
```

## Use instead
```yaml
tasks:
  - name: build
    action: ci.build
    next:
      - do: [deploy]
  - name: deploy
    action: ci.deploy
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import Context, FileKind
from ..diagnostics import Diagnostic, Edit, Fix, Severity
from ..exprcheck import workflow_facts
from ..graph import effective_transitions, workflow_graph
from ..positions import Span
from ..suggest import close_match, did_you_mean
from ..view import TaskView, WorkflowView
from ..yamlsource import MappingNode, Node, ScalarNode, SequenceNode, start_position
from .base import Scope
from .legacy_transition import content_end, line_break, yaml_string

ID = "unknown-task"
SEVERITY = Severity.ERROR
KINDS = frozenset({FileKind.WORKFLOW})
SCOPE = Scope.TASK


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Report each transition target that names no task of its scope."""
    view = ctx.view
    if view is None:
        return
    graph = workflow_graph(view)
    for task in view.all_tasks():
        transitions = effective_transitions(task)
        if not transitions:
            continue
        scope = graph.scope(task)
        for transition in transitions:
            for target in transition.targets:
                name = target.name
                if name in scope.names:
                    continue
                message = _message(name, task, workflow_facts(ctx).tasks.get(name))
                close = close_match(name, scope.names)
                fixes: list[Fix] = []
                if close is not None:
                    message += did_you_mean(close)
                    fixes.append(
                        Fix(
                            f"Replace with '{close}'",
                            (Edit(ctx.span(target.node), _replacement(target.node, close)),),
                            preferred=True,
                        )
                    )
                create = _create_fix(ctx, view, task.parent, name)
                if create is not None:
                    fixes.append(create)
                yield ctx.diagnostic(
                    ID, SEVERITY, ctx.span(target.node), message, fixes=tuple(fixes)
                )


def _message(name: str, task: TaskView, other: TaskView | None) -> str:
    parent = task.parent
    if parent is not None:
        owner = f"'{parent.name}'" if parent.name is not None else "the parallel task"
        return (
            f"Unknown task '{name}': sub-tasks of {owner} may only start their siblings, and "
            f"none is named '{name}'; Attune rejects the workflow"
        )
    if other is not None and other.parent is not None:
        owner = f"'{other.parent.name}'" if other.parent.name is not None else "a parallel task"
        return (
            f"Unknown task '{name}': it is a sub-task of {owner}, and a top-level task may only "
            "start top-level tasks; Attune rejects the workflow"
        )
    return f"Unknown task '{name}': no task has this name, and Attune rejects the workflow"


def _replacement(node: ScalarNode, name: str) -> str:
    """The new text of a target scalar, keeping its quoting style where it has one."""
    if node.style == "'":
        return "'" + name.replace("'", "''") + "'"
    text = yaml_string(name)
    if node.style == '"' and not text.startswith('"'):
        return f'"{text}"'
    return text


def _create_fix(ctx: Context, view: WorkflowView, parent: TaskView | None, name: str) -> Fix | None:
    """Append ``- name: <name> / action: core.noop`` to the scope's task list."""
    tasks: Node | None = view.value("tasks") if parent is None else parent.value("tasks")
    if not isinstance(tasks, SequenceNode) or tasks.flow_style or not tasks.value:
        return None
    last = tasks.value[-1]
    if not isinstance(last, MappingNode) or last.flow_style or not last.value:
        return None
    dash = start_position(tasks, ctx.doc.lines)[1]
    column = start_position(last.value[0][0], ctx.doc.lines)[1]
    if column <= dash:
        return None
    line, _ = content_end(last, ctx.doc.lines)
    end = len(ctx.doc.lines.line_text(line))
    newline = line_break(ctx.text)
    text = (
        f"{newline}{' ' * dash}- name: {yaml_string(name)}{newline}{' ' * column}action: core.noop"
    )
    return Fix(f"Create task '{name}'", (Edit(Span(line, end, line, end), text),))

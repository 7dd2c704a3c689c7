"""A task has `next` and legacy transition fields: Attune discards the legacy ones.

## What it does
Reports each `on_success`, `on_failure`, `on_complete`, `on_timeout`,
`decision` and task-level `publish` key of a task that also has a non-empty
`next` list. The quick fix deletes the ignored keys.

## Why is this bad?
When `next` is given, Attune's parser keeps only `next` and drops every legacy
field without a word. The transitions, the published variables and the
branches written in the legacy keys never happen, although the file reads as
if they would.

## Example
```yaml
- name: build
  action: ci.build
  on_failure: notify
  next:
    - when: "{{ succeeded() }}"
      do: [deploy]
```

## Use instead
```yaml
- name: build
  action: ci.build
  next:
    - when: "{{ succeeded() }}"
      do: [deploy]
    - when: "{{ failed() }}"
      do: [notify]
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import Context, FileKind
from ..diagnostics import Diagnostic, Edit, Fix, Severity
from ..view import TaskView
from ..yamlsource import MappingNode, Node, ScalarNode, SequenceNode, is_null, node_start
from .base import Scope, workflow_tasks
from .legacy_transition import entry_region, is_folded, legacy_entries, offsets_span

ID = "legacy-ignored"
SEVERITY = Severity.WARNING
KINDS = frozenset({FileKind.WORKFLOW})
SCOPE = Scope.TASK


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Report legacy keys of tasks that use ``next``."""
    for task in workflow_tasks(ctx):
        entries = [e for e in legacy_entries(task) if _has_content(e[2])]
        if not entries or not task.uses_next or not is_folded(task):
            continue
        regions = {id(key): _deletion(ctx, task, key, value) for _, key, value in entries}
        whole = [r for r in regions.values() if r is not None]
        remove_all: Fix | None = None
        if len(entries) > 1 and len(whole) == len(entries) and all(not r[2] for r in whole):
            remove_all = Fix(
                "Remove all ignored legacy keys",
                tuple(Edit(offsets_span(ctx, start, end), "") for start, end, _ in whole),
            )
        for key, key_node, _ in entries:
            what = "Task-level 'publish'" if key == "publish" else f"'{key}'"
            fixes: list[Fix] = []
            region = regions[id(key_node)]
            if region is not None:
                start, end, _ = region
                edit = Edit(offsets_span(ctx, start, end), "")
                fixes.append(Fix(f"Remove '{key}'", (edit,), preferred=True))
            if remove_all is not None:
                fixes.append(remove_all)
            yield ctx.diagnostic(
                ID,
                SEVERITY,
                ctx.span(key_node),
                f"{what} is ignored: the task has a 'next' list, and Attune then discards "
                "the legacy transition fields silently",
                fixes=tuple(fixes),
            )


def _has_content(value: Node) -> bool:
    if is_null(value):
        return False
    if isinstance(value, SequenceNode | MappingNode):
        return bool(value.value)
    return not (isinstance(value, ScalarNode) and value.value == "")


def _deletion(
    ctx: Context, task: TaskView, key_node: ScalarNode, value_node: Node
) -> tuple[int, int, bool] | None:
    """Offsets that delete a task entry, and whether it shares the item's ``- `` line."""
    node = task.node
    if not isinstance(node, MappingNode) or node.flow_style:
        return None
    region = entry_region(ctx, key_node, value_node)
    if region is None:
        return None
    start, end = region
    if start == node_start(key_node) and ctx.doc.lines.position(start)[1] != 0:
        # first key on the ``- `` line: pull the next key up onto it instead
        keys = [k for k, _ in node.value]
        position = next((i for i, k in enumerate(keys) if k is key_node), len(keys))
        if position + 1 >= len(keys):
            return None
        return start, node_start(keys[position + 1]), True
    return start, end, False

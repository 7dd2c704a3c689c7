"""A task uses the legacy transition fields instead of `next`.

## What it does
Reports each `on_success`, `on_failure`, `on_complete`, `on_timeout`,
`decision` and task-level `publish` key of a task without `next`, and says
which `next` transition Attune makes of it. The quick fix "Rewrite as next"
replaces all the task's legacy keys with the equivalent `next` list, in the
order Attune's normalisation uses (`on_success`, `on_failure`, `on_complete`,
`on_timeout`, then each `decision` branch; the task `publish` joins the first
transition that checks `succeeded()`).

## Why is this bad?
Nothing breaks: Attune still reads the legacy fields and converts them when it
parses the file. But the stored definition, the visual builder and every
current document use `next`, and mixing both forms in one task makes Attune
drop the legacy fields silently (see `legacy-ignored`).

## Example
```yaml
- name: build
  action: ci.build
  on_success: deploy
  on_failure: notify
```

## Use instead
```yaml
- name: build
  action: ci.build
  next:
    - when: "{{ succeeded() }}"
      do:
        - deploy
    - when: "{{ failed() }}"
      do:
        - notify
```
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from ..context import Context, FileKind
from ..diagnostics import Diagnostic, Edit, Fix, Severity
from ..normalize import legacy_transitions
from ..positions import LineIndex, Span
from ..view import LEGACY_TARGET_KEYS, TaskView
from ..yamlsource import (
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    end_position,
    is_null,
    is_string,
    mapping_items,
    node_end,
    node_start,
    start_position,
)
from .base import Scope

ID = "legacy-transition"
SEVERITY = Severity.INFORMATION
KINDS = frozenset({FileKind.WORKFLOW})
SCOPE = Scope.TASK

LEGACY_KEYS = (*LEGACY_TARGET_KEYS, "decision", "publish")

_OUTCOME = {
    "on_success": "when the task succeeds",
    "on_failure": "when the task fails",
    "on_complete": "whatever the outcome",
    "on_timeout": "when the task times out",
}


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Report each legacy transition key of tasks whose legacy fields Attune converts."""
    view = ctx.view
    if view is None:
        return
    for task in view.all_tasks():
        entries = [e for e in legacy_entries(task) if _effective(e[0], e[2])]
        if not entries or task.uses_next or not is_folded(task):
            continue
        fix = rewrite_fix(ctx, task)
        fixes = (fix,) if fix is not None else ()
        for key, key_node, value_node in entries:
            yield ctx.diagnostic(
                ID, SEVERITY, ctx.span(key_node), _message(ctx, task, key, value_node), fixes=fixes
            )


def _effective(key: str, value: Node) -> bool:
    """Whether a legacy key produces or changes a transition."""
    if key in LEGACY_TARGET_KEYS:
        return is_string(value) and bool(value.value)
    return isinstance(value, SequenceNode) and bool(value.value)


def _message(ctx: Context, task: TaskView, key: str, value: Node) -> str:
    if key in LEGACY_TARGET_KEYS:
        return (
            f"Legacy '{key}': Attune converts it to a 'next' transition that starts "
            f"'{value.value}' {_OUTCOME[key]}"
        )
    if key == "decision":
        count = len(value.value) if isinstance(value, SequenceNode) else 0
        branches = "its branch" if count == 1 else f"its {count} branches"
        return (
            f"Legacy 'decision': Attune converts {branches} to 'next' transitions, in order "
            "after any 'on_*' keys ('default' flags are ignored)"
        )
    data = task_data(ctx, task) or {}
    sources = _sources(data)
    transitions = legacy_transitions(data)
    for index, transition in enumerate(transitions):
        if "publish" in transition and index < len(sources):
            return (
                "Legacy task-level 'publish': Attune moves it onto the 'next' transition "
                f"made from {sources[index]}"
            )
    return (
        "Legacy task-level 'publish': Attune moves it into a 'next' transition of its own "
        "that fires when the task succeeds"
    )


def _sources(data: dict[str, Any]) -> list[str]:
    """What each transition of ``legacy_transitions(data)`` comes from, for messages."""
    sources = [
        f"'{key}'" for key in LEGACY_TARGET_KEYS if isinstance(data.get(key), str) and data[key]
    ]
    decisions = data.get("decision")
    if isinstance(decisions, list):
        sources.extend(
            f"'decision' branch {i + 1}"
            for i, branch in enumerate(decisions)
            if isinstance(branch, dict) and isinstance(branch.get("next"), str)
        )
    return sources


# -- helpers shared by the task-graph rules' fixes -------------------------------------------


def is_folded(task: TaskView) -> bool:
    """Whether Attune normalises this task's legacy fields (top level and direct sub-tasks)."""
    return task.parent is None or task.parent.parent is None


def legacy_entries(task: TaskView) -> list[tuple[str, ScalarNode, Node]]:
    """The task's legacy keys in source order (the first of duplicates)."""
    fields = task.fields
    if not any(key in fields for key in LEGACY_KEYS):
        return []
    seen: set[str] = set()
    result = []
    for key, key_node, value_node in mapping_items(task.node):
        if key in LEGACY_KEYS and key not in seen:
            seen.add(key)
            result.append((key, key_node, value_node))
    return result


def task_data(ctx: Context, task: TaskView) -> dict[str, Any] | None:
    """The plain data of a task (None when the document does not hold it)."""
    chain: list[int] = []
    current: TaskView | None = task
    while current is not None:
        chain.append(current.index)
        current = current.parent
    data: Any = ctx.data
    for index in reversed(chain):
        tasks = data.get("tasks") if isinstance(data, dict) else None
        if not isinstance(tasks, list) or index >= len(tasks):
            return None
        data = tasks[index]
    return data if isinstance(data, dict) else None


def content_end(node: Node, lines: LineIndex) -> tuple[int, int]:
    """Where the last character of a node's own text ends (comments and blank lines excluded)."""
    current = node
    while True:
        if isinstance(current, MappingNode) and not current.flow_style and current.value:
            current = current.value[-1][1]
        elif isinstance(current, SequenceNode) and not current.flow_style and current.value:
            current = current.value[-1]
        else:
            break
    if isinstance(current, ScalarNode) and current.style in ("|", ">"):
        line = end_position(current, lines)[0]
        if end_position(current, lines)[1] == 0:
            line -= 1
        while line > start_position(current, lines)[0] and not lines.line_text(line).strip():
            line -= 1
        return line, len(lines.line_text(line))
    # an empty value ends right after its key's colon
    return end_position(current, lines)[0], end_position(current, lines)[1]


def line_region(ctx: Context, start_node: Node, end: tuple[int, int]) -> tuple[int, int] | None:
    """Offsets of whole lines from ``start_node`` to ``end`` (its line break included).

    When a sequence item's ``- `` precedes ``start_node`` on its line, the
    region starts at the node instead. None when other text precedes the node,
    or follows ``end`` on its line (a comment aside).
    """
    lines = ctx.doc.lines
    start = node_start(start_node)
    line_start = lines.offset(start_position(start_node, lines)[0], 0)
    before = ctx.text[line_start:start]
    if not before.strip():
        start = line_start
    elif not re.fullmatch(r"[ -]*", before):
        return None
    end_offset = lines.offset(end[0], end[1])
    stop = lines.line_end(end[0])
    rest = ctx.text[end_offset:stop].strip()
    if rest and not rest.startswith("#"):
        return None
    if stop < len(ctx.text):
        stop += 1
    return start, stop


def entry_region(ctx: Context, key_node: ScalarNode, value_node: Node) -> tuple[int, int] | None:
    """Offsets of the lines a block-mapping entry takes (nested lines included)."""
    return line_region(ctx, key_node, content_end(value_node, ctx.doc.lines))


def line_break(text: str) -> str:
    """The line break the file uses."""
    return "\r\n" if "\r\n" in text else "\n"


def offsets_span(ctx: Context, start: int, end: int) -> Span:
    """The span between two offsets of the file."""
    return ctx.doc.lines.span(start, end)


_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_NOT_PLAIN = {"true", "false", "null"}


def yaml_string(value: str) -> str:
    """A YAML scalar for a string: plain when that reads back as the same string."""
    if _PLAIN.fullmatch(value) and value.lower() not in _NOT_PLAIN:
        return value
    text = json.dumps(value, ensure_ascii=False)
    for char in ("\x85", "\u2028", "\u2029", "\ufeff"):
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text


def _reindented(ctx: Context, node: Node, dash_column: int) -> list[str] | None:
    """The source lines of a block sequence moved so that its dashes sit at ``dash_column``."""
    lines = ctx.doc.lines
    first = start_position(node, ctx.doc.lines)[0]
    old = start_position(node, ctx.doc.lines)[1]
    if lines.line_text(first)[:old].strip():
        return None
    last, _ = content_end(node, lines)
    delta = dash_column - old
    out = []
    for number in range(first, last + 1):
        text = lines.line_text(number)
        if not text.strip():
            out.append("")
        elif delta >= 0:
            out.append(" " * delta + text)
        else:
            strip = min(-delta, len(text) - len(text.lstrip(" ")))
            out.append(text[strip:])
    return out


def _publish_lines(ctx: Context, node: Node, column: int) -> list[str] | None:
    """``publish:`` and its items at ``column``, copied from the source."""
    if isinstance(node, SequenceNode) and node.flow_style:
        if start_position(node, ctx.doc.lines)[0] != end_position(node, ctx.doc.lines)[0]:
            return None
        source = ctx.text[node_start(node) : node_end(node)]
        return [" " * column + "publish: " + source]
    if not isinstance(node, SequenceNode):
        return None
    body = _reindented(ctx, node, column + 2)
    if body is None:
        return None
    return [" " * column + "publish:", *body]


def _valid_for_rewrite(key: str, value: Node) -> bool:
    if is_null(value):
        return True
    if key in LEGACY_TARGET_KEYS:
        return is_string(value)
    if not isinstance(value, SequenceNode):
        return False
    if key == "publish":
        return all(isinstance(item, MappingNode) or is_string(item) for item in value.value)
    for item in value.value:
        if not isinstance(item, MappingNode):
            return False
        fields = {k: v for k, _, v in mapping_items(item)}
        if not is_string(fields.get("next")):
            return False
        when = fields.get("when")
        if when is not None and not (is_null(when) or is_string(when)):
            return False
    return True


def rewrite_fix(ctx: Context, task: TaskView) -> Fix | None:
    """The "Rewrite as next" fix: legacy keys replaced by the equivalent ``next`` list."""
    node = task.node
    if not isinstance(node, MappingNode) or node.flow_style:
        return None
    entries = legacy_entries(task)
    if not entries or not all(_valid_for_rewrite(key, value) for key, _, value in entries):
        return None
    keys = [key for key, _, _ in mapping_items(node) if key in LEGACY_KEYS or key == "next"]
    if len(keys) != len(set(keys)):
        return None  # a repeated key: duplicate-key first
    data = task_data(ctx, task)
    if data is None:
        return None
    transitions = legacy_transitions(data)
    removed: list[tuple[ScalarNode, Node]] = [(k, v) for _, k, v in entries]
    nxt = task.fields.get("next")
    if nxt is not None:
        if not (is_null(nxt[1]) or (isinstance(nxt[1], SequenceNode) and not nxt[1].value)):
            return None
        removed.append(nxt)
    regions = []
    for key_node, value_node in removed:
        region = entry_region(ctx, key_node, value_node)
        if region is None:
            return None
        regions.append(region)
    regions.sort()
    column = start_position(node.value[0][0], ctx.doc.lines)[1]
    publish = next((v for k, _, v in entries if k == "publish"), None)
    text_lines = [" " * column + "next:"] if transitions else []
    for transition in transitions:
        item: list[str] = []
        if "when" in transition:
            item.append(" " * (column + 4) + "when: " + yaml_string(transition["when"]))
        if "publish" in transition:
            if publish is None:
                return None
            block = _publish_lines(ctx, publish, column + 4)
            if block is None:
                return None
            item.extend(block)
        if "do" in transition:
            item.append(" " * (column + 4) + "do:")
            item.extend(" " * (column + 6) + "- " + yaml_string(name) for name in transition["do"])
        item[0] = " " * (column + 2) + "- " + item[0][column + 4 :]
        text_lines.extend(item)
    first_start = regions[0][0]
    line_start = ctx.doc.lines.offset(ctx.doc.lines.position(first_start)[0], 0)
    newline = line_break(ctx.text)
    new_text = "".join(line + newline for line in text_lines)
    if first_start != line_start and new_text:
        new_text = new_text[column:]
    edits = [Edit(offsets_span(ctx, *regions[0]), new_text)]
    edits.extend(Edit(offsets_span(ctx, start, end), "") for start, end in regions[1:])
    return Fix("Rewrite as next", tuple(edits), preferred=True)

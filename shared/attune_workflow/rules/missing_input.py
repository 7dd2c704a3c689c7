"""A task does not pass a required parameter of the action it calls.

## What it does
Looks up the action a task calls (workspace, bundled core pack or database
index) and reports the parameters declared `required: true` without a
`default` that are absent from the task's `input`. A task with no `input` at
all (or an empty one) gets the workflow's own parameters from Attune, so a
required parameter that the workflow declares too is supplied. The quick fix
adds the missing keys with a placeholder value of the parameter's type.

## Why is this bad?
Attune validates the parameters only when it creates the task's execution: the
workflow installs and starts, then the task fails at run time.

## Example
```yaml
- name: notify
  action: mattermost.post_message
  input:
    message: "Deployed"
```

## Use instead
```yaml
- name: notify
  action: mattermost.post_message
  input:
    channel_id: "{{ parameters.channel_id }}"
    message: "Deployed"
```
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from ..context import Context, FileKind
from ..diagnostics import Diagnostic, Edit, Fix, Related, Severity
from ..packindex import ActionInfo
from ..positions import Span
from ..view import TaskView
from ..yamlsource import (
    MappingNode,
    Node,
    ScalarNode,
    is_null,
    node_end,
    node_start,
    start_position,
)
from .base import Scope
from .ref_mismatch import key_span
from .schema_format import is_json_schema, required_fields, schema_fields
from .unknown_action import called_actions
from .unknown_input import undeclared_inputs

ID = "missing-input"
SEVERITY = Severity.ERROR
KINDS = frozenset({FileKind.WORKFLOW})
SCOPE = Scope.TASK

FIX_TITLE = "Add missing inputs"
INDENT_STEP = 2
_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_RESERVED_WORDS = frozenset({"true", "false", "null", "yes", "no", "on", "off", "y", "n"})
_PLACEHOLDERS = {
    "string": '""',
    "integer": "0",
    "number": "0",
    "boolean": "false",
    "array": "[]",
    "object": "{}",
}


def yaml_key(name: str) -> str:
    """A mapping key as YAML text (quoted when a plain scalar would not read back)."""
    if _PLAIN_KEY.match(name) and name.lower() not in _RESERVED_WORDS:
        return name
    return json.dumps(name)


def placeholder(spec: Any) -> str:
    """A value of the parameter's type (its first enum value when it has one)."""
    if not isinstance(spec, dict):
        return '""'
    enum = spec.get("enum")
    if isinstance(enum, list) and enum:
        first = enum[0]
        if isinstance(first, bool):
            return "true" if first else "false"
        if isinstance(first, int | float):
            return str(first)
        if isinstance(first, str):
            return json.dumps(first)
    kind = spec.get("type")
    return _PLACEHOLDERS.get(kind, '""') if isinstance(kind, str) else '""'


def _empty(node: Node) -> bool:
    """``input:``, ``input: {}`` or ``input: ~``: the decoded input is empty or refused."""
    return is_null(node) or (isinstance(node, MappingNode) and not node.value)


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Report required parameters absent from a task's input."""
    required_of: dict[str, list[str]] = {}
    for task, action_node, action in called_actions(ctx):
        schema = action.parameters
        required = required_of.get(action.ref)
        if required is None:
            required = required_of[action.ref] = required_fields(schema)
        if not required:
            continue
        input_entry = task.fields.get("input")
        input_node = input_entry[1] if input_entry else None
        if input_node is not None and not (
            isinstance(input_node, MappingNode) or is_null(input_node)
        ):
            continue  # a template or a wrong type: another rule's, or unknowable
        given = (
            {key.value for key, _value in input_node.value}
            if isinstance(input_node, MappingNode)
            else set()
        )
        inherits = not given and (input_node is None or _empty(input_node))
        if inherits:
            # no input at all: Attune passes the workflow's own parameters to the action
            given = set(ctx.parameter_names or ())
        missing = [name for name in required if name not in given]
        if missing:
            # a misspelt key is reported by unknown-input, with a rename fix
            meant = {s for _, _, s in undeclared_inputs(schema, input_node) if s is not None}
            missing = [name for name in missing if name not in meant]
        if not missing:
            continue
        names = ", ".join(f"'{name}'" for name in missing)
        if len(missing) == 1:
            message = f"Required input {names} of action '{action.ref}' is missing"
        else:
            message = f"Required inputs {names} of action '{action.ref}' are missing"
        fields = schema_fields(schema) or {}
        entries = [(yaml_key(name), placeholder(fields.get(name))) for name in missing]
        edit = _add_inputs(ctx, task, action_node, input_entry, entries)
        if inherits:
            message += (
                " (the task has no input, so Attune passes it the workflow's parameters, "
                "which do not include " + ("it" if len(missing) == 1 else "them") + ")"
            )
        yield ctx.diagnostic(
            ID,
            SEVERITY,
            ctx.span(input_entry[0] if input_entry else action_node),
            f"{message}: the task fails when Attune starts the action",
            related=_declarations(action, missing),
            fixes=(Fix(FIX_TITLE, (edit,), True),) if edit is not None else (),
        )


def _declarations(action: ActionInfo, names: list[str]) -> tuple[Related, ...]:
    if action.path is None:
        return ()
    prefix = ("parameters", "properties") if is_json_schema(action.parameters) else ("parameters",)
    related = []
    for name in names:
        span = key_span(action.path, *prefix, name, value=False)
        if span is not None:
            related.append(Related(span, f"'{name}' is declared required here", action.path))
    return tuple(related)


def _line_end(ctx: Context, line: int) -> Span:
    column = len(ctx.doc.lines.line_text(line))
    return Span(line, column, line, column)


def _block_lines(indent: int, entries: list[tuple[str, str]]) -> str:
    pad = " " * indent
    return "".join(f"\n{pad}{key}: {value}" for key, value in entries)


def _flow(entries: list[tuple[str, str]]) -> str:
    return ", ".join(f"{key}: {value}" for key, value in entries)


def _add_inputs(
    ctx: Context,
    task: TaskView,
    action_node: ScalarNode,
    input_entry: tuple[ScalarNode, Node] | None,
    entries: list[tuple[str, str]],
) -> Edit | None:
    """The edit that adds ``entries`` to the task's input, keeping the layout."""
    if input_entry is None:
        if not isinstance(task.node, MappingNode):
            return None
        if task.node.flow_style:
            last = ctx.span(task.node.value[-1][1])
            at = Span(last.end_line, last.end_column, last.end_line, last.end_column)
            return Edit(at, f", input: {{{_flow(entries)}}}")
        key = task.key("action")
        if key is None:
            return None
        indent = start_position(key, ctx.doc.lines)[1]
        end = ctx.span(action_node)
        text = f"\n{' ' * indent}input:" + _block_lines(indent + INDENT_STEP, entries)
        return Edit(_line_end(ctx, end.end_line), text)
    key_node, node = input_entry
    if isinstance(node, MappingNode):
        if node.flow_style:
            if not node.value:
                return Edit(ctx.span(node), f"{{{_flow(entries)}}}")
            last = ctx.span(node.value[-1][1])
            at = Span(last.end_line, last.end_column, last.end_line, last.end_column)
            return Edit(at, ", " + _flow(entries))
        indent = start_position(node.value[0][0], ctx.doc.lines)[1]
        last = ctx.span(node.value[-1][1])
        return Edit(_line_end(ctx, last.end_line), _block_lines(indent, entries))
    if node_start(node) == node_end(node):  # `input:` with nothing after it
        line = start_position(key_node, ctx.doc.lines)[0]
        return Edit(
            _line_end(ctx, line),
            _block_lines(start_position(key_node, ctx.doc.lines)[1] + INDENT_STEP, entries),
        )
    return Edit(ctx.span(node), f"{{{_flow(entries)}}}")

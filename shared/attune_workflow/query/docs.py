"""Markdown shown in hovers and completion items: actions, parameters, functions, tasks."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from attune_workflow.expressions import FunctionInfo, NamespaceInfo
from attune_workflow.packindex import ActionInfo
from attune_workflow.view import TaskView

SOURCES = {
    "workspace": "from the workspace",
    "bundled": "Attune's core pack (bundled index)",
    "database": "from the Attune database",
}

SCHEMA_KEYS: dict[str, tuple[str, str]] = {
    "items": ("mapping", "The spec of the elements of an `array`."),
    "properties": ("mapping", "Nested fields of an `object`."),
    "minimum": ("number", "Smallest allowed value."),
    "maximum": ("number", "Largest allowed value."),
    "minLength": ("integer", "Shortest allowed string."),
    "maxLength": ("integer", "Longest allowed string."),
    "minItems": ("integer", "Fewest allowed elements."),
    "maxItems": ("integer", "Most allowed elements."),
    "pattern": ("string", "Regular expression the string must match."),
    "key_ref": ("boolean", "The value names a key-store key."),
    "position": ("integer", "Order of the parameter."),
}

LEGACY_KEYS: dict[str, str] = {
    "on_success": "Legacy: the task to start when this one succeeds (Attune turns it into `next`).",
    "on_failure": "Legacy: the task to start when this one fails (Attune turns it into `next`).",
    "on_complete": "Legacy: the task to start when this one completes, whatever the outcome.",
    "on_timeout": "Legacy: the task to start when this one times out.",
    "decision": "Legacy conditional branches (Attune turns them into `next`).",
    "publish": "Legacy task-level publish (Attune attaches it to the first success transition).",
}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value)
    return text.replace("|", "\\|").replace("\n", " ")


def param_type(spec: Mapping[str, Any]) -> str:
    """The type of a flat-schema field, in words."""
    kind = spec.get("type")
    text = kind if isinstance(kind, str) else "any"
    items = spec.get("items")
    if text == "array" and isinstance(items, Mapping) and isinstance(items.get("type"), str):
        text = f"array of {items['type']}"
    if spec.get("secret") is True:
        text += ", secret"
    return text


def parameter(name: str, spec: Mapping[str, Any], action_ref: str | None) -> str:
    """A parameter's type, whether required, default, enum and description."""
    required = spec.get("required") is True
    head = f"**{name}**: `{param_type(spec)}`" + (" (required)" if required else "")
    parts = [head]
    if isinstance(spec.get("description"), str):
        parts.append(spec["description"])
    if "default" in spec:
        parts.append(f"Default: `{_cell(spec['default'])}`")
    if isinstance(spec.get("enum"), list):
        parts.append("One of: " + ", ".join(f"`{_cell(v)}`" for v in spec["enum"]))
    if action_ref:
        parts.append(f"Parameter of `{action_ref}`")
    return "\n\n".join(parts)


def parameter_table(schema: Mapping[str, Any] | None) -> str:
    """A flat schema as a markdown table (required fields first)."""
    if not schema:
        return "_No parameters._"
    rows = ["| parameter | type | required | default | description |", "|---|---|---|---|---|"]
    entries = sorted(
        schema.items(),
        key=lambda kv: (not (isinstance(kv[1], Mapping) and kv[1].get("required") is True), 0),
    )
    for name, spec in entries:
        spec = spec if isinstance(spec, Mapping) else {}
        required = "yes" if spec.get("required") is True else ""
        rows.append(
            f"| `{name}` | {_cell(param_type(spec))} | {required}"
            f" | {_cell(spec.get('default')) if 'default' in spec else ''}"
            f" | {_cell(spec.get('description'))} |"
        )
    return "\n".join(rows)


def action(info: ActionInfo) -> str:
    """An action's ref, label, description, where it is known from and its parameters."""
    title = f"**{info.ref}**" + (f" — {info.label}" if info.label else "")
    parts = [title]
    if info.description:
        parts.append(info.description)
    if info.workflow_file:
        parts.append(f"Workflow action: `{info.workflow_file}`")
    parts.append(f"_{SOURCES.get(info.source, info.source)}_")
    parts.append(parameter_table(info.parameters))
    if isinstance(info.output, Mapping) and info.output:
        parts.append("Output: " + ", ".join(f"`{name}`" for name in info.output))
    return "\n\n".join(parts)


def function(fn: FunctionInfo) -> str:
    """A function's signature and doc."""
    where = " Only meaningful in a transition's `when` or `publish`." if fn.transition_only else ""
    return f"```\n{fn.signature}\n```\n{fn.doc}{where}"


def namespace(info: NamespaceInfo) -> str:
    """A namespace's doc."""
    alias = f" (alias of `{info.canonical}`)" if info.is_alias else ""
    return f"**{info.name}**{alias}\n\n{info.doc}"


def task(view_task: TaskView, action_info: ActionInfo | None) -> str:
    """A task: its type, action and transitions."""
    name = view_task.name or f"#{view_task.index + 1}"
    parts = [f"**task** `{name}` ({view_task.type})"]
    ref = view_task.string("action")
    if ref:
        line = f"Action: `{ref}`"
        if action_info is not None and (action_info.label or action_info.description):
            line += f" — {action_info.label or action_info.description}"
        parts.append(line)
    lines = []
    for transition in view_task.transitions:
        targets = ", ".join(t.name for t in transition.targets) or "(no task)"
        when = f"when `{transition.when.value}`" if transition.when is not None else "always"
        source = "" if transition.source == "next" else f" ({transition.source})"
        lines.append(f"- {when} → {targets}{source}")
    parts.append("Transitions:\n" + "\n".join(lines) if lines else "No transitions (ends here).")
    if view_task.children:
        names = ", ".join(t.name or "?" for t in view_task.children)
        parts.append(f"Sub-tasks: {names}")
    return "\n\n".join(parts)

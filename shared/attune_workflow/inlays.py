"""Inline hints for a workflow: what the called action expects of a task's ``input``.

After each ``input`` key, the type the action declares for it and whether it is
required (``(string, required)``); after the ``action`` of a task without ``input``,
the defaults the task runs with (``defaults: level=info``). Keys the action does
not declare get no hint (a rule reports them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from .context import Context
from .positions import Span
from .rules.schema_format import has_default, required_fields, schema_fields
from .yamlsource import MappingNode, ScalarNode, is_string

HintKind = Literal["type", "parameter"]
MAX_DEFAULTS_LENGTH = 80


@dataclass(frozen=True, slots=True)
class InlayHint:
    """A label shown at the end of ``at`` (a span of one line)."""

    at: Span
    label: str
    kind: HintKind
    tooltip: str | None = None


def inlay_hints(ctx: Context, lines: range | None = None) -> list[InlayHint]:
    """The hints of a workflow, in document order (only those on ``lines`` when given)."""
    view = ctx.view
    found: list[InlayHint] = []
    for task in view.all_tasks() if view is not None else ():
        ref = task.string("action")
        action = ctx.index.action(ref) if ref else None
        fields = schema_fields(action.parameters) if action is not None else None
        if action is None or fields is None:
            continue
        required = set(required_fields(action.parameters))
        node = task.value("input")
        if node is None:
            hint = _defaults(ctx, task.value("action"), fields, action.ref)
            if hint is not None:
                found.append(hint)
            continue
        if not isinstance(node, MappingNode):
            continue
        for key, _ in node.value:
            if not isinstance(key, ScalarNode):
                continue
            spec = fields.get(str(key.value))
            if not isinstance(spec, dict):
                continue
            label = parameter_type(spec)
            if str(key.value) in required:
                label += ", required"
            span = ctx.value_span(key, 0, len(str(key.value)))
            doc = spec.get("description")
            found.append(
                InlayHint(span, f"({label})", "type", doc if isinstance(doc, str) else None)
            )
    if lines is not None:
        found = [hint for hint in found if hint.at.end_line in lines]
    return found


def parameter_type(spec: dict[str, Any]) -> str:
    """A parameter's declared type in words (``array of string``, ``any``)."""
    kind = spec.get("type")
    text = kind if isinstance(kind, str) else "any"
    items = spec.get("items")
    if text == "array" and isinstance(items, dict) and isinstance(items.get("type"), str):
        text = f"array of {items['type']}"
    return text


def _defaults(ctx: Context, node: object, fields: dict[str, Any], ref: str) -> InlayHint | None:
    if not isinstance(node, ScalarNode) or not is_string(node):
        return None
    pairs = [
        f"{name}={_text(spec['default'])}"
        for name, spec in fields.items()
        if isinstance(spec, dict) and has_default(spec)
    ]
    if not pairs:
        return None
    label = "defaults: " + ", ".join(pairs)
    if len(label) > MAX_DEFAULTS_LENGTH:
        label = label[: MAX_DEFAULTS_LENGTH - 1] + "…"
    span = ctx.value_span(node, 0, len(str(node.value)))
    tooltip = f"No `input`: {ref} runs with " + ", ".join(f"`{pair}`" for pair in pairs)
    return InlayHint(span, label, "parameter", tooltip)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)

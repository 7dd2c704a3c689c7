"""A literal input value does not match the called action's parameter type or enum.

## What it does
Checks each literal value of a task's `input` against the flat schema of the
called action's parameter: its `type` (an integer is a valid number, a boolean
is not an integer) and its `enum`. Elements of lists with an `items` spec and
declared `properties` of objects are checked the same way. Template strings
(anything holding `{{`) and nulls are skipped: their value is known only at run
time. Quick fixes quote or unquote a scalar, or pick the closest enum value.

## Why is this bad?
Attune validates the parameters against the action's schema when it creates
the task's execution, so the workflow installs and starts, and the task fails
at run time.

## Example
```yaml
- name: fetch
  action: core.http_request
  input:
    url: https://example.com
    method: FETCH
    timeout: "30"
```

## Use instead
```yaml
- name: fetch
  action: core.http_request
  input:
    url: https://example.com
    method: GET
    timeout: 30
```
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

from ..context import Context, FileKind, node_type_word
from ..diagnostics import Diagnostic, Edit, Fix, Severity
from ..model import FLAT_TYPES
from ..positions import Span
from ..suggest import close_match, did_you_mean
from ..yamlsource import (
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    is_string,
    mapping_items,
    parse_yaml,
    scalar_value,
)
from .base import Scope
from .schema_format import schema_fields
from .unknown_action import called_actions

ID = "input-type"
SEVERITY = Severity.ERROR
KINDS = frozenset({FileKind.WORKFLOW})
SCOPE = Scope.TASK

TYPE_WORDS = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "object": "a mapping",
    "array": "a list",
}
_TAG_TYPES = {
    "tag:yaml.org,2002:str": "string",
    "tag:yaml.org,2002:int": "integer",
    "tag:yaml.org,2002:float": "number",
    "tag:yaml.org,2002:bool": "boolean",
}
_ENUM_SHOWN = 8


def node_type(node: Node) -> str | None:
    """The flat-schema type of a literal node (None for null and unknown tags)."""
    kind = node.__class__
    if kind is ScalarNode:
        return _TAG_TYPES.get(node.tag)
    if kind is MappingNode:
        return "object"
    if kind is SequenceNode:
        return "array"
    return None


def type_matches(expected: str, actual: str) -> bool:
    """Whether a value of type ``actual`` is valid where ``expected`` is declared."""
    return expected == actual or (expected == "number" and actual == "integer")


def _same(a: Any, b: Any) -> bool:
    """JSON equality: a boolean never equals a number."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    return bool(a == b)


def _show(value: Any) -> str:
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return json.dumps(value) if isinstance(value, int | float) else str(value)


def _yaml_text(value: Any) -> str:
    if isinstance(value, str):
        plain = parse_yaml(value).data
        return value if plain == value and value.strip() == value and value else json.dumps(value)
    return _show(value)


def value_span(ctx: Context, node: Node) -> Span:
    """The span of a value: the content of a block scalar, else the whole node."""
    if isinstance(node, ScalarNode) and node.style in ("|", ">"):
        content = str(node.value).rstrip("\n")
        if content:
            return ctx.value_span(node, 0, len(content))
    return ctx.span(node)


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Report literal inputs of the wrong type or outside the enum."""
    found: list[Diagnostic] = []
    fields_of: dict[str, dict[str, Any] | None] = {}
    for task, _node, action in called_actions(ctx):
        if action.ref in fields_of:
            fields = fields_of[action.ref]
        else:
            fields = fields_of[action.ref] = schema_fields(action.parameters)
        input_node = task.value("input")
        if not fields or not isinstance(input_node, MappingNode):
            continue
        for key, value in input_node.value:
            spec = fields.get(key.value)
            if spec.__class__ is dict:
                _check_value(ctx, value, spec, str(key.value), action.ref, found)
    yield from found


def _check_value(
    ctx: Context, node: Node, spec: dict[str, Any], path: str, ref: str, out: list[Diagnostic]
) -> None:
    actual = node_type(node)
    if actual is None:
        return  # null, or a tag of no flat type
    if actual == "string" and "{{" in node.value:
        return  # a template: known only at run time
    expected = spec.get("type")
    if (
        expected.__class__ is str
        and expected != actual
        and expected in FLAT_TYPES
        and not type_matches(expected, actual)
    ):
        out.append(
            ctx.diagnostic(
                ID,
                SEVERITY,
                value_span(ctx, node),
                f"Input '{path}' of action '{ref}' must be {TYPE_WORDS[expected]}, not "
                f"{node_type_word(node)}: the task fails when Attune validates its parameters",
                fixes=_type_fixes(ctx, node, expected),
            )
        )
        return
    if actual == "array":
        items = spec.get("items")
        if isinstance(items, dict):
            for index, item in enumerate(node.value):
                _check_value(ctx, item, items, f"{path}[{index}]", ref, out)
    elif actual == "object":
        properties = spec.get("properties")
        if isinstance(properties, dict):
            for name, _key, value in mapping_items(node):
                sub = properties.get(name)
                if isinstance(sub, dict):
                    _check_value(ctx, value, sub, f"{path}.{name}", ref, out)
    elif "enum" in spec and isinstance(node, ScalarNode):
        enum = spec["enum"]
        if actual == "string" and isinstance(enum, list) and node.value in enum:
            return
        out.extend(_check_enum(ctx, node, spec, path, ref))


def _type_fixes(ctx: Context, node: Node, expected: str) -> tuple[Fix, ...]:
    if not isinstance(node, ScalarNode):
        return ()
    if expected == "string":
        text = json.dumps(str(node.value))
        return (Fix(f"Quote as {text}", (Edit(ctx.span(node), text),), True),)
    if not is_string(node):
        return ()
    literal = parse_yaml(str(node.value).strip()).root
    if not isinstance(literal, ScalarNode):
        return ()
    kind = node_type(literal)
    if kind is None or not type_matches(expected, kind):
        return ()
    value = scalar_value(literal)
    if isinstance(value, float) and not math.isfinite(value):
        return ()
    text = str(literal.value)
    return (Fix(f"Change to {text}", (Edit(ctx.span(node), text),), True),)


def _check_enum(
    ctx: Context, node: ScalarNode, spec: dict[str, Any], path: str, ref: str
) -> Iterator[Diagnostic]:
    enum = spec.get("enum")
    if not isinstance(enum, list) or not enum:
        return
    value = scalar_value(node)
    if any(_same(value, member) for member in enum):
        return
    shown = ", ".join(_show(member) for member in enum[:_ENUM_SHOWN])
    if len(enum) > _ENUM_SHOWN:
        shown += ", ..."
    choices = [member for member in enum if isinstance(member, str)]
    suggestion = close_match(str(value), choices) if isinstance(value, str) and choices else None
    fixes: tuple[Fix, ...] = ()
    if suggestion is not None:
        edit = Edit(ctx.span(node), _yaml_text(suggestion))
        fixes = (Fix(f"Change to '{suggestion}'", (edit,), True),)
    yield ctx.diagnostic(
        ID,
        SEVERITY,
        value_span(ctx, node),
        f"Input '{path}' of action '{ref}' must be one of {shown}, not {_show(value)}: the task "
        "fails when Attune validates its parameters" + did_you_mean(suggestion),
        fixes=fixes,
    )

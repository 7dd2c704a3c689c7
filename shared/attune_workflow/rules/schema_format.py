"""A flat parameter, output or config schema entry is malformed.

## What it does
Checks the flat schemas (a mapping from field name to field spec) of action
and workflow `parameters` / `output` and of the pack's `conf_schema`: the
schema must be a mapping and every field spec a mapping with a string `type`,
as Attune's pack check asks. In `parameters` and `conf_schema` the type must
also be one Attune can turn into JSON Schema (`string`, `integer`, `number`,
`boolean`, `object`, `array`): Attune installs the pack, but the API cannot
build the schema when the action runs. An `output` schema is stored as
written, so any string type is accepted there (`type: any` is common); an
unfamiliar one other than `any` gets a hint. An action's `output_schema`,
which pack check lints but the loader never reads, gets warnings rather than
errors. A `required` that is not a boolean is a warning: Attune does not read
it as a flag. A JSON-Schema-shaped schema (`type: object` with `properties`)
is accepted as Attune passes it through unchanged; its properties are checked
the same way. Nested `items` and `properties` specs are checked when they give
a `type`.

## Why is this bad?
Attune's pack check rejects schemas that are not mappings or whose fields
have no string `type` (`schema.not_object`, `schema.invalid_field`,
`schema.missing_type`). A parameter typed `any` or `int` passes the pack check
and the install, and then every run of the action fails, because Attune
converts the flat schema to JSON Schema to validate the inputs. A quoted
`required: "true"` is not a flag, so the parameter is optional.

## Example
```yaml
parameters:
  url: string
  payload:
    type: any
  retries:
    type: int
    required: "yes"
```

## Use instead
```yaml
parameters:
  url:
    type: string
  payload:
    type: object
  retries:
    type: integer
    required: true
output:
  data:
    type: any
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..context import Context, FileKind, node_type_word
from ..diagnostics import Diagnostic, Edit, Fix, Severity
from ..model import FLAT_TYPES
from ..suggest import close_match, did_you_mean
from ..yamlsource import (
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    is_null,
    is_string,
    mapping_get,
    mapping_index,
    mapping_items,
    node_end,
    node_start,
)
from .invalid_ref import replace_edit

ID = "schema-format"
SEVERITY = Severity.ERROR
KINDS = frozenset({FileKind.WORKFLOW, FileKind.ACTION, FileKind.PACK})

TYPE_ALIASES = {
    "str": "string",
    "text": "string",
    "int": "integer",
    "long": "integer",
    "float": "number",
    "double": "number",
    "decimal": "number",
    "bool": "boolean",
    "dict": "object",
    "map": "object",
    "mapping": "object",
    "hash": "object",
    "list": "array",
    "sequence": "array",
}
_TRUE = frozenset({"true", "yes", "on", "y"})
_FALSE = frozenset({"false", "no", "off", "n"})

_SCHEMAS = {
    FileKind.WORKFLOW: (("parameters", "Parameter"), ("output", "Output field")),
    FileKind.ACTION: (
        ("parameters", "Parameter"),
        ("output", "Output field"),
        ("output_schema", "Output field"),
    ),
    FileKind.PACK: (("conf_schema", "Config field"), ("config_schema", "Config field")),
}
# Output schemas are stored as written: only the pack check's "string type" applies.
# (Pack check lints ``output_schema`` as well, although the loader never reads it.)
_STORED_AS_WRITTEN = frozenset({"output", "output_schema"})
# Schemas that Attune's pack check lints but its loader never reads.
_NEVER_READ = frozenset({"output_schema"})
# The type word that output schemas commonly use for "anything".
ANY_TYPE = "any"


# -- reading schemas (shared with the input rules) -----------------------------------------


def is_json_schema(schema: Any) -> bool:
    """Whether a schema is JSON-Schema-shaped (a string ``type`` at its top)."""
    return isinstance(schema, dict) and isinstance(schema.get("type"), str)


def schema_fields(schema: Any) -> dict[str, Any] | None:
    """Field name -> spec of a flat or JSON-Schema-shaped schema; None if it is neither."""
    if not isinstance(schema, dict):
        return None
    if is_json_schema(schema):
        properties = schema.get("properties")
        return properties if isinstance(properties, dict) else {}
    return schema


def has_default(spec: dict[str, Any]) -> bool:
    """Whether a field spec declares a usable default."""
    return spec.get("default") is not None


def required_fields(schema: Any) -> list[str]:
    """The names of required fields without a default, in declaration order."""
    fields = schema_fields(schema) or {}
    names = [
        str(name)
        for name, spec in fields.items()
        if isinstance(spec, dict) and spec.get("required") is True and not has_default(spec)
    ]
    if is_json_schema(schema) and isinstance(schema.get("required"), list):
        for name in schema["required"]:
            spec = fields.get(name)
            defaulted = isinstance(spec, dict) and has_default(spec)
            if isinstance(name, str) and name not in names and not defaulted:
                names.append(name)
    return names


def accepts_any_field(schema: Any) -> bool:
    """Whether a JSON-Schema-shaped schema explicitly allows undeclared fields."""
    if not is_json_schema(schema):
        return False
    extra = schema.get("additionalProperties")
    return extra is True or isinstance(extra, dict)


def suggest_type(word: str) -> str | None:
    """The flat type a misspelt type most likely means."""
    lowered = word.strip().lower()
    if lowered in FLAT_TYPES:
        return lowered
    if lowered in TYPE_ALIASES:
        return TYPE_ALIASES[lowered]
    return close_match(lowered, FLAT_TYPES)


# -- the rule -------------------------------------------------------------------------------


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Report malformed schemas and schema entries."""
    root = ctx.doc.root
    if ctx.doc.syntax_error is not None or not isinstance(root, MappingNode):
        return
    for key, label in _SCHEMAS.get(ctx.kind, ()):
        entry = mapping_get(root, key)
        if entry is None or is_null(entry[1]):
            continue
        found = _check_schema(ctx, key, entry[1], label)
        if key in _NEVER_READ:
            # pack check lints it, but the loader never reads it: nothing depends on it
            found = (
                d.with_severity(Severity.WARNING) if d.severity is SEVERITY else d for d in found
            )
        yield from found


def _check_schema(ctx: Context, key: str, node: Node, label: str) -> Iterator[Diagnostic]:
    if not isinstance(node, MappingNode):
        yield ctx.diagnostic(
            ID,
            SEVERITY,
            ctx.span(node),
            f"The '{key}' schema must be a mapping from field names to field specs, not "
            f"{node_type_word(node)}: Attune rejects it",
        )
        return
    fields = mapping_index(node)
    kind = fields.get("type")
    if kind is not None and is_string(kind[1]) and isinstance(kind[1], ScalarNode):
        yield from _check_json_schema(ctx, key, kind[1], fields, label)
        return
    stored = key in _STORED_AS_WRITTEN
    for name, key_node, spec in mapping_items(node):
        yield from _check_field(ctx, spec, key_node, label, name, top=True, stored=stored)


def _check_json_schema(
    ctx: Context,
    key: str,
    kind: ScalarNode,
    fields: dict[str, tuple[ScalarNode, Node]],
    label: str,
) -> Iterator[Diagnostic]:
    if kind.value != "object":
        yield ctx.diagnostic(
            ID,
            SEVERITY,
            ctx.span(kind),
            f"A JSON-Schema-shaped '{key}' schema must have type 'object', not "
            f"'{kind.value}': Attune reads its 'properties' as the fields",
        )
        return
    properties = fields.get("properties")
    if properties is not None and not is_null(properties[1]):
        if not isinstance(properties[1], MappingNode):
            yield ctx.diagnostic(
                ID,
                SEVERITY,
                ctx.span(properties[1]),
                f"The 'properties' of the '{key}' schema must be a mapping of field specs, "
                f"not {node_type_word(properties[1])}",
            )
        else:
            stored = key in _STORED_AS_WRITTEN
            for name, key_node, spec in mapping_items(properties[1]):
                yield from _check_field(ctx, spec, key_node, label, name, top=True, stored=stored)
    required = fields.get("required")
    if required is not None and not _string_list(required[1]):
        yield ctx.diagnostic(
            ID,
            SEVERITY,
            ctx.span(required[1]),
            f"The 'required' key of a JSON-Schema-shaped '{key}' schema must be a list of "
            f"property names, not {node_type_word(required[1])}: Attune cannot validate "
            "inputs against it",
        )


def _string_list(node: Node) -> bool:
    return isinstance(node, SequenceNode) and all(is_string(item) for item in node.value)


def _check_field(
    ctx: Context,
    spec: Node,
    key_node: ScalarNode,
    label: str,
    name: str,
    *,
    top: bool,
    stored: bool = False,
) -> Iterator[Diagnostic]:
    if not isinstance(spec, MappingNode):
        fixes: tuple[Fix, ...] = ()
        if is_string(spec) and isinstance(spec, ScalarNode):
            kind = suggest_type(str(spec.value))
            if kind is not None:
                edit = Edit(ctx.span(spec), f"{{type: {kind}}}")
                fixes = (Fix(f"Change to '{{type: {kind}}}'", (edit,), True),)
        where = spec if not is_null(spec) or node_start(spec) != node_end(spec) else key_node
        yield ctx.diagnostic(
            ID,
            SEVERITY,
            ctx.span(where),
            f"{label} '{name}' must be a mapping such as '{{type: string}}', not "
            f"{node_type_word(spec)}: Attune's pack check rejects the schema",
            fixes=fixes,
        )
        return
    fields = mapping_index(spec)
    kind_entry = fields.get("type")
    if kind_entry is None:
        if top:
            yield ctx.diagnostic(
                ID,
                SEVERITY,
                ctx.span(key_node),
                f"{label} '{name}' has no 'type': Attune's pack check requires a string "
                f"'type' in every entry, such as one of {', '.join(FLAT_TYPES)}",
            )
    else:
        yield from _check_type(ctx, kind_entry[1], label, name, stored)
    required = fields.get("required")
    if required is not None:
        yield from _check_required(ctx, required[1], label, name, "properties" in fields)
    items = fields.get("items")
    if items is not None and isinstance(items[1], MappingNode):
        yield from _check_field(
            ctx, items[1], items[0], label, f"{name}[]", top=False, stored=stored
        )
    properties = fields.get("properties")
    if properties is not None and isinstance(properties[1], MappingNode):
        for sub, sub_key, sub_spec in mapping_items(properties[1]):
            if isinstance(sub_spec, MappingNode):
                yield from _check_field(
                    ctx, sub_spec, sub_key, label, f"{name}.{sub}", top=False, stored=stored
                )


def _check_type(
    ctx: Context, node: Node, label: str, name: str, stored: bool
) -> Iterator[Diagnostic]:
    if not is_string(node) or not isinstance(node, ScalarNode):
        yield ctx.diagnostic(
            ID,
            SEVERITY,
            ctx.span(node),
            f"The 'type' of {label.lower()} '{name}' must be a string, not "
            f"{node_type_word(node)}: Attune's pack check requires a string 'type'",
        )
        return
    value = str(node.value)
    if value in FLAT_TYPES or (stored and value == ANY_TYPE):
        return
    suggestion = suggest_type(value)
    if stored:
        message = (
            f"Type '{value}' of {label.lower()} '{name}' is not one of {', '.join(FLAT_TYPES)}: "
            "Attune stores the output schema as written, but readers of it will not know "
            "the type" + did_you_mean(suggestion)
        )
        severity = Severity.HINT
    else:
        what = (
            "the API cannot build the action's JSON Schema from it, so running the action fails"
            if label == "Parameter"
            else "Attune cannot build the pack's config JSON Schema from it"
        )
        message = (
            f"Type '{value}' of {label.lower()} '{name}' is not one of {', '.join(FLAT_TYPES)}: "
            f"Attune installs the pack (its pack check only asks for a string type), but {what}"
            + did_you_mean(suggestion)
        )
        severity = SEVERITY
    yield ctx.diagnostic(
        ID,
        severity,
        ctx.span(node),
        message,
        fixes=(Fix(f"Change to '{suggestion}'", (replace_edit(ctx, node, suggestion),), True),)
        if suggestion
        else (),
    )


def _check_required(
    ctx: Context, node: Node, label: str, name: str, nested: bool
) -> Iterator[Diagnostic]:
    if isinstance(node, ScalarNode) and node.tag.endswith(":bool"):
        return
    if nested and _string_list(node):
        return  # JSON Schema style: the required properties of a nested object
    fixes: tuple[Fix, ...] = ()
    if is_string(node) and isinstance(node, ScalarNode):
        lowered = str(node.value).strip().lower()
        word = "true" if lowered in _TRUE else "false" if lowered in _FALSE else None
        if word is not None:
            fixes = (Fix(f"Change to {word}", (Edit(ctx.span(node), word),), True),)
    yield ctx.diagnostic(
        ID,
        Severity.WARNING,
        ctx.span(node),
        f"The 'required' flag of {label.lower()} '{name}' must be true or false, not "
        f"{node_type_word(node)}: Attune does not read it as a flag, so the field is optional",
        fixes=fixes,
    )

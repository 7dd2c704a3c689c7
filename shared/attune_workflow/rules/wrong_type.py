"""A value has the wrong YAML type.

## What it does
Reports values whose YAML type is not the one Attune's model reads: a float or
integer `version`, a scalar `do`, a list `with_items`, a list legacy
`on_success`, a list `vars`, a non-string `output_map` value, an unquoted
integer `iterate_cache.generation`, a scalar `tags`, a quoted number where an
integer is needed, `yes` where a boolean is needed, and so on. Quick fixes
quote the value (`1.0` becomes `"1.0"`), wrap a single name in a list
(`[t2]`) or write the literal Attune means. In action files it reports keys
whose value is not of the column's type (`enabled: "yes"`, a string `tags`) as
warnings.

## Why is this bad?
Attune decodes the file strictly: any mismatch fails the parse with
`YAML parsing error: invalid type ...` and the workflow is not installed. Some
are easy to miss: `version: 1.0` is a float, and in YAML 1.2 `yes` is a string.

## Example
```yaml
version: 1.0
tasks:
  - name: build
    action: ci.build
    next:
      - do: test
  - name: test
    action: ci.test
```

## Use instead
```yaml
version: "1.0"
tasks:
  - name: build
    action: ci.build
    next:
      - do: [test]
  - name: test
    action: ci.test
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..actionfields import action_errors, field_name
from ..context import Context, FileKind, StructuralError, expected_words, node_type_word
from ..diagnostics import Diagnostic, Edit, Fix, Severity
from ..positions import Span
from ..yamlsource import MappingNode, Node, ScalarNode, SequenceNode, is_null, scalar_value
from .missing_key import DataPath, describe, locate_task, sentence

ID = "wrong-type"
SEVERITY = Severity.ERROR
KINDS = frozenset({FileKind.WORKFLOW, FileKind.ACTION})

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_STR = "tag:yaml.org,2002:str"

# Keys whose value is a list of names: a single name becomes `[name]`.
_NAME_LISTS = frozenset({"do", "tags", "publish"})
_LEGACY_TARGETS = frozenset({"on_success", "on_failure", "on_complete", "on_timeout"})
_TRUE_WORDS = frozenset({"yes", "y", "on"})
_FALSE_WORDS = frozenset({"no", "n", "off"})
_INTEGER = re.compile(r"^[-+]?[0-9]+$")


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Report each type mismatch of the workflow model (or of an action file's columns)."""
    if ctx.kind is FileKind.ACTION:
        for error in action_errors(ctx, "type"):
            # The pack loader reads action keys leniently: a value of the wrong type is
            # not what was meant, but whether it fails or is dropped is not known.
            message = (
                f"'{field_name(error.path)}' must be {expected_words(error)}, "
                f"not {node_type_word(error.node)}: Attune's pack loader does not read it as one"
            )
            span = _span(ctx, error.node, error.key_node)
            yield ctx.diagnostic(ID, Severity.WARNING, span, message)
        return
    view = ctx.view
    if view is None:
        return
    value_paths = {error.path for error in ctx.structure if error.kind == "value"}
    for error in ctx.structure:
        if error.kind != "type" or error.path in value_paths:
            # A union whose matching member failed a range check: invalid-value reports it.
            continue
        task, rest = locate_task(view, error.path)
        if task is not None and rest and rest[0] == "wait_for":
            continue  # invalid-value owns every wait_for problem
        if error.path == ("tasks",) and is_null(error.node):
            continue  # no-tasks
        node = error.node
        if _string_keyed(error.path) and isinstance(node, MappingNode) and _bad_keys(node):
            yield from _key_errors(ctx, error, node)
            continue
        yield _diagnostic(ctx, error)


def _string_keyed(path: DataPath) -> bool:
    """Whether the value at a path is a mapping with string keys (a key error lands there)."""
    if path and path[-1] in ("vars", "output_map", "input"):
        return True
    return len(path) >= 2 and path[-2] == "publish" and isinstance(path[-1], int)


def _bad_keys(node: MappingNode) -> list[ScalarNode]:
    return [key for key, _ in node.value if isinstance(key, ScalarNode) and key.tag != _STR]


def _key_errors(ctx: Context, error: StructuralError, node: MappingNode) -> Iterator[Diagnostic]:
    where = describe(ctx.view, error.path)
    for key in _bad_keys(node):
        fixes = _quote_fix(ctx, key)
        hint = f': quote it ("{key.value}")' if fixes else ""
        yield ctx.diagnostic(
            ID,
            SEVERITY,
            ctx.span(key),
            f"Key '{key.value}' of {where} must be a string, not {node_type_word(key)}{hint}",
            fixes=fixes,
        )


def _diagnostic(ctx: Context, error: StructuralError) -> Diagnostic:
    node = error.node
    expected = expected_words(error)
    actual = node_type_word(node)
    key = _last_key(error.path)
    hint, fixes = _hint(ctx, error, key, expected)
    message = f"{sentence(describe(ctx.view, error.path))} must be {expected}, not {actual}"
    if hint:
        message += f": {hint}"
    return ctx.diagnostic(ID, SEVERITY, _span(ctx, node, error.key_node), message, fixes=fixes)


def _last_key(path: DataPath) -> str | None:
    for part in reversed(path):
        if isinstance(part, str):
            return part
    return None


def _span(ctx: Context, node: Node, key_node: ScalarNode | None) -> Span:
    """The value, unless it is a block collection or empty: then its key."""
    span = ctx.span(node)
    if key_node is None:
        return span
    if isinstance(node, ScalarNode) and span.start == span.end:
        return ctx.span(key_node)
    if isinstance(node, MappingNode | SequenceNode) and not node.flow_style:
        return ctx.span(key_node)
    return span


def _hint(
    ctx: Context, error: StructuralError, key: str | None, expected: str
) -> tuple[str, tuple[Fix, ...]]:
    node = error.node
    in_output_map = len(error.path) == 2 and error.path[0] == "output_map"
    if isinstance(node, ScalarNode):
        if is_null(node):
            return _null_hint(ctx, node, expected)
        source = _source(ctx, node)
        if expected == "a string" and node.tag in (_INT, _FLOAT, _BOOL) and not node.style:
            if in_output_map:
                text = f'"{{{{ {source} }}}}"'
                edit = Edit(ctx.span(node), text)
                return (
                    f"write it as a template ({text}) to keep its type",
                    (Fix(f"Write {text}", (edit,), preferred=True),),
                )
            return f'quote it ("{source}")', _quote_fix(ctx, node)
        if expected == "a list" and node.tag == _STR and key in _NAME_LISTS and "\n" not in source:
            text = f"[{source}]"
            edit = Edit(ctx.span(node), text)
            return f"write {text}", (Fix(f"Write {text}", (edit,), preferred=True),)
        if expected == "an integer" and node.tag == _STR and _INTEGER.match(str(node.value)):
            text = str(int(node.value))
            edit = Edit(ctx.span(node), text)
            return "remove the quotes", (Fix(f"Write {text}", (edit,), preferred=True),)
        if expected == "a boolean" and node.tag == _STR:
            word = str(node.value).lower()
            value = "true" if word in _TRUE_WORDS else "false" if word in _FALSE_WORDS else None
            if value is not None:
                edit = Edit(ctx.span(node), value)
                return (
                    f"'{node.value}' is a string in Attune's YAML; write {value}",
                    (Fix(f"Write {value}", (edit,), preferred=True),),
                )
        return "", ()
    if isinstance(node, SequenceNode):
        if key == "with_items":
            return _with_items_hint(ctx, node)
        if key in _LEGACY_TARGETS:
            return "a legacy transition names one task; use 'next' with 'do' to start several", ()
        if key == "vars" and len(error.path) == 1:
            return _vars_hint(ctx, node)
    return "", ()


def _null_hint(ctx: Context, node: ScalarNode, expected: str) -> tuple[str, tuple[Fix, ...]]:
    empty = {"a mapping": "{}", "a list": "[]"}.get(expected)
    if empty is None:
        return "", ()
    span = ctx.span(node)
    text = empty
    start = node.start_mark.index
    if span.start == span.end and ctx.text[start - 1 : start] == ":":
        text = f" {empty}"
    return f"remove the key or write {empty}", (Fix(f"Write {empty}", (Edit(span, text),)),)


def _with_items_hint(ctx: Context, node: SequenceNode) -> tuple[str, tuple[Fix, ...]]:
    hint = 'Attune reads a template that yields the list, such as "{{ [1, 2] }}"'
    if not node.flow_style:
        return hint, ()
    items = []
    for item in node.value:
        literal = _literal(item)
        if literal is None:
            return hint, ()
        items.append(literal)
    text = f'"{{{{ [{", ".join(items)}] }}}}"'
    if "\n" in _source(ctx, node) or '"' in text[1:-1]:
        return hint, ()
    edit = Edit(ctx.span(node), text)
    return f"write it as a template ({text})", (Fix(f"Write {text}", (edit,), preferred=True),)


def _literal(node: Node) -> str | None:
    """An expression literal for a YAML scalar, or None."""
    if not isinstance(node, ScalarNode):
        return None
    value = scalar_value(node)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if value == value and abs(value) != float("inf") else None
    if isinstance(value, str) and "'" not in value and "\\" not in value and '"' not in value:
        return f"'{value}'"
    return None


def _vars_hint(ctx: Context, node: SequenceNode) -> tuple[str, tuple[Fix, ...]]:
    hint = "write the variables as one mapping (name: value), without '-'"
    if node.flow_style:
        return hint, ()
    edits = []
    for item in node.value:
        start = item.start_mark.index
        if (
            not isinstance(item, MappingNode)
            or item.flow_style
            or len(item.value) != 1
            or ctx.text[start - 2 : start] != "- "
        ):
            return hint, ()
        line, column = item.start_mark.line, item.start_mark.column
        edits.append(Edit(Span(line, column - 2, line, column), ""))
    if not edits:
        return hint, ()
    return hint, (Fix("Turn the list into a mapping", tuple(edits), preferred=True),)


def _source(ctx: Context, node: Node) -> str:
    return ctx.text[node.start_mark.index : node.end_mark.index]


def _quote_fix(ctx: Context, node: ScalarNode) -> tuple[Fix, ...]:
    if node.style or node.tag == _STR:
        return ()
    source = _source(ctx, node)
    if "\n" in source or '"' in source or "\\" in source:
        return ()
    text = f'"{source}"'
    return (Fix(f"Quote it ({text})", (Edit(ctx.span(node), text),), preferred=True),)

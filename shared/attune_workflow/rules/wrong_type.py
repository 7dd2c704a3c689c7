"""A value has a YAML type that Attune's decoder refuses.

## What it does
Reports values that Attune's decoder (serde_yaml_ng) cannot read into the
field they are in: a mapping or list where a string is wanted, a scalar where
a list or mapping is wanted (`do: t2`, a scalar `tags`), a list `with_items`
or legacy `on_success`, a list `vars`, `~` for `input` or `next`, a quoted
number where an integer is needed, `yes` where a boolean is needed. Any scalar
in a string field is read as its text, as written (`version: 1.0` is "1.0",
`name: 123` is "123", `when: true` is "true", an unquoted
`iterate_cache.generation: 42` is "42"), and an empty value (`input:` with
nothing after it) is an empty mapping or list: neither is reported. Where
the text is fragile it says so: an `output_map` value that is not a string
publishes its text (`ok: true` publishes the string "true"; a
warning with a fix that writes `"{{ true }}"`), and a number whose text a YAML
reader would read differently (`version: 1.10`, read by most tools as 1.1)
gets a hint to quote it. In action files it reports keys whose value is not
of the column's type (`enabled: "yes"`, a string `tags`) as warnings, and a
`timeout_seconds` that is not an integer as an error: Attune's pack loader
aborts the load of the whole pack.

## Why is this bad?
Attune decodes workflow files straight into its structs: a mismatch fails
the parse with `YAML parsing error: invalid type ...` and the workflow is not
installed. Some are easy to miss: `do: t2` is not a list, and in YAML 1.2 `yes`
is a string, not a boolean.

## Example
```yaml
version: "1.0"
tasks:
  - name: build
    action: ci.build
    with_items: [amd64, arm64]
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
    with_items: "{{ ['amd64', 'arm64'] }}"
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
from ..yamlsource import (
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    is_null,
    mapping_get,
    node_end,
    node_start,
    scalar_value,
    start_position,
)
from .base import Scope
from .missing_key import DataPath, describe, locate_task, sentence

ID = "wrong-type"
SEVERITY = Severity.ERROR
KINDS = frozenset({FileKind.WORKFLOW, FileKind.ACTION})
SCOPE = Scope.TASK

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
            span = _span(ctx, error.node, error.key_node)
            what = f"'{field_name(error.path)}' must be {expected_words(error)}"
            if error.path == ("timeout_seconds",):
                message = (
                    f"{what}, not {node_type_word(error.node)}: Attune's pack loader aborts "
                    "the load of the whole pack"
                )
                yield ctx.diagnostic(ID, SEVERITY, span, message)
                continue
            # The pack loader reads other action keys leniently: a value of the wrong
            # type is not what was meant, but whether it fails or is dropped is not known.
            message = (
                f"{what}, not {node_type_word(error.node)}: Attune's pack loader does not "
                "read it as one"
            )
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
    yield from _scalar_texts(ctx)


def _scalar_texts(ctx: Context) -> Iterator[Diagnostic]:
    """Scalars that string fields take as their text, where that text is fragile."""
    for node, path in ctx.scalar_texts:
        source = _source(ctx, node)
        if len(path) == 2 and path[0] == "output_map":
            text = f'"{{{{ {_literal(node) or source} }}}}"'
            kind = node_type_word(node)
            yield ctx.diagnostic(
                ID,
                Severity.WARNING,
                _output_map_span(ctx, node, str(path[1])),
                f"'output_map.{path[1]}' is {kind}: Attune publishes the string "
                f'"{node.value}", not {kind}; write it as a template ({text}) to keep its type',
                fixes=(Fix(f"Write {text}", (Edit(ctx.span(node), text),), preferred=True),)
                if source
                else (),
            )
            continue
        if node.tag not in (_INT, _FLOAT) or node.style:
            continue
        value = scalar_value(node)
        if str(value) == source:
            continue
        yield ctx.diagnostic(
            ID,
            Severity.HINT,
            ctx.span(node),
            f'Attune reads this as the text "{source}", as written, but YAML readers see the '
            f'number {value}: quote it ("{source}")',
            fixes=_quote_fix(ctx, node),
        )


def _output_map_span(ctx: Context, node: ScalarNode, key: str) -> Span:
    """The value, or its key when the value is empty."""
    span = ctx.span(node)
    if span.start != span.end:
        return span
    entry = mapping_get(ctx.doc.root, "output_map")
    found = mapping_get(entry[1], key) if entry else None
    return ctx.span(found[0]) if found else span


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
    start = node_start(node)
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
        start = node_start(item)
        if (
            not isinstance(item, MappingNode)
            or item.flow_style
            or len(item.value) != 1
            or ctx.text[start - 2 : start] != "- "
        ):
            return hint, ()
        line, column = (
            start_position(item, ctx.doc.lines)[0],
            start_position(item, ctx.doc.lines)[1],
        )
        edits.append(Edit(Span(line, column - 2, line, column), ""))
    if not edits:
        return hint, ()
    return hint, (Fix("Turn the list into a mapping", tuple(edits), preferred=True),)


def _source(ctx: Context, node: Node) -> str:
    return ctx.text[node_start(node) : node_end(node)]


def _quote_fix(ctx: Context, node: ScalarNode) -> tuple[Fix, ...]:
    if node.style or node.tag == _STR:
        return ()
    source = _source(ctx, node)
    if "\n" in source or '"' in source or "\\" in source:
        return ()
    text = f'"{source}"'
    return (Fix(f"Quote it ({text})", (Edit(ctx.span(node), text),), preferred=True),)

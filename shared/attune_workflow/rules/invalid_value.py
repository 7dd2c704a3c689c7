"""A value is outside the values or the range Attune allows.

## What it does
Reports enum values Attune does not know (task `type`, `retry.backoff`,
`cancellation_policy`, with "did you mean" and a quick fix), numbers out of
range (`retry.count` 1..100, `retry.max_delay` below `retry.delay`,
`batch_size` 1..1000 and `concurrency` 1..100 on iterating tasks,
`iterate_cache.page_size` 1..1000, `timeout` not above 0), a blank
`iterate_cache.namespace`, string lengths (`ref` and `label` up to 255
characters, `version` 1..50), `vars` names with characters other than letters,
digits, `_` and `-`, and every `wait_for` that is not exactly one of `inquiry`,
`execution` or `work_queue_item` with a positive integer or a pure `{{ }}`
template as its value. In action files it reports values the `action` table
refuses: `parameter_delivery` other than `stdin`/`file` (older documentation
still shows `env`), unknown `parameter_format`, `output_format` or
`reference_visibility`, and limits such as `timeout_seconds` that are not above 0.

## Why is this bad?
Attune's parser or its workflow validator rejects the workflow, so the pack does
not install or the workflow is not registered.

## Example
```yaml
version: "1.0.0"
tasks:
  - name: approve
    action: core.ask
    type: acton
    wait_for:
      inquiry: "id-{{ parameters.inquiry_id }}"
    retry:
      count: 0
      delay: 5
      backoff: expo
```

## Use instead
```yaml
version: "1.0.0"
tasks:
  - name: approve
    action: core.ask
    type: action
    wait_for:
      inquiry: "{{ parameters.inquiry_id }}"
    retry:
      count: 1
      delay: 5
      backoff: exponential
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..actionfields import action_errors, field_name
from ..context import Context, FileKind, StructuralError, node_type_word
from ..diagnostics import Diagnostic, Edit, Fix, Severity
from ..expressions import find_blocks, is_pure_template
from ..positions import Span
from ..suggest import close_match
from ..view import TaskView
from ..yamlsource import (
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    is_null,
    is_string,
    mapping_items,
    scalar_value,
)
from .base import Scope
from .missing_key import describe, iterates, locate_task, sentence

ID = "invalid-value"
SEVERITY = Severity.ERROR
KINDS = frozenset({FileKind.WORKFLOW, FileKind.ACTION})
SCOPE = Scope.TASK

PARSER = "Attune rejects the workflow"
ACTION_TABLE = "the pack install fails (Attune's action table refuses it)"
PACK_LOAD_ABORTS = "Attune's pack loader aborts the load of the whole pack"
VALIDATOR = "Attune's workflow validator rejects it"

WAIT_KEYS = ("inquiry", "execution", "work_queue_item")
_WAIT_KEYS_TEXT = "'inquiry', 'execution' or 'work_queue_item'"
U32_MAX = 4_294_967_295

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"

# Ranges named by the spec, keyed by the path below the task (or the top).
_RANGES: dict[tuple[str | int, ...], tuple[int, int]] = {
    ("retry", "count"): (1, 100),
    ("iterate_cache", "page_size"): (1, 1000),
}
_ITERATION_RANGES = {"batch_size": (1, 1000), "concurrency": (1, 100)}
_VALIDATOR_ONLY = {("iterate_cache", "page_size")}
_BOUND_WORDS = {"ge": "at least", "gt": "greater than", "le": "at most", "lt": "less than"}


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Report enum, range and length violations, blank namespaces, bad vars names, bad wait_for."""
    if ctx.kind is FileKind.ACTION:
        yield from _action_values(ctx)
        return
    view = ctx.view
    if view is None:
        return
    for error in ctx.structure:
        if error.kind != "value":
            continue
        task, rest = locate_task(view, error.path)
        if task is not None and rest and (rest[0] == "wait_for" or rest[0] in _ITERATION_RANGES):
            continue
        yield _model_error(ctx, error, rest if task is not None else error.path)
    for task in view.all_tasks():
        if not isinstance(task.node, MappingNode):
            continue
        fields = task.fields
        if "retry" in fields:
            yield from _retry_delays(ctx, task)
        if "batch_size" in fields or "concurrency" in fields:
            yield from _iteration_bounds(ctx, task)
        if "iterate_cache" in fields:
            yield from _namespace(ctx, task)
        if "wait_for" in fields:
            yield from _wait_for(ctx, task)
    yield from _vars_names(ctx)


# -- model errors -----------------------------------------------------------------------------


def _action_values(ctx: Context) -> Iterator[Diagnostic]:
    """Enum and range errors of an action file's columns (``parameter_delivery: env``, ...)."""
    for error in action_errors(ctx, "value"):
        node = error.node
        what = f"'{field_name(error.path)}'"
        span = _value_span(ctx, node, error.key_node)
        if error.error_type == "literal_error":
            allowed = re.findall(r"'([^']*)'", str(error.context.get("expected", "")))
            message = f"{what} must be {_one_of(allowed)}, not {_shown(node)}: {ACTION_TABLE}"
            suggestion = _suggest(node, allowed)
            fixes: tuple[Fix, ...] = ()
            if suggestion is not None:
                message += f"; did you mean '{suggestion}'?"
                edit = Edit(ctx.span(node), suggestion)
                fixes = (Fix(f"Replace with '{suggestion}'", (edit,), preferred=True),)
            yield ctx.diagnostic(ID, SEVERITY, span, message, fixes=fixes)
            continue
        bound = next((b for b in _BOUND_WORDS if b in error.context), None)
        rule = f"{_BOUND_WORDS[bound]} {error.context[bound]}" if bound else "valid"
        effect = PACK_LOAD_ABORTS if error.path == ("timeout_seconds",) else ACTION_TABLE
        yield ctx.diagnostic(
            ID, SEVERITY, span, f"{what} must be {rule}, not {_shown(node)}: {effect}"
        )


def _model_error(ctx: Context, error: StructuralError, rest: tuple[str | int, ...]) -> Diagnostic:
    node = error.node
    what = sentence(describe(ctx.view, error.path))
    span = _value_span(ctx, node, error.key_node)
    etype = error.error_type
    if etype == "literal_error":
        allowed = re.findall(r"'([^']*)'", str(error.context.get("expected", "")))
        message = f"{what} must be {_one_of(allowed)}, not {_shown(node)}: {PARSER}"
        fixes: tuple[Fix, ...] = ()
        suggestion = _suggest(node, allowed)
        if suggestion is not None:
            message += f"; did you mean '{suggestion}'?"
            edit = Edit(ctx.span(node), suggestion)
            fixes = (Fix(f"Replace with '{suggestion}'", (edit,), preferred=True),)
        return ctx.diagnostic(ID, SEVERITY, span, message, fixes=fixes)
    why = VALIDATOR if rest in _VALIDATOR_ONLY else PARSER
    bound = next((b for b in _BOUND_WORDS if b in error.context), None)
    if bound is not None:
        limits = _RANGES.get(rest)
        if limits is not None:
            rule = f"between {limits[0]} and {limits[1]}"
        elif rest == ("timeout",) and bound == "gt":
            rule, why = "greater than 0 seconds", "a task needs time to run"
        else:
            rule = f"{_BOUND_WORDS[bound]} {error.context[bound]}"
        message = f"{what} must be {rule}, not {_shown(node)}: {why}"
        return ctx.diagnostic(ID, SEVERITY, span, message)
    if etype in ("string_too_short", "string_too_long"):
        length = len(str(node.value)) if isinstance(node, ScalarNode) else 0
        if rest == ("version",):
            rule = "1 to 50 characters"
        elif etype == "string_too_long":
            rule = f"at most {error.context.get('max_length')} characters"
        else:
            rule = f"at least {error.context.get('min_length')} character(s)"
        return ctx.diagnostic(ID, SEVERITY, span, f"{what} must have {rule}, not {length}: {why}")
    return ctx.diagnostic(ID, SEVERITY, span, f"{what} is not valid ({error.message}): {why}")


def _suggest(node: Node, allowed: list[str]) -> str | None:
    if not is_string(node):
        return None
    value = str(node.value).strip().lower()
    if value in allowed:
        return value
    prefixed = [v for v in allowed if value and v.startswith(value)]
    if len(prefixed) == 1:
        return prefixed[0]
    return close_match(value, allowed)


def _one_of(values: list[str]) -> str:
    quoted = [f"'{v}'" for v in values]
    if len(quoted) <= 1:
        return "".join(quoted) or "another value"
    return f"{', '.join(quoted[:-1])} or {quoted[-1]}"


def _shown(node: Node) -> str:
    """A value as messages show it: 'text', 42, null, a list."""
    if isinstance(node, ScalarNode):
        if is_null(node):
            return "null"
        if is_string(node):
            text = str(node.value).strip().replace("\n", "\\n")
            return f"'{text if len(text) <= 40 else text[:37] + '...'}'"
        return str(node.value)
    return node_type_word(node)


def _value_span(ctx: Context, node: Node, key_node: ScalarNode | None) -> Span:
    span = ctx.span(node)
    if key_node is not None and (
        (isinstance(node, ScalarNode) and span.start == span.end)
        or (isinstance(node, MappingNode | SequenceNode) and not node.flow_style)
    ):
        return ctx.span(key_node)
    return span


def _int(node: Node | None) -> int | None:
    if isinstance(node, ScalarNode) and node.tag == _INT:
        value = scalar_value(node)
        return value if isinstance(value, int) else None
    return None


# -- checks the model does not make ------------------------------------------------------------


def _retry_delays(ctx: Context, task: TaskView) -> Iterator[Diagnostic]:
    retry = task.value("retry")
    fields = {key: value for key, _, value in mapping_items(retry)}
    delay, max_delay = _int(fields.get("delay")), _int(fields.get("max_delay"))
    if delay is None or max_delay is None or max_delay >= delay or delay < 0 or max_delay < 0:
        return
    node = fields["max_delay"]
    yield ctx.diagnostic(
        ID,
        SEVERITY,
        ctx.span(node),
        f"'retry.max_delay' of {task.label} must be at least 'retry.delay' ({delay}), "
        f"not {max_delay}: {VALIDATOR}",
    )


def _iteration_bounds(ctx: Context, task: TaskView) -> Iterator[Diagnostic]:
    looping = iterates(task)
    for key, (low, high) in _ITERATION_RANGES.items():
        node = task.value(key)
        value = _int(node)
        if node is None or value is None:
            continue
        if 0 <= value <= U32_MAX:
            if not looping or low <= value <= high:
                continue
            why = VALIDATOR
        else:
            why = PARSER
        yield ctx.diagnostic(
            ID,
            SEVERITY,
            ctx.span(node),
            f"'{key}' of {task.label} must be between {low} and {high}, not {value}: {why}",
        )


def _namespace(ctx: Context, task: TaskView) -> Iterator[Diagnostic]:
    for key, key_node, value in mapping_items(task.value("iterate_cache")):
        if key == "namespace" and is_string(value) and not str(value.value).strip():
            assert isinstance(value, ScalarNode)
            yield ctx.diagnostic(
                ID,
                SEVERITY,
                _value_span(ctx, value, key_node),
                f"'iterate_cache.namespace' of {task.label} is blank: {VALIDATOR}; "
                "name the cache namespace to iterate",
            )


def _vars_names(ctx: Context) -> Iterator[Diagnostic]:
    view = ctx.view
    if view is None:
        return
    for name, key_node, _ in mapping_items(view.value("vars")):
        if not is_string(key_node):
            continue  # wrong-type
        if name and all(c.isalnum() or c in "_-" for c in name):
            continue
        shown = f"'{name}'" if name else "''"
        yield ctx.diagnostic(
            ID,
            SEVERITY,
            ctx.span(key_node),
            f"Variable name {shown} may only use letters, digits, '_' and '-': {VALIDATOR}",
        )


# -- wait_for -------------------------------------------------------------------------------------


def _wait_for(ctx: Context, task: TaskView) -> Iterator[Diagnostic]:
    entry = task.fields.get("wait_for")
    if entry is None or is_null(entry[1]):
        return
    key_node, node = entry
    where = f"'wait_for' of {task.label}"
    if not isinstance(node, MappingNode):
        yield ctx.diagnostic(
            ID,
            SEVERITY,
            _value_span(ctx, node, key_node),
            f"{sentence(where)} must be a mapping with one of {_WAIT_KEYS_TEXT}, "
            f"not {node_type_word(node)}: {PARSER}",
        )
        return
    known: list[tuple[str, ScalarNode, Node]] = []
    for key, key_scalar, value in mapping_items(node):
        if key in WAIT_KEYS and all(key != k for k, _, _ in known):
            known.append((key, key_scalar, value))
    if not node.value:
        yield ctx.diagnostic(
            ID,
            SEVERITY,
            _value_span(ctx, node, key_node),
            f"{sentence(where)} is empty: it must name exactly one of {_WAIT_KEYS_TEXT}; {PARSER}",
        )
        return
    for key, key_scalar, _ in known[1:]:
        yield ctx.diagnostic(
            ID,
            SEVERITY,
            ctx.span(key_scalar),
            f"{sentence(where)} has both '{known[0][0]}' and '{key}': it must name exactly "
            f"one of {_WAIT_KEYS_TEXT}; {PARSER}",
        )
    for key, key_scalar, value in known:
        yield from _wait_value(ctx, task, key, key_scalar, value)


def _wait_value(
    ctx: Context, task: TaskView, key: str, key_node: ScalarNode, node: Node
) -> Iterator[Diagnostic]:
    fixes: tuple[Fix, ...] = ()
    if isinstance(node, ScalarNode) and node.tag == _INT:
        if _int(node) is not None and (_int(node) or 0) > 0:
            return
        shown = str(node.value)
    elif is_string(node):
        assert isinstance(node, ScalarNode)
        text = str(node.value)
        if is_pure_template(text):
            if find_blocks(text.strip())[0].expr.strip():
                return  # expression-syntax reports a block that does not parse
            shown = "an empty template"
        elif find_blocks(text):
            shown = f"{_shown(node)} (text around the template makes it a string)"
        else:
            shown = _shown(node)
            if re.fullmatch(r"[0-9]+", text.strip()) and int(text) > 0:
                number = str(int(text))
                edit = Edit(ctx.span(node), number)
                fixes = (Fix(f"Write {number}", (edit,), preferred=True),)
    else:
        shown = _shown(node)
    yield ctx.diagnostic(
        ID,
        SEVERITY,
        _value_span(ctx, node, key_node),
        f"'wait_for.{key}' of {task.label} must be a positive integer or a pure template "
        f'("{{{{ expr }}}}"), not {shown}: {PARSER}',
        fixes=fixes,
    )

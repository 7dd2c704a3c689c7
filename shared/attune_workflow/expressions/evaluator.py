"""Evaluate Attune expressions and render templates over JSON values.

Follows Attune's engine (format §4): `+` adds numbers and concatenates strings and
arrays, integer `/` stays an integer only when it divides evenly, `==` is deep and
treats `3 == 3.0` as equal but `null == false` as unequal, ordering works on numbers,
strings and arrays, and nothing is coerced implicitly (`"a" + 5` is an error). Every
failure is an :class:`EvalError`; nothing else escapes :func:`evaluate`.

Rendering follows Attune's context: a *pure* template (the trimmed string is one
`{{ expr }}`) keeps the value's JSON type, a mixed one concatenates the blocks as text
(`null` as ""), and a `when` condition is first evaluated as a bare expression, then
rendered and read as text.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .ast import (
    ArrayLit,
    Binary,
    Call,
    Expr,
    Index,
    Member,
    Name,
    Unary,
    Unsupported,
)
from .ast import Literal as LiteralNode
from .functions import BUILTINS, WORKFLOW_FUNCTIONS
from .parser import parse_expression

__all__ = [
    "MISSING",
    "EvalError",
    "Outcome",
    "Scope",
    "evaluate",
    "evaluate_condition",
    "evaluate_node",
    "is_truthy",
    "render_json",
    "render_template",
    "result_view",
    "text_of",
    "type_name",
    "values_equal",
]

ErrorKind = Literal[
    "syntax",
    "unsupported",
    "variable",
    "field",
    "index",
    "type",
    "division",
    "overflow",
    "function",
    "arguments",
    "value",
]
Outcome = Literal["succeeded", "failed", "timed_out", "cancelled"]

_I64_MIN, _I64_MAX = -(2**63), 2**63 - 1
MAX_SEQUENCE = 1_000_000
"""Longest array or string an expression may build (a guard against runaway `range`)."""


class EvalError(Exception):
    """An expression that cannot be evaluated: a syntax error or a run-time error."""

    def __init__(self, kind: ErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message

    def __str__(self) -> str:
        return self.message


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
"""Marks `item` and `index` as unset outside an iteration."""


@dataclass
class Scope:
    """What the names and workflow functions of an expression resolve to.

    `tasks` holds each completed task's result view; `last_result` and `last_outcome`
    are the task that just completed (for `result()`, `succeeded()` and the others).
    """

    parameters: Any = field(default_factory=dict)
    variables: dict[str, Any] = field(default_factory=dict)
    tasks: dict[str, Any] = field(default_factory=dict)
    config: Any = None
    keystore: Any = None
    system: dict[str, Any] = field(default_factory=dict)
    inquiry: dict[str, Any] = field(default_factory=dict)
    execution: dict[str, Any] = field(default_factory=dict)
    work_queue_item: dict[str, Any] = field(default_factory=dict)
    item: Any = MISSING
    index: Any = MISSING
    last_result: Any = None
    last_outcome: Outcome | None = None

    def resolve(self, name: str) -> Any:
        """The value of a bare name: a namespace, else a workflow variable."""
        if name == "parameters":
            return self.parameters
        if name in ("workflow", "vars", "variables"):
            return dict(self.variables)
        if name in ("task", "tasks"):
            return dict(self.tasks)
        if name == "config":
            return self.config
        if name == "keystore":
            return self.keystore
        if name == "system":
            return dict(self.system)
        if name == "inquiry":
            return dict(self.inquiry)
        if name == "execution":
            return dict(self.execution)
        if name == "work_queue_item":
            return dict(self.work_queue_item)
        if name in ("item", "index"):
            value = self.item if name == "item" else self.index
            if value is MISSING:
                raise EvalError("variable", f"variable not found: {name}")
            return value
        if name in self.variables:
            return self.variables[name]
        raise EvalError("variable", f"variable not found: {name}")

    def workflow_function(self, name: str) -> Any:
        """The value of `succeeded()`, `failed()`, `timed_out()`, `cancelled()` or `result()`."""
        if name == "result":
            return self.last_result
        return self.last_outcome == name


def result_view(result: Any) -> Any:
    """A task result as `task.<name>` and `result()` see it: `data`'s fields at the top too."""
    if isinstance(result, dict) and isinstance(result.get("data"), dict):
        view = dict(result)
        for key, value in result["data"].items():
            view.setdefault(key, value)
        return view
    return result


# -- values -----------------------------------------------------------------------------------


def _is_int(value: Any) -> bool:
    return type(value) is int


def _is_number(value: Any) -> bool:
    return type(value) is int or type(value) is float


def type_name(value: Any) -> str:
    """Attune's name of a value's type (what `type_of` returns)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if _is_number(value):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def is_truthy(value: Any) -> bool:
    """Python-like truthiness: 0, "", [], {} and null are false."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if _is_number(value):
        return bool(value != 0)
    if isinstance(value, (str, list, dict)):
        return len(value) > 0
    return True


def _float_text(value: float) -> str:
    """A float as JSON writes it (`3.0`, `0.1`, `1e21`)."""
    text = repr(value)
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"{mantissa}e{int(exponent)}"
    return text


def to_json(value: Any) -> str:
    """Compact JSON text of a value."""
    if isinstance(value, float) and not isinstance(value, bool):
        return _float_text(value)
    if isinstance(value, list):
        return "[" + ",".join(to_json(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k))}:{to_json(v)}" for k, v in value.items()) + "}"
    return json.dumps(value, ensure_ascii=False)


def text_of(value: Any) -> str:
    """How a mixed template writes a value: strings raw, `null` as "", the rest as JSON."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return to_json(value)


def values_equal(a: Any, b: Any) -> bool:
    """Attune's `==`: deep, with `3 == 3.0` but `null != false`."""
    if _is_number(a) and _is_number(b):
        return bool(a == b)
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(values_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(values_equal(v, b[k]) for k, v in a.items())
    return bool(a == b)


def _compare(a: Any, b: Any) -> int:
    """-1, 0 or 1; numbers with numbers, strings with strings, arrays element by element."""
    if (_is_number(a) and _is_number(b)) or (isinstance(a, str) and isinstance(b, str)):
        return int(a > b) - int(a < b)
    if isinstance(a, list) and isinstance(b, list):
        for x, y in zip(a, b, strict=False):
            order = _compare(x, y)
            if order:
                return order
        return (len(a) > len(b)) - (len(a) < len(b))
    raise EvalError("type", f"cannot compare {type_name(a)} with {type_name(b)}")


def _number(value: Any) -> Any:
    """Check that an arithmetic result is a JSON number (finite, 64-bit when integral)."""
    if _is_int(value):
        if not _I64_MIN <= value <= _I64_MAX:
            raise EvalError("overflow", "integer overflow")
        return value
    if not math.isfinite(value):
        raise EvalError("overflow", "result is not a finite number")
    return value


def _sequence(value: Any) -> Any:
    if len(value) > MAX_SEQUENCE:
        raise EvalError("value", f"result longer than {MAX_SEQUENCE} elements")
    return value


def _add(a: Any, b: Any) -> Any:
    if _is_number(a) and _is_number(b):
        return _number(a + b)
    if isinstance(a, str) and isinstance(b, str):
        return _sequence(a + b)
    if isinstance(a, list) and isinstance(b, list):
        return _sequence(a + b)
    raise EvalError("type", f"cannot add {type_name(a)} and {type_name(b)}")


def _arith(op: str, a: Any, b: Any) -> Any:
    if not (_is_number(a) and _is_number(b)):
        verb = {"-": "subtract", "*": "multiply", "/": "divide", "%": "take the remainder of"}[op]
        raise EvalError("type", f"cannot {verb} {type_name(a)} and {type_name(b)}")
    if op == "-":
        return _number(a - b)
    if op == "*":
        return _number(a * b)
    if b == 0:
        raise EvalError("division", "division by zero")
    if op == "/":
        if _is_int(a) and _is_int(b):
            if a % b == 0:
                return _number(a // b)
            return _number(a / b)
        return _number(a / b)
    # `%` keeps the sign of the dividend, as Rust's does.
    if _is_int(a) and _is_int(b):
        remainder = abs(a) % abs(b)
        return _number(-remainder if a < 0 else remainder)
    return _number(math.fmod(a, b))


def _contains(haystack: Any, needle: Any) -> bool:
    if isinstance(haystack, list):
        return any(values_equal(item, needle) for item in haystack)
    if isinstance(haystack, dict):
        if not isinstance(needle, str):
            raise EvalError("type", f"object keys are strings, not {type_name(needle)}")
        return needle in haystack
    if isinstance(haystack, str):
        if not isinstance(needle, str):
            raise EvalError("type", f"cannot look for {type_name(needle)} in a string")
        return needle in haystack
    raise EvalError("type", f"cannot look inside {type_name(haystack)}")


# -- evaluation -------------------------------------------------------------------------------


def evaluate(src: str, scope: Scope) -> Any:
    """Parse and evaluate an expression (the text inside `{{ }}`)."""
    parsed = parse_expression(src)
    error = parsed.syntax_error
    if error is not None or parsed.ast is None:
        message = error.message if error is not None else "empty expression"
        raise EvalError("syntax", f"syntax error: {message}")
    try:
        return evaluate_node(parsed.ast, scope)
    except RecursionError:
        raise EvalError("value", "values nested too deeply") from None


def evaluate_node(node: Expr, scope: Scope) -> Any:
    """Evaluate a parsed expression."""
    if isinstance(node, LiteralNode):
        return node.value
    if isinstance(node, Name):
        return scope.resolve(node.id)
    if isinstance(node, Member):
        return _member(evaluate_node(node.obj, scope), node.name)
    if isinstance(node, Index):
        return _index(evaluate_node(node.obj, scope), evaluate_node(node.index, scope))
    if isinstance(node, Call):
        return _call(node, scope)
    if isinstance(node, Unary):
        value = evaluate_node(node.operand, scope)
        if node.op == "not":
            return not is_truthy(value)
        if not _is_number(value):
            raise EvalError("type", f"cannot negate {type_name(value)}")
        return _number(-value)
    if isinstance(node, Binary):
        return _binary(node, scope)
    if isinstance(node, ArrayLit):
        return [evaluate_node(item, scope) for item in node.items]
    if isinstance(node, Unsupported):
        raise EvalError("unsupported", f"Attune does not support this syntax ({node.construct})")
    raise EvalError("unsupported", "unknown expression")  # pragma: no cover


def _member(obj: Any, name: str) -> Any:
    if isinstance(obj, dict):
        if name in obj:
            return obj[name]
        raise EvalError("field", f"field not found: {name}")
    raise EvalError("field", f"cannot read field '{name}' of {type_name(obj)}")


def _index(obj: Any, key: Any) -> Any:
    if isinstance(obj, dict):
        if not isinstance(key, str):
            raise EvalError("index", f"object keys are strings, not {type_name(key)}")
        if key in obj:
            return obj[key]
        raise EvalError("field", f"field not found: {key}")
    if isinstance(obj, (list, str)):
        if not _is_int(key):
            raise EvalError("index", f"index must be an integer, not {type_name(key)}")
        position = key + len(obj) if key < 0 else key
        if not 0 <= position < len(obj):
            raise EvalError("index", f"index {key} out of range (length {len(obj)})")
        return obj[position]
    raise EvalError("index", f"cannot index {type_name(obj)}")


def _binary(node: Binary, scope: Scope) -> Any:
    op = node.op
    if op == "and":
        return is_truthy(evaluate_node(node.left, scope)) and is_truthy(
            evaluate_node(node.right, scope)
        )
    if op == "or":
        return is_truthy(evaluate_node(node.left, scope)) or is_truthy(
            evaluate_node(node.right, scope)
        )
    left = evaluate_node(node.left, scope)
    right = evaluate_node(node.right, scope)
    if op == "==":
        return values_equal(left, right)
    if op == "!=":
        return not values_equal(left, right)
    if op == "<":
        return _compare(left, right) < 0
    if op == ">":
        return _compare(left, right) > 0
    if op == "<=":
        return _compare(left, right) <= 0
    if op == ">=":
        return _compare(left, right) >= 0
    if op == "in":
        return _contains(right, left)
    if op == "+":
        return _add(left, right)
    return _arith(op, left, right)


def _call(node: Call, scope: Scope) -> Any:
    name = node.name
    if name in WORKFLOW_FUNCTIONS:
        return scope.workflow_function(name)
    info = BUILTINS.get(name)
    if info is None:
        raise EvalError("function", f"unknown function: {name}")
    args = [evaluate_node(arg, scope) for arg in node.args]
    if not info.accepts(len(args)):
        raise EvalError(
            "arguments",
            f"{name}() takes {info.arity} argument{'s' if info.arity != '1' else ''}, "
            f"got {len(args)}",
        )
    return _FUNCTIONS[name](name, args)


# -- built-in functions -----------------------------------------------------------------------


def _want(name: str, value: Any, kinds: str, ok: bool) -> None:
    if not ok:
        raise EvalError("type", f"{name}() expects {kinds}, got {type_name(value)}")


def _want_string(name: str, value: Any) -> str:
    _want(name, value, "a string", isinstance(value, str))
    return str(value)


def _want_array(name: str, value: Any) -> list[Any]:
    _want(name, value, "an array", isinstance(value, list))
    return list(value)


def _want_object(name: str, value: Any) -> dict[str, Any]:
    _want(name, value, "an object", isinstance(value, dict))
    return dict(value)


def _want_int(name: str, value: Any) -> int:
    _want(name, value, "an integer", _is_int(value))
    return int(value)


def _want_number(name: str, value: Any) -> Any:
    _want(name, value, "a number", _is_number(value))
    return value


def _parse_number(name: str, text: str) -> Any:
    stripped = text.strip()
    try:
        return _number(int(stripped))
    except ValueError:
        pass
    try:
        value = float(stripped)
    except ValueError:
        raise EvalError("value", f"{name}(): cannot convert {text!r} to a number") from None
    if not math.isfinite(value):
        raise EvalError("value", f"{name}(): cannot convert {text!r} to a number")
    return value


def _fn_string(name: str, args: list[Any]) -> Any:
    value = args[0]
    return value if isinstance(value, str) else to_json(value)


def _fn_number(name: str, args: list[Any]) -> Any:
    value = args[0]
    if isinstance(value, bool):
        return int(value)
    if _is_number(value):
        return value
    if isinstance(value, str):
        return _parse_number(name, value)
    raise EvalError("type", f"{name}(): cannot convert {type_name(value)} to a number")


def _fn_int(name: str, args: list[Any]) -> Any:
    value = args[0]
    if isinstance(value, str):
        value = _parse_number(name, value)
    if isinstance(value, bool):
        return int(value)
    if _is_int(value):
        return value
    if isinstance(value, float):
        return _number(math.trunc(value))
    raise EvalError("type", f"{name}(): cannot convert {type_name(value)} to an integer")


def _fn_length(name: str, args: list[Any]) -> Any:
    value = args[0]
    _want(name, value, "a string, array or object", isinstance(value, (str, list, dict)))
    return len(value)


def _round_half_away(value: float) -> int:
    return int(math.copysign(math.floor(abs(value) + 0.5), value))


def _rounding(how: Callable[[float], int]) -> Callable[[str, list[Any]], Any]:
    def run(name: str, args: list[Any]) -> Any:
        value = _want_number(name, args[0])
        return value if _is_int(value) else _number(how(value))

    return run


def _fn_abs(name: str, args: list[Any]) -> Any:
    return _number(abs(_want_number(name, args[0])))


def _extreme(pick_first: Callable[[int], bool]) -> Callable[[str, list[Any]], Any]:
    def run(name: str, args: list[Any]) -> Any:
        a, b = args
        same = (_is_number(a) and _is_number(b)) or (isinstance(a, str) and isinstance(b, str))
        if not same:
            raise EvalError(
                "type",
                f"{name}() expects two numbers or two strings, got "
                f"{type_name(a)} and {type_name(b)}",
            )
        return a if pick_first(_compare(a, b)) else b

    return run


def _fn_sum(name: str, args: list[Any]) -> Any:
    total: Any = 0
    for item in _want_array(name, args[0]):
        _want(name, item, "an array of numbers", _is_number(item))
        total = _number(total + item)
    return total


def _fn_split(name: str, args: list[Any]) -> Any:
    text = _want_string(name, args[0])
    sep = _want_string(name, args[1])
    if sep == "":
        return _sequence(["", *text, ""])
    return text.split(sep)


def _fn_join(name: str, args: list[Any]) -> Any:
    items = _want_array(name, args[0])
    sep = _want_string(name, args[1])
    return _sequence(sep.join(text_of(item) for item in items))


def _fn_replace(name: str, args: list[Any]) -> Any:
    text, old, new = (_want_string(name, a) for a in args)
    if len(text) * max(len(new), 1) > MAX_SEQUENCE:
        raise EvalError("value", f"result longer than {MAX_SEQUENCE} elements")
    return text.replace(old, new)


def _fn_match(name: str, args: list[Any]) -> Any:
    pattern = _want_string(name, args[0])
    text = _want_string(name, args[1])
    try:
        compiled = re.compile(pattern)
    except (re.error, OverflowError, RecursionError) as exc:
        raise EvalError("value", f"match(): invalid regular expression: {exc}") from None
    return compiled.search(text) is not None


def _fn_contains(name: str, args: list[Any]) -> Any:
    return _contains(args[0], args[1])


def _fn_reversed(name: str, args: list[Any]) -> Any:
    value = args[0]
    _want(name, value, "an array or a string", isinstance(value, (list, str)))
    return value[::-1]


def _fn_sort(name: str, args: list[Any]) -> Any:
    items = _want_array(name, args[0])
    numbers = all(_is_number(i) for i in items)
    strings = all(isinstance(i, str) for i in items)
    if not (numbers or strings):
        raise EvalError("type", f"{name}() sorts an array of numbers or of strings")
    return sorted(items)


def _fn_unique(name: str, args: list[Any]) -> Any:
    kept: list[Any] = []
    for item in _want_array(name, args[0]):
        if not any(values_equal(item, seen) for seen in kept):
            kept.append(item)
    return kept


def _fn_flat(name: str, args: list[Any]) -> Any:
    out: list[Any] = []
    for item in _want_array(name, args[0]):
        if isinstance(item, list):
            out.extend(item)
        else:
            out.append(item)
    return _sequence(out)


def _fn_zip(name: str, args: list[Any]) -> Any:
    a = _want_array(name, args[0])
    b = _want_array(name, args[1])
    return [[x, y] for x, y in zip(a, b, strict=False)]


def _fn_range(name: str, args: list[Any]) -> Any:
    bounds = [_want_int(name, a) for a in args]
    start, end = (0, bounds[0]) if len(bounds) == 1 else (bounds[0], bounds[1])
    if end - start > MAX_SEQUENCE:
        raise EvalError("value", f"range() longer than {MAX_SEQUENCE} elements")
    return list(range(start, end))


def _fn_slice(name: str, args: list[Any]) -> Any:
    value = args[0]
    _want(name, value, "an array or a string", isinstance(value, (list, str)))
    start = _want_int(name, args[1])
    end = _want_int(name, args[2]) if len(args) > 2 else len(value)
    if start < 0 or end < 0:
        raise EvalError("value", f"{name}() bounds must not be negative")
    return value[start:end]


def _fn_index_of(name: str, args: list[Any]) -> Any:
    haystack, needle = args
    if isinstance(haystack, list):
        for position, item in enumerate(haystack):
            if values_equal(item, needle):
                return position
        return -1
    if isinstance(haystack, str):
        return haystack.find(_want_string(name, needle))
    raise EvalError("type", f"{name}() expects an array or a string, got {type_name(haystack)}")


def _fn_count(name: str, args: list[Any]) -> Any:
    haystack, needle = args
    if isinstance(haystack, list):
        return sum(1 for item in haystack if values_equal(item, needle))
    if isinstance(haystack, str):
        return haystack.count(_want_string(name, needle))
    raise EvalError("type", f"{name}() expects an array or a string, got {type_name(haystack)}")


def _fn_merge(name: str, args: list[Any]) -> Any:
    merged = _want_object(name, args[0])
    merged.update(_want_object(name, args[1]))
    return merged


def _fn_chunks(name: str, args: list[Any]) -> Any:
    items = _want_array(name, args[0])
    size = _want_int(name, args[1])
    if size < 1:
        raise EvalError("value", f"{name}() size must be at least 1")
    return [items[i : i + size] for i in range(0, len(items), size)]


def _simple(fn: Callable[[Any], Any], check: Callable[[str, Any], Any]) -> Any:
    def run(name: str, args: list[Any]) -> Any:
        return fn(check(name, args[0]))

    return run


def _string_pair(fn: Callable[[str, str], Any]) -> Callable[[str, list[Any]], Any]:
    def run(name: str, args: list[Any]) -> Any:
        return fn(_want_string(name, args[0]), _want_string(name, args[1]))

    return run


_FUNCTIONS: Mapping[str, Callable[[str, list[Any]], Any]] = {
    "string": _fn_string,
    "number": _fn_number,
    "int": _fn_int,
    "bool": lambda name, args: is_truthy(args[0]),
    "type_of": lambda name, args: type_name(args[0]),
    "length": _fn_length,
    "keys": _simple(lambda obj: list(obj.keys()), _want_object),
    "values": _simple(lambda obj: list(obj.values()), _want_object),
    "abs": _fn_abs,
    "floor": _rounding(math.floor),
    "ceil": _rounding(math.ceil),
    "round": _rounding(_round_half_away),
    "min": _extreme(lambda order: order <= 0),
    "max": _extreme(lambda order: order >= 0),
    "sum": _fn_sum,
    "lower": _simple(str.lower, _want_string),
    "upper": _simple(str.upper, _want_string),
    "trim": _simple(str.strip, _want_string),
    "split": _fn_split,
    "join": _fn_join,
    "replace": _fn_replace,
    "starts_with": _string_pair(str.startswith),
    "ends_with": _string_pair(str.endswith),
    "match": _fn_match,
    "contains": _fn_contains,
    "reversed": _fn_reversed,
    "sort": _fn_sort,
    "unique": _fn_unique,
    "flat": _fn_flat,
    "zip": _fn_zip,
    "range": _fn_range,
    "slice": _fn_slice,
    "index_of": _fn_index_of,
    "count": _fn_count,
    "merge": _fn_merge,
    "chunks": _fn_chunks,
}


# -- templates --------------------------------------------------------------------------------


def _pure_expression(text: str) -> str | None:
    """The expression of a pure template (Attune's test: one `{{`, start and end), else None."""
    trimmed = text.strip()
    if not (trimmed.startswith("{{") and trimmed.endswith("}}")) or trimmed.count("{{") != 1:
        return None
    inner = trimmed[2:-2].strip()
    return inner or None


def render_template(text: str, scope: Scope) -> str:
    """Render every `{{ }}` block of a string as text."""
    out: list[str] = []
    pos = 0
    while True:
        start = text.find("{{", pos)
        if start < 0:
            break
        close = text.find("}}", start)
        if close < 0:
            break
        out.append(text[pos:start])
        out.append(text_of(evaluate(text[start + 2 : close].strip(), scope)))
        pos = close + 2
    out.append(text[pos:])
    return "".join(out)


def render_json(value: Any, scope: Scope) -> Any:
    """Render every string leaf; a pure template keeps its value's type."""
    if isinstance(value, str):
        expr = _pure_expression(value)
        if expr is not None:
            return evaluate(expr, scope)
        return render_template(value, scope)
    if isinstance(value, list):
        return [render_json(item, scope) for item in value]
    if isinstance(value, dict):
        return {key: render_json(item, scope) for key, item in value.items()}
    return value


def evaluate_condition(condition: str, scope: Scope) -> bool:
    """A `when` condition, as Attune reads it.

    First the whole text as an expression; if that fails, the rendered text, where
    `true`/`1`/`yes` are true, `false`/`0`/`no`/"" false and any other text true.
    """
    try:
        return is_truthy(evaluate(condition, scope))
    except EvalError:
        pass
    rendered = render_template(condition, scope).strip().lower()
    if rendered in ("true", "1", "yes"):
        return True
    return rendered not in ("false", "0", "no", "")

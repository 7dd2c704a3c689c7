"""Attune's built-in and workflow functions: names, arities, signatures and docs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

FunctionGroup = Literal["conversion", "introspection", "math", "string", "collection", "workflow"]


@dataclass(frozen=True, slots=True)
class FunctionInfo:
    """One callable function of the expression language."""

    name: str
    min_args: int
    max_args: int | None
    signature: str
    doc: str
    group: FunctionGroup
    transition_only: bool = False

    def accepts(self, count: int) -> bool:
        """Whether a call with `count` arguments has the right arity."""
        if count < self.min_args:
            return False
        return self.max_args is None or count <= self.max_args

    @property
    def arity(self) -> str:
        """The accepted argument counts in words: `1`, `1 or 2`, `2 or more`."""
        if self.max_args is None:
            return f"{self.min_args} or more"
        if self.min_args == self.max_args:
            return str(self.min_args)
        if self.max_args == self.min_args + 1:
            return f"{self.min_args} or {self.max_args}"
        return f"{self.min_args} to {self.max_args}"


def _fn(
    name: str,
    group: FunctionGroup,
    signature: str,
    doc: str,
    min_args: int,
    most: int | None = None,
) -> FunctionInfo:
    # No Attune function is variadic: an omitted upper bound means a fixed arity.
    max_args = min_args if most is None else most
    return FunctionInfo(name, min_args, max_args, signature, doc, group, group == "workflow")


_BUILTIN_LIST = (
    # Conversion
    _fn(
        "string",
        "conversion",
        "string(v)",
        "Convert to a string; arrays and objects become JSON.",
        1,
    ),
    _fn("number", "conversion", "number(v)", "Convert to a number; strings are parsed.", 1),
    _fn(
        "int",
        "conversion",
        "int(v)",
        "Convert to an integer; floats are truncated, strings parsed.",
        1,
    ),
    _fn("bool", "conversion", "bool(v)", 'Truthiness of v (0, "", [], {} and null are false).', 1),
    # Introspection
    _fn(
        "type_of",
        "introspection",
        "type_of(v)",
        'Type name: "number", "string", "bool", "null", "array" or "object".',
        1,
    ),
    _fn("length", "introspection", "length(v)", "Length of a string, array or object.", 1),
    _fn("keys", "introspection", "keys(obj)", "Array of the keys of an object.", 1),
    _fn("values", "introspection", "values(obj)", "Array of the values of an object.", 1),
    # Math
    _fn("abs", "math", "abs(n)", "Absolute value.", 1),
    _fn("floor", "math", "floor(n)", "Round down to an integer.", 1),
    _fn("ceil", "math", "ceil(n)", "Round up to an integer.", 1),
    _fn("round", "math", "round(n)", "Round to the nearest integer.", 1),
    _fn("min", "math", "min(a, b)", "The smaller of two numbers or two strings.", 2),
    _fn("max", "math", "max(a, b)", "The larger of two numbers or two strings.", 2),
    _fn("sum", "math", "sum(arr)", "Sum of an array of numbers.", 1),
    # String
    _fn("lower", "string", "lower(s)", "Lower-case copy of a string.", 1),
    _fn("upper", "string", "upper(s)", "Upper-case copy of a string.", 1),
    _fn("trim", "string", "trim(s)", "String without leading and trailing whitespace.", 1),
    _fn("split", "string", "split(s, sep)", "Split a string on a separator into an array.", 2),
    _fn(
        "join", "string", "join(arr, sep)", "Join array elements into a string with a separator.", 2
    ),
    _fn("replace", "string", "replace(s, old, new)", "Replace every `old` in s with `new`.", 3),
    _fn("starts_with", "string", "starts_with(s, p)", "Whether s starts with prefix p.", 2),
    _fn("ends_with", "string", "ends_with(s, p)", "Whether s ends with suffix p.", 2),
    _fn(
        "match",
        "string",
        "match(pattern, s)",
        "Whether the regular expression `pattern` (first argument) matches in s.",
        2,
    ),
    # Collection
    _fn(
        "contains",
        "collection",
        "contains(haystack, needle)",
        "Whether needle is an element, key or substring of haystack.",
        2,
    ),
    _fn("reversed", "collection", "reversed(v)", "Array or string in reverse order.", 1),
    _fn("sort", "collection", "sort(arr)", "Sorted copy of an array of numbers or strings.", 1),
    _fn(
        "unique", "collection", "unique(arr)", "Array without duplicates, first occurrence kept.", 1
    ),
    _fn("flat", "collection", "flat(arr)", "Flatten nested arrays by one level.", 1),
    _fn("zip", "collection", "zip(a, b)", "Array of [a[i], b[i]] pairs.", 2),
    _fn(
        "range",
        "collection",
        "range(n) / range(start, end)",
        "Integers from 0 (or start) up to, not including, the end.",
        1,
        2,
    ),
    _fn(
        "slice",
        "collection",
        "slice(v, start[, end])",
        "Elements or characters of v from start up to end (non-negative bounds).",
        2,
        3,
    ),
    _fn(
        "index_of", "collection", "index_of(v, x)", "Position of x in an array or string, or -1.", 2
    ),
    _fn("count", "collection", "count(v, x)", "Occurrences of x in an array or string.", 2),
    _fn(
        "merge", "collection", "merge(obj1, obj2)", "Object with the keys of obj2 added to obj1.", 2
    ),
    _fn(
        "chunks",
        "collection",
        "chunks(arr, n)",
        "Array split into arrays of at most n elements.",
        2,
    ),
)

_WORKFLOW_LIST = (
    _fn(
        "succeeded", "workflow", "succeeded()", "Whether the task that just completed succeeded.", 0
    ),
    _fn("failed", "workflow", "failed()", "Whether the task that just completed failed.", 0),
    _fn(
        "timed_out", "workflow", "timed_out()", "Whether the task that just completed timed out.", 0
    ),
    _fn(
        "cancelled",
        "workflow",
        "cancelled()",
        "Whether the task that just completed was cancelled.",
        0,
    ),
    _fn("result", "workflow", "result()", "Result of the task that just completed.", 0),
)

BUILTINS: Mapping[str, FunctionInfo] = MappingProxyType({f.name: f for f in _BUILTIN_LIST})
"""Built-in functions, usable in every expression."""

WORKFLOW_FUNCTIONS: Mapping[str, FunctionInfo] = MappingProxyType(
    {f.name: f for f in _WORKFLOW_LIST}
)
"""Functions resolved by the workflow context; meaningful in a transition's `when`/`publish`."""

ALL_FUNCTIONS: Mapping[str, FunctionInfo] = MappingProxyType({**BUILTINS, **WORKFLOW_FUNCTIONS})
"""Every function name the engine accepts."""


def lookup_function(name: str) -> FunctionInfo | None:
    """The built-in or workflow function called `name`, if there is one."""
    return ALL_FUNCTIONS.get(name)

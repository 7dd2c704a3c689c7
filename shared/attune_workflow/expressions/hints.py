"""Attune equivalents of Jinja filters, Jinja tests and Python method calls.

Each function gets the source text of the subject (`x` in `x | length`) and of the
positional arguments, and returns the message to show plus, when there is an exact
equivalent, the replacement text for the whole construct.
"""

from __future__ import annotations

import json
from typing import NamedTuple

from .functions import BUILTINS

_SAME_NAME_FILTERS = frozenset(
    {"lower", "upper", "trim", "sort", "unique", "abs", "sum", "keys", "values", "string", "int"}
)
_RENAMED_FILTERS = {
    "length": "length",
    "count": "length",
    "float": "number",
    "reverse": "reversed",
    "flatten": "flat",
    "bool": "bool",
    "round": "round",
}
_NO_DEFAULT = (
    "there is no `default` filter (and `or` returns a boolean, not an operand); give the "
    "parameter a `default` in its schema or set the variable in `vars`"
)
_NO_TOJSON = (
    "there is no JSON-encoding function; a pure template `{{ x }}` keeps the value's JSON "
    "type, and string(x) gives JSON text for arrays and objects"
)
_NO_LAMBDA = "Attune has no equivalent (no per-element mapping or selection)"
_FILTER_NOTES = {
    "default": _NO_DEFAULT,
    "d": _NO_DEFAULT,
    "tojson": _NO_TOJSON,
    "to_json": _NO_TOJSON,
    "to_nice_json": _NO_TOJSON,
    "to_json_string": _NO_TOJSON,
    "from_json": "there is no JSON-decoding function",
    "from_json_string": "there is no JSON-decoding function",
    "map": _NO_LAMBDA,
    "select": _NO_LAMBDA,
    "reject": _NO_LAMBDA,
    "selectattr": _NO_LAMBDA,
    "rejectattr": _NO_LAMBDA,
    "groupby": _NO_LAMBDA,
}

_COMPARISON_TESTS = {
    "eq": "==",
    "equalto": "==",
    "==": "==",
    "ne": "!=",
    "!=": "!=",
    "lt": "<",
    "lessthan": "<",
    "<": "<",
    "gt": ">",
    "greaterthan": ">",
    ">": ">",
    "le": "<=",
    "<=": "<=",
    "ge": ">=",
    ">=": ">=",
}
_NEGATED = {"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}
_TYPE_TESTS = {"string": "string", "number": "number", "mapping": "object", "boolean": "bool"}


class Hint(NamedTuple):
    """A message for an unsupported construct and its exact replacement, if any.

    `atomic` is true when the replacement is a call, name or access that needs no
    parentheses wherever it is put.
    """

    message: str
    rewrite: str | None
    atomic: bool = True


def _call(name: str, *args: str) -> str:
    return f"{name}({', '.join(args)})"


def _builtin_call(name: str, subject: str, args: list[str]) -> str | None:
    info = BUILTINS.get(name)
    if info is not None and info.accepts(len(args) + 1):
        return _call(name, subject, *args)
    return None


def filter_hint(name: str, subject: str, args: list[str], has_keywords: bool) -> Hint:
    """How to write `subject | name(args)` in Attune."""
    lead = "Jinja filters are not supported"
    rewrite: str | None = None
    note = _FILTER_NOTES.get(name)
    if name == "decrypt_kv":
        return Hint(f"{lead}; `decrypt_kv` is not needed: keystore values are decrypted", subject)
    if note is None and not has_keywords:
        rewrite = _filter_rewrite(name, subject, args)
    if rewrite is not None:
        return Hint(f"{lead}; use {rewrite}", rewrite)
    if note is None:
        note = f"Attune has no equivalent of the `{name}` filter"
        if (args or has_keywords) and _filter_rewrite(name, subject, []) is not None:
            note += " with these arguments"
    return Hint(f"{lead}; {note}", None)


def _filter_rewrite(name: str, subject: str, args: list[str]) -> str | None:
    count = len(args)
    if name in _SAME_NAME_FILTERS and count == 0:
        return _call(name, subject)
    renamed = _RENAMED_FILTERS.get(name)
    if renamed is not None and count == 0:
        return _call(renamed, subject)
    if name == "first" and count == 0:
        return f"{subject}[0]"
    if name == "last" and count == 0:
        return f"{subject}[-1]"
    if name in ("min", "max") and count == 0:
        return f"sort({subject})[{0 if name == 'min' else -1}]"
    if name == "join" and count <= 1:
        return _call("join", subject, args[0] if args else '""')
    if name == "batch" and count == 1:
        return _call("chunks", subject, args[0])
    if name == "combine" and count == 1:
        return _call("merge", subject, args[0])
    if name in ("length", "count", "reverse", "first", "last", "min", "max"):
        return None
    return _builtin_call(name, subject, args)


def method_hint(name: str, receiver: str, args: list[str], has_keywords: bool) -> Hint:
    """How to write `receiver.name(args)` in Attune."""
    lead = "method calls are not supported"
    rewrite = None if has_keywords else _method_rewrite(name, receiver, args)
    if rewrite is not None:
        return Hint(f"{lead}; use {rewrite}", rewrite)
    return Hint(f"{lead}; Attune only has built-in functions, called as name(args)", None)


def _method_rewrite(name: str, receiver: str, args: list[str]) -> str | None:
    count = len(args)
    simple = {
        "strip": "trim",
        "startswith": "starts_with",
        "endswith": "ends_with",
        "index": "index_of",
        "find": "index_of",
    }
    if name in simple:
        return _builtin_call(simple[name], receiver, args)
    if name == "get" and count == 1:
        return f"{receiver}[{args[0]}]"
    if name == "items" and count == 0:
        return f"zip(keys({receiver}), values({receiver}))"
    if name == "join" and count == 1:
        return _call("join", args[0], receiver)
    if name in ("lower", "upper", "split", "replace", "keys", "values", "count"):
        return _builtin_call(name, receiver, args)
    return None


def jinja_test_hint(
    name: str,
    negated: bool,
    subject: str,
    args: list[str],
    member: tuple[str, str] | None,
) -> Hint:
    """How to write `subject is [not] name(args)` in Attune.

    `member` is `(object text, key)` when the subject is a dot access `obj.key`.
    """
    lead = "Jinja tests are not supported"
    count = len(args)
    rewrite: str | None = None
    lowered = name.lower()
    if lowered == "none" and count == 0:
        rewrite = f"{subject} {'!=' if negated else '=='} null"
    elif lowered in ("true", "false") and count == 0:
        rewrite = f"{subject} {'!=' if negated else '=='} {lowered}"
    elif name in _COMPARISON_TESTS and count == 1:
        op = _COMPARISON_TESTS[name]
        rewrite = f"{subject} {_NEGATED[op] if negated else op} {args[0]}"
    elif name in _TYPE_TESTS and count == 0:
        type_name = json.dumps(_TYPE_TESTS[name])
        rewrite = f"type_of({subject}) {'!=' if negated else '=='} {type_name}"
    elif name in ("even", "odd") and count == 0:
        want_even = (name == "even") != negated
        rewrite = f"{subject} % 2 {'==' if want_even else '!='} 0"
    elif name == "divisibleby" and count == 1:
        rewrite = f"{subject} % {args[0]} {'!=' if negated else '=='} 0"
    elif name == "in" and count == 1:
        test = f"{subject} in {args[0]}"
        rewrite = f"not ({test})" if negated else test
    elif name in ("defined", "undefined") and count == 0:
        if member is None:
            return Hint(
                f"{lead}; an undefined name is an error in Attune, and there is no test for "
                'it (test object keys with `"key" in obj`)',
                None,
            )
        present = (name == "defined") != negated
        obj, key = member
        test = f"{json.dumps(key)} in {obj}"
        rewrite = test if present else f"not ({test})"
    if rewrite is None:
        return Hint(f"{lead}; Attune has no equivalent of the `{name}` test", None)
    return Hint(f"{lead}; use {rewrite}", rewrite, atomic=False)

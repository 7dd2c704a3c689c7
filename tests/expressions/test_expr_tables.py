"""The function table (§4.4) and the namespace table (§4.5)."""

from __future__ import annotations

import pytest

import attune_workflow.expressions as expressions
from attune_workflow.expressions import (
    ALL_FUNCTIONS,
    BUILTINS,
    KEYWORDS,
    LITERAL_NAMES,
    NAMESPACES,
    WORKFLOW_FUNCTIONS,
    lookup_function,
)

ARITIES = {
    "string": (1, 1),
    "number": (1, 1),
    "int": (1, 1),
    "bool": (1, 1),
    "type_of": (1, 1),
    "length": (1, 1),
    "keys": (1, 1),
    "values": (1, 1),
    "abs": (1, 1),
    "floor": (1, 1),
    "ceil": (1, 1),
    "round": (1, 1),
    "min": (2, 2),
    "max": (2, 2),
    "sum": (1, 1),
    "lower": (1, 1),
    "upper": (1, 1),
    "trim": (1, 1),
    "split": (2, 2),
    "join": (2, 2),
    "replace": (3, 3),
    "starts_with": (2, 2),
    "ends_with": (2, 2),
    "match": (2, 2),
    "contains": (2, 2),
    "reversed": (1, 1),
    "sort": (1, 1),
    "unique": (1, 1),
    "flat": (1, 1),
    "zip": (2, 2),
    "range": (1, 2),
    "slice": (2, 3),
    "index_of": (2, 2),
    "count": (2, 2),
    "merge": (2, 2),
    "chunks": (2, 2),
}


def test_builtins_are_exactly_the_spec_table() -> None:
    assert set(BUILTINS) == set(ARITIES)


@pytest.mark.parametrize(("name", "arity"), sorted(ARITIES.items()))
def test_builtin_arity(name: str, arity: tuple[int, int]) -> None:
    info = BUILTINS[name]
    assert (info.name, info.min_args, info.max_args) == (name, *arity)
    assert info.signature.startswith(f"{name}(")
    assert info.doc and info.doc.endswith(".") and "\n" not in info.doc
    assert not info.transition_only
    assert info.group in ("conversion", "introspection", "math", "string", "collection")


@pytest.mark.parametrize(
    ("name", "counts", "accepted", "words"),
    [
        ("range", [0, 1, 2, 3], [False, True, True, False], "1 or 2"),
        ("slice", [1, 2, 3, 4], [False, True, True, False], "2 or 3"),
        ("replace", [2, 3, 4], [False, True, False], "3"),
        ("length", [0, 1, 2], [False, True, False], "1"),
        ("result", [0, 1], [True, False], "0"),
    ],
)
def test_accepts_and_arity_words(
    name: str, counts: list[int], accepted: list[bool], words: str
) -> None:
    info = ALL_FUNCTIONS[name]
    assert [info.accepts(n) for n in counts] == accepted
    assert info.arity == words


def test_signatures_of_optional_arguments() -> None:
    assert BUILTINS["slice"].signature == "slice(v, start[, end])"
    assert BUILTINS["range"].signature == "range(n) / range(start, end)"
    assert BUILTINS["match"].signature == "match(pattern, s)"


def test_workflow_functions() -> None:
    assert set(WORKFLOW_FUNCTIONS) == {"succeeded", "failed", "timed_out", "cancelled", "result"}
    for info in WORKFLOW_FUNCTIONS.values():
        assert info.transition_only
        assert (info.min_args, info.max_args) == (0, 0)
        assert info.group == "workflow"
        assert info.signature == f"{info.name}()"


def test_all_functions_and_lookup() -> None:
    assert set(ALL_FUNCTIONS) == set(BUILTINS) | set(WORKFLOW_FUNCTIONS)
    assert lookup_function("length") is BUILTINS["length"]
    assert lookup_function("result") is WORKFLOW_FUNCTIONS["result"]
    for unknown in ("now", "uuid", "ctx", "st2kv", "default", "len"):
        assert lookup_function(unknown) is None


def test_tables_are_read_only() -> None:
    with pytest.raises(TypeError):
        BUILTINS["now"] = BUILTINS["length"]  # type: ignore[index]
    with pytest.raises(TypeError):
        NAMESPACES["x"] = NAMESPACES["task"]  # type: ignore[index]


@pytest.mark.parametrize(
    ("name", "canonical", "task_keyed"),
    [
        ("parameters", "parameters", False),
        ("workflow", "workflow", False),
        ("vars", "workflow", False),
        ("variables", "workflow", False),
        ("task", "task", True),
        ("tasks", "task", True),
        ("inquiry", "inquiry", True),
        ("execution", "execution", True),
        ("work_queue_item", "work_queue_item", True),
        ("config", "config", False),
        ("keystore", "keystore", False),
        ("item", "item", False),
        ("index", "index", False),
        ("system", "system", False),
    ],
)
def test_namespace(name: str, canonical: str, task_keyed: bool) -> None:
    info = NAMESPACES[name]
    assert (info.name, info.canonical, info.task_keyed) == (name, canonical, task_keyed)
    assert info.is_alias is (name != canonical)
    assert info.doc


def test_namespace_names() -> None:
    assert len(NAMESPACES) == 14
    assert "pack" not in NAMESPACES and "kv" not in NAMESPACES


def test_literal_names_and_keywords() -> None:
    assert sorted(LITERAL_NAMES) == ["false", "null", "true"]
    assert sorted(KEYWORDS) == ["and", "false", "in", "not", "null", "or", "true"]


def test_public_api_is_documented() -> None:
    for name in expressions.__all__:
        obj = getattr(expressions, name)
        if not callable(obj) or not hasattr(obj, "__module__"):
            continue
        if not getattr(obj, "__module__", "").startswith("attune_workflow.expressions"):
            continue
        doc = obj.__doc__ or ""
        assert doc.strip(), name
        assert not doc.startswith(f"{name}("), f"{name} has only the generated docstring"

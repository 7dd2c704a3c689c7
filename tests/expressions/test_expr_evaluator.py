"""The evaluator against the values and errors of Attune's engine (format §4, engine tests)."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attune_workflow.expressions import BUILTINS, WORKFLOW_FUNCTIONS
from attune_workflow.expressions.evaluator import (
    EvalError,
    Scope,
    evaluate,
    evaluate_condition,
    is_truthy,
    render_json,
    render_template,
    result_view,
)

ERR = object()


def scope() -> Scope:
    return Scope(
        parameters={"x": 10, "name": "Ada", "items": [1, 2, 3], "conf": {"port": 8080}},
        variables={
            "arr": [3, 1, 2],
            "obj": {"b": 2, "a": 1},
            "s": "hello",
            "n": None,
            "roles": ["admin", "user"],
        },
        tasks={"fetch": result_view({"data": {"id": 42}, "code": 200})},
        config={"retries": 3},
        keystore={"pack.db.password": "hunter2"},
        system={"workflow_start": "2026-01-01T00:00:00Z"},
    )


# (expression, value) or (expression, ERR, error kind)
OPERATORS: list[tuple[Any, ...]] = [
    # + on numbers, strings, arrays; no implicit coercion
    ("2 + 3", 5),
    ("2.5 + 1.5", 4.0),
    ("2 + 1.5", 3.5),
    ('"hello" + " " + "world"', "hello world"),
    ("[1, 2] + [3]", [1, 2, 3]),
    ('"a" + 5', ERR, "type"),
    ("[1] + 1", ERR, "type"),
    ("null + 1", ERR, "type"),
    ("true + 1", ERR, "type"),
    ("9223372036854775807 + 1", ERR, "overflow"),
    # - * / %
    ("10 - 4", 6),
    ("3 * 7", 21),
    ("1.5 * 2", 3.0),
    ('"a" * 3', ERR, "type"),
    ('"a" - "b"', ERR, "type"),
    ("15 / 5", 3),
    ("10 / 4", 2.5),
    ("10 / 4.0", 2.5),
    ("-10 / 5", -2),
    ("7 / -2", -3.5),
    ("10.0 / 5.0", 2.0),
    ("5 / 0", ERR, "division"),
    ("5.0 / 0.0", ERR, "division"),
    ("17 % 5", 2),
    ("-7 % 3", -1),
    ("7.5 % 2", 1.5),
    ("5 % 0", ERR, "division"),
    # unary
    ("-5", -5),
    ("-(2 + 3)", -5),
    ("-2 + 3", 1),
    ('-"a"', ERR, "type"),
    ("not true", False),
    ("not 0", True),
    ("not []", True),
    ('not "x"', False),
    # precedence
    ("2 + 3 * 4", 14),
    ("(2 + 3) * 4", 20),
    ("10 - 2 * 3 + 1", 5),
    ("true or false and false", True),
    ("(true or false) and false", False),
    # equality: deep, 3 == 3.0, null != false, no cross-type equality
    ("3 == 3", True),
    ("3 == 3.0", True),
    ("3 != 3.1", True),
    ("null == null", True),
    ("null == false", False),
    ("null == 0", False),
    ('"3" == 3', False),
    ("true == 1", False),
    ("[1, 2, 3] == [1, 2, 3]", True),
    ("[1, 2] == [1, 2.0]", True),
    ("[1, 2] != [2, 1]", True),
    ("obj == obj", True),
    ("parameters.conf == parameters.conf", True),
    # ordering: numbers, strings, arrays; nothing else
    ("3 > 2", True),
    ("3 < 2", False),
    ("3 >= 3", True),
    ("3 <= 4", True),
    ("2.5 < 3", True),
    ('"abc" < "abd"', True),
    ('"abc" > "abb"', True),
    ("[1, 2] < [1, 3]", True),
    ("[1, 2] < [1, 2, 0]", True),
    ('1 < "2"', ERR, "type"),
    ("null < 1", ERR, "type"),
    ("true > false", ERR, "type"),
    ("obj < obj", ERR, "type"),
    # logic: short-circuit, Python truthiness
    ("true and true", True),
    ("true and false", False),
    ("false or true", True),
    ("false or false", False),
    ("false and missing_name", False),
    ("true or missing_name", True),
    ('1 and "x"', True),
    ('0 or ""', False),
    # membership
    ("2 in [1, 2, 3]", True),
    ("5 in [1, 2, 3]", False),
    ('"key" in merge(obj, {})', ERR, "unsupported"),
    ('"a" in obj', True),
    ('"z" in obj', False),
    ('"ell" in "hello"', True),
    ('"admin" in roles', True),
    ("1 in obj", ERR, "type"),
    ('1 in "abc"', ERR, "type"),
    ("1 in 5", ERR, "type"),
    # access
    ("parameters.conf.port", 8080),
    ('parameters["name"]', "Ada"),
    ("arr[0]", 3),
    ("arr[-1]", 2),
    ("arr[3]", ERR, "index"),
    ('arr["x"]', ERR, "index"),
    ("s[1]", "e"),
    ("s[-1]", "o"),
    ("obj.missing", ERR, "field"),
    ("n.field", ERR, "field"),
    ("parameters.x.y", ERR, "field"),
    ("obj[0]", ERR, "index"),
    ("5[0]", ERR, "index"),
    # literals and names
    ('[1, "a", null, true]', [1, "a", None, True]),
    ("null", None),
    ("missing_name", ERR, "variable"),
    ("arr", [3, 1, 2]),
    # namespaces and aliases
    ("workflow.s", "hello"),
    ("vars.s", "hello"),
    ("variables.s", "hello"),
    ("task.fetch.id", 42),
    ("task.fetch.data.id", 42),
    ("tasks.fetch.code", 200),
    ("task.nope", ERR, "field"),
    ("config.retries", 3),
    ('keystore["pack.db.password"]', "hunter2"),
    ("system.workflow_start", "2026-01-01T00:00:00Z"),
    ("item", ERR, "variable"),
    ("index", ERR, "variable"),
    # syntax Attune lacks
    ("a if b else c", ERR, "unsupported"),
    ("x | length", ERR, "unsupported"),
    ('{"a": 1}', ERR, "unsupported"),
    ("1 +", ERR, "syntax"),
    ("", ERR, "syntax"),
]

FUNCTIONS: list[tuple[Any, ...]] = [
    # conversion
    ("string(42)", "42"),
    ("string(1.5)", "1.5"),
    ('string("x")', "x"),
    ("string(true)", "true"),
    ("string(null)", "null"),
    ('string([1, "a"])', '[1,"a"]'),
    ('number("3.15")', 3.15),
    ('number("42")', 42),
    ("number(7)", 7),
    ("number(true)", 1),
    ('number("abc")', ERR, "value"),
    ("number(null)", ERR, "type"),
    ("int(3.9)", 3),
    ("int(-3.9)", -3),
    ('int("42")', 42),
    ('int("3.9")', 3),
    ('int("x")', ERR, "value"),
    ("int([1])", ERR, "type"),
    ("bool(1)", True),
    ("bool(0)", False),
    ('bool("")', False),
    ('bool("x")', True),
    ("bool([])", False),
    ("bool(null)", False),
    # introspection
    ("type_of(42)", "number"),
    ("type_of(1.5)", "number"),
    ('type_of("hi")', "string"),
    ("type_of(true)", "bool"),
    ("type_of(null)", "null"),
    ("type_of(arr)", "array"),
    ("type_of(obj)", "object"),
    ("length(arr)", 3),
    ('length("hello")', 5),
    ("length(obj)", 2),
    ("length(5)", ERR, "type"),
    ("length(null)", ERR, "type"),
    ("sort(keys(obj))", ["a", "b"]),
    ("keys(arr)", ERR, "type"),
    ("sort(values(obj))", [1, 2]),
    ("values(5)", ERR, "type"),
    # math
    ("abs(-5)", 5),
    ("abs(-2.5)", 2.5),
    ('abs("x")', ERR, "type"),
    ("floor(3.7)", 3),
    ("floor(-3.2)", -4),
    ("floor(4)", 4),
    ("floor([1])", ERR, "type"),
    ("ceil(3.2)", 4),
    ("ceil(-3.7)", -3),
    ('ceil("x")', ERR, "type"),
    ("round(3.5)", 4),
    ("round(2.5)", 3),
    ("round(-2.5)", -3),
    ("round(3.4)", 3),
    ("round(null)", ERR, "type"),
    ("min(3, 7)", 3),
    ("min(2.5, 1)", 1),
    ('min("b", "a")', "a"),
    ('min(1, "a")', ERR, "type"),
    ("max(3, 7)", 7),
    ('max("b", "a")', "b"),
    ("max(null, 1)", ERR, "type"),
    ("sum([1, 2, 3, 4])", 10),
    ("sum([1, 2.5])", 3.5),
    ("sum([])", 0),
    ('sum([1, "a"])', ERR, "type"),
    ("sum(5)", ERR, "type"),
    # string
    ('lower("HELLO")', "hello"),
    ("lower(5)", ERR, "type"),
    ('upper("hello")', "HELLO"),
    ("upper(null)", ERR, "type"),
    ('trim("  hi  ")', "hi"),
    ("trim(1)", ERR, "type"),
    ('split("a,b,c", ",")', ["a", "b", "c"]),
    ('split("abc", "")', ["", "a", "b", "c", ""]),
    ('split(5, ",")', ERR, "type"),
    ('join(["a", "b", "c"], ",")', "a,b,c"),
    ('join([1, null, "x"], "-")', "1--x"),
    ('join("abc", ",")', ERR, "type"),
    ('replace("hello world", "world", "rust")', "hello rust"),
    ('replace("aaa", "a", "b")', "bbb"),
    ("replace(1, 2, 3)", ERR, "type"),
    ('starts_with("hello", "hel")', True),
    ('starts_with("hello", "x")', False),
    ('starts_with("hello", 1)', ERR, "type"),
    ('ends_with("hello", "llo")', True),
    ('ends_with(1, "x")', ERR, "type"),
    ('match("^hello", "hello world")', True),
    ('match("^world", "hello world")', False),
    ('match("[0-9]+", "abc123")', True),
    ('match("(", "x")', ERR, "value"),
    ('match(1, "x")', ERR, "type"),
    # collection
    ("contains([1, 2, 3], 2)", True),
    ('contains("hello", "ell")', True),
    ('contains(obj, "a")', True),
    ("contains(5, 1)", ERR, "type"),
    ("reversed(arr)", [2, 1, 3]),
    ('reversed("abc")', "cba"),
    ("reversed(5)", ERR, "type"),
    ("sort(arr)", [1, 2, 3]),
    ('sort(["c", "a", "b"])', ["a", "b", "c"]),
    ('sort([1, "a"])', ERR, "type"),
    ("sort(obj)", ERR, "type"),
    ("unique([1, 2, 2, 3, 1])", [1, 2, 3]),
    ("unique([1, 1.0])", [1]),
    ("unique(5)", ERR, "type"),
    ("flat([[1, 2], [3, 4]])", [1, 2, 3, 4]),
    ("flat([[1, [2]], 3])", [1, [2], 3]),
    ("flat(1)", ERR, "type"),
    ('zip([1, 2], ["a", "b"])', [[1, "a"], [2, "b"]]),
    ("zip([1, 2, 3], [4])", [[1, 4]]),
    ("zip(1, [1])", ERR, "type"),
    ("range(5)", [0, 1, 2, 3, 4]),
    ("range(2, 5)", [2, 3, 4]),
    ("range(0)", []),
    ("range(1.5)", ERR, "type"),
    ("range(100000000)", ERR, "value"),
    ("slice(arr, 1)", [1, 2]),
    ("slice(arr, 0, 2)", [3, 1]),
    ('slice("hello", 1, 3)', "el"),
    ("slice(arr, -1)", ERR, "value"),
    ("slice(5, 0)", ERR, "type"),
    ("index_of(arr, 1)", 1),
    ("index_of(arr, 9)", -1),
    ('index_of("hello", "l")', 2),
    ("index_of(5, 1)", ERR, "type"),
    ("count([1, 2, 1], 1)", 2),
    ('count("banana", "a")', 3),
    ("count(5, 1)", ERR, "type"),
    ("merge(obj, parameters.conf)", {"b": 2, "a": 1, "port": 8080}),
    ("merge(obj, arr)", ERR, "type"),
    ("chunks([1, 2, 3, 4, 5], 2)", [[1, 2], [3, 4], [5]]),
    ("chunks(arr, 0)", ERR, "value"),
    ("chunks(5, 1)", ERR, "type"),
    # arity and unknown functions
    ("length()", ERR, "arguments"),
    ("length(1, 2)", ERR, "arguments"),
    ("range(1, 2, 3)", ERR, "arguments"),
    ("now()", ERR, "function"),
    ("uuid()", ERR, "function"),
    # nesting (engine tests)
    ('length(split("a,b,c", ","))', 3),
    ('join(sort(["c", "a", "b"]), "-")', "a-b-c"),
    ("length(parameters.items) > 2 and 3 in parameters.items", True),
]


def _run(case: tuple[Any, ...]) -> None:
    src, expected = case[0], case[1]
    if expected is ERR:
        with pytest.raises(EvalError) as info:
            evaluate(src, scope())
        assert info.value.kind == case[2], str(info.value)
        assert str(info.value)
    else:
        value = evaluate(src, scope())
        assert value == expected
        assert type(value) is type(expected)


@pytest.mark.parametrize("case", OPERATORS, ids=[c[0] or "<empty>" for c in OPERATORS])
def test_operator(case: tuple[Any, ...]) -> None:
    _run(case)


@pytest.mark.parametrize("case", FUNCTIONS, ids=[c[0] for c in FUNCTIONS])
def test_function(case: tuple[Any, ...]) -> None:
    _run(case)


def test_every_builtin_has_a_value_case_and_an_error_case() -> None:
    called = {
        name
        for case in FUNCTIONS
        for name in BUILTINS
        if case[0].startswith(name + "(") or f"({name}(" in case[0]
    }
    failing = {
        name
        for case in FUNCTIONS
        if case[1] is ERR
        for name in BUILTINS
        if case[0].startswith(name + "(")
    }
    assert set(BUILTINS) - called == set()
    # These accept every value.
    assert set(BUILTINS) - failing == {"type_of", "bool", "string"}


def test_every_operator_has_a_case() -> None:
    from typing import get_args

    from attune_workflow.expressions import BinaryOp

    texts = " ".join(case[0] for case in OPERATORS)
    for op in get_args(BinaryOp):
        assert f" {op} " in texts, op


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        ("succeeded", {"succeeded": True, "failed": False, "timed_out": False, "cancelled": False}),
        ("failed", {"succeeded": False, "failed": True, "timed_out": False, "cancelled": False}),
        ("timed_out", {"succeeded": False, "failed": False, "timed_out": True, "cancelled": False}),
        (None, {"succeeded": False, "failed": False, "timed_out": False, "cancelled": False}),
    ],
)
def test_workflow_functions(outcome: Any, expected: dict[str, bool]) -> None:
    s = Scope(last_outcome=outcome, last_result=result_view({"data": {"code": 200}}))
    for name in WORKFLOW_FUNCTIONS:
        if name == "result":
            continue
        assert evaluate(f"{name}()", s) is expected[name], name
    assert evaluate("result().code", s) == 200
    assert evaluate("result().data.code", s) == 200
    assert evaluate("succeeded() and result().code == 200", s) is (outcome == "succeeded")
    assert evaluate("result()", Scope()) is None


def test_item_and_index_inside_an_iteration() -> None:
    s = Scope(item={"name": "item1"}, index=0)
    assert (
        render_template("Item: {{ item.name }}, Index: {{ index }}", s) == "Item: item1, Index: 0"
    )


def test_bare_names_fall_back_to_workflow_variables() -> None:
    s = Scope(variables={"greeting": "Hello"})
    assert render_template("{{ greeting }} World", s) == "Hello World"
    assert render_template("{{ vars.greeting }} World", s) == "Hello World"


def test_pure_templates_keep_their_type_and_mixed_ones_render_text() -> None:
    s = Scope(parameters={"x": 10, "list": [1, 2]}, variables={"n": None})
    assert render_json({"a": "{{ parameters.x + 5 }}"}, s) == {"a": 15}
    assert render_json("  {{ parameters.list }}  ", s) == [1, 2]
    assert render_json("n={{ n }} x={{ parameters.x }}", s) == "n= x=10"
    assert render_json("{{ parameters.list }}!", s) == "[1,2]!"
    assert render_json({"deep": [{"v": "{{ parameters.x }}"}], "k": 3}, s) == {
        "deep": [{"v": 10}],
        "k": 3,
    }
    assert render_json("no template", s) == "no template"
    assert render_json("{{ unclosed", s) == "{{ unclosed"
    with pytest.raises(EvalError):
        render_json("{{ missing }}", s)


@pytest.mark.parametrize(
    ("condition", "outcome", "expected"),
    [
        ("{{ succeeded() }}", "succeeded", True),
        ("{{ succeeded() }}", "failed", False),
        ("{{ failed() }}", "failed", True),
        ("succeeded()", "succeeded", True),
        ("{{ 1 == 2 }}", "succeeded", False),
        ("{{ 0 }}", "succeeded", False),
        ("{{ 'no' }}", "succeeded", False),
        ("{{ 'yes' }}", "succeeded", True),
        ("{{ 'anything' }}", "succeeded", True),
        ("{{ null }}", "succeeded", False),
        ("{{ true }} and {{ false }}", "succeeded", True),
    ],
)
def test_conditions_as_attune_reads_them(condition: str, outcome: Any, expected: bool) -> None:
    assert evaluate_condition(condition, Scope(last_outcome=outcome)) is expected


def test_a_condition_that_cannot_be_evaluated_raises() -> None:
    with pytest.raises(EvalError):
        evaluate_condition("{{ result().missing.field }}", Scope(last_result={}))


@pytest.mark.parametrize(
    ("value", "truthy"),
    [
        (0, False),
        (0.0, False),
        (1, True),
        ("", False),
        ("0", True),
        ([], False),
        ([0], True),
        ({}, False),
        ({"a": 1}, True),
        (None, False),
        (False, False),
    ],
)
def test_truthiness(value: Any, truthy: bool) -> None:
    assert is_truthy(value) is truthy


FRAGMENTS = [
    "a", "arr", "obj", "s", "n", "parameters", "x", "task", "fetch", "item", "index", "result()",
    "succeeded()", "length", "range", "split", "join", "match", "slice", "chunks", "int", "round",
    "number", "string", "merge", "zip", "sort", "unique", "flat", "min", "sum", "keys",
    "0", "1", "-1", "12", "3.5", "1e308", "9223372036854775807", "'s'", '"d"', "'['", "'('",
    "true", "null", "not", "in", "and", "or", ".", ",", "(", ")", "[", "]", "{", "}", ":", "|",
    "+", "-", "*", "/", "%", "==", "!=", "<", ">=", "if", "else", " ",
]  # fmt: skip


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.text(max_size=60),
        st.lists(st.sampled_from(FRAGMENTS), max_size=30).map("".join),
        st.lists(st.sampled_from(FRAGMENTS), max_size=30).map(" ".join),
    )
)
def test_parse_then_evaluate_raises_only_evaluation_errors(src: str) -> None:
    try:
        evaluate(src, scope())
    except EvalError as exc:
        assert exc.kind and str(exc)
    with contextlib.suppress(EvalError):
        evaluate_condition("{{ " + src + " }}", scope())


def test_values_nested_too_deeply_are_an_evaluation_error() -> None:
    deep: Any = []
    for _ in range(5000):
        deep = [deep]
    with pytest.raises(EvalError) as info:
        evaluate("deep == deep", Scope(variables={"deep": deep}))
    assert info.value.kind == "value"

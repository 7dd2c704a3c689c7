"""Jinja, Python and StackStorm syntax: exact ranges, messages and Attune rewrites."""

from __future__ import annotations

import pytest

from attune_workflow.expressions import (
    Binary,
    Call,
    Name,
    Unsupported,
    parse_expression,
    walk,
)


def underline(src: str, start: int, end: int) -> str:
    """`^` under the characters start..end of src."""
    assert 0 <= start <= end <= len(src)
    return " " * start + "^" * (end - start)


def only_unsupported(src: str) -> tuple[str, str, str | None, tuple[int, int] | None]:
    """The single error of `src`: its underline, message and fix (text and range)."""
    result = parse_expression(src)
    assert result.ast is not None, result.errors
    assert len(result.errors) == 1, result.errors
    error = result.errors[0]
    assert error.kind == "unsupported"
    fix = error.fix
    return (
        underline(src, error.start, error.end),
        error.message,
        None if fix is None else fix.text,
        None if fix is None else (fix.start, fix.end),
    )


def check(src: str, marker: str, message: str, fix: str | None) -> None:
    got_marker, got_message, got_fix, fix_range = only_unsupported(src)
    assert got_marker == marker
    assert message in got_message
    assert got_fix == fix
    if fix is not None:
        # Applying the fix gives valid Attune syntax.
        assert fix_range is not None
        fixed = src[: fix_range[0]] + fix + src[fix_range[1] :]
        assert parse_expression(fixed).ok, fixed


@pytest.mark.parametrize(
    ("src", "marker", "message", "fix"),
    [
        ("x | length", "  ^^^^^^^^", "Jinja filters are not supported; use length(x)", "length(x)"),
        ("x|count", " ^^^^^^", "use length(x)", "length(x)"),
        ("name | lower", "     ^^^^^^^", "use lower(name)", "lower(name)"),
        ("s | upper", "  ^^^^^^^", "use upper(s)", "upper(s)"),
        ("s | trim", "  ^^^^^^", "use trim(s)", "trim(s)"),
        ("xs | join(', ')", "   ^^^^^^^^^^^^", "use join(xs, ', ')", "join(xs, ', ')"),
        ("xs | join", "   ^^^^^^", 'use join(xs, "")', 'join(xs, "")'),
        ("xs | sort", "   ^^^^^^", "use sort(xs)", "sort(xs)"),
        ("xs | unique", "   ^^^^^^^^", "use unique(xs)", "unique(xs)"),
        ("xs | reverse", "   ^^^^^^^^^", "use reversed(xs)", "reversed(xs)"),
        ("xs | first", "   ^^^^^^^", "use xs[0]", "xs[0]"),
        ("xs | last", "   ^^^^^^", "use xs[-1]", "xs[-1]"),
        ("v | int", "  ^^^^^", "use int(v)", "int(v)"),
        ("v | float", "  ^^^^^^^", "use number(v)", "number(v)"),
        ("v | string", "  ^^^^^^^^", "use string(v)", "string(v)"),
        ("d | keys", "  ^^^^^^", "use keys(d)", "keys(d)"),
        ("d | values", "  ^^^^^^^^", "use values(d)", "values(d)"),
        ("n | abs", "  ^^^^^", "use abs(n)", "abs(n)"),
        ("n | round", "  ^^^^^^^", "use round(n)", "round(n)"),
        ("xs | sum", "   ^^^^^", "use sum(xs)", "sum(xs)"),
        ("xs | min", "   ^^^^^", "use sort(xs)[0]", "sort(xs)[0]"),
        ("xs | max", "   ^^^^^", "use sort(xs)[-1]", "sort(xs)[-1]"),
        (
            "s | replace('a', 'b')",
            "  ^^^^^^^^^^^^^^^^^^^",
            "use replace(s, 'a', 'b')",
            "replace(s, 'a', 'b')",
        ),
        ("s | split(',')", "  ^^^^^^^^^^^^", "use split(s, ',')", "split(s, ',')"),
        ("xs | flatten", "   ^^^^^^^^^", "use flat(xs)", "flat(xs)"),
        ("xs | batch(2)", "   ^^^^^^^^^^", "use chunks(xs, 2)", "chunks(xs, 2)"),
        ("a | combine(b)", "  ^^^^^^^^^^^^", "use merge(a, b)", "merge(a, b)"),
        ("v | bool", "  ^^^^^^", "use bool(v)", "bool(v)"),
        ("-x | abs", "   ^^^^^", "use abs(x)", "abs(x)"),
        ("a.b[0] | length", "       ^^^^^^^^", "use length(a.b[0])", "length(a.b[0])"),
        ("(a + b) | string", "        ^^^^^^^^", "use string((a + b))", "string((a + b))"),
    ],
)
def test_filters_with_an_equivalent(src: str, marker: str, message: str, fix: str) -> None:
    check(src, marker, message, fix)


@pytest.mark.parametrize(
    ("src", "marker", "message"),
    [
        ("x | default('n/a')", "  ^^^^^^^^^^^^^^^^", "there is no `default` filter"),
        ("x | d('n/a')", "  ^^^^^^^^^^", "there is no `default` filter"),
        ("x | default", "  ^^^^^^^^^", "`or` returns a boolean"),
        ("x | tojson", "  ^^^^^^^^", "there is no JSON-encoding function"),
        ("x | to_json", "  ^^^^^^^^^", "there is no JSON-encoding function"),
        ("x | from_json", "  ^^^^^^^^^^^", "there is no JSON-decoding function"),
        ("us | map(attribute='name')", "   ^^^^^^^^^^^^^^^^^^^^^^^", "Attune has no equivalent"),
        ("us | selectattr('on')", "   ^^^^^^^^^^^^^^^^^^", "Attune has no equivalent"),
        ("x | frobnicate", "  ^^^^^^^^^^^^", "no equivalent of the `frobnicate` filter"),
        (
            "n | round(2)",
            "  ^^^^^^^^^^",
            "no equivalent of the `round` filter with these arguments",
        ),
        (
            "xs | sort(reverse=true)",
            "   ^^^^^^^^^^^^^^^^^^^^",
            "`sort` filter with these arguments",
        ),
        ("xs | length(1)", "   ^^^^^^^^^^^", "`length` filter with these arguments"),
    ],
)
def test_filters_without_an_equivalent(src: str, marker: str, message: str) -> None:
    check(src, marker, message, None)


def test_filter_message_starts_with_the_rule() -> None:
    _, message, _, _ = only_unsupported("x | default(1)")
    assert message.startswith("Jinja filters are not supported; ")


def test_chained_filters_compose() -> None:
    src = "x | lower | trim"
    result = parse_expression(src)
    assert [underline(src, e.start, e.end) for e in result.errors] == [
        "  ^^^^^^^",
        "          ^^^^^^",
    ]
    fixes = [e.fix for e in result.errors]
    assert [(f.start, f.end, f.text) for f in fixes if f] == [
        (0, 9, "lower(x)"),
        (0, 16, "trim(lower(x))"),
    ]
    assert result.errors[1].message.endswith("use trim(lower(x))")


def test_filter_keeps_the_tree_around_it() -> None:
    result = parse_expression("a.b | length > 0")
    assert underline("a.b | length > 0", *(result.errors[0].start, result.errors[0].end)) == (
        "    ^^^^^^^^"
    )
    node = result.ast
    assert isinstance(node, Binary) and node.op == ">"
    assert isinstance(node.left, Unsupported) and node.left.construct == "filter"
    assert [n.id for n in walk(node) if isinstance(n, Name)] == ["a"]


def test_filter_inside_a_call_keeps_the_arity() -> None:
    src = "length(x | string)"
    result = parse_expression(src)
    node = result.ast
    assert isinstance(node, Call) and len(node.args) == 1
    error = result.errors[0]
    assert underline(src, error.start, error.end) == "         ^^^^^^^^"
    assert error.fix is not None
    assert (error.fix.start, error.fix.end, error.fix.text) == (7, 17, "string(x)")


def test_filter_arguments_are_in_the_tree() -> None:
    node = parse_expression("xs | join(sep)").ast
    assert isinstance(node, Unsupported)
    assert [n.id for n in walk(node) if isinstance(n, Name)] == ["xs", "sep"]


def test_long_subject_uses_x_in_the_message_but_not_in_the_fix() -> None:
    subject = "task.a_rather_long_task_name.result.some_long_list_of_values_here"
    src = f"{subject} | length"
    _, message, fix, _ = only_unsupported(src)
    assert message == "Jinja filters are not supported; use length(x)"
    assert fix == f"length({subject})"


@pytest.mark.parametrize(
    ("src", "marker", "message", "fix"),
    [
        ("x is none", "  ^^^^^^^", "Jinja tests are not supported; use x == null", "x == null"),
        ("x is not none", "  ^^^^^^^^^^^", "use x != null", "x != null"),
        ("x is true", "  ^^^^^^^", "use x == true", "x == true"),
        ("a.b is defined", "    ^^^^^^^^^^", 'use "b" in a', '"b" in a'),
        ("a.b is not defined", "    ^^^^^^^^^^^^^^", 'use not ("b" in a)', 'not ("b" in a)'),
        ("a.b is undefined", "    ^^^^^^^^^^^^", 'use not ("b" in a)', 'not ("b" in a)'),
        ('a["k"] is defined', "       ^^^^^^^^^^", 'use "k" in a', '"k" in a'),
        ("n is even", "  ^^^^^^^", "use n % 2 == 0", "n % 2 == 0"),
        ("n is odd", "  ^^^^^^", "use n % 2 != 0", "n % 2 != 0"),
        ("n is divisibleby 3", "  ^^^^^^^^^^^^^^^^", "use n % 3 == 0", "n % 3 == 0"),
        ("n is divisibleby(3)", "  ^^^^^^^^^^^^^^^^^", "use n % 3 == 0", "n % 3 == 0"),
        ("x is string", "  ^^^^^^^^^", 'use type_of(x) == "string"', 'type_of(x) == "string"'),
        ("x is mapping", "  ^^^^^^^^^^", 'type_of(x) == "object"', 'type_of(x) == "object"'),
        ("x is eq 3", "  ^^^^^^^", "use x == 3", "x == 3"),
        ("x is not gt(3)", "  ^^^^^^^^^^^^", "use x <= 3", "x <= 3"),
        ("x is in [1, 2]", "  ^^^^^^^^^^^^", "use x in [1, 2]", "x in [1, 2]"),
        ("a and x is none", "        ^^^^^^^", "use x == null", "(x == null)"),
        ("x is defined", "  ^^^^^^^^^^", "an undefined name is an error in Attune", None),
        ("x is sameas y", "  ^^^^^^^^^^^", "no equivalent of the `sameas` test", None),
    ],
)
def test_jinja_tests(src: str, marker: str, message: str, fix: str | None) -> None:
    check(src, marker, message, fix)


@pytest.mark.parametrize(
    ("src", "marker"),
    [
        ("a if c else b", "  ^^^^^^^^^^^"),
        ("'yes' if ok else 'no'", "      ^^^^^^^^^^^^^^^"),
        ("a if c", "  ^^^^"),
        ("x + 1 if c else y", "      ^^^^^^^^^^^"),
        ("a if b else c if d else e", "  ^^^^^^^^^^^^^^^^^^^^^^^"),
        ("f(a if b else c)", "    ^^^^^^^^^^^"),
        ("a if b or c else d and e", "  ^^^^^^^^^^^^^^^^^^^^^^"),
    ],
)
def test_conditional_expression(src: str, marker: str) -> None:
    got_marker, message, fix, _ = only_unsupported(src)
    assert got_marker == marker
    assert message.startswith("conditional expressions (`a if c else b`) are not supported")
    assert "transitions" in message and "`when`" in message
    assert fix is None


def test_conditional_keeps_all_branches() -> None:
    node = parse_expression("x + 1 if c.d else y").ast
    assert isinstance(node, Unsupported) and node.construct == "conditional"
    assert [n.id for n in walk(node) if isinstance(n, Name)] == ["x", "c", "y"]
    assert (node.start, node.end) == (0, 19)


@pytest.mark.parametrize(
    ("src", "marker"),
    [
        ('{"a": 1}', "^^^^^^^^"),
        ("{}", "^^"),
        ("{'a': 1,}", "^^^^^^^^^"),
        ("f({'a': x, 'b': y})", "  ^^^^^^^^^^^^^^^^"),
        ("[{'k': v}][0]", " ^^^^^^^^"),
    ],
)
def test_object_literal(src: str, marker: str) -> None:
    got_marker, message, fix, _ = only_unsupported(src)
    assert got_marker == marker
    assert message.startswith("object literals are not supported")
    assert fix is None


def test_object_literal_keeps_call_arity() -> None:
    node = parse_expression("merge(a, {'k': v})").ast
    assert isinstance(node, Call) and len(node.args) == 2
    assert isinstance(node.args[1], Unsupported) and node.args[1].construct == "object"


@pytest.mark.parametrize(
    ("src", "marker", "message", "fix"),
    [
        (
            "x[1:2]",
            " ^^^^^",
            "Python slices are not supported; use slice(x, 1, 2)",
            "slice(x, 1, 2)",
        ),
        ("x[:2]", " ^^^^", "use slice(x, 0, 2)", "slice(x, 0, 2)"),
        ("x[1:]", " ^^^^", "use slice(x, 1)", "slice(x, 1)"),
        ("x[:]", " ^^^", "use slice(x, 0)", "slice(x, 0)"),
        (
            "t.a.items[n:n + 2]",
            "         ^^^^^^^^^",
            "use slice(t.a.items, n, n + 2)",
            "slice(t.a.items, n, n + 2)",
        ),
        ("x[::2]", " ^^^^^", "slice(v, start, end) has no step", None),
        ("x[-2:]", " ^^^^^", "does not take negative bounds", None),
    ],
)
def test_python_slice(src: str, marker: str, message: str, fix: str | None) -> None:
    check(src, marker, message, fix)


@pytest.mark.parametrize(
    ("src", "marker", "message", "fix"),
    [
        ("x.lower()", " ^^^^^^^^", "method calls are not supported; use lower(x)", "lower(x)"),
        ("s.upper()", " ^^^^^^^^", "use upper(s)", "upper(s)"),
        ("s.strip()", " ^^^^^^^^", "use trim(s)", "trim(s)"),
        ("s.split(',')", " ^^^^^^^^^^^", "use split(s, ',')", "split(s, ',')"),
        (
            "s.startswith('a')",
            " ^^^^^^^^^^^^^^^^",
            "use starts_with(s, 'a')",
            "starts_with(s, 'a')",
        ),
        ("s.endswith('a')", " ^^^^^^^^^^^^^^", "use ends_with(s, 'a')", "ends_with(s, 'a')"),
        (
            "s.replace('a', 'b')",
            " ^^^^^^^^^^^^^^^^^^",
            "replace(s, 'a', 'b')",
            "replace(s, 'a', 'b')",
        ),
        ("s.find('a')", " ^^^^^^^^^^", "use index_of(s, 'a')", "index_of(s, 'a')"),
        ("d.get('k')", " ^^^^^^^^^", "use d['k']", "d['k']"),
        ("d.keys()", " ^^^^^^^", "use keys(d)", "keys(d)"),
        ("d.items()", " ^^^^^^^^", "use zip(keys(d), values(d))", "zip(keys(d), values(d))"),
        ("','.join(xs)", "   ^^^^^^^^^", "use join(xs, ',')", "join(xs, ',')"),
        ("xs.count(1)", "  ^^^^^^^^^", "use count(xs, 1)", "count(xs, 1)"),
        (
            "task.a.result.upper()",
            "             ^^^^^^^^",
            "use upper(task.a.result)",
            "upper(task.a.result)",
        ),
        ("x . lower ( )", "  ^^^^^^^^^^^", "use lower(x)", "lower(x)"),
        ("(a + b).lower()", "       ^^^^^^^^", "use lower((a + b))", "lower((a + b))"),
        (
            "x.frob(1)",
            " ^^^^^^^^",
            "Attune only has built-in functions, called as name(args)",
            None,
        ),
        ("d.get('k', 0)", " ^^^^^^^^^^^^", "only has built-in functions", None),
    ],
)
def test_method_calls(src: str, marker: str, message: str, fix: str | None) -> None:
    check(src, marker, message, fix)


@pytest.mark.parametrize(
    ("src", "marker", "message", "fix"),
    [
        ("a not in b", "  ^^^^^^", "`not in` is not supported; use not (a in b)", "not (a in b)"),
        ("x and a not in b", "        ^^^^^^", "use not (a in b)", "(not (a in b))"),
        ("a + 1 not in b", "      ^^^^^^", "use not (a + 1 in b)", "not (a + 1 in b)"),
        (
            "a // b",
            "  ^^",
            "floor division `//` is not supported; use floor(a / b)",
            "floor(a / b)",
        ),
        ("a ** 2", "  ^^", "the power operator `**` is not supported", None),
        ("'a' ~ x", "    ^", "Jinja's `~` is not supported; use `+`", None),
    ],
)
def test_unsupported_operators(src: str, marker: str, message: str, fix: str | None) -> None:
    check(src, marker, message, fix)


@pytest.mark.parametrize(
    ("src", "marker", "message"),
    [
        ("ctx('x')", "^^^^^^^^", "StackStorm's ctx() is not supported; use workflow.x"),
        ("ctx('x')", "^^^^^^^^", "(or parameters.x for a workflow input)"),
        ('ctx("x")', "^^^^^^^^", "use workflow.x"),
        ("ctx(x)", "^^^^^^", "use workflow.x"),
        ("ctx().foo", "^^^^^^^^^", "use workflow.foo (or parameters.foo"),
        ("ctx('my-var')", "^^^^^^^^^^^^^", 'use workflow["my-var"] (or parameters["my-var"]'),
        ("ctx()", "^^^^^", "use workflow.<name> for variables and parameters.<name> for inputs"),
        ("ctx('a').b", "^^^^^^^^", "use workflow.a"),
        ("1 + ctx('x')", "    ^^^^^^^^", "use workflow.x"),
    ],
)
def test_stackstorm_ctx(src: str, marker: str, message: str) -> None:
    check(src, marker, message, None)


@pytest.mark.parametrize(
    ("src", "marker", "message", "fix"),
    [
        (
            "st2kv('system.api_key')",
            "^^^^^^^^^^^^^^^^^^^^^^^",
            'StackStorm\'s st2kv is not supported; use keystore["api_key"]',
            'keystore["api_key"]',
        ),
        ("st2kv('k')", "^^^^^^^^^^", 'use keystore["k"]', 'keystore["k"]'),
        (
            "st2kv('k', decrypt=true)",
            "^^^^^^^^^^^^^^^^^^^^^^^^",
            'use keystore["k"]',
            'keystore["k"]',
        ),
        (
            "st2kv.system.db.password",
            "^^^^^^^^^^^^^^^^^^^^^^^^",
            'use keystore["db.password"]',
            'keystore["db.password"]',
        ),
        ("st2kv.user.token", "^^^^^^^^^^^^^^^^", 'use keystore["token"]', 'keystore["token"]'),
        ("st2kv(name)", "^^^^^^^^^^^", 'use keystore["key"]', None),
    ],
)
def test_stackstorm_kv(src: str, marker: str, message: str, fix: str | None) -> None:
    check(src, marker, message, fix)


def test_st2kv_with_decrypt_filter() -> None:
    src = "st2kv.system.k | decrypt_kv"
    result = parse_expression(src)
    assert [underline(src, e.start, e.end) for e in result.errors] == [
        "^^^^^^^^^^^^^^",
        "               ^^^^^^^^^^^^",
    ]
    assert "keystore values are decrypted" in result.errors[1].message
    fix = result.errors[1].fix
    assert fix is not None and (fix.start, fix.end, fix.text) == (0, 27, 'keystore["k"]')


def test_several_constructs_are_all_reported_in_order() -> None:
    src = "x | length if ok else {'a': y.lower()}"
    result = parse_expression(src)
    assert result.ast is not None
    assert [e.kind for e in result.errors] == ["unsupported"] * 4
    assert [underline(src, e.start, e.end) for e in result.errors] == [
        "  ^^^^^^^^",
        "           ^^^^^^^^^^^^^^^^^^^^^^^^^^^",
        "                      ^^^^^^^^^^^^^^^^",
        "                             ^^^^^^^^",
    ]


def test_unsupported_nodes_cover_their_construct() -> None:
    node = parse_expression("a.b | join(', ')").ast
    assert isinstance(node, Unsupported)
    assert (node.start, node.end, node.construct) == (0, 16, "filter")

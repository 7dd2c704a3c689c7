"""Grammar, precedence, spans, literals and syntax errors of the expression parser."""

from __future__ import annotations

import dataclasses
import json

import pytest

from attune_workflow.expressions import (
    ArrayLit,
    Binary,
    Call,
    Expr,
    Index,
    Literal,
    Member,
    Name,
    ParseResult,
    Unary,
    Unsupported,
    parse_expression,
    parse_template,
)


def sexp(node: Expr) -> str:
    """Compact prefix notation of a tree: `(+ 1 (* 2 3))`, `(. a b)`, `f(x)`, `[1 2]`."""
    if isinstance(node, Literal):
        return json.dumps(node.value) if not isinstance(node.value, float) else repr(node.value)
    if isinstance(node, Name):
        return node.id
    if isinstance(node, Member):
        return f"(. {sexp(node.obj)} {node.name})"
    if isinstance(node, Index):
        return f"([] {sexp(node.obj)} {sexp(node.index)})"
    if isinstance(node, Call):
        return f"{node.name}({', '.join(sexp(a) for a in node.args)})"
    if isinstance(node, Unary):
        return f"({node.op} {sexp(node.operand)})"
    if isinstance(node, Binary):
        return f"({node.op} {sexp(node.left)} {sexp(node.right)})"
    if isinstance(node, ArrayLit):
        return f"[{' '.join(sexp(i) for i in node.items)}]"
    assert isinstance(node, Unsupported)
    return f"<{node.construct} {' '.join(sexp(p) for p in node.parts)}>"


def underline(src: str, start: int, end: int) -> str:
    """`^` under the characters start..end of src."""
    assert 0 <= start <= end <= len(src)
    return " " * start + "^" * (end - start)


def parse_ok(src: str) -> Expr:
    result = parse_expression(src)
    assert result.errors == (), result.errors
    assert result.ast is not None
    return result.ast


@pytest.mark.parametrize(
    ("src", "tree"),
    [
        ("a or b and c", "(or a (and b c))"),
        ("a and b or c", "(or (and a b) c)"),
        ("a or b or c", "(or (or a b) c)"),
        ("not a == b", "(not (== a b))"),
        ("not a and b", "(and (not a) b)"),
        ("a and not b", "(and a (not b))"),
        ("a or not b", "(or a (not b))"),
        ("not not a", "(not (not a))"),
        ("not a in b", "(not (in a b))"),
        ("not -a", "(not (- a))"),
        ("-x.y", "(- (. x y))"),
        ("-x[0]", "(- ([] x 0))"),
        ("-f(x)", "(- f(x))"),
        ("- -x", "(- (- x))"),
        ("-2 * 3", "(* (- 2) 3)"),
        ("1 + 2 * 3", "(+ 1 (* 2 3))"),
        ("(1 + 2) * 3", "(* (+ 1 2) 3)"),
        ("1 - 2 - 3", "(- (- 1 2) 3)"),
        ("10 - 2 * 3 + 1", "(+ (- 10 (* 2 3)) 1)"),
        ("a * b / c % d", "(% (/ (* a b) c) d)"),
        ("a + b == c * d", "(== (+ a b) (* c d))"),
        ("a + b in c", "(in (+ a b) c)"),
        ("x in [1, 2] and y", "(and (in x [1 2]) y)"),
        ("a < b < c", "(< (< a b) c)"),
        ("a <= b != c >= d", "(>= (!= (<= a b) c) d)"),
        ("a > b == c", "(== (> a b) c)"),
        ("length(items) > 3 and 5 in items", "(and (> length(items) 3) (in 5 items))"),
        ("succeeded() and result().code == 200", "(and succeeded() (== (. result() code) 200))"),
        ("data.users[1].name", "(. ([] (. data users) 1) name)"),
        ('task["create"].id', '(. ([] task "create") id)'),
        ("a[b[c]]", "([] a ([] b c))"),
        ("a[1 + 2]", "([] a (+ 1 2))"),
        ("f()", "f()"),
        ("f(a, b + 1)", "f(a, (+ b 1))"),
        ("f(g(h(x)))", "f(g(h(x)))"),
        ("join(split(s, ','), '-')", 'join(split(s, ","), "-")'),
        ("[1, 'a', true, false, null, 2.5]", '[1 "a" true false null 2.5]'),
        ("[1, 2,]", "[1 2]"),
        ("[]", "[]"),
        ("[[1], [2, 3]]", "[[1] [2 3]]"),
        ("a.in.not", "(. (. a in) not)"),
        ("obj.true.null.and.or", "(. (. (. (. obj true) null) and) or)"),
        ("42.field", "(. 42 field)"),
        ("1.5.x", "(. 1.5 x)"),
        ("((a))", "a"),
        ("now()", "now()"),
        ("uuid()", "uuid()"),
        ("(f)(x)", "f(x)"),
        ("ctx", "ctx"),
        ("ctx.x", "(. ctx x)"),
        ("st2kv.other", "(. st2kv other)"),
        ("if + else", "(+ if else)"),
    ],
)
def test_precedence_and_shape(src: str, tree: str) -> None:
    assert sexp(parse_ok(src)) == tree


@pytest.mark.parametrize(
    ("src", "value"),
    [
        ("0", 0),
        ("007", 7),
        ("9223372036854775807", 9223372036854775807),
        ("3.15", 3.15),
        ("0.5", 0.5),
        ("true", True),
        ("false", False),
        ("null", None),
        ('"double"', "double"),
        ("'single'", "single"),
        ('""', ""),
        (r'"a\nb"', "a\nb"),
        (r'"a\tb\rc"', "a\tb\rc"),
        (r'"back\\slash"', "back\\slash"),
        (r"'it\'s'", "it's"),
        (r'"say \"hi\""', 'say "hi"'),
        (r'"\q"', "\\q"),
        (r"'\"'", '\\"'),
        (r'"\'"', "\\'"),
        ('"multi\nline"', "multi\nline"),
        ("'é ✓'", "é ✓"),
        ('"{{ x }}"', "{{ x }}"),
    ],
)
def test_literals(src: str, value: object) -> None:
    node = parse_ok(src)
    assert isinstance(node, Literal)
    assert node.value == value
    assert type(node.value) is type(value)
    assert (node.start, node.end) == (0, len(src))


def test_member_spans() -> None:
    src = "task.create_root.result.post.id"
    node = parse_ok(src)
    spans = []
    while isinstance(node, Member):
        spans.append((node.name, underline(src, node.name_start, node.name_end)))
        assert (node.start, node.end) == (0, node.name_end)
        node = node.obj
    assert isinstance(node, Name)
    assert (node.id, node.start, node.end) == ("task", 0, 4)
    assert spans[::-1] == [
        ("create_root", "     ^^^^^^^^^^^"),
        ("result", "                 ^^^^^^"),
        ("post", "                        ^^^^"),
        ("id", "                             ^^"),
    ]


def test_member_span_with_spaces() -> None:
    node = parse_ok("a . b")
    assert isinstance(node, Member)
    assert (node.start, node.end, node.name_start, node.name_end) == (0, 5, 4, 5)


def test_call_spans() -> None:
    src = "  length( x , 'y' )  "
    node = parse_ok(src)
    assert isinstance(node, Call)
    assert underline(src, node.start, node.end) == "  ^^^^^^^^^^^^^^^^^"
    assert underline(src, node.name_start, node.name_end) == "  ^^^^^^"
    assert [(a.start, a.end) for a in node.args] == [(10, 11), (14, 17)]


def test_index_span() -> None:
    src = 'task["foo"][0]'
    node = parse_ok(src)
    assert isinstance(node, Index)
    assert (node.start, node.end) == (0, 14)
    assert (node.index.start, node.index.end) == (12, 13)
    inner = node.obj
    assert isinstance(inner, Index)
    assert (inner.start, inner.end) == (0, 11)
    assert (inner.index.start, inner.index.end) == (5, 10)


def test_compound_spans_cover_parentheses() -> None:
    src = "(a + b) * c"
    node = parse_ok(src)
    assert isinstance(node, Binary)
    assert (node.start, node.end) == (0, 11)
    assert (node.left.start, node.left.end) == (1, 6)
    member = parse_ok("(a).b")
    assert isinstance(member, Member)
    assert (member.start, member.end) == (0, 5)
    assert (member.obj.start, member.obj.end) == (1, 2)


def test_unary_and_array_spans() -> None:
    node = parse_ok("not  -x")
    assert isinstance(node, Unary)
    assert (node.start, node.end) == (0, 7)
    assert isinstance(node.operand, Unary)
    assert (node.operand.start, node.operand.end) == (5, 7)
    array = parse_ok(" [1, 2] ")
    assert (array.start, array.end) == (1, 7)


def test_leaf_spans_exclude_whitespace() -> None:
    node = parse_ok("  \tname\n ")
    assert (node.start, node.end) == (3, 7)


@pytest.mark.parametrize(
    ("src", "marker", "message"),
    [
        ("a +", "  ^", "unexpected end of expression; expected a value"),
        ("a + ", "  ^", "unexpected end of expression"),
        ("f(a", "  ^", "expected ',' or ')'"),
        ("(a", " ^", "expected ')'"),
        ("[1, 2", "    ^", "expected ',' or ']'"),
        ("a[0", "  ^", "expected ']'"),
        ("a.", " ^", "expected a name after '.'"),
        ("a |", "  ^", "expected a filter name after '|'"),
        ("a b", "  ^", "unexpected name 'b'; expected an operator"),
        ("a 1", "  ^", "unexpected number 1; expected an operator"),
        ("a 'x'", "  ^^^", "unexpected string; expected an operator"),
        ("a)", " ^", "unexpected ')'"),
        ("a]", " ^", "unexpected ']'"),
        (",", "^", "unexpected ','; expected a value"),
        ("a $ b", "  ^", "unexpected character '$'"),
        ("é", "^", "unexpected character 'é'"),
        ("'abc", "^^^^", "unterminated string literal"),
        ("a == 'x", "     ^^", "unterminated string literal"),
        ('"a\\"', "^^^^", "unterminated string literal"),
        ("a = b", "  ^", "use '==' to compare"),
        ("!a", "^", "use 'not' to negate"),
        ("a && b", "  ^^", "use 'and'"),
        ("a || b", "  ^^", "use 'or'"),
        ("a ? b : c", "  ^", "the `c ? a : b` conditional is not supported"),
        ("a.0", "  ^", "use [0] to index by position"),
        ("a.'b'", "  ^^^", "expected a name after '.'"),
        ("f(x)(y)", "    ^", "only functions can be called, as name(args)"),
        ("a[0](1)", "    ^", "only functions can be called"),
        ("[1](2)", "   ^", "only functions can be called"),
        ("f(1,)", "    ^", "unexpected ')'; expected a value"),
        ("f(,)", "  ^", "unexpected ','"),
        ("a == not b", "     ^^^", "unexpected 'not'; expected a value"),
        ("- not a", "  ^^^", "unexpected 'not'"),
        ("a not b", "  ^^^", "unexpected 'not'"),
        ("1e5", " ^^", "unexpected name 'e5'"),
        ("99999999999999999999", "^^^^^^^^^^^^^^^^^^^^", "integer literal is too large"),
        ("x -", "  ^", "Jinja whitespace control `-}}` is not supported"),
        ("{'a' 1}", "     ^", "expected ':' after an object key"),
        ("{'a': 1", "      ^", "expected ',' or '}'"),
        ("a[1:2", "    ^", "expected ']'"),
        ("a else b", "  ^^^^", "unexpected name 'else'"),
    ],
)
def test_syntax_errors(src: str, marker: str, message: str) -> None:
    result = parse_expression(src)
    assert result.ast is None
    assert len(result.errors) == 1
    error = result.errors[0]
    assert error.kind == "syntax"
    assert message in error.message
    assert underline(src, error.start, error.end) == marker
    assert result.syntax_error is error
    assert not result.ok


def test_trailing_minus_without_whitespace_control_hint() -> None:
    error = parse_expression("a - ").errors[0]
    assert "whitespace control" not in error.message


@pytest.mark.parametrize(("src", "end"), [("", 0), ("   ", 3), ("\n", 1)])
def test_empty_expression(src: str, end: int) -> None:
    result = parse_expression(src)
    assert result.ast is None
    assert [(e.kind, e.message, e.start, e.end) for e in result.errors] == [
        ("syntax", "empty expression", 0, end)
    ]


@pytest.mark.parametrize(
    "src",
    [
        "(" * 500 + "a" + ")" * 500,
        "[" * 500 + "]" * 500,
        "-" * 2000 + "a",
        "not " * 1000 + "a",
        "f(" * 400 + ")" * 400,
        "{" * 300,
        "a is b " * 400,
    ],
)
def test_deep_nesting_is_a_syntax_error(src: str) -> None:
    result = parse_expression(src)
    assert result.ast is None
    assert result.syntax_error is not None
    assert "nested too deeply" in result.syntax_error.message


def test_moderate_nesting_is_fine() -> None:
    assert parse_expression("(" * 50 + "a" + ")" * 50).ok
    assert parse_expression("-" * 60 + "a").ok


def test_long_flat_chains_parse() -> None:
    src = " + ".join(["a"] * 3000)
    result = parse_expression(src)
    assert result.ok
    assert isinstance(result.ast, Binary)
    assert (result.ast.start, result.ast.end) == (0, len(src))
    chain = "a" + ".b" * 3000
    assert parse_expression(chain).ok


def test_unsupported_errors_kept_before_a_syntax_error() -> None:
    result = parse_expression("x | length +")
    assert [e.kind for e in result.errors] == ["unsupported", "syntax"]
    assert result.ast is None
    assert len(result.unsupported) == 1


def test_results_are_cached_and_immutable() -> None:
    first = parse_expression("task.a.b == 1")
    assert parse_expression("task.a.b == 1") is first
    assert isinstance(first, ParseResult)
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.ast = None  # type: ignore[misc]
    assert isinstance(first.errors, tuple)
    node = first.ast
    assert isinstance(node, Binary)
    with pytest.raises(dataclasses.FrozenInstanceError):
        node.op = "+"  # type: ignore[misc]
    hash(first)


def test_error_shifted() -> None:
    error = parse_expression("x | length").errors[0]
    moved = error.shifted(3)
    assert (moved.start, moved.end) == (error.start + 3, error.end + 3)
    assert moved.fix is not None and error.fix is not None
    assert (moved.fix.start, moved.fix.text) == (error.fix.start + 3, error.fix.text)


def test_parse_template() -> None:
    pairs = parse_template("id={{ task.a.id }} n={{ x | length }} {{ }}")
    assert [block.expr for block, _ in pairs] == [" task.a.id ", " x | length ", " "]
    assert [result.ok for _, result in pairs] == [True, False, False]
    assert pairs[1][1].errors[0].kind == "unsupported"
    assert pairs[2][1].errors[0].message == "empty expression"


@pytest.mark.parametrize(
    "src",
    [
        "succeeded()",
        "failed() or timed_out() or cancelled()",
        "succeeded() and result().code == 200",
        "inquiry.approve.response.approved == true",
        'keystore["db.password"]',
        "task.create_root.result.post.id",
        "task.X.data.field",
        "join(split(parameters.csv, ','), '-')",
        "length(task.list.result.items) > 0 and 'x' in parameters.tags",
        "slice(item, 0, 3)",
        "range(1, 10)",
        "merge(workflow.base, workflow.extra)",
        "system.workflow_start",
        "index % 2 == 0",
        "-1",
        "10 / 4",
        "[item.id, item['name']][-1]",
    ],
)
def test_real_world_expressions_parse_cleanly(src: str) -> None:
    parse_ok(src)

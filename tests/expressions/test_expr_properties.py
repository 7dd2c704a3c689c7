"""Property tests: any text parses without raising, with spans in bounds."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attune_workflow.expressions import (
    Member,
    Name,
    block_at,
    children,
    completion_context,
    find_blocks,
    find_jinja_statements,
    is_mixed_template,
    is_pure_template,
    parse_expression,
    paths,
    reference_at,
    walk,
)

# Fragments that reach every branch of the tokenizer and parser, glued at random.
FRAGMENTS = [
    "a", "task", "x1", "_", "if", "else", "is", "not", "in", "and", "or", "true", "null",
    "ctx", "st2kv", "system", "length", "0", "12", "3.5", "'s'", '"d"', "'", '"', "\\",
    ".", ",", "(", ")", "[", "]", "{", "}", ":", "|", "+", "-", "*", "/", "%", "//", "**",
    "==", "!=", "<", ">=", "=", "!", "&&", "~", "?", "$", "é", " ", "\n", "{{", "}}", "{%",
]  # fmt: skip

expression_text = st.one_of(
    st.text(max_size=80),
    st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join),
    st.lists(st.sampled_from(FRAGMENTS), max_size=40).map(" ".join),
)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expression_text)
def test_parse_never_raises_and_spans_are_in_bounds(src: str) -> None:
    result = parse_expression(src)
    length = len(src)
    syntax = [e for e in result.errors if e.kind == "syntax"]
    assert len(syntax) <= 1
    assert (result.ast is None) == bool(syntax)
    for error in result.errors:
        assert error.kind in ("syntax", "unsupported")
        assert 0 <= error.start <= error.end <= length
        if src.strip():
            assert error.end > error.start
        if error.fix is not None:
            assert 0 <= error.fix.start <= error.fix.end <= length
    if result.ast is None:
        return
    for node in walk(result.ast):
        assert 0 <= node.start <= node.end <= length
        for child in children(node):
            assert node.start <= child.start and child.end <= node.end
        if isinstance(node, Member):
            assert node.start <= node.name_start <= node.name_end == node.end
            assert src[node.name_start : node.name_end] == node.name
        if isinstance(node, Name):
            assert src[node.start : node.end] == node.id
    for path in paths(result.ast):
        for segment in path.segments:
            assert 0 <= segment.start <= segment.end <= length
    for offset in range(0, length + 1, 7):
        reference_at(result.ast, offset)


@settings(max_examples=500, deadline=None)
@given(expression_text, st.integers(min_value=-2, max_value=90))
def test_completion_context_never_raises(src: str, offset: int) -> None:
    context = completion_context(src, offset)
    if context is not None:
        assert 0 <= context.start <= min(max(offset, 0), len(src))


template_text = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(["{{", "}}", "{%", "%}", "{#", "#}", "a", " ", "{", "}"])).map(
        "".join
    ),
)


@settings(max_examples=800, deadline=None)
@given(template_text)
def test_template_scanning(text: str) -> None:
    previous_end = 0
    for block in find_blocks(text):
        assert previous_end <= block.start
        assert text[block.start : block.expr_start] == "{{"
        assert text[block.expr_end : block.end] == "}}"
        assert text[block.expr_start : block.expr_end] == block.expr
        assert "}}" not in block.expr
        previous_end = block.end
    rest = text[previous_end:]
    opening = rest.find("{{")
    assert opening < 0 or "}}" not in rest[opening + 2 :]
    assert not (is_pure_template(text) and is_mixed_template(text))
    for start, end in find_jinja_statements(text):
        assert 0 <= start < end <= len(text)
        assert text[start] == "{" and text[end - 1] == "}"
    for offset in range(len(text) + 1):
        found = block_at(text, offset)
        if found is not None:
            assert found.expr_start <= offset <= found.expr_end


# Valid Attune expressions, built from the grammar.
IDENTIFIERS = st.from_regex(r"[a-z_][a-z0-9_]{0,6}", fullmatch=True).filter(
    lambda s: (
        s
        not in {
            "and",
            "or",
            "not",
            "in",
            "true",
            "false",
            "null",
            "if",
            "else",
            "is",
            "ctx",
            "st2kv",
        }
    )
)
STRINGS = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\\\"'"),
    max_size=8,
).map(lambda s: f'"{s}"')
ATOMS = st.one_of(
    IDENTIFIERS,
    st.integers(min_value=0, max_value=10**6).map(str),
    st.floats(min_value=0, max_value=1e6, allow_nan=False).map(lambda f: f"{f:.3f}"),
    STRINGS,
    st.sampled_from(["true", "false", "null"]),
)
BINARY_OPS = ["or", "and", "==", "!=", "<", ">", "<=", ">=", "in", "+", "-", "*", "/", "%"]


def _extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(inner, st.sampled_from(BINARY_OPS), inner).map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
        inner.map(lambda e: f"(not {e})"),
        inner.map(lambda e: f"-({e})"),
        inner.map(lambda e: f"({e})"),
        st.tuples(inner, IDENTIFIERS).map(lambda t: f"({t[0]}).{t[1]}"),
        st.tuples(inner, inner).map(lambda t: f"({t[0]})[{t[1]}]"),
        st.tuples(IDENTIFIERS, st.lists(inner, max_size=3)).map(
            lambda t: f"{t[0]}({', '.join(t[1])})"
        ),
        st.lists(inner, max_size=3).map(lambda items: f"[{', '.join(items)}]"),
    )


VALID = st.recursive(ATOMS, _extend, max_leaves=12)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(VALID)
def test_valid_expressions_parse_cleanly(src: str) -> None:
    result = parse_expression(src)
    assert result.errors == ()
    assert result.ast is not None
    # The root spans the whole text but for the parentheses around it.
    assert src[: result.ast.start].strip("( ") == ""
    assert src[result.ast.end :].strip(") ") == ""

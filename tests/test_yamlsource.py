"""Positioned parsing: spans, duplicate keys, syntax errors, scalar offset maps."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attune_lsp.convert import codepoint_column, utf16_column
from attune_workflow.positions import LineIndex, Span
from attune_workflow.yamlsource import ScalarNode, parse_yaml, scalar_offsets


def scalars(node: object) -> list[ScalarNode]:
    if isinstance(node, ScalarNode):
        return [node]
    out: list[ScalarNode] = []
    for item in getattr(node, "value", []):
        if isinstance(item, tuple):
            out += scalars(item[0]) + scalars(item[1])
        else:
            out += scalars(item)
    return out


def value_of(text: str, key: str) -> ScalarNode:
    doc = parse_yaml(text)
    for k, v in doc.root.value:  # type: ignore[union-attr]
        if k.value == key:
            assert isinstance(v, ScalarNode)
            return v
    raise KeyError(key)


def locate(text: str, key: str, needle: str) -> Span:
    """The span of ``needle`` inside the value of ``key``."""
    doc = parse_yaml(text)
    node = value_of(text, key)
    start = node.value.index(needle)
    return doc.value_span(node, start, start + len(needle))


CASES = [
    # (text, key, needle, (line, col, end_line, end_col))
    ('a: "{{ parameters.itme_count }}"\n', "a", "itme_count", (0, 18, 0, 28)),
    ("a: '{{ x }} it''s {{ bad }}'\n", "a", "bad", (0, 21, 0, 24)),
    ('a: "tab\\t{{ bad }}"\n', "a", "bad", (0, 12, 0, 15)),
    ('a: "\\u00e9{{ bad }}"\n', "a", "bad", (0, 13, 0, 16)),
    ("a: plain {{ x }}\n  next {{ bad }}\n", "a", "bad", (1, 10, 1, 13)),
    ("a: |\n  one {{ x }}\n  two {{ bad }}\n", "a", "bad", (2, 9, 2, 12)),
    ("a: >\n  one {{ x }}\n  two {{ bad }}\n\n  para {{ worse }}\n", "a", "worse", (4, 10, 4, 15)),
    ("a: |-\n    deep\n    {{ bad }}\nb: 1\n", "a", "bad", (2, 7, 2, 10)),
    ('a: "line one\n  {{ bad }} two"\n', "a", "bad", (1, 5, 1, 8)),
    ('a: "é{{ bad }}"\n', "a", "bad", (0, 8, 0, 11)),
]


@pytest.mark.parametrize(("text", "key", "needle", "expected"), CASES)
def test_value_spans_are_exact(text: str, key: str, needle: str, expected: tuple[int, ...]) -> None:
    span = locate(text, key, needle)
    assert (span.line, span.column, span.end_line, span.end_column) == expected
    line = LineIndex(text).line_text(span.line)
    assert line[span.column : span.end_column] == needle


def test_core_schema_tags() -> None:
    data = parse_yaml("a: yes\nb: 0o17\nc: 1.0\nd: ~\ne: True\nf: 1_000\ng: 0x1F\n").data
    assert data == {"a": "yes", "b": 15, "c": 1.0, "d": None, "e": True, "f": "1_000", "g": 31}


def test_duplicate_keys_are_kept_with_both_positions() -> None:
    doc = parse_yaml("tasks:\n  - name: a\n    action: x\n    action: y\n")
    (dup,) = doc.duplicates
    assert dup.key == "action"
    assert (dup.span.line, dup.span.column, dup.first.line) == (3, 4, 2)
    assert doc.data["tasks"][0]["action"] == "x"


def test_syntax_error_has_a_character() -> None:
    doc = parse_yaml("a: [1, 2\n")
    assert doc.syntax_error is not None
    message, span = doc.syntax_error
    assert span.end_column - span.column == 1 or span.end_line > span.line
    assert message[0].isupper()


def test_multiple_documents_are_counted() -> None:
    doc = parse_yaml("a: 1\n---\nb: 2\n")
    assert doc.document_count == 2
    assert doc.extra_document is not None and doc.extra_document.line == 2


def test_utf16_columns_round_trip() -> None:
    line = 'a: "😀 {{ x }}"'
    col = line.index("x")
    units = utf16_column(line, col)
    assert units == col + 1
    assert codepoint_column(line, units) == col


_scalar_text = st.text(alphabet=st.sampled_from(list("ab {}x'\"\\\n\té")), min_size=0, max_size=30)


@settings(max_examples=300, deadline=None)
@given(_scalar_text, st.sampled_from(["plain", "single", "double", "literal", "folded"]))
def test_offset_maps_agree_with_the_source(value: str, style: str) -> None:
    """Where a map is returned, each non-escaped character comes from its mapped place."""
    import yaml

    styles = {"plain": None, "single": "'", "double": '"', "literal": "|", "folded": ">"}
    try:
        text = yaml.dump({"k": value}, default_style=styles[style], allow_unicode=True)
    except yaml.YAMLError:
        return
    doc = parse_yaml(text)
    if doc.syntax_error is not None or not isinstance(doc.data, dict):
        return
    for node in scalars(doc.root):
        offsets = scalar_offsets(text, node)
        if offsets is None:
            continue
        assert len(offsets) == len(node.value) + 1
        for index, char in enumerate(node.value):
            source = text[offsets[index]]
            if node.style != '"' and char not in " \n":
                assert source == char


TREE_CASES = [
    "a: 1\nb: [1, 2.5, !!int x, !!float y]\n",
    "tasks:\n  - name: t\n    input: {n: !!int 12x, m: ok}\n  - name: u\n",
    "a: 1\na: 2\nb: !!int q\n",  # a duplicate key: the full measure
    "? [a, b]\n: 1\nc: !!float z\n",  # a complex key: the full measure
    "!!int nope\n",
    "[" * 130 + "]" * 130 + "\n",  # too deep
    "[" * 127 + "!!int x" + "]" * 127 + "\n",
]


@pytest.mark.parametrize("text", TREE_CASES)
def test_tree_walk_gives_what_the_full_measure_gives(text: str) -> None:
    fast = parse_yaml(text)
    # the same text with an anchor on a comment line takes the full measure
    slow = parse_yaml(text + "# &\n")
    assert "&" not in text
    assert fast.data == slow.data
    assert fast.syntax_error == slow.syntax_error
    assert sorted(fast.scalar_errors) == sorted(slow.scalar_errors)
    assert fast.duplicates == slow.duplicates
    assert (fast.root is None) == (slow.root is None)


def test_tree_walk_finds_unreadable_scalars_in_document_order() -> None:
    doc = parse_yaml("a: !!int x\nb:\n  - !!float y\n  - {c: !!int 1e}\n")
    assert [span.line for _, span in doc.scalar_errors] == [0, 2, 3]

"""Finding `{{ }}` blocks, pure/mixed templates, Jinja statements."""

from __future__ import annotations

import pytest

from attune_workflow.expressions import (
    Block,
    block_at,
    find_blocks,
    find_jinja_statements,
    is_mixed_template,
    is_pure_template,
)


def spans(text: str) -> list[tuple[int, int, int, int, str]]:
    return [(b.start, b.end, b.expr_start, b.expr_end, b.expr) for b in find_blocks(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{{ a }}", [(0, 7, 2, 5, " a ")]),
        ("{{ a }} and {{ b }}", [(0, 7, 2, 5, " a "), (12, 19, 14, 17, " b ")]),
        ("{{a}}{{b}}", [(0, 5, 2, 3, "a"), (5, 10, 7, 8, "b")]),
        ("x={{ a }}!", [(2, 9, 4, 7, " a ")]),
        ("{{ }}", [(0, 5, 2, 3, " ")]),
        ("{{}}", [(0, 4, 2, 2, "")]),
        ("{{ a", []),
        ("plain text", []),
        ("", []),
        ("}} {{ a }}", [(3, 10, 5, 8, " a ")]),
        ("{{ a }} {{ b", [(0, 7, 2, 5, " a ")]),
        ("{{ a {{ b }}", [(0, 12, 2, 10, " a {{ b ")]),
        ("{{ a }}}", [(0, 7, 2, 5, " a ")]),
        ("{{{ a }}}", [(0, 8, 2, 6, "{ a ")]),
        ("{{ '}}' }}", [(0, 6, 2, 4, " '")]),
        ("{ {a} }", []),
        ("{{\n  a\n}}", [(0, 9, 2, 7, "\n  a\n")]),
    ],
)
def test_find_blocks(text: str, expected: list[tuple[int, int, int, int, str]]) -> None:
    assert spans(text) == expected


def test_blocks_are_immutable_tuples() -> None:
    blocks = find_blocks("{{ a }}")
    assert isinstance(blocks, tuple)
    assert blocks[0] == Block(0, 7, 2, 5, " a ")
    assert blocks[0].closed


@pytest.mark.parametrize(
    ("text", "pure", "mixed"),
    [
        ("{{ a }}", True, False),
        ("  {{ a }}  ", True, False),
        ("\n{{ a }}\n", True, False),
        ("{{ a }} ", True, False),
        ("x{{ a }}", False, True),
        ("{{ a }}x", False, True),
        ("{{ a }}{{ b }}", False, True),
        ("{{ a }} {{ b }}", False, True),
        ("id-{{ a }}-{{ b }}", False, True),
        ("{{ a }}}", False, True),
        ("plain", False, False),
        ("{{ a", False, False),
        ("", False, False),
        ("{{}}", True, False),
    ],
)
def test_pure_and_mixed(text: str, pure: bool, mixed: bool) -> None:
    assert is_pure_template(text) is pure
    assert is_mixed_template(text) is mixed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{% if x %}a{% endif %}", ((0, 10), (11, 22))),
        ("{# note #}", ((0, 10),)),
        ("a {%- for x in y -%} b", ((2, 20),)),
        ("{{ '{%' }}", ()),
        ("{{ a }}{% x %}", ((7, 14),)),
        ("{% unclosed", ()),
        ("{# unclosed", ()),
        ("{{ a {% x %}", ((5, 12),)),
        ("100{%", ()),
        ("no jinja", ()),
    ],
)
def test_find_jinja_statements(text: str, expected: tuple[tuple[int, int], ...]) -> None:
    assert find_jinja_statements(text) == expected


@pytest.mark.parametrize(
    ("text", "offset", "expected"),
    [
        ("a {{ b }} c", 5, (2, 9, " b ", True)),
        ("a {{ b }} c", 4, (2, 9, " b ", True)),
        ("a {{ b }} c", 7, (2, 9, " b ", True)),
        ("a {{ b }} c", 3, None),
        ("a {{ b }} c", 9, None),
        ("a {{ b }} c", 0, None),
        ("{{ task.", 8, (0, 8, " task.", False)),
        ("{{ a }} {{ task.x", 17, (8, 17, " task.x", False)),
        ("{{ a }} {{ task.x", 4, (0, 7, " a ", True)),
        ("{{ a }} {{ b", 9, None),
        ("{{", 2, (0, 2, "", False)),
        ("", 0, None),
    ],
)
def test_block_at(text: str, offset: int, expected: tuple[int, int, str, bool] | None) -> None:
    block = block_at(text, offset)
    if expected is None:
        assert block is None
    else:
        assert block is not None
        assert (block.start, block.end, block.expr, block.closed) == expected
        assert text[block.expr_start : block.expr_end] == block.expr

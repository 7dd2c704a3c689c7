"""Completion context at a cursor in incomplete expressions."""

from __future__ import annotations

import pytest

from attune_workflow.expressions import CompletionContext, completion_context


def at_cursor(marked: str) -> CompletionContext | None:
    """Completion context of `marked`, where `|` marks the cursor."""
    offset = marked.index("|")
    return completion_context(marked.replace("|", "", 1), offset)


@pytest.mark.parametrize(
    ("marked", "expected"),
    [
        ("task.|", ("member", "task", False, (), "", 5, None)),
        ("task.cre|", ("member", "task", False, (), "cre", 5, None)),
        ("task.cre| + 1", ("member", "task", False, (), "cre", 5, None)),
        ("task.foo.result.|", ("member", "task", False, ("foo", "result"), "", 16, None)),
        ("task . |", ("member", "task", False, (), "", 7, None)),
        ('x["a"].|', ("member", "x", False, ("a",), "", 7, None)),
        ("items[0].|", ("member", "items", False, (0,), "", 9, None)),
        ("items[-1].n|", ("member", "items", False, (-1,), "n", 10, None)),
        ("result().|", ("member", "result", True, (), "", 9, None)),
        ("result().res|", ("member", "result", True, (), "res", 9, None)),
        ("a.in|", ("member", "a", False, (), "in", 2, None)),
        ('task["cre|', ("key", "task", False, (), "cre", 6, '"')),
        ("task['|", ("key", "task", False, (), "", 6, "'")),
        ("task[|", ("key", "task", False, (), "", 5, None)),
        ('task["a"]["b|', ("key", "task", False, ("a",), "b", 11, '"')),
        ("len|", ("name", None, False, (), "len", 0, None)),
        ("|", ("name", None, False, (), "", 0, None)),
        ("a and |", ("name", None, False, (), "", 6, None)),
        ("a and no|", ("name", None, False, (), "no", 6, None)),
        ("length(|", ("name", None, False, (), "", 7, None)),
        ("f(a, pa|", ("name", None, False, (), "pa", 5, None)),
        ("x[i|", ("name", None, False, (), "i", 2, None)),
        ("  |  ", ("name", None, False, (), "", 2, None)),
    ],
)
def test_completion_context(
    marked: str,
    expected: tuple[str, str | None, bool, tuple[str | int, ...], str, int, str | None],
) -> None:
    context = at_cursor(marked)
    assert context is not None
    got = (
        context.kind,
        context.root,
        context.root_is_call,
        context.segments,
        context.prefix,
        context.start,
        context.quote,
    )
    assert got == expected


@pytest.mark.parametrize(
    "marked",
    ['"abc|', "'a' + 'b|", "12|", "1.5|", "(a + b).|", "f(x)(y).|", '"x"|', "'s'.|"],
)
def test_no_completion(marked: str) -> None:
    assert at_cursor(marked) is None


def test_offset_is_clamped() -> None:
    context = completion_context("task.", 99)
    assert context is not None and context.kind == "member"
    context = completion_context("task.", -5)
    assert context is not None and context.kind == "name"

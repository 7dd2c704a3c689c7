"""Reference paths, tree walking and lookups by offset."""

from __future__ import annotations

import pytest

from attune_workflow.expressions import (
    Binary,
    Call,
    Expr,
    Member,
    Name,
    Path,
    PathSegment,
    nodes_at,
    parse_expression,
    path_of,
    paths,
    reference_at,
    walk,
)


def tree(src: str) -> Expr:
    result = parse_expression(src)
    assert result.ast is not None, result.errors
    return result.ast


def underline(src: str, start: int, end: int) -> str:
    return " " * start + "^" * (end - start)


def describe(path: Path) -> tuple[str, tuple[str | int, ...], bool]:
    return path.root_name, path.keys, path.dynamic


def test_path_of_member_chain() -> None:
    src = "task.create_root.result.post.id"
    path = path_of(tree(src))
    assert path is not None
    assert isinstance(path.root, Name)
    assert (path.root.id, path.root.start, path.root.end) == ("task", 0, 4)
    assert path.segments == (
        PathSegment("create_root", 5, 16, False),
        PathSegment("result", 17, 23, False),
        PathSegment("post", 24, 28, False),
        PathSegment("id", 29, 31, False),
    )
    assert [underline(src, s.start, s.end) for s in path.segments][-1] == " " * 29 + "^^"
    assert not path.dynamic
    assert (path.node.start, path.node.end) == (0, 31)


def test_path_of_brackets() -> None:
    src = 'task["my-task"].x[0][-1]'
    path = path_of(tree(src))
    assert path is not None
    assert path.segments == (
        PathSegment("my-task", 5, 14, True),
        PathSegment("x", 16, 17, False),
        PathSegment(0, 18, 19, True),
        PathSegment(-1, 21, 23, True),
    )
    assert underline(src, 5, 14) == "     ^^^^^^^^^"


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        ("x", ("x", (), False)),
        ("parameters.p", ("parameters", ("p",), False)),
        ("keystore", ("keystore", (), False)),
        ('keystore["db.password"]', ("keystore", ("db.password",), False)),
        ("keystore.db.password", ("keystore", ("db", "password"), False)),
        ("task[x].y", ("task", (), True)),
        ("task.a[i].b", ("task", ("a",), True)),
        ("task.a[1.5]", ("task", ("a",), True)),
        ("task.a[true]", ("task", ("a",), True)),
        ("result().result.x", ("result", ("result", "x"), False)),
        ("(task).a", ("task", ("a",), False)),
    ],
)
def test_path_of(src: str, expected: tuple[str, tuple[str | int, ...], bool]) -> None:
    path = path_of(tree(src))
    assert path is not None
    assert describe(path) == expected


def test_path_of_call_root() -> None:
    path = path_of(tree("result().response"))
    assert path is not None
    assert isinstance(path.root, Call)
    assert (path.root.name_start, path.root.name_end) == (0, 6)


@pytest.mark.parametrize("src", ["length(x)", "(a + b).c", "[1, 2][0]", "1", "'s'.x", "-a"])
def test_path_of_none(src: str) -> None:
    assert path_of(tree(src)) is None


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        (
            "a.b + c[d.e].f + g(h.i)",
            [("a", ("b",), False), ("c", (), True), ("d", ("e",), False), ("h", ("i",), False)],
        ),
        ("task.a.b == 1", [("task", ("a", "b"), False)]),
        ("x.y | length", [("x", ("y",), False)]),
        ("a if b.c else d", [("a", (), False), ("b", ("c",), False), ("d", (), False)]),
        ("result().x and succeeded()", [("result", ("x",), False)]),
        ("f(result().x)", [("result", ("x",), False)]),
        ("[item.a, item['b']]", [("item", ("a",), False), ("item", ("b",), False)]),
        ("xs[ys[0]].z", [("xs", (), True), ("ys", (0,), False)]),
        ("(a + b).c", [("a", (), False), ("b", (), False)]),
        ("ctx('x') + st2kv.system.k", []),
        ("{'k': v}", [("v", (), False)]),
        ("1 + 2", []),
    ],
)
def test_paths(src: str, expected: list[tuple[str, tuple[str | int, ...], bool]]) -> None:
    assert [describe(p) for p in paths(tree(src))] == expected


def test_paths_of_long_chains_do_not_recurse() -> None:
    src = " + ".join(f"v{i}.x" for i in range(3000))
    found = paths(tree(src))
    assert len(found) == 3000
    assert found[-1].root_name == "v2999"
    chain = path_of(tree("a" + ".b" * 3000))
    assert chain is not None and len(chain.segments) == 3000


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        (0, ("task", -1)),
        (3, ("task", -1)),
        (4, ("task", -1)),
        (5, ("task", 0)),
        (8, ("task", 0)),
        (9, ("task", 1)),
        (12, ("task", 1)),
        (13, None),
        (16, ("x", -1)),
        (17, ("x", -1)),
    ],
)
def test_reference_at(offset: int, expected: tuple[str, int] | None) -> None:
    src = "task.foo.bar == x"
    hit = reference_at(tree(src), offset)
    if expected is None:
        assert hit is None
    else:
        assert hit is not None
        assert (hit[0].root_name, hit[1]) == expected


def test_reference_at_call_root() -> None:
    hit = reference_at(tree("result().code"), 2)
    assert hit is not None and hit[1] == -1 and hit[0].root_name == "result"


def test_walk_is_pre_order_in_source_order() -> None:
    node = tree("a + f(b, c.d)")
    kinds = [type(n).__name__ + (f":{n.id}" if isinstance(n, Name) else "") for n in walk(node)]
    assert kinds == ["Binary", "Name:a", "Call", "Name:b", "Member", "Name:c"]


def test_walk_long_chain() -> None:
    node = tree(" + ".join(["a"] * 5000))
    assert sum(1 for _ in walk(node)) == 9999


def test_nodes_at() -> None:
    src = "a + f(b.c)"
    node = tree(src)
    chain = nodes_at(node, 6)
    assert [type(n).__name__ for n in chain] == ["Binary", "Call", "Member", "Name"]
    assert isinstance(chain[0], Binary)
    member = nodes_at(node, 8)[-1]
    assert isinstance(member, Member) and member.name == "c"
    assert nodes_at(node, 10) == ()
    assert nodes_at(node, -1) == ()


def test_parse_result_paths_are_cached() -> None:
    result = parse_expression("task.a.b + parameters.p")
    assert result.src == "task.a.b + parameters.p"
    assert [describe(p) for p in result.paths] == [
        ("task", ("a", "b"), False),
        ("parameters", ("p",), False),
    ]
    assert result.paths is result.paths
    assert parse_expression("a +").paths == ()

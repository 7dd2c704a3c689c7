"""Expression syntax tree, traversal, and reference paths such as `task.x.result`.

Every node has `start` and `end`: offsets into the expression string, end exclusive.
Leaves (names, literals) span exactly their token; compound nodes also cover the
parentheses around their operands, so `(a + b) * c` spans the whole text.
"""

from __future__ import annotations

import typing
from collections.abc import Iterator
from dataclasses import dataclass

from ..frozen import quick_init

LiteralValue = int | float | str | bool | None
UnaryOp = typing.Literal["-", "not"]
BinaryOp = typing.Literal[
    "or", "and", "==", "!=", "<", ">", "<=", ">=", "in", "+", "-", "*", "/", "%"
]
Construct = typing.Literal[
    "filter",
    "test",
    "conditional",
    "object",
    "slice",
    "method-call",
    "not-in",
    "tilde",
    "floor-division",
    "power",
    "ctx",
    "st2kv",
]


@quick_init
@dataclass(frozen=True, slots=True)
class Literal:
    """A number, string, `true`, `false` or `null`."""

    start: int
    end: int
    value: LiteralValue


@quick_init
@dataclass(frozen=True, slots=True)
class ArrayLit:
    """An array literal `[a, b]`."""

    start: int
    end: int
    items: tuple[Expr, ...]


@quick_init
@dataclass(frozen=True, slots=True)
class Name:
    """A bare identifier: a namespace or a workflow variable."""

    start: int
    end: int
    id: str


@quick_init
@dataclass(frozen=True, slots=True)
class Member:
    """Dot access `obj.name`; `name_start`/`name_end` locate the name after the dot."""

    start: int
    end: int
    obj: Expr
    name: str
    name_start: int
    name_end: int


@quick_init
@dataclass(frozen=True, slots=True)
class Index:
    """Bracket access `obj[index]`."""

    start: int
    end: int
    obj: Expr
    index: Expr


@quick_init
@dataclass(frozen=True, slots=True)
class Call:
    """A function call `name(args)`; only plain names can be called."""

    start: int
    end: int
    name: str
    name_start: int
    name_end: int
    args: tuple[Expr, ...]


@quick_init
@dataclass(frozen=True, slots=True)
class Unary:
    """Negation `-x` or logical `not x`."""

    start: int
    end: int
    op: UnaryOp
    operand: Expr


@quick_init
@dataclass(frozen=True, slots=True)
class Binary:
    """A binary operation: arithmetic, comparison, `in`, `and`, `or`."""

    start: int
    end: int
    op: BinaryOp
    left: Expr
    right: Expr


@quick_init
@dataclass(frozen=True, slots=True)
class Unsupported:
    """Stand-in for syntax Attune lacks (already reported); `parts` are its sub-expressions."""

    start: int
    end: int
    construct: Construct
    parts: tuple[Expr, ...]


Expr = Literal | ArrayLit | Name | Member | Index | Call | Unary | Binary | Unsupported


def children(node: Expr) -> tuple[Expr, ...]:
    """The direct sub-expressions of `node`, in source order."""
    if isinstance(node, Member):
        return (node.obj,)
    if isinstance(node, Index):
        return (node.obj, node.index)
    if isinstance(node, Call):
        return node.args
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, ArrayLit):
        return node.items
    if isinstance(node, Unsupported):
        return node.parts
    return ()


def walk(node: Expr) -> Iterator[Expr]:
    """Every node of the tree, pre-order, in source order."""
    stack = [node]
    pop = stack.pop
    extend = stack.extend
    while stack:
        current = pop()
        yield current
        kids = children(current)
        if kids:
            extend(reversed(kids))


def nodes_at(node: Expr, offset: int) -> tuple[Expr, ...]:
    """The nodes whose span contains `offset`, outermost first."""
    if not node.start <= offset < node.end:
        return ()
    found = [node]
    current: Expr | None = node
    while current is not None:
        inner = None
        for kid in children(current):
            if kid.start <= offset < kid.end:
                inner = kid
                break
        if inner is not None:
            found.append(inner)
        current = inner
    return tuple(found)


@quick_init
@dataclass(frozen=True, slots=True)
class PathSegment:
    """One step of a reference path: `.name` (`bracketed` false) or `["key"]` / `[0]`.

    The span is the name after the dot, or the literal inside the brackets (quotes included).
    """

    key: str | int
    start: int
    end: int
    bracketed: bool


@quick_init
@dataclass(frozen=True, slots=True)
class Path:
    """A reference chain such as `task.create.result.id`.

    `root` is the name (or the call, as in `result().x`) the chain starts from;
    `segments` are its static steps. `dynamic` is true when the chain goes on with
    an index that is not a literal (`task[x]`); the segments stop before it. `node` is
    the outermost node of the whole chain.
    """

    root: Name | Call
    segments: tuple[PathSegment, ...]
    node: Expr
    dynamic: bool

    @property
    def root_name(self) -> str:
        """The root's identifier or function name."""
        return self.root.id if isinstance(self.root, Name) else self.root.name

    @property
    def keys(self) -> tuple[str | int, ...]:
        """The segment keys alone."""
        return tuple(segment.key for segment in self.segments)


def _static_key(index: Expr) -> str | int | None:
    if isinstance(index, Literal):
        value = index.value
        if isinstance(value, str):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        return None
    if (
        isinstance(index, Unary)
        and index.op == "-"
        and isinstance(index.operand, Literal)
        and type(index.operand.value) is int
    ):
        return -index.operand.value
    return None


def _chain(node: Expr) -> tuple[list[Member | Index], Expr]:
    """The Member/Index steps below `node` (innermost first) and the node they start from."""
    steps: list[Member | Index] = []
    base = node
    while isinstance(base, (Member, Index)):
        steps.append(base)
        base = base.obj
    steps.reverse()
    return steps, base


def _make_path(steps: list[Member | Index], root: Name | Call, outer: Expr) -> Path:
    segments: list[PathSegment] = []
    dynamic = False
    for step in steps:
        if isinstance(step, Member):
            segments.append(PathSegment(step.name, step.name_start, step.name_end, False))
            continue
        key = _static_key(step.index)
        if key is None:
            dynamic = True
            break
        segments.append(PathSegment(key, step.index.start, step.index.end, True))
    return Path(root, tuple(segments), outer, dynamic)


def path_of(node: Expr) -> Path | None:
    """The reference path `node` denotes, or None if it is not a name/call with accessors.

    A bare name gives a path without segments; a bare call gives None.
    """
    steps, base = _chain(node)
    if isinstance(base, Name) or (isinstance(base, Call) and steps):
        return _make_path(steps, base, node)
    return None


def paths(node: Expr) -> tuple[Path, ...]:
    """Every maximal reference path in the tree, in source order.

    `task.a.b` gives one path, not three; names inside index expressions, call
    arguments and unsupported constructs give paths of their own.
    """
    found: list[Path] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, (Member, Index, Name, Call)):
            steps, base = _chain(current)
            if isinstance(base, Name) or (isinstance(base, Call) and steps):
                found.append(_make_path(steps, base, current))
            if isinstance(base, Call):
                stack.extend(base.args)
            elif not isinstance(base, Name):
                stack.append(base)
            for step in steps:
                if step.__class__ is Index:
                    stack.append(step.index)
        else:
            stack.extend(children(current))
    if len(found) > 1:
        found.sort(key=lambda path: path.root.start)
    return tuple(found)


def _root_span(path: Path) -> tuple[int, int]:
    root = path.root
    if isinstance(root, Name):
        return root.start, root.end
    return root.name_start, root.name_end


def reference_at(node: Expr, offset: int) -> tuple[Path, int] | None:
    """The path under `offset` and which part: -1 for the root, else the segment index.

    A cursor just after a name still counts as on it.
    """
    all_paths = paths(node)
    for inclusive in (False, True):
        for path in all_paths:
            start, end = _root_span(path)
            if start <= offset < end or (inclusive and offset == end):
                return path, -1
            for i, segment in enumerate(path.segments):
                if segment.start <= offset < segment.end or (inclusive and offset == segment.end):
                    return path, i
    return None

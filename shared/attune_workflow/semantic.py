"""What each part of a workflow is, for semantic highlighting.

Inside every ``{{ }}`` block of a templated field: namespaces, functions, task names,
parameters, variables, fields, strings, numbers, keywords and operators. Outside: the
task names (where a task is declared and where a transition starts it). Tokens are
spans of one line, in document order; the editor edge numbers the types.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from .context import Context, Expression
from .expressions import (
    ALL_FUNCTIONS,
    NAMESPACES,
    Call,
    Expr,
    parse_expression,
    paths,
    tokenize,
    walk,
)
from .expressions.memo import file_memoized
from .expressions.tokens import FLOAT, INT, KEYWORD_KINDS, NAME, STRING, UNTERMINATED
from .locate import value_runs
from .positions import Span
from .yamlsource import ScalarNode, end_position, scalar_offsets, start_position

TOKEN_TYPES: tuple[str, ...] = (
    "namespace",
    "function",
    "class",
    "parameter",
    "variable",
    "property",
    "string",
    "number",
    "keyword",
    "operator",
    "macro",
)
"""Every token type, in the order of the legend (task names are ``class``)."""

TOKEN_MODIFIERS: tuple[str, ...] = ("declaration", "defaultLibrary", "readonly")
"""Every modifier, in the order of the legend."""

OPERATORS = frozenset(
    {"==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "/", "%", "&&", "||", "**", "//", "!", "~"}
)
TASK_ROOTS = frozenset(name for name, info in NAMESPACES.items() if info.task_keyed)
WORKFLOW_ROOTS = frozenset(
    name for name, info in NAMESPACES.items() if info.canonical == "workflow"
)


@dataclass(frozen=True, slots=True)
class SemanticToken:
    """A span of one line and what it is."""

    span: Span
    type: str
    modifiers: frozenset[str] = frozenset()


Kinds = dict[int, tuple[str, frozenset[str]]]

_LIBRARY = frozenset({"defaultLibrary"})
_DECLARATION = frozenset({"declaration"})
_READONLY = frozenset({"readonly"})
_NONE: frozenset[str] = frozenset()


def semantic_tokens(ctx: Context) -> list[SemanticToken]:
    """The semantic tokens of a file, sorted by position (empty unless it is a workflow)."""
    view = ctx.view
    if view is None:
        return []
    found: list[SemanticToken] = []
    add = found.append
    places: dict[int, _Place] = {}

    def place(node: ScalarNode) -> _Place:
        known = places.get(id(node))
        if known is None:
            known = places[id(node)] = _Place(ctx, node)
        return known

    for task in view.all_tasks():
        if task.name_node is not None:
            node = task.name_node
            place(node).add(add, 0, len(str(node.value)), "class", _DECLARATION)
        for transition in task.transitions:
            for target in transition.targets:
                place(target.node).add(add, 0, len(target.name), "class", _NONE)
    for expr in ctx.expressions:
        block = expr.block
        where = place(expr.node)
        where.add(add, block.start, block.start + 2, "macro", _NONE)
        base = block.expr_start
        for start, end, kind, modifiers in expression_tokens(expr):
            where.add(add, base + start, base + end, kind, modifiers)
        where.add(add, block.expr_end, block.end, "macro", _NONE)
    found.sort(key=lambda token: (token.span.line, token.span.column))
    return _without_overlaps(found)


class _Place:
    """Where the characters of one scalar's value are in the source."""

    __slots__ = ("column", "ctx", "line", "offsets")

    def __init__(self, ctx: Context, node: ScalarNode) -> None:
        self.ctx = ctx
        self.offsets = scalar_offsets(ctx.text, node)
        self.line = self.column = -1
        offsets = self.offsets
        if (
            offsets is not None
            and start_position(node, ctx.doc.lines)[0] == end_position(node, ctx.doc.lines)[0]
            and offsets[-1] - offsets[0] == len(offsets) - 1
        ):
            # One line, one character per character (no escapes): plain arithmetic.
            self.line, self.column = ctx.doc.lines.position(offsets[0])

    def add(
        self,
        add: Callable[[SemanticToken], None],
        start: int,
        end: int,
        kind: str,
        modifiers: frozenset[str],
    ) -> None:
        if self.line >= 0:
            column = self.column
            add(
                SemanticToken(
                    Span(self.line, column + start, self.line, column + end), kind, modifiers
                )
            )
        elif self.offsets is not None:
            for span in value_runs(self.ctx, self.offsets, start, end):
                add(SemanticToken(span, kind, modifiers))


def expression_tokens(expr: Expression) -> tuple[tuple[int, int, str, frozenset[str]], ...]:
    """(start, end, type, modifiers) of the tokens of one block (offsets in its text)."""
    return _expression_tokens(expr.block.expr)


@file_memoized(4096)
def _expression_tokens(src: str) -> tuple[tuple[int, int, str, frozenset[str]], ...]:
    # Workflows repeat the same expressions (`succeeded()`, `parameters.x`): by text.
    return tuple(_classify(src))


def _classify(src: str) -> Iterator[tuple[int, int, str, frozenset[str]]]:
    kinds = _ast_kinds(parse_expression(src).ast)
    tokens = tokenize(src)
    for i, token in enumerate(tokens):
        kind = token.kind
        known = kinds.get(token.start)
        if known is not None:
            yield token.start, token.end, known[0], known[1]
        elif kind in (STRING, UNTERMINATED):
            yield token.start, token.end, "string", frozenset()
        elif kind in (INT, FLOAT):
            yield token.start, token.end, "number", frozenset()
        elif kind in KEYWORD_KINDS:
            yield token.start, token.end, "keyword", frozenset()
        elif kind in OPERATORS:
            yield token.start, token.end, "operator", frozenset()
        elif kind == NAME:
            # Not in the tree (the text does not parse): judge by the neighbours.
            after = tokens[i + 1].kind if i + 1 < len(tokens) else ""
            before = tokens[i - 1].kind if i > 0 else ""
            if after == "(":
                yield token.start, token.end, "function", _library(token.text)
            elif before == ".":
                yield token.start, token.end, "property", frozenset()
            elif token.text in NAMESPACES:
                yield token.start, token.end, "namespace", _LIBRARY
            else:
                yield token.start, token.end, "variable", frozenset()


def _library(name: str) -> frozenset[str]:
    return _LIBRARY if name in ALL_FUNCTIONS else frozenset()


def _ast_kinds(ast: Expr | None) -> Kinds:
    """Token types of names the tree knows, by their start offset."""
    kinds: Kinds = {}
    if ast is None:
        return kinds
    for node in walk(ast):
        if isinstance(node, Call):
            kinds[node.name_start] = ("function", _library(node.name))
    for ref in paths(ast):
        root = ref.root_name
        if not isinstance(ref.root, Call):
            if root in NAMESPACES:
                kinds[ref.root.start] = ("namespace", _LIBRARY)
            else:
                kinds[ref.root.start] = ("variable", frozenset())
        for index, segment in enumerate(ref.segments):
            if index == 0 and isinstance(segment.key, str) and not isinstance(ref.root, Call):
                if root in TASK_ROOTS:
                    kinds[segment.start] = ("class", frozenset())
                    continue
                if root == "parameters":
                    kinds[segment.start] = ("parameter", _READONLY)
                    continue
                if root in WORKFLOW_ROOTS:
                    kinds[segment.start] = ("variable", frozenset())
                    continue
            if not segment.bracketed:
                kinds[segment.start] = ("property", frozenset())
    return kinds


def _without_overlaps(tokens: list[SemanticToken]) -> list[SemanticToken]:
    """Drop tokens that start inside the previous one (clients reject overlaps)."""
    kept: list[SemanticToken] = []
    end = (-1, -1)
    for token in tokens:
        span = token.span
        if (span.line, span.column) < end:
            continue
        kept.append(token)
        end = (span.end_line, span.end_column)
    return kept

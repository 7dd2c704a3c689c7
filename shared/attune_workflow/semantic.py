"""What each part of a workflow is, for semantic highlighting.

Inside every ``{{ }}`` block of a templated field: namespaces, functions, task names,
parameters, variables, fields, strings, numbers, keywords and operators. Outside: the
task names (where a task is declared and where a transition starts it). Tokens are
spans of one line, in document order; the editor edge numbers the types.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .context import Context, Expression
from .expressions import ALL_FUNCTIONS, NAMESPACES, Call, paths, tokenize, walk
from .expressions.tokens import FLOAT, INT, KEYWORD_KINDS, NAME, STRING, UNTERMINATED
from .locate import value_runs
from .positions import Span
from .yamlsource import ScalarNode, scalar_offsets

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


def semantic_tokens(ctx: Context) -> list[SemanticToken]:
    """The semantic tokens of a file, sorted by position (empty unless it is a workflow)."""
    view = ctx.view
    if view is None:
        return []
    found: list[SemanticToken] = []
    offsets: dict[int, list[int] | None] = {}

    def runs(node: ScalarNode, start: int, end: int) -> Iterator[Span]:
        key = id(node)
        if key not in offsets:
            offsets[key] = scalar_offsets(ctx.text, node)
        mapped = offsets[key]
        if mapped is not None:
            yield from value_runs(ctx, mapped, start, end)

    for task in view.all_tasks():
        if task.name_node is not None:
            for span in runs(task.name_node, 0, len(str(task.name_node.value))):
                found.append(SemanticToken(span, "class", _DECLARATION))
        for transition in task.transitions:
            for target in transition.targets:
                for span in runs(target.node, 0, len(target.name)):
                    found.append(SemanticToken(span, "class"))
    for expr in ctx.expressions:
        block = expr.block
        for span in runs(expr.node, block.start, block.start + 2):
            found.append(SemanticToken(span, "macro"))
        for start, end, kind, modifiers in expression_tokens(expr):
            base = block.expr_start
            for span in runs(expr.node, base + start, base + end):
                found.append(SemanticToken(span, kind, modifiers))
        for span in runs(expr.node, block.expr_end, block.end):
            found.append(SemanticToken(span, "macro"))
    found.sort(key=lambda token: token.span)
    return _without_overlaps(found)


def expression_tokens(expr: Expression) -> Iterator[tuple[int, int, str, frozenset[str]]]:
    """(start, end, type, modifiers) of the tokens of one block (offsets in its text)."""
    kinds = _ast_kinds(expr)
    tokens = tokenize(expr.block.expr)
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


def _ast_kinds(expr: Expression) -> Kinds:
    """Token types of names the tree knows, by their start offset."""
    ast = expr.parsed.ast
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
    for token in tokens:
        if kept and token.span.start < kept[-1].span.end:
            continue
        kept.append(token)
    return kept

"""Nested ranges around a cursor, for editors' expand / shrink selection.

From the innermost out: the token and the expression nodes under the cursor inside a
``{{ }}`` block, the block's text, the block with its braces, the scalar, then each YAML
key-value pair, mapping, sequence item and collection that contains the cursor.
"""

from __future__ import annotations

from .context import Context
from .expressions import find_blocks, nodes_at, parse_expression, tokenize
from .locate import value_offset
from .positions import Span
from .yamlsource import MappingNode, Node, ScalarNode, SequenceNode, is_string


def _contains(span: Span, line: int, column: int) -> bool:
    return span.start <= (line, column) <= span.end


def selection_spans(ctx: Context, line: int, column: int) -> list[Span]:
    """Spans around a cursor, innermost first, each inside the next (none: empty)."""
    outer: list[Span] = []
    node: Node | None = ctx.doc.root
    while node is not None:
        span = ctx.span(node)
        if not _contains(span, line, column):
            break
        outer.append(span)
        node = _descend(ctx, node, line, column, outer)
    found = list(reversed(outer))
    result: list[Span] = []
    for span in found:
        if result and span == result[-1]:
            continue
        if result and not (span.start <= result[-1].start and result[-1].end <= span.end):
            continue
        result.append(span)
    return result


def _descend(ctx: Context, node: Node, line: int, column: int, outer: list[Span]) -> Node | None:
    """The child of ``node`` under the cursor (pair spans are added on the way)."""
    if isinstance(node, MappingNode):
        for key, value in node.value:
            key_span = ctx.span(key)
            end = max(ctx.span(value).end, key_span.end)
            pair = Span(key_span.line, key_span.column, end[0], end[1])
            if not _contains(pair, line, column):
                continue
            outer.append(pair)
            inner: Node = key if _contains(key_span, line, column) else value
            return inner
        return None
    if isinstance(node, SequenceNode):
        for item in node.value:
            if _contains(ctx.span(item), line, column):
                found: Node = item
                return found
        return None
    if isinstance(node, ScalarNode):
        _expression_spans(ctx, node, line, column, outer)
    return None


def _expression_spans(
    ctx: Context, node: ScalarNode, line: int, column: int, outer: list[Span]
) -> None:
    if not is_string(node) or "{{" not in str(node.value):
        return
    offset = value_offset(ctx, node, line, column)
    if offset is None:
        return
    for block in find_blocks(str(node.value)):
        if not block.start <= offset <= block.end:
            continue
        outer.append(ctx.value_span(node, block.start, block.end))
        if not block.expr_start <= offset <= block.expr_end:
            return
        text = block.expr
        lead = len(text) - len(text.lstrip())
        trail = len(text.rstrip())
        if lead < trail:
            outer.append(ctx.value_span(node, block.expr_start + lead, block.expr_start + trail))
        base = block.expr_start
        inner = offset - base
        ast = parse_expression(text).ast
        if ast is not None:
            chain = nodes_at(ast, inner) or nodes_at(ast, max(inner - 1, 0))
            for expr in chain:
                outer.append(ctx.value_span(node, base + expr.start, base + expr.end))
        for token in tokenize(text):
            if token.kind != "eof" and token.start <= inner <= token.end:
                outer.append(ctx.value_span(node, base + token.start, base + token.end))
                break
        return

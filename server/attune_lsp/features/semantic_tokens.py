"""Semantic tokens: what lies inside ``{{ }}`` and the task names, for highlighting."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types as lsp

from attune_workflow.semantic import TOKEN_MODIFIERS, TOKEN_TYPES, SemanticToken, semantic_tokens

from .. import convert

if TYPE_CHECKING:
    from attune_workflow.positions import LineIndex

    from ..host import Host

LEGEND = lsp.SemanticTokensLegend(
    token_types=list(TOKEN_TYPES), token_modifiers=list(TOKEN_MODIFIERS)
)
_TYPES = {name: number for number, name in enumerate(TOKEN_TYPES)}
_MODIFIERS = {name: 1 << number for number, name in enumerate(TOKEN_MODIFIERS)}


def encode(tokens: list[SemanticToken], lines: LineIndex) -> list[int]:
    """The LSP's relative encoding: five integers per token, UTF-16 columns."""
    data: list[int] = []
    last_line = last_start = 0
    for token in tokens:
        rng = convert.span_to_range(token.span, lines)
        line, start = rng.start.line, rng.start.character
        length = rng.end.character - start
        if rng.end.line != line or length <= 0:
            continue
        bits = 0
        for modifier in token.modifiers:
            bits |= _MODIFIERS[modifier]
        data += [
            line - last_line,
            start - last_start if line == last_line else start,
            length,
            _TYPES[token.type],
            bits,
        ]
        last_line, last_start = line, start
    return data


async def _tokens(ls: Host, uri: str, span: lsp.Range | None) -> lsp.SemanticTokens:
    analysis = await ls.scheduler.analysis(uri)
    ctx = analysis.ctx if analysis is not None else None
    if analysis is None or ctx is None:
        return lsp.SemanticTokens(data=[])
    tokens = await ls.space.run(lambda: semantic_tokens(ctx))
    if span is not None:
        wanted = convert.range_to_span(span, analysis.lines)
        tokens = [t for t in tokens if t.span.end > wanted.start and t.span.start < wanted.end]
    return lsp.SemanticTokens(data=encode(tokens, analysis.lines))


def register(server: Host) -> None:
    """Add the handlers."""

    @server.feature(lsp.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL, LEGEND)
    async def full(ls: Host, params: lsp.SemanticTokensParams) -> lsp.SemanticTokens:
        return await _tokens(ls, params.text_document.uri, None)

    @server.feature(lsp.TEXT_DOCUMENT_SEMANTIC_TOKENS_RANGE, LEGEND)
    async def in_range(ls: Host, params: lsp.SemanticTokensRangeParams) -> lsp.SemanticTokens:
        return await _tokens(ls, params.text_document.uri, params.range)

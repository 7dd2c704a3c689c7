"""Selection range: expand from an expression's parts to its block, value, entry and file."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types as lsp

from attune_workflow.selection import selection_spans

from .. import convert

if TYPE_CHECKING:
    from ..host import Host


def register(server: Host) -> None:
    """Add the handler."""

    @server.feature(lsp.TEXT_DOCUMENT_SELECTION_RANGE)
    async def selection_range(
        ls: Host, params: lsp.SelectionRangeParams
    ) -> list[lsp.SelectionRange] | None:
        analysis = await ls.scheduler.analysis(params.text_document.uri)
        ctx = analysis.ctx if analysis is not None else None
        if analysis is None or ctx is None:
            return None
        result = []
        for position in params.positions:
            line, column = convert.to_engine(position, analysis.lines)
            spans = selection_spans(ctx, line, column)
            here = lsp.Range(start=position, end=position)
            chain: lsp.SelectionRange | None = None
            for span in reversed(spans):
                chain = lsp.SelectionRange(
                    range=convert.span_to_range(span, analysis.lines), parent=chain
                )
            # One answer per position, even where no node contains it.
            result.append(chain or lsp.SelectionRange(range=here))
        return result

"""Inlay hints: the type and required-ness of ``input`` keys, the defaults without ``input``,
and the path of the selected rehearsal ("ran 3rd", "skipped")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types as lsp

from attune_workflow.inlays import inlay_hints

from .. import convert
from . import rehearsal

if TYPE_CHECKING:
    from ..host import Host

KINDS = {"type": lsp.InlayHintKind.Type, "parameter": lsp.InlayHintKind.Parameter}


def register(server: Host) -> None:
    """Add the handler."""

    @server.feature(lsp.TEXT_DOCUMENT_INLAY_HINT, lsp.InlayHintOptions(resolve_provider=False))
    async def hints(ls: Host, params: lsp.InlayHintParams) -> list[lsp.InlayHint] | None:
        analysis = await ls.scheduler.analysis(params.text_document.uri)
        ctx = analysis.ctx if analysis is not None else None
        if analysis is None or ctx is None:
            return None
        span = convert.range_to_span(params.range, analysis.lines)
        wanted = range(span.line, span.end_line + 1)
        found = await ls.space.run(lambda: inlay_hints(ctx, wanted))
        path = [hint for hint in rehearsal.hints(ls, analysis) if hint.position.line in wanted]
        return path + [
            lsp.InlayHint(
                position=convert.span_to_range(hint.at, analysis.lines).end,
                label=hint.label,
                kind=KINDS[hint.kind],
                tooltip=hint.tooltip,
                padding_left=True,
            )
            for hint in found
        ]

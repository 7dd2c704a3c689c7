"""Document highlight: every use of the task, variable or parameter under the cursor."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types as lsp

from attune_workflow.names import NameUse, NameUses

from .. import convert

if TYPE_CHECKING:
    from ..host import Host

WRITE = lsp.DocumentHighlightKind.Write
READ = lsp.DocumentHighlightKind.Read


def register(server: Host) -> None:
    """Add the handler."""

    @server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_HIGHLIGHT)
    async def document_highlight(
        ls: Host, params: lsp.DocumentHighlightParams
    ) -> list[lsp.DocumentHighlight] | None:
        analysis = await ls.scheduler.analysis(params.text_document.uri)
        ctx = analysis.ctx if analysis is not None else None
        if analysis is None or ctx is None:
            return None
        line, column = convert.to_engine(params.position, analysis.lines)

        def find() -> list[NameUse] | None:
            uses = NameUses(ctx)
            use = uses.at(line, column)
            return None if use is None else uses.same(use)

        found = await ls.space.run(find)
        if found is None:
            return None
        return [
            lsp.DocumentHighlight(
                range=convert.span_to_range(use.span, analysis.lines),
                kind=WRITE if use.write else READ,
            )
            for use in found
        ]

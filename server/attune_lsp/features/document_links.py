"""Document links: ``workflow_file``, ``entry_point`` and action refs open their files."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types as lsp

from attune_workflow.links import document_links

from .. import convert

if TYPE_CHECKING:
    from ..host import Host


def register(server: Host) -> None:
    """Add the handler."""

    @server.feature(
        lsp.TEXT_DOCUMENT_DOCUMENT_LINK, lsp.DocumentLinkOptions(resolve_provider=False)
    )
    async def links(ls: Host, params: lsp.DocumentLinkParams) -> list[lsp.DocumentLink] | None:
        analysis = await ls.scheduler.analysis(params.text_document.uri)
        ctx = analysis.ctx if analysis is not None else None
        if analysis is None or ctx is None:
            return None
        found = await ls.space.run(lambda: document_links(ctx))
        tooltips = ls.client.supports("text_document.document_link.tooltip_support")
        return [
            lsp.DocumentLink(
                range=convert.span_to_range(link.span, analysis.lines),
                target=ls.space.uri_of(link.target),
                tooltip=link.tooltip if tooltips else None,
            )
            for link in found
        ]

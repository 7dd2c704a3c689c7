"""Signature help for the functions of ``{{ }}`` expressions: parameters and the active one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types as lsp

from attune_workflow.expressions.signature import signature_at
from attune_workflow.locate import block_text_at
from attune_workflow.query import docs

from .. import convert

if TYPE_CHECKING:
    from ..host import Host

TRIGGERS = ["(", ","]


def register(server: Host) -> None:
    """Add the handler."""

    @server.feature(
        lsp.TEXT_DOCUMENT_SIGNATURE_HELP,
        lsp.SignatureHelpOptions(trigger_characters=TRIGGERS, retrigger_characters=[")"]),
    )
    async def signature_help(ls: Host, params: lsp.SignatureHelpParams) -> lsp.SignatureHelp | None:
        analysis = await ls.scheduler.analysis(params.text_document.uri)
        ctx = analysis.ctx if analysis is not None else None
        if analysis is None or ctx is None:
            return None
        line, column = convert.to_engine(params.position, analysis.lines)
        found = block_text_at(ctx, line, column)
        at = signature_at(*found) if found is not None else None
        if at is None:
            return None
        formats = None
        caps = ls.client_capabilities.text_document
        if caps is not None and caps.signature_help is not None:
            info = caps.signature_help.signature_information
            formats = info.documentation_format if info is not None else None
        doc = convert.markdown(formats, docs.function(at.function))
        return lsp.SignatureHelp(
            signatures=[
                lsp.SignatureInformation(
                    label=signature.label,
                    documentation=doc,
                    parameters=[lsp.ParameterInformation(label=p) for p in signature.parameters],
                )
                for signature in at.signatures
            ],
            active_signature=at.active_signature,
            active_parameter=at.active_parameter,
        )

"""Pull diagnostics: ``textDocument/diagnostic`` and ``workspace/diagnostic``.

Pushed diagnostics are sent by the server's scheduler (debounced checks, the workspace
scan); a client that pulls gets the same analyses here, and no pushes for open files.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException

if TYPE_CHECKING:
    from ..host import Host

SERVER_CANCELLED = -32802


def register(server: Host) -> None:
    """Add the handlers."""

    @server.feature(
        lsp.TEXT_DOCUMENT_DIAGNOSTIC,
        lsp.DiagnosticOptions(
            identifier="attune", inter_file_dependencies=True, workspace_diagnostics=True
        ),
    )
    async def document_diagnostic(
        ls: Host, params: lsp.DocumentDiagnosticParams
    ) -> lsp.DocumentDiagnosticReport:
        analysis = await ls.scheduler.analysis(params.text_document.uri)
        if analysis is None:
            if ls.space.is_open(params.text_document.uri):
                # A newer version arrived while this one was checked: ask again.
                raise JsonRpcException(
                    message="The document changed",
                    code=SERVER_CANCELLED,
                    data={"retriggerRequest": True},
                )
            return lsp.RelatedFullDocumentDiagnosticReport(items=[])
        if params.previous_result_id == analysis.result_id:
            return lsp.RelatedUnchangedDocumentDiagnosticReport(result_id=analysis.result_id)
        return lsp.RelatedFullDocumentDiagnosticReport(
            items=analysis.published, result_id=analysis.result_id
        )

    @server.feature(lsp.WORKSPACE_DIAGNOSTIC)
    async def workspace_diagnostic(
        ls: Host, params: lsp.WorkspaceDiagnosticParams
    ) -> lsp.WorkspaceDiagnosticReport:
        if not ls.scheduler.pull_workspace:
            ls.scheduler.pull_workspace = True
            # Files pushed so far are now pulled: take the pushed copies back.
            for analysis in ls.scheduler.closed.values():
                if analysis.published:
                    ls.text_document_publish_diagnostics(
                        lsp.PublishDiagnosticsParams(uri=analysis.uri, diagnostics=[])
                    )
        await ls.space.scanned().wait()
        previous = {item.uri: item.value for item in params.previous_result_ids}
        items: list[lsp.WorkspaceDocumentDiagnosticReport] = []
        for analysis in list(ls.scheduler.closed.values()):
            if ls.space.is_open(analysis.uri):
                continue
            if previous.get(analysis.uri) == analysis.result_id:
                items.append(
                    lsp.WorkspaceUnchangedDocumentDiagnosticReport(
                        uri=analysis.uri, version=None, result_id=analysis.result_id
                    )
                )
            else:
                items.append(
                    lsp.WorkspaceFullDocumentDiagnosticReport(
                        uri=analysis.uri,
                        version=None,
                        items=analysis.published,
                        result_id=analysis.result_id,
                    )
                )
        return lsp.WorkspaceDiagnosticReport(items=items)

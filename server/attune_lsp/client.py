"""What the server says to the client: messages, the log, capabilities, background jobs.

Shared by the document scheduler, the workspace and the features, so that none of them
needs the server object itself.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer

log = logging.getLogger(__name__)


class Client:
    """The client as the server speaks to it, over a pygls server."""

    def __init__(self, server: LanguageServer) -> None:
        self.server = server
        self._shown: set[str] = set()
        self._tasks: set[asyncio.Future[Any]] = set()

    def supports(self, dotted: str) -> bool:
        """Whether a client capability (``text_document.diagnostic``...) is present and set."""
        node: Any = self.server.client_capabilities
        for part in dotted.split("."):
            node = getattr(node, part, None)
            if node is None:
                return False
        return node is not False

    def spawn(self, job: Awaitable[Any]) -> None:
        """Run a coroutine in the background, keeping a reference until it ends."""
        task = asyncio.ensure_future(job)
        self._tasks.add(task)
        task.add_done_callback(self.finished)

    def finished(self, task: asyncio.Future[Any]) -> None:
        """Forget a background task; log its failure."""
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            log.error("background task failed", exc_info=exc)
            self.log(f"Internal error: {exc!r}", lsp.MessageType.Error)

    @property
    def shown(self) -> int:
        """How many different messages were shown."""
        return len(self._shown)

    def show(self, message: str, kind: lsp.MessageType = lsp.MessageType.Warning) -> None:
        """Show a message once (the same text is not shown again)."""
        if message in self._shown:
            return
        self._shown.add(message)
        self.server.window_show_message(lsp.ShowMessageParams(type=kind, message=message))

    def show_result(self, message: str, *, ok: bool) -> None:
        """Show the outcome of a command."""
        kind = lsp.MessageType.Info if ok else lsp.MessageType.Error
        self.server.window_show_message(
            lsp.ShowMessageParams(type=kind, message=f"Attune: {message}")
        )

    def log(self, message: str, kind: lsp.MessageType = lsp.MessageType.Info) -> None:
        """Write to the client's log (window/logMessage)."""
        self.server.window_log_message(lsp.LogMessageParams(type=kind, message=message))

    def publish(
        self, uri: str, diagnostics: list[lsp.Diagnostic], version: int | None = None
    ) -> None:
        """Push the diagnostics of a document."""
        self.server.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version)
        )

    async def refresh_diagnostics(self) -> None:
        """Ask a client that pulls diagnostics to pull them again (when it can be asked)."""
        if self.supports("workspace.diagnostics.refresh_support"):
            await self.server.workspace_diagnostic_refresh_async(None)

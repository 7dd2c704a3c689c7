"""The Attune language server: composition and start-up.

Handlers live in ``features/`` (one module per LSP feature) and stay thin; they are
written against :class:`attune_lsp.host.Host`. This module composes what they share:
the client (:mod:`attune_lsp.client`), the workspace (:mod:`attune_lsp.workspace`: folders,
settings, pack index, scan) and the document scheduler (:mod:`attune_lsp.scheduler`:
debounce, versions, cancellation, publishing), and registers the features.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any, BinaryIO, cast

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.protocol.language_server import lsp_method

from attune_workflow.registrar.errors import install_log_redaction, remember_secrets

from . import __version__
from .client import Client
from .edge import EdgeProtocol, FramedInput
from .scheduler import DocumentScheduler
from .workspace import ServerWorkspace

log = logging.getLogger(__name__)


class AttuneProtocol(EdgeProtocol):
    """Speaks UTF-16 positions only: every conversion happens in :mod:`attune_lsp.convert`.

    Records the exit code the LSP specification gives (0 after ``shutdown``, else 1): pygls
    ends its loop with ``SystemExit``, which its I/O loop swallows.
    """

    exit_code: int | None = None
    # The id of an `initialize` request the prelude has answered already.
    answered: Any = None

    def _send_response(self, msg_id: Any, result: Any = None, error: Any = None) -> None:
        if msg_id is not None and msg_id == self.answered:
            self.answered = None
            return
        super()._send_response(msg_id, result, error)

    @lsp_method(lsp.EXIT)
    def lsp_exit(self, *args: Any) -> Generator[Any, Any, None]:
        self.exit_code = 0 if self._shutdown else 1
        yield from super().lsp_exit(*args)

    @lsp_method(lsp.INITIALIZE)
    def lsp_initialize(
        self, params: lsp.InitializeParams
    ) -> Generator[Any, Any, lsp.InitializeResult]:
        general = params.capabilities.general
        if general is not None:
            # UTF-16 is the encoding every client must support; offering no other keeps
            # pygls (which would pick the client's first preference) on it too.
            general.position_encodings = None
        result: lsp.InitializeResult = yield from super().lsp_initialize(params)
        return result


class AttuneServer(LanguageServer):
    """The language server: the client, the workspace and the document scheduler, composed.

    Provides :class:`attune_lsp.host.Host`, the interface the features are written against.
    """

    def __init__(self) -> None:
        super().__init__(
            "attune-lsp",
            __version__,
            protocol_cls=AttuneProtocol,
            text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental,
        )
        self.client = Client(self)
        self.space = ServerWorkspace(self.client)
        self.scheduler = DocumentScheduler(self.client, self.space)
        self.space.checks = self.scheduler
        self.lens_states: dict[Path, tuple[int, str]] = {}
        self.rehearsals: dict[str, Any] = {}
        self.database_problem: str | None = None
        self.at_exit: list[Callable[[], None]] = []

    def release(self) -> None:
        """Run the clean-ups registered for the end of the process."""
        for release in self.at_exit:
            try:
                release()
            except Exception as exc:  # the process ends anyway; say why a clean-up failed
                log.warning("clean-up at exit failed: %s", exc)


def create_server() -> AttuneServer:
    """A server with every feature registered."""
    from .features import (
        code_actions,
        code_lens,
        completion,
        definition,
        diagnostics,
        document_highlight,
        document_links,
        documents,
        folding,
        hover,
        inlay_hints,
        lifecycle,
        references,
        register,
        rehearsal,
        selection_range,
        semantic_tokens,
        signature_help,
        symbols,
        workflow_graph,
    )

    server = AttuneServer()
    server.scheduler.database_actions = lambda: register.database_actions(server)
    for module in (
        lifecycle,
        documents,
        diagnostics,
        completion,
        hover,
        definition,
        references,
        symbols,
        folding,
        code_actions,
        code_lens,
        register,
        semantic_tokens,
        document_links,
        document_highlight,
        selection_range,
        signature_help,
        inlay_hints,
        workflow_graph,
        rehearsal,
    ):
        module.register(server)
    return server


def serve(
    tcp: str | None = None, *, channel: Any = None, answered: Any = None, handover: Any = None
) -> int:
    """Run the server on stdio, or on TCP at ``HOST:PORT``; returns the exit code.

    ``channel`` is the input the prelude has started reading (:mod:`attune_lsp.prelude`),
    given again from its first message; ``answered``, the id of the ``initialize``
    request the prelude answered; ``handover``, what it read and analysed
    (:class:`attune_lsp.prelude.Handover`).
    """
    level = os.environ.get("ATTUNE_LSP_LOG", "WARNING").upper()
    logging.basicConfig(level=getattr(logging, level, logging.WARNING), stream=sys.stderr)
    # Settings (a database URL with its password) reach the log through pygls's own
    # messages at info and debug level: every line passes through the redaction.
    install_log_redaction()
    remember_secrets(os.environ.get("ATTUNE_DATABASE_URL"))
    server = create_server()
    if handover is not None:
        server.space.project.adopt(handover.packs, handover.index, handover.documents)
        # their didOpen is on its way: the workspace scan does not analyse them from the disk
        server.scheduler.open_paths.update(handover.documents)
    # Analyses allocate many short-lived objects and few cycles: full collections of a
    # large heap cost seconds, so move start-up objects out of the collector's sight and
    # collect less often.
    gc.freeze()
    gc.set_threshold(100_000, 50, 1000)
    if tcp:
        host, _, port = tcp.rpartition(":")
        if not port.isdigit():
            print(f"attune-lsp: error: --tcp wants HOST:PORT, not {tcp!r}", file=sys.stderr)
            return 2
        try:
            server.start_tcp(host or "127.0.0.1", int(port))
        finally:
            server.release()
        return 0
    protocol = server.protocol
    if isinstance(protocol, AttuneProtocol):
        protocol.answered = answered
    try:
        # pygls reads with readline() and read(n) only: the framed input provides both.
        server.start_io(stdin=cast(BinaryIO, FramedInput(channel or sys.stdin.buffer)))
    finally:
        server.release()
    # Input that ends without `shutdown` and `exit` is a lost client: 1, as the spec says.
    code = protocol.exit_code if isinstance(protocol, AttuneProtocol) else None
    return 1 if code is None else code

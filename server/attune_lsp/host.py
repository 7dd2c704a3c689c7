"""What a feature module sees of the server: a narrow, typed interface.

Features receive a :class:`Host`; the server (:mod:`attune_lsp.server`) provides it and
registers the features, so no feature module imports the server. The shared state lives
in the document scheduler, the workspace and the client; the rest is the part of pygls's
server that features call directly.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

from lsprotocol import types as lsp
from pygls.progress import Progress
from pygls.protocol import JsonRPCProtocol
from pygls.workspace import Workspace

from .client import Client
from .scheduler import DocumentScheduler
from .workspace import ServerWorkspace

F = TypeVar("F", bound=Callable[..., Any])


class Host(Protocol):
    """The server as features use it."""

    client: Client
    space: ServerWorkspace
    scheduler: DocumentScheduler
    # State of single features, kept for the life of the server.
    lens_states: dict[Path, tuple[int, str]]
    rehearsals: dict[str, Any]
    database_problem: str | None
    at_exit: list[Callable[[], None]]

    @property
    def protocol(self) -> JsonRPCProtocol: ...

    @property
    def workspace(self) -> Workspace: ...

    @property
    def client_capabilities(self) -> lsp.ClientCapabilities: ...

    @property
    def work_done_progress(self) -> Progress: ...

    def feature(self, feature_name: str, options: Any | None = None) -> Callable[[F], F]: ...

    def command(self, command_name: str) -> Callable[[F], F]: ...

    def text_document_publish_diagnostics(self, params: lsp.PublishDiagnosticsParams) -> None: ...

    async def client_register_capability_async(self, params: lsp.RegistrationParams) -> None: ...

    async def window_show_document_async(
        self, params: lsp.ShowDocumentParams
    ) -> lsp.ShowDocumentResult: ...

    async def window_show_message_request_async(
        self, params: lsp.ShowMessageRequestParams
    ) -> lsp.MessageActionItem | None: ...

    async def workspace_code_lens_refresh_async(self, params: None) -> None: ...

    async def workspace_inlay_hint_refresh_async(self, params: None) -> None: ...

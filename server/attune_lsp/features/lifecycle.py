"""Start-up, settings and shutdown: initialize, initialized, configuration, folders."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types as lsp

if TYPE_CHECKING:
    from ..server import AttuneServer

WATCHERS = ("**/*.yaml", "**/*.yml")


def register(server: AttuneServer) -> None:
    """Add the handlers."""

    @server.feature(lsp.INITIALIZE)
    def initialize(ls: AttuneServer, params: lsp.InitializeParams) -> None:
        ls.init_options = params.initialization_options
        ls.pull_documents = ls.supports("text_document.diagnostic")

    @server.feature(lsp.INITIALIZED)
    async def initialized(ls: AttuneServer, params: lsp.InitializedParams) -> None:
        await ls.pull_settings()
        if ls.supports("workspace.did_change_watched_files.dynamic_registration"):
            watchers = [lsp.FileSystemWatcher(glob_pattern=glob) for glob in WATCHERS]
            await ls.client_register_capability_async(
                lsp.RegistrationParams(
                    registrations=[
                        lsp.Registration(
                            id="attune-watch-yaml",
                            method=lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                            register_options=lsp.DidChangeWatchedFilesRegistrationOptions(
                                watchers=watchers
                            ),
                        )
                    ]
                )
            )
        ls.rescan()

    @server.feature(lsp.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(
        ls: AttuneServer, params: lsp.DidChangeConfigurationParams
    ) -> None:
        if await ls.pull_settings(params.settings):
            ls.rescan()

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    def did_change_folders(ls: AttuneServer, params: lsp.DidChangeWorkspaceFoldersParams) -> None:
        ls.rescan()

    @server.feature(lsp.SHUTDOWN)
    def shutdown(ls: AttuneServer, params: None) -> None:
        ls.worker.stop()

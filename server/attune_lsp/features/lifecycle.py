"""Start-up, settings and shutdown: initialize, initialized, configuration, folders."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types as lsp

if TYPE_CHECKING:
    from ..host import Host

WATCHERS = ("**/*.yaml", "**/*.yml")


def register(server: Host) -> None:
    """Add the handlers."""

    @server.feature(lsp.INITIALIZE)
    def initialize(ls: Host, params: lsp.InitializeParams) -> None:
        ls.space.init_options = params.initialization_options
        ls.scheduler.pull_documents = ls.client.supports("text_document.diagnostic")

    @server.feature(lsp.INITIALIZED)
    async def initialized(ls: Host, params: lsp.InitializedParams) -> None:
        await ls.space.pull_settings()
        if ls.client.supports("workspace.did_change_watched_files.dynamic_registration"):
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
        ls.space.rescan()

    @server.feature(lsp.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(ls: Host, params: lsp.DidChangeConfigurationParams) -> None:
        if await ls.space.pull_settings(params.settings):
            ls.space.rescan()

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    def did_change_folders(ls: Host, params: lsp.DidChangeWorkspaceFoldersParams) -> None:
        ls.space.rescan()

    @server.feature(lsp.SHUTDOWN)
    def shutdown(ls: Host, params: None) -> None:
        ls.space.stop()

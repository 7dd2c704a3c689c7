"""Fixtures of the end-to-end language server tests (helpers are in ``lspkit``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from lspkit import CONFIG, PROFILES, Client, copy_workspace, start


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace shared by the read-only tests of a module."""
    return copy_workspace(tmp_path_factory.mktemp("ws"))


@pytest_lsp.fixture(config=CONFIG, params=PROFILES, scope="module")
async def client(
    lsp_client: Client, request: pytest.FixtureRequest, workspace: Path
) -> AsyncIterator[None]:
    """A server on the shared workspace, per client profile."""
    await start(lsp_client, request.param, workspace)
    yield
    await lsp_client.shutdown_session()

"""Fixtures of the end-to-end language server tests (helpers are in ``lspkit``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg
import pytest
import pytest_lsp
from lspkit import CONFIG, PROFILES, TEMPLATE, Client, copy_workspace, start
from psycopg import sql

from attune_workflow.registrar import embedded, migrate


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


@pytest.fixture(scope="session")
def postgres(embedded_server: embedded.EmbeddedServer) -> Iterator[str]:
    """An administrative URL of the session's embedded PostgreSQL, with a migrated template."""
    admin = embedded_server.url("postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(TEMPLATE)))
    with psycopg.connect(embedded_server.url(TEMPLATE), autocommit=True) as conn:
        migrate.upgrade(conn)
    yield admin
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(TEMPLATE))
        )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "options(options, project_file=None): initialization options (and an .attune-lsp.yaml)"
        " for the server a test starts",
    )

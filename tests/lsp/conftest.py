"""Fixtures of the end-to-end language server tests (helpers are in ``lspkit``)."""

from __future__ import annotations

import shutil
import tempfile
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
def postgres() -> Iterator[str]:
    """An administrative URL of an embedded PostgreSQL, with a migrated template database."""
    base = Path(tempfile.mkdtemp(prefix="attune-lsp-lsptest-", dir="/tmp"))
    base.chmod(0o755)  # as root the server runs as a system user that must enter it
    try:
        server, _ = embedded.ensure_running(
            base,
            durable=False,
            settings={"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"},
        )
        admin = server.url("postgres")
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(TEMPLATE)))
        with psycopg.connect(server.url(TEMPLATE), autocommit=True) as conn:
            migrate.upgrade(conn)
        yield admin
    finally:
        embedded.stop(base)
        shutil.rmtree(base, ignore_errors=True)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "options(options, project_file=None): initialization options (and an .attune-lsp.yaml)"
        " for the server a test starts",
    )

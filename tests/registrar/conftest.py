"""Real PostgreSQL servers for the registrar tests.

Every test runs against an embedded server started once per session in a temporary
folder outside any home folder, and also against `$ATTUNE_TEST_DATABASE_URL` when that
is set (a role allowed to create databases). Each test gets a database of its own,
cloned from a migrated template.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

from attune_workflow.registrar import embedded, migrate

EXTERNAL_URL = os.environ.get("ATTUNE_TEST_DATABASE_URL")
SERVERS = ["embedded", *(["external"] if EXTERNAL_URL else [])]


@pytest.fixture(scope="session", params=SERVERS)
def server_url(request: pytest.FixtureRequest) -> str:
    """An administrative URL of one of the test servers."""
    if request.param == "embedded":
        server: embedded.EmbeddedServer = request.getfixturevalue("embedded_server")
        return server.url("postgres")
    assert EXTERNAL_URL is not None
    return EXTERNAL_URL


def database_url(server: str, name: str) -> str:
    return make_conninfo(server, dbname=name)


def _create(server: str, name: str, template: str) -> None:
    with psycopg.connect(server, autocommit=True) as admin:
        # FILE_COPY clones a small database faster than the default WAL_LOG (PostgreSQL 15+).
        strategy = " STRATEGY FILE_COPY" if admin.info.server_version >= 150000 else ""
        admin.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}" + strategy).format(
                sql.Identifier(name), sql.Identifier(template)
            )
        )


def _drop(server: str, name: str) -> None:
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@pytest.fixture(scope="session")
def template_db(server_url: str) -> Iterator[str]:
    """A migrated database that per-test databases are cloned from."""
    name = f"attune_lsp_template_{uuid.uuid4().hex[:10]}"
    _create(server_url, name, "template0")
    with psycopg.connect(database_url(server_url, name), autocommit=True) as conn:
        migrate.upgrade(conn)
    yield name
    _drop(server_url, name)


@pytest.fixture
def db_url(server_url: str, template_db: str) -> Iterator[str]:
    """A fresh, migrated database of its own."""
    name = f"attune_lsp_test_{uuid.uuid4().hex[:12]}"
    _create(server_url, name, template_db)
    yield database_url(server_url, name)
    _drop(server_url, name)


@pytest.fixture
def empty_db_url(server_url: str) -> Iterator[str]:
    """A fresh database without any schema."""
    name = f"attune_lsp_empty_{uuid.uuid4().hex[:12]}"
    _create(server_url, name, "template0")
    yield database_url(server_url, name)
    _drop(server_url, name)


@pytest.fixture
def conn(db_url: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(db_url, autocommit=True) as connection:
        yield connection

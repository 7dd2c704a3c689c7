"""Real PostgreSQL servers for the registrar tests.

Every test runs against an embedded server started once per session in a temporary
folder outside any home folder, and also against `$ATTUNE_TEST_DATABASE_URL` when that
is set (a role allowed to create databases). Each test gets a database of its own,
cloned from a migrated template.

Every test also has a `real` variant that runs on a clone of a database built by
Attune's own migrations: `$ATTUNE_TEST_REAL_SCHEMA_URL` names it (`.ci/run` builds it
with `../shared/attune-schema/build.sh`). Without that variable the `real` variants are
deselected, and the run says so; they never pass silently.
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
from registrar_helpers import REAL_SCHEMA_URL, real_schema_database

from attune_workflow.registrar import embedded, migrate

EXTERNAL_URL = os.environ.get("ATTUNE_TEST_DATABASE_URL")
REAL = "real"
SERVERS = ["embedded", *(["external"] if EXTERNAL_URL else []), REAL]
REAL_DESELECTED = (
    "registrar tests on Attune's real schema deselected: ATTUNE_TEST_REAL_SCHEMA_URL is not "
    "set (.ci/run builds the schema with ../shared/attune-schema/build.sh and sets it)"
)
_deselected: list[pytest.Item] = []


def uses_real_schema(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    if callspec is not None and callspec.params.get("server") == REAL:
        return True
    return item.get_closest_marker("real_schema") is not None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if REAL_SCHEMA_URL:
        return
    here = os.path.dirname(__file__)
    keep, drop = [], []
    for item in items:
        inside = str(item.path).startswith(here)
        (drop if inside and uses_real_schema(item) else keep).append(item)
    if drop:
        _deselected.extend(drop)
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _deselected:
        terminalreporter.write_line(f"{len(_deselected)} {REAL_DESELECTED}", yellow=True)


@pytest.fixture(scope="session", params=SERVERS)
def server(request: pytest.FixtureRequest) -> str:
    """Which test server: `embedded`, `external` or `real` (Attune's own schema)."""
    return str(request.param)


@pytest.fixture(scope="session")
def server_url(server: str, request: pytest.FixtureRequest) -> str:
    """An administrative URL of one of the test servers."""
    if server == "embedded":
        embedded_server: embedded.EmbeddedServer = request.getfixturevalue("embedded_server")
        return embedded_server.url("postgres")
    if server == REAL:
        return real_schema_database()[0]
    assert EXTERNAL_URL is not None
    return EXTERNAL_URL


@pytest.fixture(scope="session")
def schema_kind(server: str) -> str:
    """`real` on Attune's own schema, else `embedded` (attune-lsp's migrations)."""
    return REAL if server == REAL else "embedded"


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
def template_db(server_url: str, schema_kind: str) -> Iterator[str]:
    """A migrated database that per-test databases are cloned from.

    On the `real` server it is the database Attune's own migrations built.
    """
    if schema_kind == REAL:
        yield real_schema_database()[1]
        return
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
    """A connection as Attune's own services open one (`search_path` `attune, public`).

    Tests that hand the registrar a connection with the server's default path make
    their own (see test_register.py).
    """
    with psycopg.connect(
        db_url, autocommit=True, options="-c search_path=attune,public"
    ) as connection:
        yield connection


@pytest.fixture
def real_db_url() -> Iterator[str]:
    """A fresh clone of the database Attune's own migrations built (tests marked real_schema)."""
    server, template = real_schema_database()
    name = f"attune_lsp_real_{uuid.uuid4().hex[:12]}"
    _create(server, name, template)
    yield database_url(server, name)
    _drop(server, name)

"""Forward-only SQL migrations for the `attune` schema.

The files are numbered plain SQL (`0001_attune_schema.sql`, ...). Applied files are
recorded with a checksum in `attune_lsp_migrations.applied`; a database whose `attune`
schema exists without that bookkeeping belongs to Attune itself and is never touched.

All pending files are applied in one transaction under a transaction-level advisory
lock, so concurrent upgrades serialise and a failed file leaves nothing behind.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Literal

import psycopg
from psycopg import sql

from .db import translate_errors
from .errors import ForeignSchemaError, MigrationError

BOOKKEEPING_SCHEMA = "attune_lsp_migrations"
BOOKKEEPING_TABLE = "applied"
ATTUNE_SCHEMA = "attune"
# pg_advisory_xact_lock key: the first 8 bytes of sha256("attune-lsp migrations").
LOCK_KEY = int.from_bytes(hashlib.sha256(b"attune-lsp migrations").digest()[:8], "big", signed=True)

SchemaOwner = Literal["none", "attune-lsp", "foreign"]


@dataclass(frozen=True)
class Migration:
    name: str
    sql: str
    checksum: str


@dataclass(frozen=True)
class MigrationStatus:
    """Where a database stands.

    `owner` is `none` (no `attune` schema yet), `attune-lsp` (created by these
    migrations) or `foreign` (an Attune database: not migrated by attune-lsp).
    `unknown` lists applied files this version of attune-lsp does not ship.
    """

    owner: SchemaOwner
    applied: tuple[str, ...]
    pending: tuple[str, ...]
    unknown: tuple[str, ...] = ()

    @property
    def foreign(self) -> bool:
        return self.owner == "foreign"

    @property
    def up_to_date(self) -> bool:
        return self.owner == "attune-lsp" and not self.pending


def migrations_dir() -> Traversable:
    """The folder holding the migration files.

    In a wheel they are packaged as `attune_workflow/registrar/migrations`; in a source
    checkout they live in the repository's top-level `migrations/` folder.
    """
    packaged = resources.files(__package__ or "attune_workflow.registrar") / "migrations"
    if packaged.is_dir() and any(_sql_files(packaged)):
        return packaged
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "migrations"
        if candidate.is_dir() and any(candidate.glob("[0-9]*.sql")):
            return candidate
    raise MigrationError("migration files not found (neither packaged nor in a source checkout)")


def _sql_files(folder: Traversable) -> Iterator[Traversable]:
    for entry in folder.iterdir():
        if entry.is_file() and entry.name.endswith(".sql") and entry.name[:1].isdigit():
            yield entry


def checksum(data: bytes) -> str:
    # Line endings are normalised so a checkout with CRLF files has the same checksum.
    return hashlib.sha256(data.replace(b"\r\n", b"\n")).hexdigest()


def load_migrations(folder: Traversable | None = None) -> list[Migration]:
    """Every migration file, in name order."""
    folder = folder if folder is not None else migrations_dir()
    out = []
    for entry in sorted(_sql_files(folder), key=lambda e: e.name):
        data = entry.read_bytes()
        out.append(Migration(entry.name, data.decode("utf-8"), checksum(data)))
    return out


def _schema_exists(conn: psycopg.Connection[tuple[object, ...]], name: str) -> bool:
    row = conn.execute("SELECT to_regnamespace(%s) IS NOT NULL", [name]).fetchone()
    return bool(row and row[0])


def _bookkeeping_exists(conn: psycopg.Connection[tuple[object, ...]]) -> bool:
    row = conn.execute(
        "SELECT to_regclass(%s) IS NOT NULL", [f"{BOOKKEEPING_SCHEMA}.{BOOKKEEPING_TABLE}"]
    ).fetchone()
    return bool(row and row[0])


def _applied(conn: psycopg.Connection[tuple[object, ...]]) -> dict[str, str]:
    query = sql.SQL("SELECT name, checksum FROM {} ORDER BY name").format(
        sql.Identifier(BOOKKEEPING_SCHEMA, BOOKKEEPING_TABLE)
    )
    return {str(name): str(digest) for name, digest in conn.execute(query).fetchall()}


def _owner(conn: psycopg.Connection[tuple[object, ...]]) -> SchemaOwner:
    if _bookkeeping_exists(conn):
        return "attune-lsp"
    if _schema_exists(conn, ATTUNE_SCHEMA):
        return "foreign"
    return "none"


def _check_history(applied: dict[str, str], migrations: list[Migration]) -> None:
    for migration in migrations:
        recorded = applied.get(migration.name)
        if recorded is not None and recorded != migration.checksum:
            raise MigrationError(
                f"migration {migration.name} was changed after it was applied "
                f"(checksum {recorded[:12]} in the database, {migration.checksum[:12]} on disk); "
                "applied migrations must never be edited"
            )


def status(
    conn: psycopg.Connection[tuple[object, ...]], migrations: list[Migration] | None = None
) -> MigrationStatus:
    """Applied, pending and unknown migrations, and who owns the `attune` schema."""
    migrations = migrations if migrations is not None else load_migrations()
    with translate_errors(conn):
        owner = _owner(conn)
        applied = _applied(conn) if owner == "attune-lsp" else {}
    names = [m.name for m in migrations]
    if owner == "foreign":
        return MigrationStatus(owner, (), ())
    return MigrationStatus(
        owner,
        applied=tuple(name for name in names if name in applied),
        pending=tuple(name for name in names if name not in applied),
        unknown=tuple(sorted(set(applied) - set(names))),
    )


def upgrade(
    conn: psycopg.Connection[tuple[object, ...]], migrations: list[Migration] | None = None
) -> list[str]:
    """Apply every pending migration; return the names applied (empty when up to date).

    Raises `ForeignSchemaError` for a database whose `attune` schema attune-lsp did not
    create, and `MigrationError` when an applied file has changed since.
    """
    migrations = migrations if migrations is not None else load_migrations()
    if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        raise MigrationError("the connection has a transaction in progress")
    done: list[str] = []
    with translate_errors(conn), conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        owner = _owner(conn)
        if owner == "foreign":
            raise ForeignSchemaError()
        if owner == "none":
            conn.execute(
                sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(BOOKKEEPING_SCHEMA))
            )
            conn.execute(
                sql.SQL(
                    "CREATE TABLE {} ("
                    " name TEXT PRIMARY KEY,"
                    " checksum TEXT NOT NULL,"
                    " applied_at TIMESTAMPTZ NOT NULL DEFAULT NOW())"
                ).format(sql.Identifier(BOOKKEEPING_SCHEMA, BOOKKEEPING_TABLE))
            )
        applied = _applied(conn)
        _check_history(applied, migrations)
        if applied and not _schema_exists(conn, ATTUNE_SCHEMA):
            raise MigrationError(
                "migrations are recorded as applied but schema attune is missing; "
                f"drop schema {BOOKKEEPING_SCHEMA} to start afresh"
            )
        insert = sql.SQL("INSERT INTO {} (name, checksum) VALUES (%s, %s)").format(
            sql.Identifier(BOOKKEEPING_SCHEMA, BOOKKEEPING_TABLE)
        )
        for migration in migrations:
            if migration.name in applied:
                continue
            try:
                # No parameters: the file is sent as one simple query, so it may hold
                # several statements and dollar-quoted bodies.
                conn.execute(migration.sql.encode("utf-8"))
            except psycopg.OperationalError:
                raise
            except psycopg.Error as exc:
                raise MigrationError(
                    f"migration {migration.name} failed: {exc.diag.message_primary or exc}"
                ) from exc
            conn.execute(insert, [migration.name, migration.checksum])
            done.append(migration.name)
    return done

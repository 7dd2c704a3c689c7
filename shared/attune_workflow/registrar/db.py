"""Connecting, and turning driver errors into messages that are safe to show."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import errors as pg_errors

from .errors import RegistrarError, redact_url, scrub, url_passwords

Connection = psycopg.Connection[Any]

_NO_SCHEMA = (
    "the database has no Attune schema ({detail}); run `attune-lsp db upgrade` to create it, "
    "or point --database-url at an Attune database"
)
# Attune's migrations and its trigger functions name their objects without a schema and
# rely on this search_path; every connection the registrar opens uses it.
SEARCH_PATH = "attune, public"


def connect(url: str, *, connect_timeout: int = 10) -> Connection:
    """An autocommit connection to `url` with Attune's `search_path`.

    The registrar opens its own transactions. `search_path` is set as a connection
    option (after any `options` the URL carries) so Attune's triggers resolve their
    unqualified table names whatever the database's or role's default is.
    """
    try:
        conn = psycopg.connect(
            url,
            autocommit=True,
            connect_timeout=connect_timeout,
            application_name="attune-lsp",
        )
        use_attune_search_path(conn)
        return conn
    except psycopg.Error as exc:
        # libpq may quote a malformed connection string in full.
        text = _first_lines(str(exc)).replace(url, redact_url(url))
        detail = scrub(text, *url_passwords(url))
        raise RegistrarError(f"cannot connect to {redact_url(url)}: {detail}") from None


def use_attune_search_path(conn: Connection) -> None:
    """Set `search_path` to Attune's for the rest of the session."""
    conn.execute(f"SET search_path TO {SEARCH_PATH}")


def _first_lines(text: str) -> str:
    return "; ".join(line.strip() for line in text.strip().splitlines() if line.strip())


def _password(conn: Connection | None) -> str | None:
    if conn is None:
        return None
    try:
        return conn.info.password or None
    except psycopg.Error:
        return None


def describe(exc: psycopg.Error, *secrets: str | None, schema_exists: bool = False) -> str:
    """A one-line, password-free description of a driver error.

    A missing table or schema means "no Attune schema" only when schema `attune`
    is really absent (`schema_exists` false); otherwise a statement failed inside an
    Attune database (a trigger or view naming something this database lacks) and
    the message says so.
    """
    primary = exc.diag.message_primary if exc.diag else None
    detail = scrub(_first_lines(primary or str(exc) or type(exc).__name__), *secrets)
    if isinstance(exc, pg_errors.InsufficientPrivilege):
        return detail if detail.startswith("permission denied") else f"permission denied: {detail}"
    if isinstance(exc, pg_errors.InvalidSchemaName | pg_errors.UndefinedTable):
        if schema_exists:
            return f"a statement failed in schema attune: {detail}{_context(exc, *secrets)}"
        return _NO_SCHEMA.format(detail=detail)
    if isinstance(exc, pg_errors.AdminShutdown):
        return f"the server closed the connection: {detail}"
    if isinstance(exc, psycopg.OperationalError):
        return f"database connection failed: {detail}"
    return f"database error: {detail}"


def _context(exc: psycopg.Error, *secrets: str | None) -> str:
    """Where the failing statement ran (a trigger function, ...), on one line."""
    where = exc.diag.context if exc.diag else None
    if not where:
        return ""
    first = where.strip().splitlines()[0].strip()
    return f" (in {scrub(first, *secrets)})"


def _attune_schema_exists(conn: Connection | None) -> bool:
    if conn is None or conn.closed:
        return False
    if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        return False
    try:
        row = conn.execute("SELECT to_regnamespace('attune') IS NOT NULL").fetchone()
    except psycopg.Error:
        return False
    return bool(row and row[0])


@contextmanager
def translate_errors(conn: Connection | None = None) -> Iterator[None]:
    """Re-raise driver errors as `RegistrarError` with a redacted message."""
    secret = _password(conn)
    try:
        yield
    except psycopg.Error as exc:
        exists = isinstance(
            exc, pg_errors.InvalidSchemaName | pg_errors.UndefinedTable
        ) and _attune_schema_exists(conn)
        raise RegistrarError(describe(exc, secret, schema_exists=exists)) from None


def require_idle(conn: Connection) -> None:
    """The registrar's work must be one transaction of its own."""
    if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        raise RegistrarError(
            "the connection has a transaction in progress; hand the registrar an idle "
            "(preferably autocommit) connection"
        )

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


def connect(url: str, *, connect_timeout: int = 10) -> Connection:
    """An autocommit connection to `url`; the registrar opens its own transactions."""
    try:
        return psycopg.connect(
            url,
            autocommit=True,
            connect_timeout=connect_timeout,
            application_name="attune-lsp",
        )
    except psycopg.Error as exc:
        # libpq may quote a malformed connection string in full.
        text = _first_lines(str(exc)).replace(url, redact_url(url))
        detail = scrub(text, *url_passwords(url))
        raise RegistrarError(f"cannot connect to {redact_url(url)}: {detail}") from None


def _first_lines(text: str) -> str:
    return "; ".join(line.strip() for line in text.strip().splitlines() if line.strip())


def _password(conn: Connection | None) -> str | None:
    if conn is None:
        return None
    try:
        return conn.info.password or None
    except psycopg.Error:
        return None


def describe(exc: psycopg.Error, *secrets: str | None) -> str:
    """A one-line, password-free description of a driver error."""
    primary = exc.diag.message_primary if exc.diag else None
    detail = scrub(_first_lines(primary or str(exc) or type(exc).__name__), *secrets)
    if isinstance(exc, pg_errors.InsufficientPrivilege):
        return detail if detail.startswith("permission denied") else f"permission denied: {detail}"
    if isinstance(exc, pg_errors.InvalidSchemaName | pg_errors.UndefinedTable):
        return _NO_SCHEMA.format(detail=detail)
    if isinstance(exc, pg_errors.AdminShutdown):
        return f"the server closed the connection: {detail}"
    if isinstance(exc, psycopg.OperationalError):
        return f"database connection failed: {detail}"
    return f"database error: {detail}"


@contextmanager
def translate_errors(conn: Connection | None = None) -> Iterator[None]:
    """Re-raise driver errors as `RegistrarError` with a redacted message."""
    secret = _password(conn)
    try:
        yield
    except psycopg.Error as exc:
        raise RegistrarError(describe(exc, secret)) from None


def require_idle(conn: Connection) -> None:
    """The registrar's work must be one transaction of its own."""
    if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        raise RegistrarError(
            "the connection has a transaction in progress; hand the registrar an idle "
            "(preferably autocommit) connection"
        )

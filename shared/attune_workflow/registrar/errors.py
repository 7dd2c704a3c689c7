"""Registrar errors and the password redaction every message goes through."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, unquote, urlsplit

REDACTED = "***"


class RegistrarError(Exception):
    """A database problem whose message is safe to show (it never contains a password)."""


class MigrationError(RegistrarError):
    """The migration history of the database does not match the migration files."""


class ForeignSchemaError(MigrationError):
    """Schema `attune` exists but was not created by attune-lsp's migrations."""

    def __init__(self) -> None:
        super().__init__(
            "schema attune exists and is managed by Attune itself; attune-lsp will not "
            "migrate it — point --database-url at it and register without migrating"
        )


class EmbeddedServerError(RegistrarError):
    """The embedded PostgreSQL server could not be prepared or started."""


_SECRET_KEYS = ("password", "sslpassword")
_QUERY_SECRET = re.compile(r"(?P<key>[?&](?:password|sslpassword)=)[^&#]*", re.IGNORECASE)
_KV_SECRET = re.compile(
    r"(?P<key>\b(?:password|sslpassword)\s*=\s*)(?P<value>'(?:[^'\\]|\\.)*'|[^\s]*)",
    re.IGNORECASE,
)


def redact_url(url: str) -> str:
    """`url` with any password replaced by `***`, everything else kept as written.

    Handles `postgresql://user:secret@host/db` URIs (including `password=` query
    parameters) and libpq `key=value` connection strings.
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        return _KV_SECRET.sub(lambda m: m.group("key") + REDACTED, url)
    # User info ends at the last "@" before the query; if the part before the first "?"
    # has no "@", a "?" sits inside the password (unencoded), so take the last "@" of
    # all. Too much hidden is acceptable, a password shown is not.
    before_query = rest.partition("?")[0]
    at = before_query.rfind("@") if "@" in before_query else rest.rfind("@")
    if at != -1 and ":" in rest[:at]:
        rest = f"{rest[:at].split(':', 1)[0]}:{REDACTED}{rest[at:]}"
    return f"{scheme}://{_QUERY_SECRET.sub(lambda m: m.group('key') + REDACTED, rest)}"


def url_password(url: str) -> str | None:
    """The password a connection string carries, if any (to scrub it from messages)."""
    if "://" not in url:
        match = _KV_SECRET.search(url)
        if not match:
            return None
        value = match.group("value")
        if value.startswith("'") and value.endswith("'"):
            value = value[1:-1].replace("\\'", "'").replace("\\\\", "\\")
        return value or None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.password:
        return unquote(parts.password)
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key.lower() in _SECRET_KEYS and value:
            return value
    return None


def scrub(text: str, *secrets: str | None) -> str:
    """`text` with every occurrence of each secret (raw and URL-quoted) replaced by `***`."""
    for secret in secrets:
        if not secret:
            continue
        for form in {secret, quote(secret, safe=""), quote(secret)}:
            text = text.replace(form, REDACTED)
    return _KV_SECRET.sub(lambda m: m.group("key") + REDACTED, text)

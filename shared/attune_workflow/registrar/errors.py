"""Registrar errors and the password redaction every message goes through."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, unquote

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


def _split_userinfo(rest: str) -> tuple[str, str, str] | None:
    """(user, password, remainder starting at "@") of a URI after its `scheme://`.

    User info ends at the last "@" before the query; when the part before the first
    "?" has no "@", a "?" sits inside the password (unencoded), so the last "@" of all
    is taken. Too much hidden is acceptable, a password shown is not.
    """
    before_query = rest.partition("?")[0]
    at = before_query.rfind("@") if "@" in before_query else rest.rfind("@")
    if at == -1 or ":" not in rest[:at]:
        return None
    user, _, password = rest[:at].partition(":")
    return user, password, rest[at:]


def redact_url(url: str) -> str:
    """`url` with any password replaced by `***`, everything else kept as written.

    Handles `postgresql://user:secret@host/db` URIs (including `password=` query
    parameters), libpq `key=value` connection strings, and `user:secret@host` text
    that is neither.
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        if "=" in url or "@" not in url:
            return _KV_SECRET.sub(lambda m: m.group("key") + REDACTED, url)
        scheme, sep, rest = "", "", url
    parts = _split_userinfo(rest)
    if parts is not None:
        user, _, remainder = parts
        rest = f"{user}:{REDACTED}{remainder}"
    rest = _QUERY_SECRET.sub(lambda m: m.group("key") + REDACTED, rest)
    return f"{scheme}{'://' if sep else ''}{rest}"


def url_password(url: str) -> str | None:
    """The password a connection string carries, if any (to scrub it from messages)."""
    _, sep, rest = url.partition("://")
    if not sep and ("=" in url or "@" not in url):
        match = _KV_SECRET.search(url)
        if not match:
            return None
        value = match.group("value")
        if value.startswith("'") and value.endswith("'"):
            value = value[1:-1].replace("\\'", "'").replace("\\\\", "\\")
        return value or None
    parts = _split_userinfo(rest if sep else url)
    if parts is not None and parts[1]:
        return unquote(parts[1])
    for key, value in parse_qsl(rest.partition("?")[2], keep_blank_values=True):
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

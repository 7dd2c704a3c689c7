"""Registrar errors and the password redaction every message goes through."""

from __future__ import annotations

import logging
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
_URI_SCHEMES = ("postgresql://", "postgres://")
# A `password=`/`sslpassword=` query value runs to the next `&key=` (an unencoded "&" inside
# it does not end it here, although libpq would split there: too much hidden is acceptable).
_QUERY_SECRET = re.compile(
    r"(?P<key>[?&](?:password|sslpassword)=)(?:(?!&[A-Za-z_]+=).)*", re.IGNORECASE | re.DOTALL
)
_KV_SECRET = re.compile(
    r"(?P<key>\b(?:password|sslpassword)\s*=\s*)(?P<value>'(?:[^'\\]|\\.)*'|[^\s]*)",
    re.IGNORECASE,
)
# Connection URIs inside free text (log lines, reprs of settings): up to a space or quote.
_URI_IN_TEXT = re.compile(r"\b(?:postgresql|postgres)://(?:\\.|[^\s'\"\\])*", re.IGNORECASE)
# "password": "..." in JSON or Python reprs of settings.
_KEYED_SECRET = re.compile(
    r"(?P<key>[\"']?(?:password|sslpassword)[\"']?\s*:\s*)(?P<q>[\"'])(?:\\.|(?!(?P=q)).)*(?P=q)",
    re.IGNORECASE,
)


def _userinfo_bounds(rest: str) -> tuple[int, int, int] | None:
    """(the ":" after the user, the "@" that ends the user info, libpq's "@") after `scheme://`.

    libpq ends the user info at the first "@" before any "/", and the password at
    that "@" too; a password holding an unencoded "@", "?", "/" or "#" makes the
    user's intent differ from libpq's reading. The span hidden runs from the first
    ":" to the last "@" before the first "/" (the path), or to the last "@" of all
    when no "@" comes before a "/": it covers libpq's reading and the user's, and
    keeps an "@" of the query (`?application_name=a@b`) shown. Too much hidden is
    acceptable, a password shown is not.
    """
    slash = rest.find("/")
    head = rest if slash == -1 else rest[:slash]
    end = head.rfind("@") if "@" in head else rest.rfind("@")
    if end == -1:
        return None
    colon = rest.find(":", 0, end)
    if colon == -1:
        return None
    libpq_at = rest.find("@")
    if slash != -1 and slash < libpq_at:
        libpq_at = -1  # libpq sees no user info at all
    return colon, end, libpq_at


def _uri_passwords(rest: str) -> list[str]:
    """Every reading of the password of a URI's remainder after `scheme://` (decoded)."""
    found: list[str] = []
    bounds = _userinfo_bounds(rest)
    if bounds is not None:
        colon, last_at, libpq_at = bounds
        found.append(rest[colon + 1 : last_at])
        if libpq_at > colon:
            found.append(rest[colon + 1 : libpq_at])
    query = rest.partition("?")[2]
    for match in _QUERY_SECRET.finditer("?" + query):
        found.append(match.group(0)[len(match.group("key")) :])
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key.lower() in _SECRET_KEYS:
            found.append(value)
    result: list[str] = []
    for value in found:
        for form in (value, unquote(value)):
            if form and form not in result:
                result.append(form)
    return result


def redact_url(url: str) -> str:
    """`url` with any password replaced by `***`, everything else kept as written.

    Handles `postgresql://user:secret@host/db` URIs (including `password=` query
    parameters) with `@ ? / % : #` inside the password, libpq `key=value`
    connection strings, and `user:secret@host` text that is neither.
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        if "=" in url or "@" not in url:
            return _KV_SECRET.sub(lambda m: m.group("key") + REDACTED, url)
        scheme, sep, rest = "", "", url
    bounds = _userinfo_bounds(rest)
    if bounds is not None:
        colon, last_at, _ = bounds
        rest = f"{rest[: colon + 1]}{REDACTED}{rest[last_at:]}"
    rest = _QUERY_SECRET.sub(lambda m: m.group("key") + REDACTED, rest)
    return f"{scheme}{'://' if sep else ''}{rest}"


def url_passwords(url: str) -> list[str]:
    """Every string a connection string's password may be, as written and decoded.

    libpq's own reading is among them (to scrub it from the driver's messages),
    and so is the reading that takes the user info to the last "@".
    """
    _, sep, rest = url.partition("://")
    if not sep and ("=" in url or "@" not in url):
        found = []
        for match in _KV_SECRET.finditer(url):
            value = match.group("value")
            if value.startswith("'") and value.endswith("'") and len(value) >= 2:
                value = value[1:-1].replace("\\'", "'").replace("\\\\", "\\")
            if value:
                found.append(value)
        return found
    return _uri_passwords(rest if sep else url)


def url_password(url: str) -> str | None:
    """The password a connection string carries, if any (decoded; the widest reading)."""
    found = url_passwords(url)
    return unquote(found[0]) if found and "://" in url else (found[0] if found else None)


def scrub(text: str, *secrets: str | None) -> str:
    """`text` with every occurrence of each secret (raw and URL-quoted) replaced by `***`."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        for form in {secret, quote(secret, safe=""), quote(secret)}:
            text = text.replace(form, REDACTED)
    return _KV_SECRET.sub(lambda m: m.group("key") + REDACTED, text)


def redact_text(text: str, *secrets: str | None) -> str:
    """Free text (a log line, a repr of settings) with every password in it hidden.

    Connection URIs and `key=value` strings found in the text are redacted, as are
    `"password": "..."` items and the given known secrets.
    """
    text = _URI_IN_TEXT.sub(lambda m: redact_url(m.group(0)), text)
    text = _KEYED_SECRET.sub(
        lambda m: f"{m.group('key')}{m.group('q')}{REDACTED}{m.group('q')}", text
    )
    return scrub(text, *secrets)


_KNOWN_SECRETS: set[str] = set()


def remember_secrets(url: str | None) -> None:
    """Hide the passwords of a connection string from every later log line."""
    if url:
        _KNOWN_SECRETS.update(url_passwords(url))


class RedactingFilter(logging.Filter):
    """A handler filter that hides passwords in messages and tracebacks."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: show the template, redacted
            message = str(record.msg)
        record.msg = redact_text(message, *_KNOWN_SECRETS)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text, *_KNOWN_SECRETS)
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info, *_KNOWN_SECRETS)
        return True


def install_log_redaction(logger: logging.Logger | None = None) -> None:
    """Put the redacting filter on every handler of a logger (the root logger by default)."""
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())

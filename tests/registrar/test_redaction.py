"""A password in a database URL is never shown: not in messages, errors or CLI output."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from urllib.parse import quote

import psycopg
import pytest

from attune_lsp import dbcli
from attune_workflow.registrar import connect, embedded
from attune_workflow.registrar.db import translate_errors
from attune_workflow.registrar.errors import RegistrarError, redact_url, scrub, url_password

SECRET = "s3cr:t@pw/%x"
ROLE = "attune_pw_test"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "postgresql://u:secret@db.example:5432/attune",
            "postgresql://u:***@db.example:5432/attune",
        ),
        (
            "postgres://u:p%40ss@h/db?sslmode=require",
            "postgres://u:***@h/db?sslmode=require",
        ),
        ("postgresql://u:p@ss@h/db", "postgresql://u:***@h/db"),
        ("postgresql://u:pa?ss@h/db", "postgresql://u:***@h/db"),
        (
            "postgresql://u:pw@h/db?application_name=a@b",
            "postgresql://u:***@h/db?application_name=a@b",
        ),
        ("postgresql://u:pw@h1:5432,h2:5433/db", "postgresql://u:***@h1:5432,h2:5433/db"),
        (
            "postgresql://u@h/db?password=secret&sslmode=require",
            "postgresql://u@h/db?password=***&sslmode=require",
        ),
        ("postgresql://u@h/db", "postgresql://u@h/db"),
        ("postgresql:///attune?host=/var/run/pg", "postgresql:///attune?host=/var/run/pg"),
        ("host=h user=u password=secret dbname=a", "host=h user=u password=*** dbname=a"),
        ("host=h password='sec ret' dbname=a", "host=h password=*** dbname=a"),
        ("host=h PASSWORD = secret", "host=h PASSWORD = ***"),
        ("u:secret@h/db", "u:***@h/db"),
        ("", ""),
    ],
)
def test_redact_url(url: str, expected: str) -> None:
    assert redact_url(url) == expected


def test_url_password_and_scrub() -> None:
    url = f"postgresql://u:{quote(SECRET, safe='')}@h/db"
    assert url_password(url) == SECRET
    assert url_password("host=h password='a b'") == "a b"
    assert url_password("postgresql://u@h/db") is None
    text = f"failed for {SECRET} and {quote(SECRET, safe='')} password=other"
    assert scrub(text, SECRET) == "failed for *** and *** password=***"


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://u:secretpw@[h/db",  # libpq quotes the whole malformed URI
        "u:secretpw@h/db",  # neither a URI nor key=value
        "user=u password=secretpw badkey",
        "postgresql://u:secretpw x@h/db",
        "postgresql://u:secret%zzpw@h/db",
    ],
)
def test_malformed_urls_do_not_leak_in_errors(url: str) -> None:
    with pytest.raises(RegistrarError) as caught:
        connect(url, connect_timeout=1)
    assert "secret" not in str(caught.value)
    assert "***" in str(caught.value)


@pytest.fixture(scope="module")
def password_role(embedded_server: embedded.EmbeddedServer) -> Iterator[str]:
    """A role that must log in with a password on the embedded server."""
    hba = embedded_server.pgdata / "pg_hba.conf"
    original = hba.read_text()
    with psycopg.connect(embedded_server.url("postgres"), autocommit=True) as admin:
        admin.execute(f"CREATE ROLE {ROLE} LOGIN PASSWORD '{SECRET}'")
        hba.write_text(f"local all {ROLE} scram-sha-256\n" + original)
        admin.execute("SELECT pg_reload_conf()")
    try:
        yield embedded_server.url("postgres").replace("postgres@", f"{ROLE}:{{password}}@", 1)
    finally:
        hba.write_text(original)
        with psycopg.connect(embedded_server.url("postgres"), autocommit=True) as admin:
            admin.execute("SELECT pg_reload_conf()")
            admin.execute(f"DROP ROLE {ROLE}")


def test_the_password_role_works_with_the_right_password(password_role: str) -> None:
    with connect(password_role.format(password=quote(SECRET, safe=""))) as conn:
        assert conn.execute("SELECT current_user").fetchone() == (ROLE,)


def test_a_bad_password_error_does_not_show_it(password_role: str) -> None:
    wrong = SECRET + "-wrong"
    url = password_role.format(password=quote(wrong, safe=""))
    with pytest.raises(RegistrarError) as caught:
        connect(url)
    message = str(caught.value)
    assert "password authentication failed" in message
    assert f"{ROLE}:***@" in message
    for form in (wrong, quote(wrong, safe=""), SECRET, quote(SECRET, safe="")):
        assert form not in message
    assert caught.value.__suppress_context__


def test_errors_on_an_open_connection_hide_its_password(password_role: str) -> None:
    url = password_role.format(password=quote(SECRET, safe=""))
    with connect(url) as conn, pytest.raises(RegistrarError) as caught, translate_errors(conn):
        conn.execute("SELECT %s::int", [SECRET])
    assert SECRET not in str(caught.value)
    assert "invalid input syntax" in str(caught.value)


def test_the_cli_prints_one_redacted_line(
    password_role: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = password_role.format(password=quote(SECRET + "-wrong", safe=""))
    parser = argparse.ArgumentParser()
    dbcli.add_db_arguments(parser.add_subparsers())
    for argv in (["list", "--database-url", url], ["db", "status", "--database-url", url]):
        args = parser.parse_args(argv)
        assert args.handler(args) == 3
        out, err = capsys.readouterr()
        assert "secr" not in out + err and "s3cr" not in out + err
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("attune-lsp: error: ")
        assert "***" in lines[0]

"""The migration runner: idempotent, serialised, and hands off foreign schemas."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import psycopg
import pytest
from registrar_helpers import add_pack, workflow

from attune_workflow.registrar import migrate as migrate_module
from attune_workflow.registrar import register
from attune_workflow.registrar.errors import ForeignSchemaError, MigrationError
from attune_workflow.registrar.migrate import (
    BOOKKEEPING_SCHEMA,
    Migration,
    load_migrations,
    migrations_dir,
    status,
    upgrade,
)

REPO = Path(__file__).resolve().parents[2]
FILES = ["0001_attune_schema.sql", "0002_workflow_system.sql", "0003_attune_lifecycle.sql"]


def schemas(conn: psycopg.Connection[Any]) -> set[str]:
    rows = conn.execute("SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg_%'")
    return {row[0] for row in rows} - {"information_schema", "public"}


def test_files_are_found_in_the_source_checkout() -> None:
    assert Path(str(migrations_dir())) == REPO / "migrations"
    assert [m.name for m in load_migrations()] == FILES


def test_packaged_files_are_preferred(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # The wheel carries the files as attune_workflow/registrar/migrations.
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "0001_only.sql").write_text("SELECT 1")
    monkeypatch.setattr(migrate_module, "resources", SimpleNamespace(files=lambda _: tmp_path))
    assert Path(str(migrations_dir())) == tmp_path / "migrations"
    assert [m.name for m in load_migrations()] == ["0001_only.sql"]


def test_upgrade_applies_every_file_once(empty_db_url: str) -> None:
    with psycopg.connect(empty_db_url, autocommit=True) as conn:
        assert status(conn).owner == "none"
        assert status(conn).pending == tuple(FILES)
        assert upgrade(conn) == FILES
        assert upgrade(conn) == []
        state = status(conn)
        assert (state.owner, state.applied, state.pending) == ("attune-lsp", tuple(FILES), ())
        assert state.up_to_date
        rows = conn.execute(f"SELECT name, length(checksum) FROM {BOOKKEEPING_SCHEMA}.applied")
        assert sorted(rows.fetchall()) == [(name, 64) for name in FILES]


def test_concurrent_upgrades_apply_once(empty_db_url: str) -> None:
    barrier = threading.Barrier(4)
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with psycopg.connect(empty_db_url, autocommit=True) as conn:
                barrier.wait()
                results.append(upgrade(conn))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(results) == [[], [], [], FILES]


def test_refuses_a_schema_attune_did_not_come_from_us(empty_db_url: str) -> None:
    with psycopg.connect(empty_db_url, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA attune; CREATE TABLE attune.pack (id bigserial PRIMARY KEY)")
        assert status(conn).foreign
        with pytest.raises(ForeignSchemaError) as caught:
            upgrade(conn)
        assert str(caught.value) == (
            "schema attune exists and is managed by Attune itself; attune-lsp will not migrate "
            "it — point --database-url at it and register without migrating"
        )
        assert BOOKKEEPING_SCHEMA not in schemas(conn)
        tables = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'attune'"
        ).fetchone()
        assert tables == (1,)


def test_registrar_works_on_an_attune_database_without_migrating(empty_db_url: str) -> None:
    # An Attune-managed database: the same tables, created without attune-lsp's bookkeeping.
    with psycopg.connect(empty_db_url, autocommit=True) as conn:
        for migration in load_migrations():
            conn.execute(migration.sql.encode())
        add_pack(conn)
        report = register(conn, [workflow()])
        assert [o.status for o in report.outcomes] == ["created"]
        with pytest.raises(ForeignSchemaError):
            upgrade(conn)
        assert BOOKKEEPING_SCHEMA not in schemas(conn)


def test_an_edited_applied_file_is_an_error(empty_db_url: str) -> None:
    migrations = load_migrations()
    with psycopg.connect(empty_db_url, autocommit=True) as conn:
        upgrade(conn, migrations)
        edited = [
            dataclasses.replace(migrations[0], checksum="0" * 64),
            *migrations[1:],
            Migration("0003_more.sql", "CREATE TABLE attune.more (id int)", "f" * 64),
        ]
        with pytest.raises(MigrationError, match=r"0001_attune_schema\.sql was changed"):
            upgrade(conn, edited)
        # Nothing from the same run was applied.
        assert status(conn, [*migrations, edited[-1]]).pending == ("0003_more.sql",)


def test_a_failing_file_leaves_nothing_behind(empty_db_url: str) -> None:
    broken = Migration("0003_broken.sql", "CREATE TABLE attune.x (id int); SELECT 1/0;", "e" * 64)
    with psycopg.connect(empty_db_url, autocommit=True) as conn:
        with pytest.raises(MigrationError, match=r"0003_broken\.sql failed: division by zero"):
            upgrade(conn, [*load_migrations(), broken])
        # All pending files share one transaction: not even 0001 is applied.
        assert status(conn).owner == "none"
        assert "attune" not in schemas(conn)
        assert upgrade(conn) == FILES


def test_files_unknown_to_this_version_are_reported(empty_db_url: str) -> None:
    with psycopg.connect(empty_db_url, autocommit=True) as conn:
        extra = Migration("0099_future.sql", "SELECT 1", "a" * 64)
        upgrade(conn, [*load_migrations(), extra])
        state = status(conn)
        assert state.unknown == ("0099_future.sql",)
        assert upgrade(conn) == []


def test_upgrade_needs_an_idle_connection(empty_db_url: str) -> None:
    with psycopg.connect(empty_db_url) as conn:  # not autocommit
        conn.execute("SELECT 1")
        with pytest.raises(MigrationError, match="transaction in progress"):
            upgrade(conn)


def test_packs_attune_would_refuse_do_not_stop_the_upgrade(empty_db_url: str) -> None:
    # Packs an earlier version created before the tables took Attune's CHECKs.
    migrations = load_migrations()
    with psycopg.connect(empty_db_url, autocommit=True) as conn:
        upgrade(conn, migrations[:2])
        conn.execute("INSERT INTO attune.pack (ref, label, version) VALUES ('x', 'X', '1')")
        assert upgrade(conn) == FILES[2:]
        rows = conn.execute(
            "SELECT conname, convalidated FROM pg_constraint"
            " WHERE conname IN ('pack_ref_format', 'pack_version_semver', 'pack_ref_lowercase')"
            " ORDER BY conname"
        ).fetchall()
        assert rows == [
            ("pack_ref_format", False),
            ("pack_ref_lowercase", True),
            ("pack_version_semver", False),
        ]
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("INSERT INTO attune.pack (ref, label, version) VALUES ('y', 'Y', '1')")

"""The migrated schema matches Attune's tables: as documented in attune-database.md §4,
and as Attune's own migrations build them (compared through information_schema)."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
import pytest
from psycopg import errors as pg_errors
from psycopg import sql
from psycopg.conninfo import make_conninfo
from registrar_helpers import add_pack, real_schema_database

from attune_workflow.registrar import migrate

# column -> (type, nullable); nullable None where the reference does not say.
WORKFLOW_DEFINITION = {
    "id": ("bigint", False),
    "ref": ("varchar(255)", False),
    "pack": ("bigint", False),
    "pack_ref": ("varchar(255)", False),
    "label": ("varchar(255)", False),
    "description": ("text", True),
    "version": ("varchar(50)", False),
    "param_schema": ("jsonb", True),
    "out_schema": ("jsonb", True),
    "definition": ("jsonb", False),
    "tags": ("text[]", True),
    "created": ("timestamptz", False),
    "updated": ("timestamptz", False),
}
WORKFLOW_EXECUTION = {
    "id": ("bigint", False),
    "execution": ("bigint", False),
    "workflow_def": ("bigint", False),
    "current_tasks": ("text[]", True),
    "completed_tasks": ("text[]", True),
    "failed_tasks": ("text[]", True),
    "skipped_tasks": ("text[]", True),
    "variables": ("jsonb", True),
    "task_graph": ("jsonb", False),
    "status": ("execution_status_enum", False),
    "error_message": ("text", True),
    "paused": ("boolean", False),
    "pause_reason": ("text", True),
    "created": ("timestamptz", False),
    "updated": ("timestamptz", False),
}
ACTION = {
    "id": ("bigint", False),
    "ref": ("text", False),
    "pack": ("bigint", False),
    "pack_ref": ("text", False),
    "label": ("text", False),
    "description": ("text", True),
    "entrypoint": ("text", False),
    "runtime": ("bigint", True),
    "enabled": ("boolean", False),
    "param_schema": ("jsonb", True),
    "out_schema": ("jsonb", True),
    "parameter_delivery": ("text", False),
    "parameter_format": ("text", False),
    "output_format": ("text", False),
    "is_adhoc": ("boolean", False),
    "timeout_seconds": ("integer", True),
    "max_retries": ("integer", True),
    "runtime_version_constraint": ("text", True),
    "accesses_mcp": ("boolean", False),
    "default_execution_permission_set_refs": ("text[]", False),
    "reference_visibility": ("action_reference_visibility_enum", False),
    "reference_allowed_pack_refs": ("text[]", False),
    "log_retention_policy": ("artifact_retention_enum", True),
    "artifact_retention_policy": ("artifact_retention_enum", True),
    "log_retention_limit": ("integer", True),
    "artifact_retention_limit": ("integer", True),
    "created": ("timestamptz", False),
    "updated": ("timestamptz", False),
    "workflow_def": ("bigint", True),
    "required_worker_runtimes": ("jsonb", False),
    "worker_selector": ("jsonb", False),
    "worker_affinity": ("jsonb", False),
    "worker_tolerations": ("jsonb", False),
}
# pack and runtime: every documented column must exist; types and nullability are
# checked where §4.5 / §4.6 state them.
PACK = {
    "id": ("bigint", False),
    "ref": ("text", None),
    "label": (None, None),
    "description": (None, True),
    "version": (None, None),
    "conf_schema": ("jsonb", None),
    "config": ("jsonb", None),
    "meta": ("jsonb", None),
    "tags": ("text[]", None),
    "runtime_deps": ("text[]", None),
    "dependencies": ("text[]", None),
    "is_standard": ("boolean", None),
    "installers": ("jsonb", None),
    "worker_selector": ("jsonb", False),
    "worker_tolerations": ("jsonb", False),
    "worker_affinity": ("jsonb", False),
    "source_type": (None, None),
    "source_url": (None, None),
    "source_ref": (None, None),
    "checksum": (None, None),
    "checksum_verified": (None, None),
    "installed_at": (None, None),
    "installed_by": (None, None),
    "installation_method": (None, None),
    "storage_path": (None, None),
    "install_status": ("text", False),
    "active_release": (None, None),
    "created": (None, None),
    "updated": (None, None),
}
RUNTIME = {
    "id": ("bigint", False),
    "ref": (None, None),
    "pack": (None, True),
    "pack_ref": (None, True),
    "description": (None, None),
    "name": (None, None),
    "aliases": (None, None),
    "distributions": ("jsonb", None),
    "installation": ("jsonb", None),
    "installers": ("jsonb", None),
    "execution_config": ("jsonb", None),
    "auto_detected": ("boolean", None),
    "detection_config": ("jsonb", None),
    "created": (None, None),
    "updated": (None, None),
}

LIFECYCLE_COLUMNS = {
    "catalog_revision",
    "managed_release",
    "management_origin",
    "retired_at",
    "enabled_override",
    "omission_disabled",
    "effective_enabled",
}

_SHORT_TYPES = {"timestamp with time zone": "timestamptz"}


def columns(conn: psycopg.Connection[Any], table: str) -> dict[str, tuple[str, bool]]:
    rows = conn.execute(
        "SELECT column_name, data_type, udt_name, character_maximum_length, is_nullable"
        " FROM information_schema.columns WHERE table_schema = 'attune' AND table_name = %s",
        [table],
    ).fetchall()
    out = {}
    for name, data_type, udt, length, nullable in rows:
        if data_type == "character varying":
            kind = f"varchar({length})"
        elif data_type == "ARRAY":
            kind = udt.lstrip("_") + "[]"
        elif data_type == "USER-DEFINED":
            kind = udt
        else:
            kind = _SHORT_TYPES.get(data_type, data_type)
        out[name] = (kind, nullable == "YES")
    return out


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("workflow_definition", WORKFLOW_DEFINITION),
        ("workflow_execution", WORKFLOW_EXECUTION),
        ("action", ACTION),
    ],
)
def test_tables_have_the_documented_columns(
    conn: psycopg.Connection[Any], table: str, expected: dict[str, tuple[str, bool]]
) -> None:
    actual = columns(conn, table)
    assert {name: actual.get(name) for name in expected} == expected
    # Later Attune migrations add only lifecycle and catalog columns (§4.2, §4.4).
    assert set(actual) - set(expected) <= LIFECYCLE_COLUMNS


@pytest.mark.parametrize(("table", "expected"), [("pack", PACK), ("runtime", RUNTIME)])
def test_pack_and_runtime_have_the_documented_columns(
    conn: psycopg.Connection[Any],
    table: str,
    expected: dict[str, tuple[str | None, bool | None]],
) -> None:
    actual = columns(conn, table)
    assert set(actual) - LIFECYCLE_COLUMNS == set(expected)
    for name, (kind, nullable) in expected.items():
        if kind is not None:
            assert actual[name][0] == kind, name
        if nullable is not None:
            assert actual[name][1] == nullable, name


def test_foreign_keys_delete_as_attune_does(conn: psycopg.Connection[Any]) -> None:
    rows = conn.execute(
        """
        SELECT kcu.table_name, kcu.column_name, ccu.table_name, rc.delete_rule
        FROM information_schema.referential_constraints rc
        JOIN information_schema.key_column_usage kcu
          ON kcu.constraint_name = rc.constraint_name AND kcu.constraint_schema = 'attune'
        JOIN information_schema.constraint_column_usage ccu
          ON ccu.constraint_name = rc.constraint_name AND ccu.constraint_schema = 'attune'
        WHERE rc.constraint_schema = 'attune'
        """
    ).fetchall()
    tables = ("pack", "runtime", "action", "workflow_definition", "workflow_execution")
    single = sorted(
        row
        for row in rows
        if row[0] in tables
        and row[1] not in ("managed_release", "installed_by")
        and row[2] != "pack_release"
    )
    assert single == [
        ("action", "pack", "pack", "CASCADE"),
        ("action", "runtime", "runtime", "NO ACTION"),
        ("action", "workflow_def", "workflow_definition", "CASCADE"),
        ("runtime", "pack", "pack", "CASCADE"),
        ("workflow_definition", "pack", "pack", "CASCADE"),
        ("workflow_execution", "workflow_def", "workflow_definition", "CASCADE"),
    ]


def test_every_table_has_its_updated_trigger(conn: psycopg.Connection[Any]) -> None:
    rows = conn.execute(
        "SELECT event_object_table, trigger_name, action_timing, event_manipulation,"
        " action_statement FROM information_schema.triggers WHERE trigger_schema = 'attune'"
        " AND trigger_name LIKE 'update\\_%%\\_updated'"
        " AND event_object_table IN"
        " ('action', 'pack', 'runtime', 'workflow_definition', 'workflow_execution')"
    ).fetchall()
    assert sorted(rows) == [
        (
            table,
            f"update_{table}_updated",
            "BEFORE",
            "UPDATE",
            "EXECUTE FUNCTION update_updated_column()",
        )
        for table in sorted(
            ("action", "pack", "runtime", "workflow_definition", "workflow_execution")
        )
    ]
    add_pack(conn)
    before = conn.execute("SELECT updated FROM attune.pack").fetchone()
    with conn.transaction():  # NOW() is the transaction start: use a later transaction
        conn.execute("UPDATE attune.pack SET label = 'Other'")
    after = conn.execute("SELECT updated FROM attune.pack").fetchone()
    assert before is not None and after is not None and after[0] > before[0]


def test_documented_indexes_exist(conn: psycopg.Connection[Any]) -> None:
    names = {
        row[0]
        for row in conn.execute("SELECT indexname FROM pg_indexes WHERE schemaname = 'attune'")
    }
    expected = {
        "idx_workflow_def_pack",
        "idx_workflow_def_ref",
        "idx_workflow_def_tags",
        "idx_workflow_exec_workflow_def",
        "idx_workflow_exec_status",
        "idx_workflow_exec_paused",
        "uq_workflow_execution_execution",
        "workflow_definition_ref_key",
        "action_ref_key",
        "pack_ref_key",
        "runtime_ref_key",
        *(
            f"idx_action_{suffix}"
            for suffix in (
                "ref",
                "pack",
                "runtime",
                "enabled",
                "parameter_delivery",
                "parameter_format",
                "output_format",
                "is_adhoc",
                "accesses_mcp",
                "default_execution_permission_set_refs",
                "reference_visibility",
                "reference_allowed_pack_refs",
                "created",
                "workflow_def",
            )
        ),
    }
    assert expected <= names


def test_enum_types(conn: psycopg.Connection[Any]) -> None:
    rows = conn.execute(
        "SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder)"
        " FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid"
        " JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'attune'"
        " GROUP BY t.typname"
    ).fetchall()
    values = dict(rows)
    assert values["action_reference_visibility_enum"] == ["public", "private", "restricted"]
    assert values["artifact_retention_enum"] == ["versions", "days", "hours", "minutes"]
    assert values["execution_status_enum"][0] == "requested"


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("ref", "'Demo.Upper'"),
        ("ref", "'demo.two.dots'"),
        ("ref", "'nodot'"),
        ("parameter_delivery", "'env'"),
        ("parameter_format", "'xml'"),
        ("output_format", "'csv'"),
        ("timeout_seconds", "0"),
        ("log_retention_limit", "-1"),
        ("reference_allowed_pack_refs", "ARRAY['other']"),
        ("reference_allowed_pack_refs", "ARRAY[NULL]::text[]"),
    ],
)
def test_action_checks(conn: psycopg.Connection[Any], column: str, value: str) -> None:
    pack = add_pack(conn)
    values = {
        "ref": "'demo.ok'",
        "pack": str(pack),
        "pack_ref": "'demo'",
        "label": "'x'",
        "entrypoint": "'x.sh'",
    }
    values[column] = value
    if value == "ARRAY[NULL]::text[]":
        values["reference_visibility"] = "'restricted'"
    statement = "INSERT INTO attune.action ({}) VALUES ({})".format(
        ", ".join(values), ", ".join(values.values())
    )
    with pytest.raises(pg_errors.CheckViolation):
        conn.execute(statement.encode())


def test_restricted_visibility_allows_pack_refs(conn: psycopg.Connection[Any]) -> None:
    pack = add_pack(conn)
    conn.execute(
        "INSERT INTO attune.action (ref, pack, pack_ref, label, entrypoint, reference_visibility,"
        " reference_allowed_pack_refs) VALUES ('demo.ok', %s, 'demo', 'x', 'x.sh', 'restricted',"
        " ARRAY['other'])",
        [pack],
    )


@pytest.mark.parametrize(
    ("ref", "version", "install_status"),
    [
        ("a.b", "1.0.0", "installed"),
        ("x", "1.0.0", "installed"),
        ("Demo", "1.0.0", "installed"),
        ("1demo", "1.0.0", "installed"),
        ("demo", "1.0", "installed"),
        ("demo", "1", "installed"),
        ("demo", "1.0.0", "gone"),
    ],
)
def test_pack_checks(
    conn: psycopg.Connection[Any], ref: str, version: str, install_status: str
) -> None:
    with pytest.raises(pg_errors.CheckViolation):
        conn.execute(
            "INSERT INTO attune.pack (ref, label, version, install_status) VALUES (%s, 'x', %s, %s)",
            [ref, version, install_status],
        )


def test_pack_unique_ref(conn: psycopg.Connection[Any]) -> None:
    conn.execute(
        "INSERT INTO attune.pack (ref, label, version) VALUES ('demo-2_x', 'x', '1.0.0-rc.1+b.5')"
    )
    add_pack(conn, "dup")
    with pytest.raises(pg_errors.UniqueViolation):
        add_pack(conn, "dup")


# --- attune-lsp's migrations against Attune's own -------------------------------------

TABLES = ("pack", "runtime", "action", "workflow_definition", "workflow_execution")
# Differences kept on purpose, with why. Each entry is a fact present on one side only.
INTENDED_ONLY_REAL = {
    # `identity` (Attune's users) is not part of attune-lsp's schema: the registrar
    # never writes `installed_by`, so the column stays without its foreign key.
    ("constraint", "pack", "fk_pack_installed_by", "FOREIGN KEY", "None"),
    ("fk", "pack", "fk_pack_installed_by", "SET NULL", "NO ACTION", "identity"),
}
INTENDED_ONLY_EMBEDDED: set[tuple[str, ...]] = set()


def schema_facts(url: str) -> set[tuple[str, ...]]:
    """Columns, constraints, CHECK clauses, triggers and foreign keys of the five tables.

    Read with `search_path` `attune, public`, so objects of schema attune print
    unqualified on both sides. Column order is not compared (ALTER TABLE appends).
    """
    out: set[tuple[str, ...]] = set()
    with psycopg.connect(url, autocommit=True, options="-c search_path=attune,public") as c:
        for row in c.execute(
            "SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default,"
            " is_generated, generation_expression, character_maximum_length"
            " FROM information_schema.columns"
            " WHERE table_schema = 'attune' AND table_name = ANY(%s)",
            [list(TABLES)],
        ):
            out.add(("column", *(str(value) for value in row)))
        for row in c.execute(
            "SELECT tc.table_name, tc.constraint_name, tc.constraint_type, cc.check_clause"
            " FROM information_schema.table_constraints tc"
            " LEFT JOIN information_schema.check_constraints cc"
            " ON cc.constraint_schema = tc.constraint_schema"
            " AND cc.constraint_name = tc.constraint_name"
            " WHERE tc.table_schema = 'attune' AND tc.table_name = ANY(%s)"
            " AND tc.constraint_name !~ '_not_null$'",
            [list(TABLES)],
        ):
            out.add(("constraint", *(str(value) for value in row)))
        for row in c.execute(
            "SELECT event_object_table, trigger_name, event_manipulation, action_timing,"
            " action_orientation, action_statement FROM information_schema.triggers"
            " WHERE event_object_schema = 'attune' AND event_object_table = ANY(%s)",
            [list(TABLES)],
        ):
            out.add(("trigger", *(str(value) for value in row)))
        for row in c.execute(
            "SELECT tc.table_name, rc.constraint_name, rc.delete_rule, rc.update_rule,"
            " ccu.table_name FROM information_schema.referential_constraints rc"
            " JOIN information_schema.table_constraints tc"
            " ON tc.constraint_schema = rc.constraint_schema"
            " AND tc.constraint_name = rc.constraint_name"
            " LEFT JOIN (SELECT DISTINCT constraint_schema, constraint_name, table_name"
            " FROM information_schema.constraint_column_usage) ccu"
            " ON ccu.constraint_schema = rc.unique_constraint_schema"
            " AND ccu.constraint_name = rc.unique_constraint_name"
            " WHERE tc.table_schema = 'attune' AND tc.table_name = ANY(%s)",
            [list(TABLES)],
        ):
            out.add(("fk", *(str(value) for value in row)))
    return out


@pytest.mark.real_schema
def test_migrations_build_attunes_tables(real_db_url: str) -> None:
    """attune-lsp's migrations give the five tables every column, default, CHECK,
    trigger and foreign key that Attune's own migrations give them."""
    server, _ = real_schema_database()
    name = f"attune_lsp_compare_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        ours_url = make_conninfo(server, dbname=name)
        with psycopg.connect(ours_url, autocommit=True) as ours:
            migrate.upgrade(ours)
        ours_facts, real_facts = schema_facts(ours_url), schema_facts(real_db_url)
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
    assert any(fact[0] == "trigger" for fact in real_facts)
    assert sorted(real_facts - ours_facts - INTENDED_ONLY_REAL) == []
    assert sorted(ours_facts - real_facts - INTENDED_ONLY_EMBEDDED) == []
    # The listed differences are still differences (a stale list fails too).
    assert real_facts - ours_facts >= INTENDED_ONLY_REAL
    assert ours_facts - real_facts >= INTENDED_ONLY_EMBEDDED

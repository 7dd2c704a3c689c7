"""The migrated schema matches Attune's tables as documented in attune-database.md §4."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from psycopg import errors as pg_errors
from registrar_helpers import add_pack

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
def test_tables_match_the_reference_exactly(
    conn: psycopg.Connection[Any], table: str, expected: dict[str, tuple[str, bool]]
) -> None:
    assert columns(conn, table) == expected


@pytest.mark.parametrize(("table", "expected"), [("pack", PACK), ("runtime", RUNTIME)])
def test_pack_and_runtime_have_the_documented_columns(
    conn: psycopg.Connection[Any],
    table: str,
    expected: dict[str, tuple[str | None, bool | None]],
) -> None:
    actual = columns(conn, table)
    assert set(actual) == set(expected)
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
    assert sorted(rows) == [
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
    ).fetchall()
    assert sorted(rows) == [
        (
            table,
            f"update_{table}_updated",
            "BEFORE",
            "UPDATE",
            "EXECUTE FUNCTION attune.update_updated_column()",
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


def test_pack_checks(conn: psycopg.Connection[Any]) -> None:
    with pytest.raises(pg_errors.CheckViolation):
        conn.execute("INSERT INTO attune.pack (ref, label, version) VALUES ('a.b', 'x', '1')")
    with pytest.raises(pg_errors.CheckViolation):
        conn.execute(
            "INSERT INTO attune.pack (ref, label, version, install_status) VALUES ('a', 'x', '1', 'gone')"
        )
    add_pack(conn, "dup")
    with pytest.raises(pg_errors.UniqueViolation):
        add_pack(conn, "dup")

"""Record builders and table dumps shared by the registrar tests."""

from __future__ import annotations

import os
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from attune_workflow.registrar.types import ActionRecord, PackRecord, WorkflowRecord

TABLES = ("pack", "runtime", "action", "workflow_definition", "workflow_execution")
# A database built by Attune's own migrations (../shared/attune-schema/build.sh).
REAL_SCHEMA_URL = os.environ.get("ATTUNE_TEST_REAL_SCHEMA_URL")


def real_schema_database() -> tuple[str, str]:
    """(administrative URL of its server, name) of the database Attune's migrations built."""
    assert REAL_SCHEMA_URL is not None
    name = conninfo_to_dict(REAL_SCHEMA_URL).get("dbname")
    assert isinstance(name, str) and name, "ATTUNE_TEST_REAL_SCHEMA_URL must name a database"
    return make_conninfo(REAL_SCHEMA_URL, dbname="postgres"), name


def add_pack(conn: psycopg.Connection[Any], ref: str = "demo") -> int:
    row = conn.execute(
        "INSERT INTO attune.pack (ref, label, version) VALUES (%s, %s, '1.0.0') RETURNING id",
        [ref, ref.title()],
    ).fetchone()
    assert row is not None
    return int(row[0])


def task(name: str, action: str = "core.echo", **extra: Any) -> dict[str, Any]:
    return {"name": name, "action": action, "input": {"message": name}, **extra}


def workflow(
    ref: str = "demo.deploy",
    tasks: list[dict[str, Any]] | None = None,
    *,
    pack_ref: str | None = None,
    params: dict[str, Any] | None = None,
    action: ActionRecord | None = None,
    pack: PackRecord | None = None,
    **fields: Any,
) -> WorkflowRecord:
    tasks = tasks if tasks is not None else [task("start"), task("finish")]
    pack_ref = pack_ref or ref.split(".")[0]
    version = fields.pop("version", "1.0.0")
    params = params if params is not None else {"env": {"type": "string", "required": True}}
    return WorkflowRecord(
        ref=ref,
        pack_ref=pack_ref,
        label=fields.pop("label", ref.split(".")[-1].title()),
        version=version,
        definition={"ref": ref, "version": version, "parameters": params, "tasks": tasks},
        param_schema=params,
        source=fields.pop("source", f"packs/{pack_ref}/workflows/{ref.split('.')[-1]}.yaml"),
        action=action,
        pack=pack,
        **fields,
    )


def dump(conn: psycopg.Connection[Any]) -> dict[str, list[Any]]:
    """Every row of the Attune tables, for before/after comparisons."""
    out: dict[str, list[Any]] = {}
    for table in TABLES:
        query = sql.SQL("SELECT to_jsonb(t) FROM {} t ORDER BY id").format(
            sql.Identifier("attune", table)
        )
        out[table] = [row[0] for row in conn.execute(query)]
    return out

"""unregister(): by ref and by pack, with Attune's cascades."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from registrar_helpers import add_pack, dump, workflow

from attune_workflow.registrar import register, unregister


def refs(conn: psycopg.Connection[Any], table: str) -> list[str]:
    return [row[0] for row in conn.execute(f"SELECT ref FROM attune.{table} ORDER BY ref")]


@pytest.fixture
def registered(conn: psycopg.Connection[Any]) -> psycopg.Connection[Any]:
    pack = add_pack(conn)
    add_pack(conn, "ops")
    register(conn, [workflow("demo.a"), workflow("demo.b"), workflow("ops.c")])
    conn.execute(
        "INSERT INTO attune.action (ref, pack, pack_ref, label, entrypoint)"
        " VALUES ('demo.plain', %s, 'demo', 'Plain', 'plain.sh')",
        [pack],
    )
    for n, ref in enumerate(("demo.a", "demo.a", "ops.c")):
        conn.execute(
            "INSERT INTO attune.workflow_execution (execution, workflow_def, task_graph)"
            " SELECT %s, id, '{}' FROM attune.workflow_definition WHERE ref = %s",
            [100 + n, ref],
        )
    return conn


def test_by_ref_cascades_to_the_action_and_executions(registered: psycopg.Connection[Any]) -> None:
    conn = registered
    report = unregister(conn, ["demo.a", "demo.missing"])
    assert [(r.ref, r.pack_ref, r.actions, r.executions) for r in report.removed] == [
        ("demo.a", "demo", ("demo.a",), 2)
    ]
    assert report.missing == ("demo.missing",)
    assert report.written
    assert refs(conn, "workflow_definition") == ["demo.b", "ops.c"]
    assert refs(conn, "action") == ["demo.b", "demo.plain", "ops.c"]
    assert conn.execute("SELECT execution FROM attune.workflow_execution").fetchall() == [(102,)]
    assert report.summary() == (
        "1 removed (with 1 linked actions, 2 workflow executions); not registered: demo.missing"
    )


def test_by_pack_removes_only_that_packs_workflows(registered: psycopg.Connection[Any]) -> None:
    conn = registered
    report = unregister(conn, pack="demo")
    assert [r.ref for r in report.removed] == ["demo.a", "demo.b"]
    assert refs(conn, "workflow_definition") == ["ops.c"]
    # Plain actions of the pack and the pack itself stay.
    assert refs(conn, "action") == ["demo.plain", "ops.c"]
    assert refs(conn, "pack") == ["demo", "ops"]


def test_refs_and_pack_together(registered: psycopg.Connection[Any]) -> None:
    report = unregister(registered, ["ops.c"], pack="demo")
    assert [r.ref for r in report.removed] == ["demo.a", "demo.b", "ops.c"]
    assert refs(registered, "workflow_definition") == []


def test_dry_run_deletes_nothing(registered: psycopg.Connection[Any]) -> None:
    before = dump(registered)
    report = unregister(registered, pack="demo", dry_run=True)
    assert [r.ref for r in report.removed] == ["demo.a", "demo.b"]
    assert report.dry_run and not report.written
    assert dump(registered) == before


def test_needs_refs_or_a_pack(conn: psycopg.Connection[Any]) -> None:
    with pytest.raises(ValueError):
        unregister(conn)

"""The registrar behaves as Attune's own registration paths do, on both schemas.

Connections as a user opens them (the server's default `search_path`), updates that
keep what Attune keeps, reactivation of retired rows, refusals before any SQL, notes
about Attune's next pack install, and deletes that Attune's outbox blocks.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import psycopg
import pytest
from registrar_helpers import add_pack, dump, workflow

from attune_workflow.registrar import (
    connect,
    list_workflows,
    register,
    registration_state,
    show_workflow,
    unregister,
)
from attune_workflow.registrar.errors import RegistrarError
from attune_workflow.registrar.types import ActionRecord, PackRecord


def row(conn: psycopg.Connection[Any], table: str, ref: str) -> dict[str, Any]:
    result = conn.execute(
        f"SELECT to_jsonb(t) FROM attune.{table} t WHERE ref = %s", [ref]
    ).fetchone()
    assert result is not None, f"{table} {ref} missing"
    return dict(result[0])


def linked(ref: str = "demo.deploy", **fields: Any) -> ActionRecord:
    """The action file's own row of an action-linked workflow."""
    return ActionRecord(
        ref=ref,
        pack_ref=ref.split(".")[0],
        label="Deploy",
        entrypoint="workflows/deploy.workflow.yaml",
        **fields,
    )


def add_execution(conn: psycopg.Connection[Any], workflow_ref: str, execution: int) -> int:
    found = conn.execute(
        "INSERT INTO attune.workflow_execution (execution, workflow_def, task_graph)"
        " SELECT %s, id, '{}' FROM attune.workflow_definition WHERE ref = %s RETURNING id",
        [execution, workflow_ref],
    ).fetchone()
    assert found is not None
    return int(found[0])


def test_a_connection_with_the_default_search_path_registers_and_unregisters(
    conn: psycopg.Connection[Any], db_url: str
) -> None:
    # Attune's triggers name `pack` and `workflow_log_outbox` without a schema.
    add_pack(conn)
    with psycopg.connect(db_url, autocommit=True) as plain:
        path = plain.execute("SHOW search_path").fetchone()
        assert path is not None and "attune" not in path[0]
        report = register(plain, [workflow()])
        assert [o.status for o in report.outcomes] == ["created"]
        add_execution(conn, "demo.deploy", 101)
        removed = unregister(plain, ["demo.deploy"])
        assert [(r.ref, r.executions) for r in removed.removed] == [("demo.deploy", 1)]
        assert plain.execute("SHOW search_path").fetchone() == path
    assert conn.execute("SELECT count(*) FROM attune.workflow_definition").fetchone() == (0,)


def test_connect_sets_attunes_search_path(db_url: str) -> None:
    with connect(db_url) as conn:
        assert conn.execute("SHOW search_path").fetchone() == ("attune, public",)


def test_missing_schema_and_failed_statement_say_different_things(empty_db_url: str) -> None:
    with psycopg.connect(empty_db_url, autocommit=True) as conn:
        with pytest.raises(RegistrarError, match=r"^the database has no Attune schema"):
            register(conn, [workflow()])
        conn.execute("CREATE SCHEMA attune")
        with pytest.raises(RegistrarError) as caught:
            register(conn, [workflow()])
    message = str(caught.value)
    assert message.startswith('a statement failed in schema attune: relation "attune.pack"')
    assert "db upgrade" not in message


def test_a_removed_schema_is_kept(conn: psycopg.Connection[Any]) -> None:
    add_pack(conn)
    params = {"env": {"type": "string"}}
    output = {"id": {"type": "integer"}}
    register(conn, [workflow(params=params, out_schema=output, description="Deploys")])
    register(
        conn,
        [dataclasses.replace(workflow(), param_schema=None, out_schema=None, description=None)],
    )
    stored = row(conn, "workflow_definition", "demo.deploy")
    assert (stored["param_schema"], stored["out_schema"], stored["description"]) == (
        params,
        output,
        "Deploys",
    )
    action = row(conn, "action", "demo.deploy")
    assert (action["param_schema"], action["out_schema"]) == (params, output)
    # The companion action's description follows the workflow's (Attune clears it).
    assert action["description"] is None


def test_a_companion_action_update_rewrites_only_what_attune_rewrites(
    conn: psycopg.Connection[Any],
) -> None:
    add_pack(conn)
    register(conn, [workflow()])
    conn.execute(
        "UPDATE attune.action SET timeout_seconds = 30, reference_visibility = 'private',"
        " enabled = false, parameter_delivery = 'file', worker_selector = '{\"zone\": \"a\"}'"
    )
    report = register(conn, [workflow(label="Deploy it")])
    assert [o.status for o in report.outcomes] == ["updated"]
    action = row(conn, "action", "demo.deploy")
    assert action["label"] == "Deploy it"
    assert (
        action["timeout_seconds"],
        action["reference_visibility"],
        action["enabled"],
        action["parameter_delivery"],
        action["worker_selector"],
    ) == (30, "private", False, "file", {"zone": "a"})


def test_an_action_file_update_rewrites_every_column(conn: psycopg.Connection[Any]) -> None:
    add_pack(conn)
    record = workflow(action=linked(log_retention_policy="days", log_retention_limit=7))
    register(conn, [record])
    conn.execute(
        "UPDATE attune.action SET timeout_seconds = 30, reference_visibility = 'private',"
        " enabled = false, log_retention_limit = 9"
    )
    assert registration_state(conn, record) == "differs"
    report = register(conn, [record])
    assert [o.status for o in report.outcomes] == ["updated"]
    action = row(conn, "action", "demo.deploy")
    assert (
        action["timeout_seconds"],
        action["reference_visibility"],
        action["enabled"],
        action["log_retention_policy"],
        action["log_retention_limit"],
    ) == (None, "public", True, "days", 7)
    assert registration_state(conn, record) == "up-to-date"


def test_retired_rows_are_not_registered_and_an_upsert_reactivates_them(
    conn: psycopg.Connection[Any],
) -> None:
    add_pack(conn)
    record = workflow(action=linked())
    register(conn, [record])
    conn.execute("UPDATE attune.workflow_definition SET retired_at = now()")
    conn.execute("UPDATE attune.action SET retired_at = now(), omission_disabled = true")
    assert registration_state(conn, record) == "not-registered"
    assert list_workflows(conn) == []
    assert show_workflow(conn, "demo.deploy") is None

    report = register(conn, [record])
    assert [o.status for o in report.outcomes] == ["updated"]
    assert row(conn, "workflow_definition", "demo.deploy")["retired_at"] is None
    action = row(conn, "action", "demo.deploy")
    assert (action["retired_at"], action["omission_disabled"], action["effective_enabled"]) == (
        None,
        False,
        True,
    )
    assert registration_state(conn, record) == "up-to-date"
    [summary] = list_workflows(conn)
    assert (summary.ref, summary.enabled) == ("demo.deploy", True)


def test_effective_enabled_is_what_list_and_show_report(conn: psycopg.Connection[Any]) -> None:
    add_pack(conn)
    register(conn, [workflow(action=linked())])
    conn.execute("UPDATE attune.action SET enabled_override = false")
    [summary] = list_workflows(conn)
    assert summary.enabled is False
    detail = show_workflow(conn, "demo.deploy")
    assert detail is not None and detail.action is not None
    assert (detail.action.enabled, detail.action.effective_enabled) == (True, False)


@pytest.mark.parametrize(
    ("pack", "expected"),
    [
        (
            PackRecord("x", "X", "1.0.0"),
            "pack ref 'x' is refused by Attune: a pack ref is a lowercase letter followed by "
            "at least one lowercase letter, digit, '_' or '-' (no dots); rename the pack "
            "folder or set `ref:` in pack.yaml (for example 'x_pack')",
        ),
        (
            PackRecord("xy", "XY", "1.0"),
            "pack version '1.0' is refused by Attune: it must be a semantic version "
            '(MAJOR.MINOR.PATCH); set `version:` in pack.yaml to "1.0.0"',
        ),
    ],
)
def test_create_pack_refuses_what_attunes_checks_refuse(
    conn: psycopg.Connection[Any], pack: PackRecord, expected: str
) -> None:
    before = dump(conn)
    record = workflow(f"{pack.ref}.flow", pack=pack)
    report = register(conn, [record], create_pack=True)
    assert not report.written
    assert report.outcomes[0].status == "refused"
    assert report.outcomes[0].reasons == (expected,)
    assert dump(conn) == before


def test_registering_into_a_pack_attune_installed_says_what_attune_will_do(
    conn: psycopg.Connection[Any],
) -> None:
    add_pack(conn)
    conn.execute("UPDATE attune.pack SET installed_at = now(), source_type = 'registry'")
    standalone = workflow("demo.nightly")
    action_linked = workflow(action=linked())
    for dry_run in (True, False):
        report = register(conn, [standalone, action_linked], dry_run=dry_run)
        notes = {o.ref: o.notes for o in report.outcomes}
        assert notes["demo.deploy"] == ()
        [note] = notes["demo.nightly"]
        assert note.startswith("pack 'demo' was installed by Attune: its next install")
        assert "retire this standalone workflow and its companion action 'demo.nightly'" in note


def test_a_pack_attune_lsp_created_gets_no_note(conn: psycopg.Connection[Any]) -> None:
    add_pack(conn)
    report = register(conn, [workflow("demo.nightly")])
    assert report.outcomes[0].notes == ()


def test_undelivered_workflow_logs_block_the_delete(conn: psycopg.Connection[Any]) -> None:
    add_pack(conn)
    register(conn, [workflow(), workflow("demo.other")])
    execution = add_execution(conn, "demo.deploy", 201)
    add_execution(conn, "demo.other", 202)
    conn.execute(
        "INSERT INTO attune.workflow_log_outbox (workflow_execution, sequence, kind, payload)"
        " VALUES (%s, 0, 'append', 'line'::bytea)",
        [execution],
    )
    before = dump(conn)
    with pytest.raises(RegistrarError) as caught:
        unregister(conn, ["demo.deploy", "demo.other"])
    assert str(caught.value) == (
        "cannot unregister demo.deploy: 1 workflow execution still has 1 undelivered "
        "activity-log row in workflow_log_outbox (Attune refuses to delete them until its "
        "executor has delivered the log); nothing was deleted"
    )
    assert dump(conn) == before
    # Delivered rows do not block: Attune's trigger deletes them with the execution.
    conn.execute("UPDATE attune.workflow_log_outbox SET delivered_at = now(), payload = NULL")
    report = unregister(conn, ["demo.deploy"])
    assert [r.ref for r in report.removed] == ["demo.deploy"]
    assert conn.execute("SELECT count(*) FROM attune.workflow_log_outbox").fetchone() == (0,)


def test_rows_of_another_pack_are_refused(
    conn: psycopg.Connection[Any],
) -> None:
    add_pack(conn)
    add_pack(conn, "ops")
    register(conn, [workflow("ops.deploy")])
    before = dump(conn)
    # The demo pack's action file claims the ref the ops pack already owns.
    claim = dataclasses.replace(linked("ops.deploy"), pack_ref="demo")
    report = register(conn, [workflow(action=claim)])
    assert report.outcomes[0].reasons == (
        "action 'ops.deploy' belongs to pack 'ops': Attune refuses to overwrite a component "
        "owned by another pack (unregister it from 'ops' first)",
    )
    assert dump(conn) == before
    # A workflow ref of another pack is refused the same way.
    report = register(conn, [dataclasses.replace(workflow("ops.deploy"), pack_ref="demo")])
    assert report.outcomes[0].reasons[0] == (
        "workflow 'ops.deploy' belongs to pack 'ops': Attune refuses to overwrite a component "
        "owned by another pack (unregister it from 'ops' first)"
    )
    assert dump(conn) == before

"""register(): created / updated / unchanged, diffs, refusals, dry runs and failures."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

import psycopg
import pytest
from psycopg import sql
from registrar_helpers import add_pack, dump, task, workflow

from attune_workflow.registrar import (
    action_index,
    core,
    list_workflows,
    register,
    registration_state,
    show_workflow,
)
from attune_workflow.registrar.errors import RegistrarError
from attune_workflow.registrar.types import ActionRecord, PackRecord, WorkflowRecord


def row(conn: psycopg.Connection[Any], table: str, ref: str) -> dict[str, Any]:
    result = conn.execute(
        f"SELECT to_jsonb(t) FROM attune.{table} t WHERE ref = %s", [ref]
    ).fetchone()
    assert result is not None, f"{table} {ref} missing"
    return dict(result[0])


def statuses(report: Any) -> dict[str, str]:
    return {o.ref: o.status for o in report.outcomes}


def test_create_writes_attunes_mapping(conn: psycopg.Connection[Any]) -> None:
    pack_id = add_pack(conn)
    record = workflow(
        description="Ship it", tags=("ops", "deploy"), out_schema={"ok": {"type": "boolean"}}
    )
    report = register(conn, [record])
    assert statuses(report) == {"demo.deploy": "created"}
    assert report.written and not report.dry_run
    wd = row(conn, "workflow_definition", "demo.deploy")
    assert {k: wd[k] for k in ("pack", "pack_ref", "label", "description", "version", "tags")} == {
        "pack": pack_id,
        "pack_ref": "demo",
        "label": "Deploy",
        "description": "Ship it",
        "version": "1.0.0",
        "tags": ["ops", "deploy"],
    }
    assert wd["definition"] == record.definition
    assert wd["param_schema"] == record.param_schema
    assert wd["out_schema"] == {"ok": {"type": "boolean"}}
    action = row(conn, "action", "demo.deploy")
    assert action["workflow_def"] == wd["id"]
    assert action["entrypoint"] == "workflows/deploy.workflow.yaml"
    assert action["runtime"] is None
    assert (action["is_adhoc"], action["enabled"], action["reference_visibility"]) == (
        False,
        True,
        "public",
    )
    assert action["param_schema"] == record.param_schema
    assert action["out_schema"] == record.out_schema
    assert (action["worker_selector"], action["worker_tolerations"]) == ({}, [])


def test_action_linked_workflow_uses_its_action_row(conn: psycopg.Connection[Any]) -> None:
    add_pack(conn)
    action = ActionRecord(
        ref="demo.release",
        pack_ref="demo",
        label="Release",
        entrypoint="workflows/release.workflow.yaml",
        param_schema={"tag": {"type": "string"}},
        timeout_seconds=600,
        default_execution_permission_set_refs=("standard",),
        reference_visibility="restricted",
        reference_allowed_pack_refs=("ops",),
        log_retention_policy="days",
        log_retention_limit=7,
        required_worker_runtimes={"python": ">=3.11"},
        worker_tolerations=[{"key": "gpu", "effect": "no_schedule"}],
    )
    report = register(conn, [workflow("demo.release", action=action)])
    assert statuses(report) == {"demo.release": "created"}
    stored = row(conn, "action", "demo.release")
    wd = row(conn, "workflow_definition", "demo.release")
    assert stored["workflow_def"] == wd["id"]
    assert stored["entrypoint"] == "workflows/release.workflow.yaml"
    assert stored["timeout_seconds"] == 600
    assert stored["default_execution_permission_set_refs"] == ["standard"]
    assert stored["reference_allowed_pack_refs"] == ["ops"]
    assert (stored["log_retention_policy"], stored["log_retention_limit"]) == ("days", 7)
    assert stored["required_worker_runtimes"] == {"python": ">=3.11"}
    assert stored["worker_tolerations"] == [{"key": "gpu", "effect": "no_schedule"}]
    assert report.outcomes[0].action_ref == "demo.release"


def test_unchanged_rows_are_not_rewritten(conn: psycopg.Connection[Any]) -> None:
    add_pack(conn)
    records = [workflow("demo.a"), workflow("demo.b")]
    register(conn, records)
    before = dump(conn)
    report = register(conn, [dataclasses.replace(r) for r in records])
    assert statuses(report) == {"demo.a": "unchanged", "demo.b": "unchanged"}
    assert all(o.diff is None for o in report.outcomes)
    assert dump(conn) == before  # `updated` and every other column untouched


def test_update_reports_a_semantic_diff(conn: psycopg.Connection[Any]) -> None:
    add_pack(conn)
    register(conn, [workflow(tasks=[task("start"), task("build"), task("old")])])
    before = row(conn, "workflow_definition", "demo.deploy")
    changed = workflow(
        tasks=[task("start"), task("build", action="core.noop"), task("notify")],
        params={"env": {"type": "string"}, "dry": {"type": "boolean"}},
        label="Deploy it",
        version="1.1.0",
    )
    report = register(conn, [changed])
    outcome = report.outcomes[0]
    assert outcome.status == "updated"
    assert outcome.diff is not None
    diff = outcome.diff
    assert diff.tasks_added == ("notify",)
    assert diff.tasks_removed == ("old",)
    assert diff.tasks_changed == (("build", ("action",)),)
    assert diff.parameters_added == ("dry",)
    assert diff.parameters_changed == ("env",)
    assert diff.parameters_removed == ()
    assert {c.name for c in diff.fields_changed} == {"label", "version"}
    assert {c.name for c in diff.action_fields_changed} == {"label", "param_schema"}
    assert diff.lines() == [
        "+ task notify",
        "- task old",
        "~ task build (action)",
        "+ parameter dry",
        "~ parameter env",
        '~ label: "Deploy" -> "Deploy it"',
        '~ version: "1.0.0" -> "1.1.0"',
        '~ action.label: "Deploy" -> "Deploy it"',
        '~ action.param_schema: {"env":{"required":true,"type":"string"}} -> '
        '{"dry":{"type":"boolean"},"env":{"type":"string"}}',
    ]
    after = row(conn, "workflow_definition", "demo.deploy")
    assert after["id"] == before["id"]
    assert after["updated"] > before["updated"]
    assert after["created"] == before["created"]


def test_other_definition_keys_and_task_order(conn: psycopg.Connection[Any]) -> None:
    add_pack(conn)
    base = workflow(tasks=[task("a"), task("b")])
    register(conn, [base])
    definition = {**base.definition, "tasks": [task("b"), task("a")], "vars": {"n": 1}}
    report = register(conn, [dataclasses.replace(base, definition=definition)])
    assert report.outcomes[0].diff is not None
    assert report.outcomes[0].diff.lines() == [
        "~ task order: a, b -> b, a",
        '~ definition.vars: null -> {"n":1}',
    ]


def test_a_change_only_in_the_action_row_is_an_update(conn: psycopg.Connection[Any]) -> None:
    add_pack(conn)
    action = ActionRecord("demo.deploy", "demo", "Deploy", "workflows/deploy.workflow.yaml")
    register(conn, [workflow(action=action)])
    disabled = dataclasses.replace(action, enabled=False)
    report = register(conn, [workflow(action=disabled)])
    assert report.outcomes[0].status == "updated"
    assert report.outcomes[0].diff is not None
    assert report.outcomes[0].diff.lines() == ["~ action.enabled: true -> false"]


def test_an_existing_plain_action_becomes_the_workflow_action(
    conn: psycopg.Connection[Any],
) -> None:
    pack = add_pack(conn)
    runtime = conn.execute(
        "INSERT INTO attune.runtime (ref, pack, pack_ref, name, distributions)"
        " VALUES ('demo.sh', %s, 'demo', 'sh', '{}')"
        " RETURNING id",
        [pack],
    ).fetchone()
    assert runtime is not None
    conn.execute(
        "INSERT INTO attune.action (ref, pack, pack_ref, label, entrypoint, runtime)"
        " VALUES ('demo.deploy', %s, 'demo', 'Deploy', 'deploy.sh', %s)",
        [pack, runtime[0]],
    )
    report = register(conn, [workflow()])
    assert report.outcomes[0].status == "created"
    stored = row(conn, "action", "demo.deploy")
    assert stored["runtime"] is None
    assert stored["workflow_def"] == row(conn, "workflow_definition", "demo.deploy")["id"]
    assert conn.execute("SELECT count(*) FROM attune.action").fetchone() == (1,)


def test_missing_action_row_is_recreated(conn: psycopg.Connection[Any]) -> None:
    add_pack(conn)
    register(conn, [workflow()])
    conn.execute("DELETE FROM attune.action")
    report = register(conn, [workflow()])
    assert report.outcomes[0].status == "updated"
    assert report.outcomes[0].diff is not None
    assert report.outcomes[0].diff.lines() == ["+ action demo.deploy"]


def test_dry_run_reports_but_writes_nothing(conn: psycopg.Connection[Any]) -> None:
    add_pack(conn)
    register(conn, [workflow("demo.a")])
    before = dump(conn)
    report = register(
        conn,
        [workflow("demo.a", tasks=[task("only")]), workflow("demo.b"), workflow("new.c")],
        dry_run=True,
        create_pack=True,
    )
    assert statuses(report) == {"demo.a": "updated", "demo.b": "created", "new.c": "created"}
    assert report.dry_run and not report.written
    assert report.packs_created == ("new",)
    assert dump(conn) == before


def test_engine_errors_refuse_the_whole_batch(conn: psycopg.Connection[Any]) -> None:
    add_pack(conn)
    register(conn, [workflow("demo.a")])
    before = dump(conn)
    bad = workflow(
        "demo.b", errors=("packs/demo/workflows/b.yaml:3:5: unknown task 'x' [task-ref]",)
    )
    report = register(conn, [workflow("demo.a", tasks=[task("z")]), bad, workflow("demo.c")])
    assert statuses(report) == {"demo.a": "skipped", "demo.b": "refused", "demo.c": "skipped"}
    assert report.refused[0].reasons == bad.errors
    assert not report.written and not report.ok
    assert "all-or-nothing" in report.outcomes[0].reasons[0]
    assert dump(conn) == before


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        (workflow("demo.x", version="v" * 51), "version must be 1..50 characters"),
        (workflow("demo.X"), "ref must be lowercase"),
        (workflow("demo.x.y"), "exactly one dot"),
        (
            workflow(
                "demo.x", action=ActionRecord("demo.x", "demo", "X", "w.yaml", timeout_seconds=0)
            ),
            "timeout_seconds must be greater than 0",
        ),
        (
            workflow(
                "demo.x",
                action=ActionRecord("demo.x", "demo", "X", "w.yaml", parameter_delivery="env"),
            ),
            "parameter_delivery must be one of stdin, file",
        ),
        (
            workflow(
                "demo.x",
                action=ActionRecord(
                    "demo.x", "demo", "X", "w.yaml", reference_allowed_pack_refs=("a",)
                ),
            ),
            "only allowed with reference_visibility 'restricted'",
        ),
    ],
)
def test_records_the_schema_would_reject_are_refused(
    conn: psycopg.Connection[Any], record: WorkflowRecord, reason: str
) -> None:
    add_pack(conn)
    before = dump(conn)
    report = register(conn, [record])
    assert report.outcomes[0].status == "refused"
    assert any(reason in r for r in report.outcomes[0].reasons), report.outcomes[0].reasons
    assert dump(conn) == before


def test_duplicate_refs_in_a_batch_are_refused(conn: psycopg.Connection[Any]) -> None:
    add_pack(conn)
    report = register(conn, [workflow(source="a.yaml"), workflow(source="b.yaml")])
    assert [o.status for o in report.outcomes] == ["refused", "refused"]
    assert "appears 2 times in the batch (a.yaml, b.yaml)" in report.outcomes[0].reasons[0]


def test_missing_pack_is_refused_unless_create_pack(conn: psycopg.Connection[Any]) -> None:
    report = register(conn, [workflow("ops.backup")])
    assert report.outcomes[0].status == "refused"
    assert report.outcomes[0].reasons == (
        "pack 'ops' is not registered; register the pack first or use --create-pack",
    )
    assert dump(conn)["pack"] == []
    pack = PackRecord(
        ref="ops",
        label="Operations",
        version="2.0.0",
        description="Ops things",
        conf_schema={"region": {"type": "string"}},
        tags=("infra",),
        runtime_deps=("python",),
        is_standard=True,
    )
    report = register(
        conn, [workflow("ops.backup", pack=pack), workflow("bare.thing")], create_pack=True
    )
    assert report.packs_created == ("bare", "ops")
    stored = row(conn, "pack", "ops")
    assert (stored["label"], stored["version"], stored["is_standard"]) == (
        "Operations",
        "2.0.0",
        True,
    )
    assert (stored["conf_schema"], stored["tags"], stored["runtime_deps"]) == (
        {"region": {"type": "string"}},
        ["infra"],
        ["python"],
    )
    bare = row(conn, "pack", "bare")
    assert (bare["label"], bare["version"], bare["install_status"]) == (
        "bare",
        "0.0.0",
        "installed",
    )


def test_a_failure_mid_batch_leaves_the_database_as_it_was(
    conn: psycopg.Connection[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    add_pack(conn)
    register(conn, [workflow("demo.a"), workflow("demo.b")])
    before = dump(conn)
    real_upsert = core._upsert

    def failing(c: Any, target: Any, refs: list[str]) -> Any:
        if target.table == "action":  # definitions are already written by now
            raise RuntimeError("injected failure")
        return real_upsert(c, target, refs)

    monkeypatch.setattr(core, "_upsert", failing)
    changed = [
        workflow("demo.a", tasks=[task("x")]),
        workflow("demo.b", version="2.0.0"),
        workflow("demo.c"),
    ]
    with pytest.raises(RuntimeError, match="injected failure"):
        register(conn, changed)
    assert dump(conn) == before


def test_a_database_error_mid_batch_rolls_back_and_is_reported(
    conn: psycopg.Connection[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    add_pack(conn)
    register(conn, [workflow("demo.a")])
    before = dump(conn)
    real_upsert = core._upsert

    def failing(c: psycopg.Connection[Any], target: Any, refs: list[str]) -> Any:
        if target.table == "action":
            c.execute("SELECT * FROM attune.no_such_table")
        return real_upsert(c, target, refs)

    monkeypatch.setattr(core, "_upsert", failing)
    with pytest.raises(RegistrarError, match="no_such_table"):
        register(conn, [workflow("demo.a", version="9"), workflow("demo.b")])
    assert dump(conn) == before


def test_register_needs_an_idle_connection(db_url: str) -> None:
    with psycopg.connect(db_url) as conn:
        conn.execute("SELECT 1")
        with pytest.raises(RegistrarError, match="transaction in progress"):
            register(conn, [workflow()])


def test_registration_state(conn: psycopg.Connection[Any]) -> None:
    add_pack(conn)
    record = workflow()
    assert registration_state(conn, record) == "not-registered"
    register(conn, [record])
    assert registration_state(conn, record) == "up-to-date"
    assert registration_state(conn, workflow(tasks=[task("other")])) == "differs"
    assert registration_state(conn, workflow(description="new")) == "differs"
    # A companion action's `enabled` belongs to the operator: Attune never rewrites it.
    conn.execute("UPDATE attune.action SET enabled = false")
    assert registration_state(conn, record) == "up-to-date"
    conn.execute("UPDATE attune.action SET label = 'Renamed'")
    assert registration_state(conn, record) == "differs"


def test_action_index_lists_every_action(conn: psycopg.Connection[Any]) -> None:
    pack = add_pack(conn)
    conn.execute(
        "INSERT INTO attune.action (ref, pack, pack_ref, label, entrypoint, param_schema, description)"
        " VALUES ('demo.echo', %s, 'demo', 'Echo', 'echo.sh', '{\"message\": {\"type\": \"string\"}}', 'Say')",
        [pack],
    )
    register(conn, [workflow()])
    assert action_index(conn) == {
        "demo.deploy": {
            "param_schema": {"env": {"type": "string", "required": True}},
            "out_schema": None,
            "description": None,
            "pack_ref": "demo",
        },
        "demo.echo": {
            "param_schema": {"message": {"type": "string"}},
            "out_schema": None,
            "description": "Say",
            "pack_ref": "demo",
        },
    }


def test_list_and_show(conn: psycopg.Connection[Any]) -> None:
    add_pack(conn)
    add_pack(conn, "ops")
    parallel = {
        "name": "fan",
        "type": "parallel",
        "tasks": [task("left"), task("right", "core.noop")],
    }
    register(
        conn,
        [
            workflow("demo.a", tags=("x",)),
            workflow("demo.b", tasks=[task("one"), parallel]),
            workflow("ops.c", tags=("x", "y")),
        ],
    )
    assert [w.ref for w in list_workflows(conn)] == ["demo.a", "demo.b", "ops.c"]
    assert [w.ref for w in list_workflows(conn, pack="demo")] == ["demo.a", "demo.b"]
    assert [w.ref for w in list_workflows(conn, tag="x")] == ["demo.a", "ops.c"]
    assert [w.ref for w in list_workflows(conn, pack="ops", tag="y")] == ["ops.c"]
    summary = list_workflows(conn, pack="demo")[1]
    assert (summary.task_count, summary.action_ref, summary.version) == (2, "demo.b", "1.0.0")

    detail = show_workflow(conn, "demo.b")
    assert detail is not None
    assert [(t.name, t.type, t.action, t.parent) for t in detail.tasks] == [
        ("one", "action", "core.echo", None),
        ("fan", "parallel", None, None),
        ("left", "action", "core.echo", "fan"),
        ("right", "action", "core.noop", "fan"),
    ]
    assert detail.action is not None
    assert (detail.action.ref, detail.action.entrypoint) == ("demo.b", "workflows/b.workflow.yaml")
    assert show_workflow(conn, "demo.nope") is None


def test_permission_problems_are_registrar_errors(
    conn: psycopg.Connection[Any], db_url: str
) -> None:
    role = f"attune_reader_{uuid.uuid4().hex[:8]}"
    conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
    try:
        conn.execute(sql.SQL("GRANT USAGE ON SCHEMA attune TO {}").format(sql.Identifier(role)))
        # Act as the unprivileged role on a connection of our own (no login needed).
        with psycopg.connect(db_url, autocommit=True) as reader:
            reader.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(role)))
            with pytest.raises(
                RegistrarError, match=r"^permission denied for table workflow_definition$"
            ):
                list_workflows(reader)
            with pytest.raises(RegistrarError, match=r"^permission denied for table pack$"):
                register(reader, [workflow()])
    finally:
        conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
        conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))

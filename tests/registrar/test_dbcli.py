"""The CLI's database commands against a real database (records are built here)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import psycopg
import pytest
from registrar_helpers import add_pack, task, workflow

from attune_lsp import dbcli
from attune_workflow.registrar.errors import redact_url
from attune_workflow.registrar.types import WorkflowRecord


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="attune-lsp")
    dbcli.add_db_arguments(parser.add_subparsers())
    args = parser.parse_args(argv)
    code = args.handler(args)
    out, err = capsys.readouterr()
    return code, out, err


class FakeEngine:
    """Stands in for `attune_workflow.registrar.registration.collect`: hands back what a test sets."""

    def __init__(self) -> None:
        self.records: list[WorkflowRecord] = [workflow("demo.a"), workflow("demo.b")]
        self.problems: list[str] = []
        self.calls: list[tuple[list[Path], int | None]] = []

    def collect(
        self, paths: list[Path], max_file_size: int | None
    ) -> tuple[list[WorkflowRecord], list[str]]:
        self.calls.append((paths, max_file_size))
        return list(self.records), list(self.problems)


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> FakeEngine:
    fake = FakeEngine()
    monkeypatch.setattr(dbcli, "_collect", fake.collect)
    return fake


def test_register_prints_each_ref_and_a_summary(
    conn: psycopg.Connection[Any],
    db_url: str,
    engine: FakeEngine,
    capsys: pytest.CaptureFixture[str],
) -> None:
    add_pack(conn)
    code, out, err = run(
        ["register", "packs/demo", "--database-url", db_url, "--max-file-size", "99"], capsys
    )
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "created    demo.a",
        "created    demo.b",
        f"2 workflows: 2 created ({redact_url(db_url)})",
    ]
    assert engine.calls == [([Path("packs/demo")], 99)]

    engine.records[1] = workflow("demo.b", tasks=[task("start"), task("notify")])
    code, out, _ = run(["register", "packs/demo", "--database-url", db_url, "--dry-run"], capsys)
    assert code == 0
    assert out.splitlines() == [
        "unchanged  demo.a",
        "updated    demo.b",
        "    + task notify",
        "    - task finish",
        f"2 workflows: 1 updated, 1 unchanged ({redact_url(db_url)})",
        "dry run: nothing was written",
    ]
    assert conn.execute(
        "SELECT jsonb_array_length(definition->'tasks') FROM attune.workflow_definition"
        " WHERE ref = 'demo.b'"
    ).fetchone() == (2,)
    assert "finish" in json.dumps(
        conn.execute(
            "SELECT definition FROM attune.workflow_definition WHERE ref = 'demo.b'"
        ).fetchone()
    )


def test_register_refusal_exits_1_and_writes_nothing(
    conn: psycopg.Connection[Any],
    db_url: str,
    engine: FakeEngine,
    capsys: pytest.CaptureFixture[str],
) -> None:
    add_pack(conn)
    engine.records[0] = workflow(
        "demo.a", errors=("packs/demo/workflows/a.yaml:1:1: bad [rule-x]",)
    )
    code, out, _ = run(["register", "p", "--database-url", db_url], capsys)
    assert code == 1
    assert out.splitlines()[:3] == [
        "refused    demo.a",
        "    packs/demo/workflows/a.yaml:1:1: bad [rule-x]",
        "skipped    demo.b",
    ]
    assert out.splitlines()[-1] == "nothing was written: the batch is all-or-nothing"
    assert conn.execute("SELECT count(*) FROM attune.workflow_definition").fetchone() == (0,)


def test_register_with_load_problems_writes_nothing(
    conn: psycopg.Connection[Any],
    db_url: str,
    engine: FakeEngine,
    capsys: pytest.CaptureFixture[str],
) -> None:
    add_pack(conn)
    engine.problems.append("packs/demo/workflows/big.yaml: Workflow file exceeds maximum size")
    code, out, _ = run(["register", "p", "--database-url", db_url], capsys)
    assert code == 1
    assert out.splitlines() == [
        "packs/demo/workflows/big.yaml: Workflow file exceeds maximum size",
        "nothing registered: 1 problem in the files",
    ]
    assert conn.execute("SELECT count(*) FROM attune.workflow_definition").fetchone() == (0,)


def test_register_creates_packs_on_request(
    conn: psycopg.Connection[Any],
    db_url: str,
    engine: FakeEngine,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(["register", "p", "--database-url", db_url], capsys)
    assert code == 1 and "register the pack first or use --create-pack" in out
    code, out, _ = run(["register", "p", "--database-url", db_url, "--create-pack"], capsys)
    assert code == 0
    assert f"2 workflows: 2 created; packs created: demo ({redact_url(db_url)})" in out


def test_list_show_and_unregister(
    conn: psycopg.Connection[Any],
    db_url: str,
    engine: FakeEngine,
    capsys: pytest.CaptureFixture[str],
) -> None:
    add_pack(conn)
    engine.records.append(workflow("demo.c", tags=("nightly",), description="Nightly job"))
    assert run(["register", "p", "--database-url", db_url], capsys)[0] == 0

    code, out, _ = run(["list", "--database-url", db_url], capsys)
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == [
        "REF",
        "PACK",
        "VERSION",
        "TASKS",
        "ACTION",
        "ENABLED",
        "UPDATED",
        "LABEL",
    ]
    assert [line.split()[0] for line in lines[1:]] == ["demo.a", "demo.b", "demo.c"]
    assert lines[3].split()[:6] == ["demo.c", "demo", "1.0.0", "2", "demo.c", "yes"]

    code, out, _ = run(
        ["list", "--tag", "nightly", "--format", "json", "--database-url", db_url], capsys
    )
    data = json.loads(out)
    assert [item["ref"] for item in data] == ["demo.c"]
    assert data[0]["tags"] == ["nightly"] and data[0]["task_count"] == 2

    code, out, _ = run(["show", "demo.c", "--database-url", db_url], capsys)
    assert code == 0
    text = out.splitlines()
    assert text[0] == "ref:         demo.c"
    assert "description: Nightly job" in text
    assert "action:      demo.c (workflows/c.workflow.yaml, enabled)" in text
    assert "parameters:  env" in text
    assert text[-3:] == ["tasks:       2", "  start   core.echo", "  finish  core.echo"]

    code, out, _ = run(["show", "demo.c", "--format", "json", "--database-url", db_url], capsys)
    detail = json.loads(out)
    assert detail["definition"]["tasks"][0]["name"] == "start"
    assert detail["actions"][0]["ref"] == "demo.c"

    code, out, err = run(["show", "demo.zzz", "--database-url", db_url], capsys)
    assert code == 1 and "demo.zzz is not registered" in err

    # Attune's lifecycle: an operator override shows, a retired workflow is not registered.
    conn.execute("UPDATE attune.action SET enabled_override = false WHERE ref = 'demo.c'")
    code, out, _ = run(["list", "--database-url", db_url], capsys)
    assert out.splitlines()[3].split()[:6] == ["demo.c", "demo", "1.0.0", "2", "demo.c", "no"]
    code, out, _ = run(["show", "demo.c", "--database-url", db_url], capsys)
    assert (
        "action:      demo.c (workflows/c.workflow.yaml, disabled, declared enabled)"
        in out.splitlines()
    )
    conn.execute("UPDATE attune.workflow_definition SET retired_at = now() WHERE ref = 'demo.b'")
    code, out, _ = run(["list", "--database-url", db_url], capsys)
    assert [line.split()[0] for line in out.splitlines()[1:]] == ["demo.a", "demo.c"]
    code, out, err = run(["show", "demo.b", "--database-url", db_url], capsys)
    assert code == 1 and "demo.b is not registered" in err
    conn.execute("UPDATE attune.workflow_definition SET retired_at = NULL")

    code, out, _ = run(["unregister", "demo.a", "demo.zzz", "--database-url", db_url], capsys)
    assert code == 1
    assert out.splitlines()[:3] == [
        "removed    demo.a",
        "    - action demo.a",
        "missing    demo.zzz",
    ]
    code, out, _ = run(
        ["unregister", "--pack", "demo", "--dry-run", "--database-url", db_url], capsys
    )
    assert code == 0 and out.splitlines()[-1] == "dry run: nothing was deleted"
    assert conn.execute("SELECT count(*) FROM attune.workflow_definition").fetchone() == (2,)
    code, _, err = run(["unregister", "--database-url", db_url], capsys)
    assert code == 2 and "give REF... or --pack P" in err


def test_db_upgrade_and_status_on_a_url(
    empty_db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["db", "status", "--database-url", empty_db_url], capsys)
    assert code == 0
    assert out.splitlines() == [
        f"database:  {redact_url(empty_db_url)}",
        "schema:    none yet (`attune-lsp db upgrade` creates it)",
        "pending    0001_attune_schema.sql",
        "pending    0002_workflow_system.sql",
        "pending    0003_attune_lifecycle.sql",
    ]
    code, out, _ = run(["db", "upgrade", "--database-url", empty_db_url], capsys)
    assert code == 0
    assert out.splitlines() == [
        "applied    0001_attune_schema.sql",
        "applied    0002_workflow_system.sql",
        "applied    0003_attune_lifecycle.sql",
        f"schema up to date ({redact_url(empty_db_url)})",
    ]
    code, out, _ = run(["db", "status", "--database-url", empty_db_url], capsys)
    assert out.splitlines()[1:] == [
        "schema:    managed by attune-lsp, up to date",
        "applied    0001_attune_schema.sql",
        "applied    0002_workflow_system.sql",
        "applied    0003_attune_lifecycle.sql",
    ]


def test_db_upgrade_refuses_an_attune_database(
    empty_db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with psycopg.connect(empty_db_url, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA attune")
    code, out, err = run(["db", "upgrade", "--database-url", empty_db_url], capsys)
    assert (code, out) == (3, "")
    assert err == (
        "attune-lsp: error: schema attune exists and is managed by Attune itself; attune-lsp will "
        "not migrate it — point --database-url at it and register without migrating\n"
    )
    code, out, _ = run(["db", "status", "--database-url", empty_db_url], capsys)
    assert code == 0
    assert out.splitlines()[1] == (
        "schema:    attune exists and is managed by Attune itself (not migrated by attune-lsp)"
    )


def test_a_database_without_the_schema_says_what_to_do(
    empty_db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["list", "--database-url", empty_db_url], capsys)
    assert (code, out) == (3, "")
    assert err.startswith("attune-lsp: error: the database has no Attune schema")
    assert "attune-lsp db upgrade" in err and len(err.splitlines()) == 1


def test_an_unreachable_server_is_exit_3(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = f"postgresql://u:hunter2@/db?host={tmp_path}&port=1"
    code, out, err = run(["list", "--database-url", url], capsys)
    assert (code, out) == (3, "")
    assert err.startswith(
        f"attune-lsp: error: cannot connect to postgresql://u:***@/db?host={tmp_path}&port=1"
    )
    assert "hunter2" not in err and len(err.splitlines()) == 1

"""Concurrent registrations and connections that die mid-transaction."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import psycopg
import pytest
from registrar_helpers import add_pack, dump, task, workflow

from attune_workflow.registrar import core, register
from attune_workflow.registrar.errors import RegistrarError
from attune_workflow.registrar.types import RegistrationReport

THREADS = 8
REFS = [f"demo.flow{i:02d}" for i in range(20)]


def run_threads(db_url: str, batches: list[list[Any]]) -> list[RegistrationReport]:
    barrier = threading.Barrier(len(batches))
    reports: list[RegistrationReport] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(batch: list[Any]) -> None:
        try:
            with psycopg.connect(db_url, autocommit=True) as conn:
                barrier.wait()
                report = register(conn, batch)
            with lock:
                reports.append(report)
        except BaseException as exc:  # collected and asserted below
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=run, args=(batch,)) for batch in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return reports


def test_eight_concurrent_registrations_of_the_same_refs(
    conn: psycopg.Connection[Any], db_url: str
) -> None:
    add_pack(conn)
    # Half the refs exist already (with other content), half are new.
    register(conn, [workflow(ref, tasks=[task("old")]) for ref in REFS[::2]])
    batches = [
        # Each thread submits the same refs in its own order.
        [workflow(ref) for ref in (REFS if n % 2 else list(reversed(REFS)))]
        for n in range(THREADS)
    ]
    reports = run_threads(db_url, batches)

    outcomes = Counter((o.ref, o.status) for r in reports for o in r.outcomes)
    for ref in REFS[1::2]:  # new: created exactly once, then unchanged
        assert outcomes[(ref, "created")] == 1
        assert outcomes[(ref, "unchanged")] == THREADS - 1
    for ref in REFS[::2]:  # existing: updated exactly once, then unchanged
        assert outcomes[(ref, "updated")] == 1
        assert outcomes[(ref, "unchanged")] == THREADS - 1

    counts = conn.execute(
        "SELECT (SELECT count(*) FROM attune.workflow_definition),"
        " (SELECT count(DISTINCT ref) FROM attune.workflow_definition),"
        " (SELECT count(*) FROM attune.action),"
        " (SELECT count(*) FROM attune.action a JOIN attune.workflow_definition wd"
        "  ON wd.id = a.workflow_def AND wd.ref = a.ref)"
    ).fetchone()
    assert counts == (20, 20, 20, 20)
    tasks = conn.execute(
        "SELECT DISTINCT definition->'tasks'->0->>'name' FROM attune.workflow_definition"
    ).fetchall()
    assert tasks == [("start",)]


def test_concurrent_registrations_of_different_versions_stay_consistent(
    conn: psycopg.Connection[Any], db_url: str
) -> None:
    add_pack(conn)
    batches = [
        [workflow(ref, label=f"v{n}", version=f"{n}.0.0") for ref in REFS] for n in range(THREADS)
    ]
    run_threads(db_url, batches)
    rows = conn.execute(
        "SELECT wd.ref, wd.label, wd.version, a.label FROM attune.workflow_definition wd"
        " JOIN attune.action a ON a.workflow_def = wd.id ORDER BY wd.ref"
    ).fetchall()
    assert len(rows) == len(REFS)
    # Every definition and its action come from the same batch.
    for _ref, label, version, action_label in rows:
        assert action_label == label
        assert version == f"{label[1:]}.0.0"


def test_a_killed_connection_writes_nothing_partial(
    conn: psycopg.Connection[Any], db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_pack(conn)
    register(conn, [workflow("demo.kept")])  # committed before the failure
    before = dump(conn)

    halfway = threading.Event()
    killed = threading.Event()
    real_upsert = core._upsert

    def pausing(c: psycopg.Connection[Any], target: Any, refs: list[str]) -> Any:
        if target.table == "action":  # workflow definitions are written, not committed
            halfway.set()
            assert killed.wait(timeout=30)
        return real_upsert(c, target, refs)

    monkeypatch.setattr(core, "_upsert", pausing)
    victim = psycopg.connect(db_url, autocommit=True)
    pid = victim.info.backend_pid
    failure: list[BaseException] = []

    def run() -> None:
        try:
            register(victim, [workflow("demo.kept", version="2.0.0"), workflow("demo.new")])
        except BaseException as exc:  # asserted below
            failure.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    assert halfway.wait(timeout=30)
    # The second argument makes pg_terminate_backend wait until the backend has exited.
    terminated = conn.execute("SELECT pg_terminate_backend(%s, 30000)", [pid]).fetchone()
    assert terminated == (True,)
    killed.set()
    worker.join()
    victim.close()

    assert len(failure) == 1 and isinstance(failure[0], RegistrarError)
    assert "connection" in str(failure[0])
    assert dump(conn) == before

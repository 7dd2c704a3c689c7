"""The report's diff, built from the parts of a row the database sends, against the full row.

The registrar does not read a differing row whole: the database sends the columns that
differ and the stored tasks that are not equal to the new task at the same index
(`diff.stored_workflow`). These tests compare every diff of a batch of random edits with
the diff computed from the full stored row read beforehand.
"""

from __future__ import annotations

import dataclasses
import random
from typing import Any

import psycopg
import pytest
from registrar_helpers import add_pack, task, workflow

from attune_workflow.registrar import register
from attune_workflow.registrar.diff import action_changes, workflow_diff
from attune_workflow.registrar.types import ActionRecord, WorkflowRecord, companion_action


def _base_tasks() -> list[Any]:
    return [
        task("start", retry={"count": 2}),
        task("build", next=[{"when": "{{ succeeded() }}", "do": ["test"]}]),
        task("test"),
        task("test", action="core.noop"),  # the same name twice: the last one counts
        {"action": "core.echo", "input": {"message": "unnamed"}},
        task("finish", input={"message": "done", "n": 3}),
    ]


def _edit(rng: random.Random, tasks: list[Any]) -> list[Any] | dict[str, Any]:
    """One random edit of a task list (or a replacement that is not a list)."""
    tasks = list(tasks)
    kind = rng.choice(["change", "insert", "delete", "swap", "rename", "same", "not a list"])
    index = rng.randrange(len(tasks)) if tasks else 0
    if kind == "change" and tasks:
        tasks[index] = {**tasks[index], "action": f"core.changed{rng.randrange(3)}"}
    elif kind == "insert":
        tasks.insert(index, task(f"new{rng.randrange(3)}"))
    elif kind == "delete" and tasks:
        del tasks[index]
    elif kind == "swap" and len(tasks) > 1:
        other = rng.randrange(len(tasks))
        tasks[index], tasks[other] = tasks[other], tasks[index]
    elif kind == "rename" and tasks:
        tasks[index] = {**tasks[index], "name": rng.choice(["start", "test", "renamed", 7])}
    elif kind == "not a list":
        return {"start": task("start")}
    return tasks


def _variant(rng: random.Random, record: WorkflowRecord) -> WorkflowRecord:
    definition = dict(record.definition)
    tasks: Any = definition["tasks"]
    for _ in range(rng.randrange(4)):
        tasks = _edit(rng, tasks) if isinstance(tasks, list) else _base_tasks()
    definition["tasks"] = tasks
    if rng.random() < 0.3:
        definition["vars"] = {"n": rng.randrange(3)}
    changes: dict[str, Any] = {"definition": definition}
    if rng.random() < 0.3:
        params = {"env": {"type": "string"}, "dry": {"type": "boolean"}}
        changes.update(param_schema=params)
        definition["parameters"] = params
    if rng.random() < 0.3:
        changes.update(label="Relabelled", description=rng.choice([None, "Now described"]))
    if rng.random() < 0.3 and record.action is not None:
        changes.update(action=dataclasses.replace(record.action, enabled=False, timeout_seconds=9))
    return dataclasses.replace(record, **changes)


def _full_rows(conn: psycopg.Connection[Any], table: str) -> dict[str, dict[str, Any]]:
    return {
        ref: stored
        for ref, stored in conn.execute(f"SELECT ref, to_jsonb(t) FROM attune.{table} t")
    }


@pytest.mark.parametrize("seed", range(3))
def test_diff_from_the_sent_parts_equals_the_diff_of_the_full_row(
    conn: psycopg.Connection[Any], seed: int
) -> None:
    rng = random.Random(seed)
    pack_id = add_pack(conn)
    records = []
    for i in range(40):
        ref = f"demo.flow{i:02d}"
        action = (
            ActionRecord(ref, "demo", f"Flow {i}", f"workflows/flow{i:02d}.workflow.yaml")
            if i % 2
            else None
        )
        records.append(workflow(ref, tasks=_base_tasks(), action=action, description="Old"))
    register(conn, records)
    workflows, actions = _full_rows(conn, "workflow_definition"), _full_rows(conn, "action")

    variants = [_variant(rng, record) for record in records]
    report = register(conn, variants, dry_run=True)

    compared = 0
    for record, outcome in zip(variants, report.outcomes, strict=True):
        assert outcome.ref == record.ref
        stored = workflows[record.ref]
        expected = workflow_diff(stored, record, pack_id)
        action = record.action or companion_action(record)
        expected = dataclasses.replace(
            expected,
            action_fields_changed=action_changes(
                actions[record.ref],
                action,
                pack_id,
                stored["id"],
                companion=record.action is None,
            ),
        )
        if outcome.status == "unchanged":
            assert expected.is_empty(), expected
            continue
        # A row can differ only where the diff shows nothing (two tasks of the same
        # name swapped): then both are empty.
        assert outcome.status == "updated"
        assert outcome.diff == expected
        compared += not expected.is_empty()
    assert compared > 20
    # The dry run wrote nothing: the full rows are as they were.
    assert _full_rows(conn, "workflow_definition") == workflows

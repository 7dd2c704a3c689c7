"""Register, unregister and read workflows in an Attune database.

Every write is one transaction for the whole batch and is all-or-nothing: when any
record is refused (engine errors, a constraint it would break, a missing pack) nothing
is written. Rows are upserted by `ref` in ref order, so concurrent registrations of the
same refs neither duplicate rows nor deadlock:

1. `INSERT ... ON CONFLICT (ref) DO NOTHING`, ordered by ref, creates the missing rows
   (refs that exist are left out first);
2. `SELECT ... ORDER BY ref FOR UPDATE` locks the existing ones and, only where a row
   differs from the new values (`IS DISTINCT FROM`), returns what the report's diff
   needs of it: the columns that differ and the tasks that are not as before
   (`_Target._stored`, `diff.stored_workflow`);
3. `UPDATE` rewrites just those rows, so an unchanged row keeps its `updated` time.

The columns come from one declarative table per Attune table (`tables`).

`workflow_definition` is done first, then `action`. The batch travels once, by COPY,
into two temporary tables dropped at commit; the statements above work set-wise on them.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from . import diff as _diff
from .db import Connection, require_idle, translate_errors
from .errors import RegistrarError
from .tables import (
    ACTION,
    REACTIVATE,
    WORKFLOW_DEFINITION,
    Column,
    Table,
    action_values,
    workflow_values,
)
from .types import (
    ActionRecord,
    JsonDict,
    LinkedAction,
    PackRecord,
    RegistrationOutcome,
    RegistrationReport,
    RegistrationState,
    RemovedWorkflow,
    TaskSummary,
    UnregisterReport,
    WorkflowDetail,
    WorkflowDiff,
    WorkflowRecord,
    WorkflowSummary,
    companion_action,
    default_pack,
    pack_problems,
    record_problems,
)

SCHEMA = "attune"


def _table(name: str) -> sql.Identifier:
    return sql.Identifier(SCHEMA, name)


# The stored definition `t.definition` for the report, where it differs from the new
# one `x.definition`: when both have a task list, each stored task equal to the new task
# at the same index is sent as null and its index listed under `diff.TASKS_EQUAL`;
# `diff.stored_workflow` puts the new task back in its place. (Each toasted value is
# read once: the task lists are taken out in a subquery.)
_STORED_DEFINITION = (
    "(SELECT CASE WHEN d.stored = d.new THEN '{{}}'::jsonb"
    " WHEN jsonb_typeof(d.stored_tasks) = 'array' AND jsonb_typeof(d.new_tasks) = 'array' THEN ("
    "SELECT jsonb_build_object('definition', (d.stored - 'tasks') || jsonb_build_object("
    "'tasks', coalesce(jsonb_agg(CASE WHEN e.same THEN 'null'::jsonb ELSE e.task END"
    " ORDER BY e.i), '[]'::jsonb)),"
    " {equal}, coalesce(jsonb_agg(e.i - 1 ORDER BY e.i) FILTER (WHERE e.same), '[]'::jsonb))"
    " FROM (SELECT o.i, o.task, coalesce(o.task = d.new_tasks -> (o.i::integer - 1), false)"
    " AS same FROM jsonb_array_elements(d.stored_tasks) WITH ORDINALITY AS o(task, i)) e)"
    " ELSE jsonb_build_object('definition', d.stored) END"
    " FROM (SELECT t.definition AS stored, x.definition AS new,"
    " t.definition->'tasks' AS stored_tasks, x.definition->'tasks' AS new_tasks) d)"
)


@dataclass(frozen=True)
class _Target:
    """One table the registrar upserts into, with its staging table and joins."""

    spec: Table
    reactivate: tuple[Column, ...] = ()

    @property
    def table(self) -> str:
        return self.spec.name

    @property
    def columns(self) -> tuple[Column, ...]:
        return (*self.spec.written, *self.reactivate)

    @property
    def stage_id(self) -> sql.Identifier:
        return sql.Identifier(self.spec.stage)

    def create_stage(self) -> sql.Composed:
        columns = sql.SQL(", ").join(
            sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(kind))
            for name, kind in self.spec.stage_columns
        )
        return sql.SQL("CREATE TEMPORARY TABLE {} ({}, PRIMARY KEY (ref)) ON COMMIT DROP").format(
            self.stage_id, columns
        )

    def copy_stage(self) -> sql.Composed:
        columns = sql.SQL(", ").join(sql.Identifier(name) for name, _ in self.spec.stage_columns)
        return sql.SQL("COPY {} ({}) FROM STDIN").format(self.stage_id, columns)

    def stage_row(self, values: JsonDict) -> tuple[Any, ...]:
        """A row for COPY, in stage column order, from column name -> value."""
        return tuple(_adapt(values[name], kind) for name, kind in self.spec.stage_columns)

    def _columns(self, alias: str = "") -> sql.Composable:
        prefix = sql.SQL(f"{alias}.") if alias else sql.SQL("")
        return sql.SQL(", ").join(prefix + sql.Identifier(c.name) for c in self.columns)

    def _expressions(self, update: bool = False) -> sql.Composable:
        return sql.SQL(", ").join(
            sql.SQL(c.update_value if update else c.insert_value) for c in self.columns
        )

    def _source(self) -> sql.Composed:
        return sql.SQL("{stage} x {joins}").format(
            stage=self.stage_id, joins=sql.SQL(self.spec.joins)
        )

    def _differs(self) -> sql.Composed:
        return sql.SQL("({}) IS DISTINCT FROM ({})").format(
            self._columns("t"), self._expressions(update=True)
        )

    def _stored(self) -> sql.Composable:
        """What the report needs of a stored row that differs, as jsonb.

        The ids always; a shown column only where its stored value differs from the
        update's (IS DISTINCT FROM, as for the row); the definition through
        `_STORED_DEFINITION`. `diff.stored_workflow` and
        `diff.stored_action` fill in the rest from the record.
        """
        ids = sql.SQL(", ").join(
            sql.SQL("{}, t.{}").format(sql.Literal(c.name), sql.Identifier(c.name))
            for c in self.columns
            if c.shown == "id"
        )
        parts: list[sql.Composable] = [sql.SQL("jsonb_build_object({})").format(ids)]
        for column in self.columns:
            if column.shown == "definition":
                parts.append(
                    sql.SQL(_STORED_DEFINITION).format(equal=sql.Literal(_diff.TASKS_EQUAL))
                )
            elif column.shown in ("field", "parameters"):
                parts.append(
                    sql.SQL(
                        "CASE WHEN t.{column} IS DISTINCT FROM ({value})"
                        " THEN jsonb_build_object({name}, t.{column}) ELSE '{{}}'::jsonb END"
                    ).format(
                        column=sql.Identifier(column.name),
                        value=sql.SQL(column.update_value),
                        name=sql.Literal(column.name),
                    )
                )
        return sql.SQL(" || ").join(parts)

    def insert_missing(self) -> sql.Composed:
        """Create the rows that do not exist yet, in ref order; returns (ref, id).

        Rows that exist are left out before the insert (their BEFORE INSERT triggers
        need not run); ON CONFLICT still covers a concurrent insert of the same ref.
        """
        return sql.SQL(
            "INSERT INTO {table} AS t (ref, {columns})"
            " SELECT x.ref, {values} FROM {source}"
            " WHERE x.ref = ANY(%(refs)s)"
            " AND NOT EXISTS (SELECT FROM {table} e WHERE e.ref = x.ref)"
            " ORDER BY x.ref"
            " ON CONFLICT (ref) DO NOTHING"
            " RETURNING t.ref, t.id"
        ).format(
            table=_table(self.table),
            columns=self._columns(),
            values=self._expressions(),
            source=self._source(),
        )

    def lock_existing(self) -> sql.Composed:
        """Lock existing rows in ref order; returns (ref, id, stored row if it differs)."""
        return sql.SQL(
            "SELECT t.ref, t.id, CASE WHEN {differs} THEN {stored} END"
            " FROM {table} t JOIN {source} ON x.ref = t.ref"
            " WHERE t.ref = ANY(%(refs)s)"
            " ORDER BY t.ref"
            " FOR UPDATE OF t"
        ).format(
            differs=self._differs(),
            stored=self._stored(),
            table=_table(self.table),
            source=self._source(),
        )

    def update_changed(self) -> sql.Composed:
        """Rewrite the rows `lock_existing` found different (they stay locked)."""
        assignments = sql.SQL(", ").join(
            sql.SQL("{} = {}").format(sql.Identifier(c.name), sql.SQL(c.update_value))
            for c in self.columns
        )
        return sql.SQL(
            "UPDATE {table} AS t SET {assignments} FROM {source}"
            " WHERE x.ref = t.ref AND t.ref = ANY(%(refs)s)"
        ).format(table=_table(self.table), assignments=assignments, source=self._source())


# Rows deleted by a concurrent transaction between our insert and our lock are
# retried this many times before giving up.
_UPSERT_ROUNDS = 5


@dataclass
class _Item:
    record: WorkflowRecord
    action: ActionRecord
    reasons: list[str] = field(default_factory=list)


@dataclass
class _Upserted:
    ids: dict[str, int] = field(default_factory=dict)
    created: set[str] = field(default_factory=set)
    old: dict[str, JsonDict] = field(default_factory=dict)  # stored rows that differ


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _plan(workflows: Sequence[WorkflowRecord]) -> list[_Item]:
    items = [_Item(wf, wf.action or companion_action(wf)) for wf in workflows]
    items.sort(key=lambda item: item.record.ref)
    ref_count = Counter(item.record.ref for item in items)
    action_count = Counter(item.action.ref for item in items)
    for item in items:
        item.reasons.extend(item.record.errors)
        item.reasons.extend(record_problems(item.record, item.action))
        if ref_count[item.record.ref] > 1:
            sources = [i.record.source for i in items if i.record.ref == item.record.ref]
            item.reasons.append(
                f"ref {item.record.ref!r} appears {ref_count[item.record.ref]} times in the batch"
                + (f" ({', '.join(s for s in sources if s)})" if any(sources) else "")
            )
        if action_count[item.action.ref] > 1:
            item.reasons.append(f"action {item.action.ref!r} is linked to more than one workflow")
    return items


def _adapt(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "jsonb":
        return Jsonb(value, dumps=_dumps)
    if kind == "text[]":
        return list(value)
    return value


def _use_attune_search_path(conn: Connection) -> None:
    """Attune's triggers name tables without a schema: pin the path for this transaction."""
    conn.execute("SET LOCAL search_path TO attune, public")


def _table_columns(conn: Connection, tables: Sequence[str]) -> dict[str, set[str]]:
    rows = conn.execute(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = %s AND table_name = ANY(%s)",
        [SCHEMA, list(tables)],
    ).fetchall()
    out: dict[str, set[str]] = {table: set() for table in tables}
    for table, column in rows:
        out[table].add(column)
    return out


def _lifecycle_targets(conn: Connection) -> tuple[_Target, _Target]:
    """The two targets, reactivating rows where the lifecycle columns exist."""
    tables = (WORKFLOW_DEFINITION, ACTION)
    columns = _table_columns(conn, [table.name for table in tables])
    workflows, actions = (
        _Target(table, tuple(c for c in REACTIVATE[table.name] if c.name in columns[table.name]))
        for table in tables
    )
    return workflows, actions


_ATTUNE_INSTALLED = (
    "installed_at IS NOT NULL OR source_type IS NOT NULL OR active_release IS NOT NULL"
)


def _installed_by_attune(conn: Connection, refs: Sequence[str]) -> set[str]:
    """Packs that Attune's pack installer put in the database (not attune-lsp)."""
    columns = _table_columns(conn, ("pack",))["pack"]
    conditions = [
        f"{name} IS NOT NULL"
        for name in ("installed_at", "source_type", "active_release")
        if name in columns
    ]
    if not conditions:
        return set()
    query = sql.SQL("SELECT ref FROM {} WHERE ref = ANY(%s) AND ({})").format(
        _table("pack"), sql.SQL(" OR ".join(conditions))
    )
    return {row[0] for row in conn.execute(query, [list(refs)]).fetchall()}


def _install_note(item: _Item) -> str:
    return (
        f"pack {item.record.pack_ref!r} was installed by Attune: its next install of the pack "
        "loads only actions/*.yaml, so it will retire this standalone workflow and its "
        f"companion action {item.action.ref!r} (put an action file with `workflow_file` "
        "in the pack to keep it)"
    )


def _ensure_packs(
    conn: Connection, items: list[_Item], create_pack: bool
) -> tuple[dict[str, int], list[str]]:
    """Pack ref -> id for every pack the batch needs; creates missing ones if asked."""
    needed = sorted({i.record.pack_ref for i in items} | {i.action.pack_ref for i in items})
    query = sql.SQL("SELECT ref, id FROM {} WHERE ref = ANY(%s)").format(_table("pack"))
    ids: dict[str, int] = dict(conn.execute(query, [needed]).fetchall())
    missing = [ref for ref in needed if ref not in ids]
    created: list[str] = []
    if not missing:
        return ids, created
    if not create_pack:
        for item in items:
            for ref in sorted({item.record.pack_ref, item.action.pack_ref}):
                if ref in missing:
                    item.reasons.append(
                        f"pack {ref!r} is not registered; register the pack first or use "
                        "--create-pack"
                    )
        return ids, created
    records: dict[str, PackRecord] = {}
    for item in items:
        if item.record.pack is not None:
            records.setdefault(item.record.pack.ref, item.record.pack)
    insert = sql.SQL(
        "INSERT INTO {} (ref, label, version, description, conf_schema, config, meta, tags,"
        " runtime_deps, dependencies, is_standard)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (ref) DO NOTHING RETURNING id"
    ).format(_table("pack"))
    for ref in missing:
        pack = records.get(ref) or default_pack(ref)
        problems = pack_problems(pack)
        if problems:
            for item in items:
                if ref in (item.record.pack_ref, item.action.pack_ref):
                    item.reasons.extend(problems)
            continue
        row = conn.execute(
            insert,
            [
                pack.ref,
                pack.label,
                pack.version,
                pack.description,
                Jsonb(pack.conf_schema or {}),
                Jsonb(pack.config or {}),
                Jsonb(pack.meta or {}),
                list(pack.tags),
                list(pack.runtime_deps),
                list(pack.dependencies),
                pack.is_standard,
            ],
        ).fetchone()
        if row is not None:
            created.append(ref)
    ids.update(conn.execute(query, [missing]).fetchall())
    return ids, created


def _check_ownership(conn: Connection, items: list[_Item]) -> None:
    """Refuse, as Attune's loader does (`ensure_existing_owner`), rows of another pack."""
    for table, kind, refs in (
        ("workflow_definition", "workflow", {i.record.ref: i for i in items}),
        ("action", "action", {i.action.ref: i for i in items}),
    ):
        query = sql.SQL("SELECT ref, pack_ref FROM {} WHERE ref = ANY(%s)").format(_table(table))
        for ref, pack_ref in conn.execute(query, [list(refs)]).fetchall():
            item = refs[ref]
            wanted = item.record.pack_ref if kind == "workflow" else item.action.pack_ref
            if pack_ref != wanted:
                item.reasons.append(
                    f"{kind} {ref!r} belongs to pack {pack_ref!r}: Attune refuses to overwrite "
                    f"a component owned by another pack (unregister it from {pack_ref!r} first)"
                )


def _upsert(conn: Connection, target: _Target, refs: list[str]) -> _Upserted:
    done = _Upserted()
    pending = sorted(refs)
    insert, lock, update = target.insert_missing(), target.lock_existing(), target.update_changed()
    for _ in range(_UPSERT_ROUNDS):
        for ref, row_id in conn.execute(insert, {"refs": pending}).fetchall():
            done.ids[ref] = row_id
            done.created.add(ref)
        rest = [ref for ref in pending if ref not in done.ids]
        if rest:
            for ref, row_id, old in conn.execute(lock, {"refs": rest}).fetchall():
                done.ids[ref] = row_id
                if old is not None:
                    done.old[ref] = old
        pending = [ref for ref in pending if ref not in done.ids]
        if not pending:
            break
    else:
        raise RegistrarError(
            f"{target.table} rows for {', '.join(pending[:5])} kept disappearing while "
            "registering (removed by a concurrent transaction?); try again"
        )
    if done.old:
        conn.execute(update, {"refs": sorted(done.old)})
    return done


def _refusal_report(items: list[_Item], dry_run: bool) -> RegistrationReport:
    refused = sum(1 for item in items if item.reasons)
    noun = "record was" if refused == 1 else "records were"
    outcomes = tuple(
        RegistrationOutcome(
            ref=item.record.ref,
            status="refused" if item.reasons else "skipped",
            source=item.record.source,
            action_ref=item.action.ref,
            reasons=tuple(item.reasons)
            if item.reasons
            else (f"not written: {refused} {noun} refused and the batch is all-or-nothing",),
        )
        for item in items
    )
    return RegistrationReport(outcomes, dry_run=dry_run, written=False)


def _outcome(
    item: _Item,
    workflows: _Upserted,
    actions: _Upserted,
    pack_ids: dict[str, int],
    installed: set[str],
) -> RegistrationOutcome:
    ref, action_ref = item.record.ref, item.action.ref
    notes = (
        (_install_note(item),)
        if item.record.action is None and item.record.pack_ref in installed
        else ()
    )
    outcome = RegistrationOutcome(
        ref=ref,
        status="unchanged",
        source=item.record.source,
        action_ref=action_ref,
        notes=notes,
    )
    if ref in workflows.created:
        return replace(outcome, status="created")
    action_created = action_ref in actions.created
    if ref not in workflows.old and action_ref not in actions.old and not action_created:
        return outcome
    difference = WorkflowDiff()
    if ref in workflows.old:
        difference = _diff.workflow_diff(
            _diff.stored_workflow(workflows.old[ref], item.record),
            item.record,
            pack_ids.get(item.record.pack_ref),
        )
    if action_ref in actions.old:
        difference = replace(
            difference,
            action_fields_changed=_diff.action_changes(
                _diff.stored_action(actions.old[action_ref], item.action),
                item.action,
                pack_ids.get(item.action.pack_ref),
                workflows.ids[ref],
                companion=item.record.action is None,
            ),
        )
    if action_created:
        difference = replace(difference, action_created=action_ref)
    return replace(outcome, status="updated", diff=difference)


def _register(
    conn: Connection, items: list[_Item], dry_run: bool, create_pack: bool
) -> RegistrationReport:
    _use_attune_search_path(conn)
    pack_ids, packs_created = _ensure_packs(conn, items, create_pack)
    _check_ownership(conn, items)
    if any(item.reasons for item in items):
        return _refusal_report(items, dry_run)

    workflow_target, action_target = _lifecycle_targets(conn)
    staged = (
        (workflow_target, [workflow_values(i.record) for i in items]),
        (
            action_target,
            [
                {
                    **action_values(i.action),
                    "workflow_ref": i.record.ref,
                    "companion": i.record.action is None,
                }
                for i in items
            ],
        ),
    )
    with conn.cursor() as cursor:
        for target, rows in staged:
            cursor.execute(target.create_stage())
            with cursor.copy(target.copy_stage()) as copy:
                for values in rows:
                    copy.write_row(target.stage_row(values))

    workflows = _upsert(conn, workflow_target, [i.record.ref for i in items])
    actions = _upsert(conn, action_target, [i.action.ref for i in items])

    installed = _installed_by_attune(conn, sorted({i.record.pack_ref for i in items}))
    outcomes = [_outcome(item, workflows, actions, pack_ids, installed) for item in items]
    return RegistrationReport(
        tuple(outcomes), dry_run=dry_run, written=not dry_run, packs_created=tuple(packs_created)
    )


def register(
    conn: Connection,
    workflows: Sequence[WorkflowRecord],
    *,
    dry_run: bool = False,
    create_pack: bool = False,
) -> RegistrationReport:
    """Upsert workflow definitions and their actions, in one all-or-nothing transaction.

    Any refused record (engine errors, a value the schema rejects, a missing pack
    without `create_pack`, a ref twice in the batch) means nothing is written; the report
    lists why and marks the other records `skipped`. With `dry_run` everything runs
    inside the transaction and is then rolled back, so the report shows exactly what
    would happen.
    """
    require_idle(conn)
    items = _plan(workflows)
    report: RegistrationReport | None = None
    with translate_errors(conn), conn.transaction() as tx:
        report = _register(conn, items, dry_run, create_pack)
        if not report.written:
            raise psycopg.Rollback(tx)
    return report


def unregister(
    conn: Connection,
    refs: Sequence[str] = (),
    *,
    pack: str | None = None,
    dry_run: bool = False,
) -> UnregisterReport:
    """Delete workflow definitions by ref and/or every definition of a pack.

    Attune's foreign keys do the rest: the linked action (`action.workflow_def`) and the
    workflow executions go with the definition (ON DELETE CASCADE).
    """
    if not refs and pack is None:
        raise ValueError("unregister needs refs or a pack")
    require_idle(conn)
    wanted = sorted(set(refs))
    report: UnregisterReport | None = None
    with translate_errors(conn), conn.transaction() as tx:
        _use_attune_search_path(conn)
        condition: sql.Composable = sql.SQL("wd.ref = ANY(%(refs)s)")
        if pack is not None:
            condition = sql.SQL("({} OR wd.pack_ref = %(pack)s)").format(condition)
        rows = conn.execute(
            sql.SQL(
                "SELECT wd.id, wd.ref, wd.pack_ref FROM {} wd WHERE {}"
                " ORDER BY wd.ref FOR UPDATE OF wd"
            ).format(_table("workflow_definition"), condition),
            {"refs": wanted, "pack": pack},
        ).fetchall()
        ids = [row[0] for row in rows]
        actions: dict[int, list[str]] = {}
        for action_ref, workflow_def in conn.execute(
            sql.SQL(
                "SELECT ref, workflow_def FROM {} WHERE workflow_def = ANY(%s) ORDER BY ref"
            ).format(_table("action")),
            [ids],
        ):
            actions.setdefault(workflow_def, []).append(action_ref)
        executions: dict[int, int] = {}
        if _relation_exists(conn, "workflow_execution"):
            executions = dict(
                conn.execute(
                    sql.SQL(
                        "SELECT workflow_def, count(*) FROM {} WHERE workflow_def = ANY(%s)"
                        " GROUP BY workflow_def"
                    ).format(_table("workflow_execution")),
                    [ids],
                ).fetchall()
            )
        _refuse_blocked_deletes(conn, ids)
        if ids:
            conn.execute(
                sql.SQL("DELETE FROM {} WHERE id = ANY(%s)").format(_table("workflow_definition")),
                [ids],
            )
        found = {row[1] for row in rows}
        report = UnregisterReport(
            removed=tuple(
                RemovedWorkflow(
                    ref=ref,
                    pack_ref=pack_ref,
                    actions=tuple(actions.get(row_id, ())),
                    executions=int(executions.get(row_id, 0)),
                )
                for row_id, ref, pack_ref in rows
            ),
            missing=tuple(ref for ref in wanted if ref not in found),
            dry_run=dry_run,
            written=not dry_run and bool(ids),
        )
        if dry_run:
            raise psycopg.Rollback(tx)
    return report


def _refuse_blocked_deletes(conn: Connection, ids: Sequence[int]) -> None:
    """Refuse, in one line, to delete workflows whose execution logs are undelivered.

    `workflow_log_outbox.workflow_execution` is ON DELETE RESTRICT in Attune: the
    cascade from `workflow_definition` would fail on the first undelivered row.
    """
    if not ids or not _relation_exists(conn, "workflow_log_outbox"):
        return
    rows = conn.execute(
        sql.SQL(
            "SELECT wd.ref, count(DISTINCT we.id), count(*) FROM {outbox} o"
            " JOIN {execution} we ON we.id = o.workflow_execution"
            " JOIN {definition} wd ON wd.id = we.workflow_def"
            " WHERE wd.id = ANY(%s) AND o.delivered_at IS NULL"
            " GROUP BY wd.ref ORDER BY wd.ref"
        ).format(
            outbox=_table("workflow_log_outbox"),
            execution=_table("workflow_execution"),
            definition=_table("workflow_definition"),
        ),
        [list(ids)],
    ).fetchall()
    if not rows:
        return
    parts = [
        f"{ref}: {executions} workflow execution{'s' if executions != 1 else ''} still "
        f"{'have' if executions != 1 else 'has'} {pending} undelivered activity-log "
        f"row{'s' if pending != 1 else ''} in workflow_log_outbox"
        for ref, executions, pending in rows
    ]
    raise RegistrarError(
        "cannot unregister " + "; ".join(parts) + " (Attune refuses to delete them until "
        "its executor has delivered the log); nothing was deleted"
    )


def _relation_exists(conn: Connection, name: str) -> bool:
    row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", [f"{SCHEMA}.{name}"]).fetchone()
    return bool(row and row[0])


_TASK_COUNT = (
    "CASE jsonb_typeof(wd.definition->'tasks')"
    " WHEN 'array' THEN jsonb_array_length(wd.definition->'tasks') ELSE 0 END"
)


def _lifecycle(conn: Connection) -> tuple[sql.Composable, sql.Composable, sql.Composable]:
    """(active workflow condition on `wd`, active action condition on `a`, enabled of `a`).

    A row with `retired_at` set is not registered (Attune resolves only active rows);
    `effective_enabled` is the action's admission state where the database has it.
    """
    columns = _table_columns(conn, ("workflow_definition", "action"))
    active_wd = sql.SQL(
        "wd.retired_at IS NULL" if "retired_at" in columns["workflow_definition"] else "TRUE"
    )
    active_a = sql.SQL("a.retired_at IS NULL" if "retired_at" in columns["action"] else "TRUE")
    enabled = sql.SQL(
        "a.effective_enabled" if "effective_enabled" in columns["action"] else "a.enabled"
    )
    return active_wd, active_a, enabled


def list_workflows(
    conn: Connection, *, pack: str | None = None, tag: str | None = None
) -> list[WorkflowSummary]:
    """Registered (not retired) workflows, by ref, optionally of one pack and/or tag."""
    with translate_errors(conn):
        active_wd, active_a, enabled = _lifecycle(conn)
    conditions: list[sql.Composable] = [active_wd]
    if pack is not None:
        conditions.append(sql.SQL("wd.pack_ref = %(pack)s"))
    if tag is not None:
        conditions.append(sql.SQL("wd.tags @> ARRAY[%(tag)s]::text[]"))
    where = sql.SQL(" WHERE ") + sql.SQL(" AND ").join(conditions)
    query = sql.SQL(
        "SELECT wd.ref, wd.pack_ref, wd.label, wd.version, coalesce(wd.tags, '{{}}'),"
        " {task_count}, wd.updated, a.ref, a.enabled"
        " FROM {table} wd LEFT JOIN LATERAL ("
        "SELECT a.ref, {enabled} AS enabled FROM {action} a"
        " WHERE a.workflow_def = wd.id AND {active_a} ORDER BY a.ref LIMIT 1) a ON TRUE"
        "{where} ORDER BY wd.ref"
    ).format(
        task_count=sql.SQL(_TASK_COUNT),
        action=_table("action"),
        table=_table("workflow_definition"),
        enabled=enabled,
        active_a=active_a,
        where=where,
    )
    with translate_errors(conn):
        rows = conn.execute(query, {"pack": pack, "tag": tag}).fetchall()
    return [
        WorkflowSummary(
            ref=ref,
            pack_ref=pack_ref,
            label=label,
            version=version,
            tags=tuple(tags),
            task_count=int(task_count),
            updated=updated,
            action_ref=action_ref,
            enabled=action_enabled,
        )
        for (
            ref,
            pack_ref,
            label,
            version,
            tags,
            task_count,
            updated,
            action_ref,
            action_enabled,
        ) in rows
    ]


def _task_summaries(definition: Any) -> tuple[TaskSummary, ...]:
    out: list[TaskSummary] = []

    def walk(tasks: Any, parent: str | None) -> None:
        if not isinstance(tasks, list):
            return
        for task in tasks:
            if not isinstance(task, dict):
                continue
            name = str(task.get("name", ""))
            kind = str(task.get("type") or "action")
            action = task.get("action")
            out.append(TaskSummary(name, kind, action if isinstance(action, str) else None, parent))
            walk(task.get("tasks"), name)

    walk(definition.get("tasks") if isinstance(definition, dict) else None, None)
    return tuple(out)


def show_workflow(conn: Connection, ref: str) -> WorkflowDetail | None:
    """One registered (not retired) workflow with its tasks and active linked actions."""
    with translate_errors(conn):
        active_wd, active_a, enabled = _lifecycle(conn)
        row = conn.execute(
            sql.SQL(
                "SELECT id, ref, pack_ref, label, description, version, coalesce(tags, '{{}}'),"
                " param_schema, out_schema, definition, created, updated FROM {} wd"
                " WHERE ref = %s AND {}"
            ).format(_table("workflow_definition"), active_wd),
            [ref],
        ).fetchone()
        if row is None:
            return None
        actions = conn.execute(
            sql.SQL(
                "SELECT ref, label, entrypoint, enabled, {} FROM {} a"
                " WHERE workflow_def = %s AND {} ORDER BY ref"
            ).format(enabled, _table("action"), active_a),
            [row[0]],
        ).fetchall()
    (_, ref, pack_ref, label, description, version, tags, params, output, definition) = row[:10]
    return WorkflowDetail(
        ref=ref,
        pack_ref=pack_ref,
        label=label,
        description=description,
        version=version,
        tags=tuple(tags),
        param_schema=params,
        out_schema=output,
        definition=definition,
        created=row[10],
        updated=row[11],
        tasks=_task_summaries(definition),
        actions=tuple(
            LinkedAction(a_ref, a_label, entrypoint, a_enabled, effective)
            for a_ref, a_label, entrypoint, a_enabled, effective in actions
        ),
    )


def registration_state(conn: Connection, record: WorkflowRecord) -> RegistrationState:
    """Whether `record` is registered, and if so whether the database matches it.

    A retired row (`retired_at` set) is not registered: Attune no longer resolves it.
    """
    action = record.action or companion_action(record)
    with translate_errors(conn):
        active_wd, _, _ = _lifecycle(conn)
        row = conn.execute(
            sql.SQL(
                "SELECT to_jsonb(wd), p.id,"
                " (SELECT to_jsonb(a) FROM {action} a WHERE a.ref = %(action)s),"
                " (SELECT id FROM {pack} WHERE ref = %(action_pack)s)"
                " FROM {table} wd LEFT JOIN {pack} p ON p.ref = %(pack)s"
                " WHERE wd.ref = %(ref)s AND {active}"
            ).format(
                action=_table("action"),
                pack=_table("pack"),
                table=_table("workflow_definition"),
                active=active_wd,
            ),
            {
                "ref": record.ref,
                "pack": record.pack_ref,
                "action": action.ref,
                "action_pack": action.pack_ref,
            },
        ).fetchone()
    if row is None:
        return "not-registered"
    stored, pack_id, stored_action, action_pack_id = row
    if pack_id is None or stored_action is None or action_pack_id is None:
        return "differs"
    if stored_action.get("retired_at") is not None or stored_action.get("omission_disabled"):
        return "differs"
    if stored["pack"] != pack_id or not _diff.workflow_diff(stored, record).is_empty():
        return "differs"
    if _diff.action_changes(
        stored_action, action, action_pack_id, stored["id"], companion=record.action is None
    ):
        return "differs"
    return "up-to-date"


def action_index(conn: Connection) -> dict[str, dict[str, Any]]:
    """Every active action: ref -> {param_schema, out_schema, description, pack_ref}."""
    with translate_errors(conn):
        _, active_a, _ = _lifecycle(conn)
        rows = conn.execute(
            sql.SQL(
                "SELECT ref, param_schema, out_schema, description, pack_ref FROM {} a"
                " WHERE {} ORDER BY ref"
            ).format(_table("action"), active_a)
        ).fetchall()
    return {
        ref: {
            "param_schema": params,
            "out_schema": output,
            "description": description,
            "pack_ref": pack_ref,
        }
        for ref, params, output, description, pack_ref in rows
    }

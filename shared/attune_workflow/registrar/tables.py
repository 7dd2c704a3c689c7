"""The columns the registrar writes: one declarative table per Attune table.

A column says where its value comes from, what an update writes and how the report
shows a change. The staging tables, the INSERT and UPDATE statements, the values a
record writes and the report's diff (`core`, `diff`) are all derived from these two
tables, so a column is named once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from .types import ActionRecord, JsonDict, WorkflowRecord

# How the report shows a change of the column: a `field` line (old -> new), per
# parameter, per task and definition key, as a row id (pack, workflow), or not at all.
Shown = Literal["key", "field", "parameters", "definition", "id", "hidden"]


@dataclass(frozen=True)
class Column:
    """One column of an Attune table, as a registration writes it.

    `staged` is the SQL type in which the record's field of the same name travels with
    the batch (read as `x.<name>`); a column that is not staged is written as `value`, an
    SQL expression over the pack `p` and (for actions) the workflow definition `w`.
    """

    name: str
    staged: str | None = None
    value: str | None = None
    cast: str = ""
    # None in the record means "not updated": the update keeps the stored value.
    kept_when_none: bool = False
    # Written by an update of a companion action (Attune's
    # WorkflowRegistrar.ensure_companion_action writes only some columns).
    companion: bool = True
    # The update's own value when it is not the insert value; may read the stored row `t`.
    update: str | None = None
    shown: Shown = "field"

    @property
    def insert_value(self) -> str:
        return self.value if self.value is not None else f"x.{self.name}{self.cast}"

    @property
    def update_value(self) -> str:
        if self.update is not None:
            return self.update
        value = self.insert_value
        if self.kept_when_none:
            value = f"coalesce({value}, t.{self.name})"
        if not self.companion:
            value = f"CASE WHEN x.companion THEN t.{self.name} ELSE {value} END"
        return value


@dataclass(frozen=True)
class Table:
    """An Attune table the registrar upserts into by `ref`."""

    name: str
    stage: str  # the batch's temporary table
    joins: str  # how a staged row `x` finds its pack `p` (and workflow `w`)
    columns: tuple[Column, ...]
    extra_stage: tuple[tuple[str, str], ...] = ()  # staged values that are not columns

    @property
    def stage_columns(self) -> tuple[tuple[str, str], ...]:
        """(name, SQL type) of the staging table."""
        staged = tuple((c.name, c.staged) for c in self.columns if c.staged is not None)
        return (*staged, *self.extra_stage)

    @property
    def written(self) -> tuple[Column, ...]:
        """The columns an insert and an update write (all but the key)."""
        return tuple(c for c in self.columns if c.shown != "key")

    def compared(self, *, companion: bool = False) -> tuple[Column, ...]:
        """The columns whose change the report lists as a field line, in table order."""
        return tuple(
            c for c in self.columns if c.shown == "field" and (c.companion or not companion)
        )

    def kept_when_none(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.kept_when_none)

    def values(self, record: Any) -> JsonDict:
        """The staged values of `record` (a record's field per staged column)."""
        out: JsonDict = {}
        for column in self.columns:
            if column.staged is None:
                continue
            value = getattr(record, column.name)
            out[column.name] = list(value) if column.staged == "text[]" else value
        return out


def _staged(name: str, kind: str, **options: Any) -> Column:
    return Column(name, staged=kind, **options)


# Every row has its ref (the upsert key) and its pack's id.
_OWNED = (_staged("ref", "text", shown="key"), Column("pack", value="p.id", shown="id"))

WORKFLOW_DEFINITION = Table(
    "workflow_definition",
    "attune_lsp_stage_workflow",
    "JOIN attune.pack p ON p.ref = x.pack_ref",
    columns=(
        *_OWNED,
        _staged("pack_ref", "text"),
        _staged("label", "text"),
        _staged("description", "text", kept_when_none=True),
        _staged("version", "text"),
        _staged("param_schema", "jsonb", kept_when_none=True, shown="parameters"),
        _staged("out_schema", "jsonb", kept_when_none=True),
        _staged("definition", "jsonb", shown="definition"),
        _staged("tags", "text[]"),
    ),
)

# An action file's own row (Attune's PackComponentLoader) gets every column on update
# but `runtime` and `is_adhoc`; a companion action only the `companion=True` ones.
_NOT_COMPANION: dict[str, Any] = {"companion": False}
_VISIBILITY = "::attune.action_reference_visibility_enum"
_RETENTION = "::attune.artifact_retention_enum"
ACTION = Table(
    "action",
    "attune_lsp_stage_action",
    "JOIN attune.pack p ON p.ref = x.pack_ref"
    " JOIN attune.workflow_definition w ON w.ref = x.workflow_ref",
    extra_stage=(("workflow_ref", "text"), ("companion", "boolean")),
    columns=(
        *_OWNED,
        _staged("pack_ref", "text", **_NOT_COMPANION),
        _staged("label", "text"),
        _staged("description", "text"),
        _staged("entrypoint", "text"),
        # Attune's update passes no runtime for a workflow action (kept as it is); a row
        # that becomes this workflow's action has none.
        Column(
            "runtime",
            value="NULL::bigint",
            update="CASE WHEN t.workflow_def IS NOT DISTINCT FROM w.id THEN t.runtime END",
            shown="hidden",
        ),
        _staged("enabled", "boolean", **_NOT_COMPANION),
        _staged("param_schema", "jsonb", kept_when_none=True),
        _staged("out_schema", "jsonb", kept_when_none=True),
        _staged("parameter_delivery", "text", **_NOT_COMPANION),
        _staged("parameter_format", "text", **_NOT_COMPANION),
        _staged("output_format", "text", **_NOT_COMPANION),
        Column("is_adhoc", value="false", update="t.is_adhoc", shown="hidden"),
        _staged("timeout_seconds", "integer", **_NOT_COMPANION),
        _staged("runtime_version_constraint", "text", **_NOT_COMPANION),
        _staged("accesses_mcp", "boolean", **_NOT_COMPANION),
        _staged("default_execution_permission_set_refs", "text[]", **_NOT_COMPANION),
        _staged("reference_visibility", "text", cast=_VISIBILITY, **_NOT_COMPANION),
        _staged("reference_allowed_pack_refs", "text[]", **_NOT_COMPANION),
        _staged("log_retention_policy", "text", cast=_RETENTION, **_NOT_COMPANION),
        _staged("log_retention_limit", "integer", **_NOT_COMPANION),
        _staged("artifact_retention_policy", "text", cast=_RETENTION, **_NOT_COMPANION),
        _staged("artifact_retention_limit", "integer", **_NOT_COMPANION),
        Column("workflow_def", value="w.id", shown="id"),
        _staged("required_worker_runtimes", "jsonb", **_NOT_COMPANION),
        _staged("worker_selector", "jsonb", **_NOT_COMPANION),
        _staged("worker_tolerations", "jsonb", **_NOT_COMPANION),
        _staged("worker_affinity", "jsonb", **_NOT_COMPANION),
    ),
)

# Attune's loader reactivates every row it upserts (ComponentLifecycleRepository.
# reactivate_pack_component); written only where the database has these columns.
REACTIVATE = {
    WORKFLOW_DEFINITION.name: (Column("retired_at", value="NULL::timestamptz", shown="hidden"),),
    ACTION.name: (
        Column("retired_at", value="NULL::timestamptz", shown="hidden"),
        Column("omission_disabled", value="false", shown="hidden"),
    ),
}


def workflow_values(record: WorkflowRecord) -> JsonDict:
    """The workflow_definition values a record writes (staged columns)."""
    return WORKFLOW_DEFINITION.values(record)


def action_values(action: ActionRecord) -> JsonDict:
    """The action values a record writes (staged columns)."""
    return ACTION.values(action)

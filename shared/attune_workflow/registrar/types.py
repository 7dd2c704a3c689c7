"""Plain data handed to and returned by the registrar.

Nothing here touches the database, so the engine, the language server and the CLI can
build and read these values without importing a database driver.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any, Literal

JsonDict = dict[str, Any]

# What `attune_workflow.registrar` re-exports.
__all__ = [
    "ActionRecord",
    "FieldChange",
    "LinkedAction",
    "PackRecord",
    "RegistrationOutcome",
    "RegistrationReport",
    "RegistrationState",
    "RemovedWorkflow",
    "TaskSummary",
    "UnregisterReport",
    "WorkflowDetail",
    "WorkflowDiff",
    "WorkflowRecord",
    "WorkflowSummary",
    "companion_action",
]

RegistrationStatus = Literal["created", "updated", "unchanged", "refused", "skipped"]
RegistrationState = Literal["not-registered", "up-to-date", "differs"]


@dataclass(frozen=True)
class PackRecord:
    """A pack row, from `pack.yaml` or derived from the folder name.

    Without a `pack.yaml` the engine derives `label = ref` and `version = "0.0.0"`.
    `is_standard` comes from the `system:` key.
    """

    ref: str
    label: str
    version: str
    description: str | None = None
    conf_schema: JsonDict | None = None
    config: JsonDict | None = None
    meta: JsonDict | None = None
    tags: tuple[str, ...] = ()
    runtime_deps: tuple[str, ...] = ()
    dependencies: tuple[str, ...] = ()
    is_standard: bool = False


@dataclass(frozen=True)
class ActionRecord:
    """The `action` row written next to a workflow definition.

    For an action-linked graph file this is the action YAML's own row (its
    `entrypoint` is the `workflow_file`); for a standalone workflow file it is the
    companion action of Attune's WorkflowRegistrar (see `companion_action`).
    The row is always written with `runtime = NULL`, `is_adhoc = false` and
    `workflow_def` set to the definition's id.
    """

    ref: str
    pack_ref: str
    label: str
    entrypoint: str
    description: str | None = None
    enabled: bool = True
    param_schema: JsonDict | None = None
    out_schema: JsonDict | None = None
    parameter_delivery: str = "stdin"
    parameter_format: str = "json"
    output_format: str = "text"
    timeout_seconds: int | None = None
    runtime_version_constraint: str | None = None
    accesses_mcp: bool = False
    default_execution_permission_set_refs: tuple[str, ...] = ()
    reference_visibility: str = "public"
    reference_allowed_pack_refs: tuple[str, ...] = ()
    log_retention_policy: str | None = None
    log_retention_limit: int | None = None
    artifact_retention_policy: str | None = None
    artifact_retention_limit: int | None = None
    required_worker_runtimes: JsonDict = field(default_factory=dict)
    worker_selector: JsonDict = field(default_factory=dict)
    worker_affinity: JsonDict = field(default_factory=dict)
    worker_tolerations: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class WorkflowRecord:
    """One workflow to register, built by the engine from a loaded file.

    `definition` is the normalised workflow JSON (what Attune stores in
    `workflow_definition.definition`). `errors` holds the error diagnostics the
    engine already found (`path:line:col: message [rule]`); a record with errors is
    refused. `action` is the linked or companion action row; when it is `None` the
    registrar writes the companion action of Attune's WorkflowRegistrar. `pack` is
    used only with `create_pack`.
    """

    ref: str
    pack_ref: str
    label: str
    version: str
    definition: JsonDict
    description: str | None = None
    param_schema: JsonDict | None = None
    out_schema: JsonDict | None = None
    tags: tuple[str, ...] = ()
    source: str = ""
    action: ActionRecord | None = None
    pack: PackRecord | None = None
    errors: tuple[str, ...] = ()


_WORKFLOW_SUFFIXES = (".workflow.yaml", ".workflow.yml", ".yaml", ".yml")


def workflow_file_name(record: WorkflowRecord) -> str:
    """The loader's name of a workflow: the file stem without `.workflow`, else the ref's name."""
    if record.source:
        base = record.source.replace("\\", "/").rpartition("/")[2]
        for suffix in _WORKFLOW_SUFFIXES:
            if base.endswith(suffix) and len(base) > len(suffix):
                return base[: -len(suffix)]
    _, _, name = record.ref.partition(".")
    return name or record.ref


def companion_action(record: WorkflowRecord) -> ActionRecord:
    """The companion action Attune's WorkflowRegistrar writes for a standalone workflow file."""
    return ActionRecord(
        ref=record.ref,
        pack_ref=record.pack_ref,
        label=record.label,
        description=record.description,
        entrypoint=f"workflows/{workflow_file_name(record)}.workflow.yaml",
        enabled=True,
        param_schema=record.param_schema,
        out_schema=record.out_schema,
    )


def default_pack(ref: str) -> PackRecord:
    """The pack row derived from a folder name when there is no `pack.yaml`."""
    return PackRecord(ref=ref, label=ref, version="0.0.0")


# --- results -------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    """One changed column (or top-level definition key), with short renderings of both sides."""

    name: str
    old: str
    new: str


@dataclass(frozen=True)
class WorkflowDiff:
    """What an update changes, in terms a workflow author recognises."""

    tasks_added: tuple[str, ...] = ()
    tasks_removed: tuple[str, ...] = ()
    tasks_changed: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (task, changed keys)
    parameters_added: tuple[str, ...] = ()
    parameters_removed: tuple[str, ...] = ()
    parameters_changed: tuple[str, ...] = ()
    fields_changed: tuple[FieldChange, ...] = ()
    action_created: str | None = None
    action_fields_changed: tuple[FieldChange, ...] = ()

    def is_empty(self) -> bool:
        return not (
            self.tasks_added
            or self.tasks_removed
            or self.tasks_changed
            or self.parameters_added
            or self.parameters_removed
            or self.parameters_changed
            or self.fields_changed
            or self.action_created
            or self.action_fields_changed
        )

    def lines(self) -> list[str]:
        """One line per change: `+` added, `-` removed, `~` changed."""
        out: list[str] = []
        out += [f"+ task {name}" for name in self.tasks_added]
        out += [f"- task {name}" for name in self.tasks_removed]
        for name, keys in self.tasks_changed:
            out.append(f"~ task {name} ({', '.join(keys)})" if keys else f"~ task {name}")
        out += [f"+ parameter {name}" for name in self.parameters_added]
        out += [f"- parameter {name}" for name in self.parameters_removed]
        out += [f"~ parameter {name}" for name in self.parameters_changed]
        out += [_change_line(change) for change in self.fields_changed]
        if self.action_created:
            out.append(f"+ action {self.action_created}")
        out += [_change_line(change, "action.") for change in self.action_fields_changed]
        return out


def _change_line(change: FieldChange, prefix: str = "") -> str:
    return f"~ {prefix}{change.name}: {change.old} -> {change.new}"


@dataclass(frozen=True)
class RegistrationOutcome:
    """What happened (or, in a dry run, would happen) to one workflow ref."""

    ref: str
    status: RegistrationStatus
    source: str = ""
    action_ref: str | None = None
    diff: WorkflowDiff | None = None
    reasons: tuple[str, ...] = ()
    # What Attune itself will do to these rows later (e.g. at its next pack install).
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class RegistrationReport:
    """The result of one `register` call.

    The batch is all-or-nothing: `written` is true only when the transaction
    committed. When any record is refused, nothing is written, the refused records
    say why and every other record is `skipped`.
    """

    outcomes: tuple[RegistrationOutcome, ...]
    dry_run: bool
    written: bool
    packs_created: tuple[str, ...] = ()

    def count(self, status: RegistrationStatus) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def refused(self) -> tuple[RegistrationOutcome, ...]:
        return tuple(outcome for outcome in self.outcomes if outcome.status == "refused")

    @property
    def ok(self) -> bool:
        return not self.refused

    def summary(self) -> str:
        parts = [
            f"{self.count(status)} {status}"
            for status in ("created", "updated", "unchanged", "refused", "skipped")
            if self.count(status)
        ]
        total = len(self.outcomes)
        noun = "workflow" if total == 1 else "workflows"
        text = f"{total} {noun}: " + (", ".join(parts) if parts else "nothing to do")
        if self.packs_created:
            text += f"; packs created: {', '.join(self.packs_created)}"
        return text


@dataclass(frozen=True)
class RemovedWorkflow:
    """A deleted definition and what Attune's cascades removed with it."""

    ref: str
    pack_ref: str
    actions: tuple[str, ...] = ()
    executions: int = 0


@dataclass(frozen=True)
class UnregisterReport:
    removed: tuple[RemovedWorkflow, ...]
    missing: tuple[str, ...]
    dry_run: bool
    written: bool

    def summary(self) -> str:
        actions = sum(len(item.actions) for item in self.removed)
        executions = sum(item.executions for item in self.removed)
        text = f"{len(self.removed)} removed"
        if actions or executions:
            text += f" (with {actions} linked actions, {executions} workflow executions)"
        if self.missing:
            text += f"; not registered: {', '.join(self.missing)}"
        return text


@dataclass(frozen=True)
class WorkflowSummary:
    ref: str
    pack_ref: str
    label: str
    version: str
    tags: tuple[str, ...]
    task_count: int
    updated: datetime.datetime
    action_ref: str | None
    # The linked action's admission state: `effective_enabled` where the database has it
    # (operator override and omission included), else `enabled`; None without an action.
    enabled: bool | None = None


@dataclass(frozen=True)
class TaskSummary:
    """A task of a stored definition; sub-tasks of a parallel task name their `parent`."""

    name: str
    type: str
    action: str | None
    parent: str | None = None


@dataclass(frozen=True)
class LinkedAction:
    ref: str
    label: str
    entrypoint: str
    enabled: bool
    # Attune's `effective_enabled` (None where the database has no such column).
    effective_enabled: bool | None = None


@dataclass(frozen=True)
class WorkflowDetail:
    ref: str
    pack_ref: str
    label: str
    description: str | None
    version: str
    tags: tuple[str, ...]
    param_schema: JsonDict | None
    out_schema: JsonDict | None
    definition: JsonDict
    created: datetime.datetime
    updated: datetime.datetime
    tasks: tuple[TaskSummary, ...]
    actions: tuple[LinkedAction, ...]

    @property
    def action(self) -> LinkedAction | None:
        return self.actions[0] if self.actions else None


# --- checks that mirror the database constraints --------------------------------------

_ACTION_REF = re.compile(r"^[^.]+\.[^.]+$")
PARAMETER_DELIVERY = ("stdin", "file")
PARAMETER_FORMAT = ("dotenv", "json", "yaml")
OUTPUT_FORMAT = ("text", "json", "yaml", "jsonl")
REFERENCE_VISIBILITY = ("public", "private", "restricted")
RETENTION_POLICY = ("versions", "days", "hours", "minutes")


# Attune's CHECKs on `pack` (migration 20250101000002): `pack_ref_lowercase`,
# `pack_ref_format` (at least two characters) and `pack_version_semver`.
PACK_REF = re.compile(r"^[a-z][a-z0-9_-]+$")
PACK_VERSION = re.compile(
    r"^\d+\.\d+\.\d+(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$"
)
_SHORT_VERSION = re.compile(r"^[vV]?([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?$")


def _pack_ref_suggestion(ref: str) -> str | None:
    candidate = re.sub(r"[^a-z0-9_-]+", "_", ref.strip().lower()).strip("_")
    if candidate and not candidate[0].isalpha():
        candidate = f"pack_{candidate}"
    if len(candidate) == 1:
        candidate = f"{candidate}_pack"
    return candidate if candidate != ref and PACK_REF.match(candidate) else None


def pack_problems(pack: PackRecord) -> list[str]:
    """Why Attune's `pack` CHECKs would refuse this pack row, with what to change."""
    problems: list[str] = []
    if not PACK_REF.match(pack.ref):
        suggestion = _pack_ref_suggestion(pack.ref)
        problems.append(
            f"pack ref {pack.ref!r} is refused by Attune: a pack ref is a lowercase letter "
            "followed by at least one lowercase letter, digit, '_' or '-' (no dots); rename "
            "the pack folder or set `ref:` in pack.yaml"
            + (f" (for example {suggestion!r})" if suggestion else "")
        )
    if not PACK_VERSION.match(pack.version):
        match = _SHORT_VERSION.match(pack.version.strip())
        fixed = (
            ".".join(str(int(part or 0)) for part in match.groups()) if match is not None else None
        )
        problems.append(
            f"pack version {pack.version!r} is refused by Attune: it must be a semantic "
            "version (MAJOR.MINOR.PATCH); set `version:` in pack.yaml"
            + (f' to "{fixed}"' if fixed else ' to e.g. "0.1.0"')
        )
    return problems


def record_problems(record: WorkflowRecord, action: ActionRecord) -> list[str]:
    """Why the database would reject this record, as messages (empty when it fits).

    These mirror the column sizes and CHECK constraints of `workflow_definition` and
    `action`, so a bad record is refused with a clear reason instead of failing the
    whole transaction with a constraint error.
    """
    problems: list[str] = []

    def limit(name: str, value: str, maximum: int, minimum: int = 1) -> None:
        if not minimum <= len(value) <= maximum:
            problems.append(f"{name} must be {minimum}..{maximum} characters (got {len(value)})")

    limit("ref", record.ref, 255)
    limit("pack_ref", record.pack_ref, 255)
    limit("label", record.label, 255, 0)
    limit("version", record.version, 50)
    if not isinstance(record.definition, dict):
        problems.append("definition must be a JSON object")

    where = f"action {action.ref!r}: "
    if action.ref != action.ref.lower():
        problems.append(where + "ref must be lowercase")
    if not _ACTION_REF.match(action.ref):
        problems.append(where + "ref must have the form <pack>.<name> (exactly one dot)")
    if not action.pack_ref:
        problems.append(where + "pack_ref is empty")
    if not action.entrypoint:
        problems.append(where + "entrypoint is empty")
    for name, value, allowed in (
        ("parameter_delivery", action.parameter_delivery, PARAMETER_DELIVERY),
        ("parameter_format", action.parameter_format, PARAMETER_FORMAT),
        ("output_format", action.output_format, OUTPUT_FORMAT),
        ("reference_visibility", action.reference_visibility, REFERENCE_VISIBILITY),
    ):
        if value not in allowed:
            problems.append(where + f"{name} must be one of {', '.join(allowed)} (got {value!r})")
    for name, policy in (
        ("log_retention_policy", action.log_retention_policy),
        ("artifact_retention_policy", action.artifact_retention_policy),
    ):
        if policy is not None and policy not in RETENTION_POLICY:
            problems.append(
                where + f"{name} must be one of {', '.join(RETENTION_POLICY)} (got {policy!r})"
            )
    for name, number in (
        ("timeout_seconds", action.timeout_seconds),
        ("log_retention_limit", action.log_retention_limit),
        ("artifact_retention_limit", action.artifact_retention_limit),
    ):
        if number is not None and number <= 0:
            problems.append(where + f"{name} must be greater than 0")
    if action.reference_allowed_pack_refs and action.reference_visibility != "restricted":
        problems.append(
            where + "reference_allowed_pack_refs is only allowed with reference_visibility "
            "'restricted'"
        )
    return problems

"""Semantic differences between a stored row and the record about to replace it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .types import ActionRecord, FieldChange, JsonDict, WorkflowDiff, WorkflowRecord

# workflow_definition columns compared (besides `pack`, `param_schema` and `definition`,
# which get their own treatment) and the definition key that mirrors each of them.
_WORKFLOW_FIELDS = ("pack_ref", "label", "description", "version", "out_schema", "tags")
_MIRRORED_KEYS = {
    "ref": "ref",
    "label": "label",
    "description": "description",
    "version": "version",
    "parameters": "param_schema",
    "output": "out_schema",
    "tags": "tags",
}

# action columns compared, in table order; `pack` and `workflow_def` are ids.
ACTION_FIELDS = (
    "pack_ref",
    "label",
    "description",
    "entrypoint",
    "runtime",
    "enabled",
    "param_schema",
    "out_schema",
    "parameter_delivery",
    "parameter_format",
    "output_format",
    "is_adhoc",
    "timeout_seconds",
    "runtime_version_constraint",
    "accesses_mcp",
    "default_execution_permission_set_refs",
    "reference_visibility",
    "reference_allowed_pack_refs",
    "log_retention_policy",
    "log_retention_limit",
    "artifact_retention_policy",
    "artifact_retention_limit",
    "required_worker_runtimes",
    "worker_selector",
    "worker_tolerations",
    "worker_affinity",
)


# What an update rewrites, as Attune's registration paths do. A companion action of a
# standalone workflow (WorkflowRegistrar.ensure_companion_action) gets only these; an
# action file's own row (PackComponentLoader) gets every column but `runtime` (None,
# "not updated", for workflow actions) and `is_adhoc`. A `None` schema is "not updated"
# on both tables, and so is a `None` workflow description.
COMPANION_UPDATED = ("label", "description", "entrypoint", "param_schema", "out_schema")
ACTION_UPDATED = tuple(name for name in ACTION_FIELDS if name not in ("runtime", "is_adhoc"))
KEPT_WHEN_NONE = ("param_schema", "out_schema")
WORKFLOW_KEPT_WHEN_NONE = ("description", "param_schema", "out_schema")


def updated_action_fields(companion: bool) -> tuple[str, ...]:
    """The action columns an update writes."""
    return COMPANION_UPDATED if companion else ACTION_UPDATED


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical(value: Any) -> str:
    """A canonical JSON text: equal texts mean equal jsonb values (tuples are arrays)."""
    return _CANONICAL.encode(value)


_ARRAYS = (list, tuple)


def json_equal(a: Any, b: Any) -> bool:
    """Whether two JSON values are equal; `true` is not `1` (unlike Python's `==`)."""
    if a is b:
        return True
    kind = type(a)
    if kind is not type(b):
        if kind in _ARRAYS and type(b) in _ARRAYS:
            return len(a) == len(b) and all(map(json_equal, a, b))
        return False
    if kind is dict:
        return len(a) == len(b) and all(k in b and json_equal(v, b[k]) for k, v in a.items())
    if kind in _ARRAYS:
        return len(a) == len(b) and all(map(json_equal, a, b))
    return bool(a == b)


def short(value: Any, width: int = 60) -> str:
    """A one-line rendering of a value for diff lines."""
    text = canonical(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def workflow_values(record: WorkflowRecord) -> JsonDict:
    """The workflow_definition columns a record writes (except `pack`)."""
    return {
        "ref": record.ref,
        "pack_ref": record.pack_ref,
        "label": record.label,
        "description": record.description,
        "version": record.version,
        "param_schema": record.param_schema,
        "out_schema": record.out_schema,
        "definition": record.definition,
        "tags": list(record.tags),
    }


def action_values(action: ActionRecord) -> JsonDict:
    """The action columns a record writes (except `pack` and `workflow_def`)."""
    return {
        "ref": action.ref,
        "pack_ref": action.pack_ref,
        "label": action.label,
        "description": action.description,
        "entrypoint": action.entrypoint,
        "runtime": None,
        "enabled": action.enabled,
        "param_schema": action.param_schema,
        "out_schema": action.out_schema,
        "parameter_delivery": action.parameter_delivery,
        "parameter_format": action.parameter_format,
        "output_format": action.output_format,
        "is_adhoc": False,
        "timeout_seconds": action.timeout_seconds,
        "runtime_version_constraint": action.runtime_version_constraint,
        "accesses_mcp": action.accesses_mcp,
        "default_execution_permission_set_refs": list(action.default_execution_permission_set_refs),
        "reference_visibility": action.reference_visibility,
        "reference_allowed_pack_refs": list(action.reference_allowed_pack_refs),
        "log_retention_policy": action.log_retention_policy,
        "log_retention_limit": action.log_retention_limit,
        "artifact_retention_policy": action.artifact_retention_policy,
        "artifact_retention_limit": action.artifact_retention_limit,
        "required_worker_runtimes": action.required_worker_runtimes,
        "worker_selector": action.worker_selector,
        "worker_tolerations": action.worker_tolerations,
        "worker_affinity": action.worker_affinity,
    }


def _parameters(schema: Any) -> dict[str, Any]:
    """Parameter name -> spec, for a flat schema or an already-converted JSON Schema."""
    if not isinstance(schema, dict):
        return {}
    properties = schema.get("properties")
    if schema.get("type") == "object" and isinstance(properties, dict):
        return properties
    return schema


def _tasks(definition: Any) -> list[tuple[str, Any]]:
    tasks = definition.get("tasks") if isinstance(definition, dict) else None
    if not isinstance(tasks, list):
        return []
    out = []
    for index, task in enumerate(tasks):
        name = task.get("name") if isinstance(task, dict) else None
        out.append((name if isinstance(name, str) else f"#{index + 1}", task))
    return out


def _changed_keys(old: Any, new: Any) -> tuple[str, ...]:
    if not (isinstance(old, dict) and isinstance(new, dict)):
        return ()
    keys = set(old) | set(new)
    return tuple(sorted(k for k in keys if not json_equal(old.get(k), new.get(k))))


def _split(
    old: Mapping[str, Any], new: Mapping[str, Any]
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    added = tuple(k for k in new if k not in old)
    removed = tuple(k for k in old if k not in new)
    changed = tuple(k for k in new if k in old and not json_equal(old[k], new[k]))
    return added, removed, changed


def workflow_diff(
    old: Mapping[str, Any], record: WorkflowRecord, pack_id: int | None = None
) -> WorkflowDiff:
    """How `record` differs from the stored workflow_definition row `old` (as JSON).

    A `None` description or schema in `record` keeps the stored value, as in Attune.
    """
    new = workflow_values(record)
    for name in WORKFLOW_KEPT_WHEN_NONE:
        if new[name] is None:
            new[name] = old.get(name)
    fields: list[FieldChange] = []
    if (
        pack_id is not None
        and old.get("pack") != pack_id
        and old.get("pack_ref") == record.pack_ref
    ):
        fields.append(FieldChange("pack", f"id {old.get('pack')}", f"id {pack_id}"))
    reported: set[str] = set()
    for name in _WORKFLOW_FIELDS:
        if not json_equal(old.get(name), new[name]):
            fields.append(FieldChange(name, short(old.get(name)), short(new[name])))
            reported.add(name)

    old_params, new_params = _parameters(old.get("param_schema")), _parameters(new["param_schema"])
    params_added, params_removed, params_changed = _split(old_params, new_params)
    if not json_equal(old.get("param_schema"), new["param_schema"]):
        reported.add("param_schema")
        if not (params_added or params_removed or params_changed):
            fields.append(
                FieldChange(
                    "param_schema", short(old.get("param_schema")), short(new["param_schema"])
                )
            )

    old_def, new_def = old.get("definition"), new["definition"]
    old_tasks, new_tasks = _tasks(old_def), _tasks(new_def)
    old_by_name, new_by_name = dict(old_tasks), dict(new_tasks)
    tasks_added = tuple(name for name in new_by_name if name not in old_by_name)
    tasks_removed = tuple(name for name in old_by_name if name not in new_by_name)
    tasks_changed = tuple(
        (name, _changed_keys(old_by_name[name], task))
        for name, task in new_by_name.items()
        if name in old_by_name and not json_equal(old_by_name[name], task)
    )
    old_order = [n for n, _ in old_tasks if n in new_by_name]
    new_order = [n for n, _ in new_tasks if n in old_by_name]
    if old_order != new_order:
        fields.append(FieldChange("task order", ", ".join(old_order), ", ".join(new_order)))
    if isinstance(old_def, dict) and isinstance(new_def, dict):
        for key in sorted((set(old_def) | set(new_def)) - {"tasks"}):
            if _MIRRORED_KEYS.get(key) in reported:
                continue
            if not json_equal(old_def.get(key), new_def.get(key)):
                fields.append(
                    FieldChange(
                        f"definition.{key}", short(old_def.get(key)), short(new_def.get(key))
                    )
                )
    elif not json_equal(old_def, new_def):
        fields.append(FieldChange("definition", short(old_def), short(new_def)))

    return WorkflowDiff(
        tasks_added=tasks_added,
        tasks_removed=tasks_removed,
        tasks_changed=tasks_changed,
        parameters_added=params_added,
        parameters_removed=params_removed,
        parameters_changed=params_changed,
        fields_changed=tuple(fields),
    )


def action_changes(
    old: Mapping[str, Any],
    action: ActionRecord,
    pack_id: int | None = None,
    workflow_def: int | None = None,
    *,
    companion: bool = False,
) -> tuple[FieldChange, ...]:
    """The action columns an update would change in the stored row `old`.

    Only the columns Attune's update writes are compared (`updated_action_fields`).
    """
    new = action_values(action)
    for name in KEPT_WHEN_NONE:
        if new[name] is None:
            new[name] = old.get(name)
    changes = [
        FieldChange(name, short(old.get(name)), short(new[name]))
        for name in updated_action_fields(companion)
        if not json_equal(old.get(name), new[name])
    ]
    if (
        pack_id is not None
        and old.get("pack") != pack_id
        and old.get("pack_ref") == action.pack_ref
    ):
        changes.append(FieldChange("pack", f"id {old.get('pack')}", f"id {pack_id}"))
    if workflow_def is not None and old.get("workflow_def") != workflow_def:
        before = "unlinked" if old.get("workflow_def") is None else "another workflow"
        changes.append(FieldChange("workflow_def", before, "this workflow"))
    return tuple(changes)

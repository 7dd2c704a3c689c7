"""Semantic differences between a stored row and the record about to replace it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .tables import ACTION, WORKFLOW_DEFINITION, action_values, workflow_values
from .types import ActionRecord, FieldChange, JsonDict, WorkflowDiff, WorkflowRecord

# The definition key that mirrors a workflow_definition column: its change is shown once.
_MIRRORED_KEYS = {
    "ref": "ref",
    "label": "label",
    "description": "description",
    "version": "version",
    "parameters": "param_schema",
    "output": "out_schema",
    "tags": "tags",
}


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
    for name in WORKFLOW_DEFINITION.kept_when_none():
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
    for name in (column.name for column in WORKFLOW_DEFINITION.compared()):
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

    Only the columns Attune's update writes are compared (`ACTION.compared`).
    """
    new = action_values(action)
    for name in ACTION.kept_when_none():
        if new[name] is None:
            new[name] = old.get(name)
    changes = [
        FieldChange(column.name, short(old.get(column.name)), short(new[column.name]))
        for column in ACTION.compared(companion=companion)
        if not json_equal(old.get(column.name), new[column.name])
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


# The key under which the database lists the indexes of the stored tasks it left out:
# each equals (as jsonb) the new task at the same index.
TASKS_EQUAL = "tasks equal"


def stored_workflow(parts: Mapping[str, Any], record: WorkflowRecord) -> JsonDict:
    """The stored workflow_definition row, from the parts the database sent.

    The database sends the ids, the columns whose stored value differs from the new one
    and, where the definitions differ, the stored definition with the tasks equal to the
    new task at the same index left out (`TASKS_EQUAL`). What it left out is the new
    value, taken from `record`.
    """
    new = workflow_values(record)
    stored: JsonDict = {**new, **parts}
    stored.pop(TASKS_EQUAL, None)
    equal = parts.get(TASKS_EQUAL)
    definition = parts.get("definition")
    if equal and isinstance(definition, dict) and isinstance(definition.get("tasks"), list):
        tasks = list(definition["tasks"])
        new_tasks = new["definition"]["tasks"]
        for index in equal:
            tasks[index] = new_tasks[index]
        stored["definition"] = {**definition, "tasks": tasks}
    return stored


def stored_action(parts: Mapping[str, Any], action: ActionRecord) -> JsonDict:
    """The stored action row, from the parts the database sent (see `stored_workflow`)."""
    return {**action_values(action), **parts}

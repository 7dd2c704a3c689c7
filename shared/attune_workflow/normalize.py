"""The workflow as Attune stores it: legacy transitions folded into ``next``.

Follows ``parse_workflow_yaml``: on every top-level task and on each direct
sub-task of a parallel task, a non-empty ``next`` wins and the legacy fields
are dropped; otherwise ``on_success``, ``on_failure``, ``on_complete``,
``on_timeout`` and ``decision`` become transitions in that order, and a legacy
task ``publish`` joins the first transition whose ``when`` mentions
``succeeded()``. Keys Attune does not know are dropped and defaults are left
out; ``registration.attune_definition`` writes the result in the full shape of
Attune's serialiser.
"""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel

from .model import Decision, IterateCache, Retry, Task, Transition, WaitFor, WorkflowFile
from .view import LEGACY_TARGET_KEYS, LEGACY_WHEN

_LEGACY = (*LEGACY_TARGET_KEYS, "decision", "publish")


def _fields(model: type[BaseModel]) -> dict[str, str]:
    """Input key -> output key for a model's fields (aliases included)."""
    names: dict[str, str] = {}
    for name, info in model.model_fields.items():
        key = info.alias or name
        names[key] = key
    return names


_WORKFLOW_KEYS = _fields(WorkflowFile)
_TASK_KEYS = _fields(Task)
_TRANSITION_KEYS = _fields(Transition)
_NESTED = {
    "retry": _fields(Retry),
    "iterate_cache": _fields(IterateCache),
    "wait_for": _fields(WaitFor),
}
_DECISION_KEYS = _fields(Decision)


def legacy_transitions(task: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``next`` list Attune builds from a task's legacy fields (§3.7 order)."""
    result: list[dict[str, Any]] = []
    for key in LEGACY_TARGET_KEYS:
        target = task.get(key)
        if isinstance(target, str) and target:
            transition: dict[str, Any] = {}
            when = LEGACY_WHEN[key]
            if when is not None:
                transition["when"] = when
            transition["do"] = [target]
            result.append(transition)
    decisions = task.get("decision")
    if isinstance(decisions, list):
        for branch in decisions:
            if isinstance(branch, dict) and isinstance(branch.get("next"), str):
                transition = {}
                if isinstance(branch.get("when"), str):
                    transition["when"] = branch["when"]
                transition["do"] = [branch["next"]]
                result.append(transition)
    publish = task.get("publish")
    if isinstance(publish, list) and publish:
        for transition in result:
            if "succeeded()" in str(transition.get("when", "")):
                transition["publish"] = copy.deepcopy(publish)
                break
        else:
            if result:
                result[0]["publish"] = copy.deepcopy(publish)
            else:
                result.append({"when": "{{ succeeded() }}", "publish": copy.deepcopy(publish)})
    return result


def _clean(mapping: dict[str, Any], keys: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in mapping.items():
        name = keys.get(str(key))
        if name is None or value is None:
            continue
        out[name] = value
    return out


def _transition(raw: Any) -> dict[str, Any] | None:
    if not isinstance(raw, dict):
        return None
    out = _clean(raw, _TRANSITION_KEYS)
    # An empty `publish` is not serialised; an explicit `do: []` is (`Some(vec![])`).
    if out.get("publish") == []:
        del out["publish"]
    return out


def _task(raw: Any, *, fold: bool, nested: bool = False) -> dict[str, Any] | None:
    if not isinstance(raw, dict):
        return None
    out = _clean(raw, _TASK_KEYS)
    if "permission_set_ref" in out:
        out.setdefault("permission_set_refs", out.pop("permission_set_ref"))
    for key, keys in _NESTED.items():
        if isinstance(out.get(key), dict):
            out[key] = _clean(out[key], keys)
    if isinstance(out.get("decision"), list):
        out["decision"] = [
            _clean(d, _DECISION_KEYS) if isinstance(d, dict) else d for d in out["decision"]
        ]
    nxt = out.get("next")
    if fold:
        if not (isinstance(nxt, list) and nxt):
            out["next"] = legacy_transitions(out)
        for key in _LEGACY:
            out.pop(key, None)
    if isinstance(out.get("next"), list):
        out["next"] = [t for t in map(_transition, out["next"]) if t is not None]
        if not out["next"]:
            del out["next"]
    out.setdefault("type", "action")
    if isinstance(out.get("tasks"), list):
        subtasks = (_task(sub, fold=not nested, nested=True) for sub in out["tasks"])
        out["tasks"] = [t for t in subtasks if t is not None]
    for empty in ("input",):
        if out.get(empty) == {}:
            del out[empty]
    return out


def normalize(data: dict[str, Any]) -> dict[str, Any]:
    """The definition JSON Attune stores for a parsed workflow document."""
    out = _clean(data, _WORKFLOW_KEYS)
    tasks = out.get("tasks")
    out["tasks"] = [t for t in (_task(raw, fold=True) for raw in tasks or []) if t is not None]
    if out.get("cancellation_policy") == "allow_finish":
        del out["cancellation_policy"]
    for empty in ("tags", "vars"):
        if out.get(empty) in ([], {}):
            del out[empty]
    return out

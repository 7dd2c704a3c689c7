"""Stored rows equal what Attune's own loaders write for the same files.

The expected rows are built here from the files alone, by a small model of Attune's
code written from its sources (crates/common/src/workflow/parser.rs for the
`definition` JSON, pack_registry/loader.rs `load_actions` / `load_workflow_for_action`
for action-linked workflows, workflow/registrar.rs for standalone ones), not from
attune-lsp's mapping: the YAML is read with PyYAML and nothing of
`attune_workflow.registrar.registration` is used to build them. Every column of every
`workflow_definition` and `action` row is compared, and the whole `definition`.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import psycopg
import pytest
import yaml

from attune_workflow.registrar import register
from attune_workflow.registrar.registration import collect

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data"
PACKS = [
    REPO / "examples" / "packs" / "demo",
    DATA / "corpus" / "packs" / "mattermost",
    DATA / "corpus" / "packs" / "deployments",
    DATA / "corpus" / "packs" / "examples",
]

# --- Attune's WorkflowDefinition serde model (parser.rs) --------------------------------


def _transition(raw: dict[str, Any]) -> dict[str, Any]:
    # when / do / __chart_meta__: skip_serializing_if None; publish: skip if empty.
    out: dict[str, Any] = {}
    if raw.get("when") is not None:
        out["when"] = raw["when"]
    if raw.get("publish"):
        out["publish"] = raw["publish"]
    if raw.get("do") is not None:
        out["do"] = raw["do"]
    if raw.get("__chart_meta__") is not None:
        out["__chart_meta__"] = raw["__chart_meta__"]
    return out


def _legacy_next(task: dict[str, Any]) -> list[dict[str, Any]]:
    """Task::normalize_transitions for a task whose `next` is empty."""
    out: list[dict[str, Any]] = []
    for key, when in (
        ("on_success", "{{ succeeded() }}"),
        ("on_failure", "{{ failed() }}"),
        ("on_complete", None),
        ("on_timeout", "{{ timed_out() }}"),
    ):
        if task.get(key) is not None:
            out.append({"when": when, "publish": [], "do": [task[key]]})
    for branch in task.get("decision") or []:
        out.append({"when": branch.get("when"), "publish": [], "do": [branch["next"]]})
    publish = task.get("publish") or []
    if publish:
        index = next(
            (i for i, t in enumerate(out) if t["when"] and "succeeded()" in t["when"]), None
        )
        if index is not None:
            out[index]["publish"] = publish
        elif not out:
            out.append({"when": "{{ succeeded() }}", "publish": publish, "do": None})
        else:
            out[0]["publish"] = publish
    return out


def _task(raw: dict[str, Any], depth: int) -> dict[str, Any]:
    # normalize_all_transitions reaches top-level tasks and their direct sub-tasks.
    normalize = depth <= 1
    raw = dict(raw)
    if "permission_set_ref" in raw:  # serde alias
        raw.setdefault("permission_set_refs", raw.pop("permission_set_ref"))
    nxt = raw.get("next") or []
    if normalize and not nxt:
        nxt = _legacy_next(raw)
    out: dict[str, Any] = {
        "name": raw["name"],
        "type": raw.get("type", "action"),
        "action": raw.get("action"),
        "input": raw.get("input") or {},
        "permission_set_refs": raw.get("permission_set_refs"),
        "trace_tag_template": raw.get("trace_tag_template"),
        "worker_selector": raw.get("worker_selector"),
        "worker_tolerations": raw.get("worker_tolerations"),
        "worker_affinity": raw.get("worker_affinity"),
        "when": raw.get("when"),
        "with_items": raw.get("with_items"),
        "iterate_cache": None,
        "batch_size": raw.get("batch_size"),
        "concurrency": raw.get("concurrency"),
        "retry": None,
        "timeout": raw.get("timeout"),
        "next": [_transition(t) for t in nxt],
        "join": raw.get("join"),
        "tasks": None,
    }
    if raw.get("wait_for") is not None:
        out["wait_for"] = raw["wait_for"]
    cache = raw.get("iterate_cache")
    if cache is not None:
        out["iterate_cache"] = {
            **{k: cache[k] for k in ("owner_type", "owner_ref") if cache.get(k) is not None},
            "namespace": cache["namespace"],
            "generation": cache.get("generation", "active"),
            "page_size": cache.get("page_size", 100),
            "require_fresh": cache.get("require_fresh", False),
        }
    retry = raw.get("retry")
    if retry is not None:
        out["retry"] = {
            "count": retry["count"],
            "delay": retry["delay"],
            "backoff": retry.get("backoff", "constant"),
            "max_delay": retry.get("max_delay"),
            "on_error": retry.get("on_error"),
        }
    if not normalize:
        for key in ("on_success", "on_failure", "on_complete", "on_timeout"):
            if raw.get(key) is not None:
                out[key] = raw[key]
        if raw.get("decision"):
            out["decision"] = [
                {"when": d.get("when"), "next": d["next"], "default": d.get("default", False)}
                for d in raw["decision"]
            ]
        if raw.get("publish"):
            out["publish"] = raw["publish"]
    if raw.get("tasks") is not None:
        out["tasks"] = [_task(sub, depth + 1) for sub in raw["tasks"]]
    if raw.get("__chart_meta__") is not None:
        out["__chart_meta__"] = raw["__chart_meta__"]
    return out


def serde_definition(doc: dict[str, Any]) -> dict[str, Any]:
    """serde_json::to_value(&WorkflowDefinition) after parse_workflow_yaml."""
    out = {
        "ref": doc.get("ref") or "",
        "label": doc.get("label") or "",
        "description": doc.get("description"),
        "version": doc["version"],
        "parameters": doc.get("parameters"),
        "output": doc.get("output"),
        "vars": doc.get("vars") or {},
        "tasks": [_task(t, 0) for t in doc["tasks"]],
        "output_map": doc.get("output_map"),
        "tags": doc.get("tags") or [],
    }
    if doc.get("cancellation_policy", "allow_finish") != "allow_finish":
        out["cancellation_policy"] = doc["cancellation_policy"]
    return out


# --- Attune's loaders --------------------------------------------------------------------


def generate_label(name: str) -> str:
    """pack_registry/loader.rs generate_label."""
    return " ".join(w[:1].upper() + w[1:] for w in name.split("_"))


LIFECYCLE = {
    "catalog_revision": None,
    "managed_release": None,
    "management_origin": "pack",
    "retired_at": None,
}


def _action_defaults(enabled: bool) -> dict[str, Any]:
    return {
        **LIFECYCLE,
        "runtime": None,
        "is_adhoc": False,
        "max_retries": 0,
        "enabled": enabled,
        "enabled_override": None,
        "omission_disabled": False,
        "effective_enabled": enabled,
    }


def pack_ref_of(root: Path) -> str:
    manifest = root / "pack.yaml"
    if manifest.is_file():
        return str(yaml.safe_load(manifest.read_text(encoding="utf-8"))["ref"])
    return root.name


def expected_rows(root: Path) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """(workflow_definition rows, action rows) by ref; `workflow_def` holds a ref."""
    pack = pack_ref_of(root)
    workflows: dict[str, dict[str, Any]] = {}
    actions: dict[str, dict[str, Any]] = {}
    linked: set[Path] = set()
    for path in sorted((root / "actions").glob("*.y*ml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if "workflow_file" not in data:
            continue
        action_ref = data["ref"]
        label = data.get("label") if isinstance(data.get("label"), str) else None
        label = label if label is not None else generate_label(action_ref.rsplit(".", 1)[-1])
        description = data.get("description") if isinstance(data.get("description"), str) else None
        graph_path = (root / "actions" / data["workflow_file"]).resolve()
        linked.add(graph_path)
        doc = yaml.safe_load(graph_path.read_text(encoding="utf-8"))
        # load_workflow_for_action fills the parsed struct from the action.
        if not doc.get("ref"):
            doc["ref"] = action_ref
        if not doc.get("label"):
            doc["label"] = label
        if doc.get("description") is None:
            doc["description"] = description or ""
        if not doc.get("tags"):
            doc["tags"] = [t for t in data.get("tags") or [] if isinstance(t, str)]
        definition = serde_definition(doc)
        workflows[doc["ref"]] = {
            **LIFECYCLE,
            "ref": doc["ref"],
            "pack_ref": pack,
            "label": doc["label"],
            "description": doc["description"],
            "version": doc["version"],
            "param_schema": data["parameters"] if "parameters" in data else doc.get("parameters"),
            "out_schema": data["output"] if "output" in data else doc.get("output"),
            "definition": definition,
            "tags": doc["tags"],
        }

        def low(key: str, default: str, data: dict[str, Any] = data) -> str:
            value = data.get(key)
            return value.strip().lower() if isinstance(value, str) else default

        enabled = data.get("enabled") if isinstance(data.get("enabled"), bool) else True
        actions[action_ref] = {
            **_action_defaults(enabled),
            "ref": action_ref,
            "pack_ref": pack,
            "label": label,
            "description": description,
            "entrypoint": data["workflow_file"],
            "param_schema": data.get("parameters"),
            "out_schema": data.get("output"),
            "parameter_delivery": low("parameter_delivery", "stdin"),
            "parameter_format": low("parameter_format", "json"),
            "output_format": low("output_format", "text"),
            "timeout_seconds": data.get("timeout_seconds"),
            "runtime_version_constraint": data.get("runtime_version"),
            "accesses_mcp": data.get("accesses_mcp") is True,
            "default_execution_permission_set_refs": [
                r.strip()
                for r in data.get("default_execution_permission_set_refs") or []
                if isinstance(r, str) and r.strip()
            ],
            "reference_visibility": low("reference_visibility", "public"),
            "reference_allowed_pack_refs": [
                r.strip() for r in data.get("reference_allowed_pack_refs") or []
            ],
            "log_retention_policy": data.get("log_retention_policy"),
            "log_retention_limit": data.get("log_retention_limit"),
            "artifact_retention_policy": data.get("artifact_retention_policy"),
            "artifact_retention_limit": data.get("artifact_retention_limit"),
            "workflow_def": doc["ref"],
            "required_worker_runtimes": data.get("required_worker_runtimes", {}),
            "worker_selector": data.get("worker_selector", {}),
            "worker_tolerations": data.get("worker_tolerations", []),
            "worker_affinity": data.get("worker_affinity", {}),
        }
    # WorkflowRegistrar (with WorkflowLoader): the standalone files.
    for folder in (root / "workflows", root / "actions" / "workflows"):
        for path in sorted(folder.glob("*.y*ml")):
            if path.resolve() in linked:
                continue
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
            name = path.name.rsplit(".", 1)[0].removesuffix(".workflow")
            ref = doc.get("ref") or f"{pack}.{name}"
            label = doc.get("label") or name
            workflows[ref] = {
                **LIFECYCLE,
                "ref": ref,
                "pack_ref": pack,
                "label": label,
                "description": doc.get("description"),
                "version": doc["version"],
                "param_schema": doc.get("parameters"),
                "out_schema": doc.get("output"),
                "definition": serde_definition(doc),
                "tags": doc.get("tags") or [],
            }
            actions[ref] = {
                **_action_defaults(True),
                "ref": ref,
                "pack_ref": pack,
                "label": label,
                "description": doc.get("description"),
                "entrypoint": f"workflows/{name}.workflow.yaml",
                "param_schema": doc.get("parameters"),
                "out_schema": doc.get("output"),
                "parameter_delivery": "stdin",
                "parameter_format": "json",
                "output_format": "text",
                "timeout_seconds": None,
                "runtime_version_constraint": None,
                "accesses_mcp": False,
                "default_execution_permission_set_refs": [],
                "reference_visibility": "public",
                "reference_allowed_pack_refs": [],
                "log_retention_policy": None,
                "log_retention_limit": None,
                "artifact_retention_policy": None,
                "artifact_retention_limit": None,
                "workflow_def": ref,
                "required_worker_runtimes": {},
                "worker_selector": {},
                "worker_tolerations": [],
                "worker_affinity": {},
            }
    return workflows, actions


def stored_rows(conn: psycopg.Connection[Any], table: str, pack: str) -> dict[str, dict[str, Any]]:
    rows = conn.execute(
        f"SELECT to_jsonb(t) FROM attune.{table} t WHERE pack_ref = %s ORDER BY ref", [pack]
    ).fetchall()
    refs = dict(conn.execute("SELECT id, ref FROM attune.workflow_definition").fetchall())
    out: dict[str, dict[str, Any]] = {}
    for (row,) in rows:
        row = dict(row)
        for key in ("id", "created", "updated", "pack"):
            row.pop(key)
        if table == "action":
            row["workflow_def"] = refs.get(row["workflow_def"])
        out[row["ref"]] = row
    return out


@pytest.mark.parametrize("root", PACKS, ids=[p.name for p in PACKS])
def test_rows_equal_what_attunes_loaders_write(conn: psycopg.Connection[Any], root: Path) -> None:
    pack = pack_ref_of(root)
    conn.execute(
        "INSERT INTO attune.pack (ref, label, version) VALUES (%s, %s, '1.0.0')", [pack, pack]
    )
    records, problems = collect([root])
    assert problems == []
    # deployments and examples call actions their packs do not ship (the corpus README
    # says which): Attune would refuse to link those workflows until the actions are
    # installed. The rows compared are the ones written once they are, so the
    # registrar's unknown-action refusal is lifted here.
    records = [dataclasses.replace(r, errors=()) for r in records]
    report = register(conn, records)
    assert report.written, [o.reasons for o in report.outcomes]

    expected_workflows, expected_actions = expected_rows(root)
    assert expected_workflows, "the pack has workflows"
    assert stored_rows(conn, "workflow_definition", pack) == expected_workflows
    assert stored_rows(conn, "action", pack) == expected_actions

    # Registering the same files again changes nothing.
    again = register(conn, records)
    assert {o.status for o in again.outcomes} == {"unchanged"}

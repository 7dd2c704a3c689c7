"""From files on disk to registrar records, following Attune's registration paths.

A workflow action (``actions/<name>.yaml`` with ``workflow_file``) registers its
graph file as the pack installer does: the workflow's ``ref``/``label``/
``description``/``tags`` fall back to the action's, the schemas come from the
action first, and the action row is the action file's own. A standalone file
under ``workflows/`` (or a graph file no action links) registers as Attune's
``WorkflowRegistrar`` does: ref from the YAML or ``<pack>.<name>``, and a
companion action. Every record carries the error diagnostics of its files, so
the registrar can refuse it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from ..config import DEFAULT_MAX_FILE_SIZE, Config
from ..diagnostics import Diagnostic, Severity, internal_error
from ..files import FileProblem, read_text, real_path
from ..loader import LoadedWorkflow, LoaderConfig, WorkflowFileRef, WorkflowLoader, workflow_name
from ..packindex import (
    MAX_INDEXED_SIZE,
    ActionInfo,
    PackIndex,
    PackInfo,
    discover_packs,
    find_pack_root,
    read_pack,
    yaml_files,
)
from ..workspace import Workspace, build_index, check_file, unreadable_folders
from ..yamlsource import parse_yaml
from .types import ActionRecord, PackRecord, WorkflowRecord

log = logging.getLogger(__name__)


def derive_label(name: str) -> str:
    """A label from a name, as Attune's pack loader makes one (``generate_label``).

    Split on ``_`` only, each word's first character upper-cased and the rest kept,
    joined with spaces: ``http_request`` -> ``Http Request``, ``my-flow`` -> ``My-flow``.
    """
    return " ".join(word[:1].upper() + word[1:] for word in name.split("_"))


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _text(value: Any) -> str | None:
    """A YAML string as Attune's ``as_str`` reads it: any string (empty too), else None."""
    return value if isinstance(value, str) else None


def _dict(value: Any) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def _yaml_strings(value: Any, *, trim: bool = False) -> tuple[str, ...]:
    """The string items of a YAML list (Attune's ``filter_map(as_str)``), trimmed if asked."""
    if not isinstance(value, list):
        return ()
    items = (v.strip() if trim else v for v in value if isinstance(v, str))
    return tuple(v for v in items if v or not trim)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# --- the definition JSON, as Attune's serde serialiser writes it ----------------------
#
# `serde_json::to_value(&WorkflowDefinition)` (crates/common/src/workflow/parser.rs)
# writes every field of the struct: `Option` fields without `skip_serializing_if` as
# `null`, `#[serde(default)]` collections as `{}` / `[]`, defaults such as
# `type: "action"` and `backoff: "constant"` explicitly. Only these are left out when
# empty: `cancellation_policy` (default), `wait_for`, `__chart_meta__`, the legacy
# `on_*` (None), `decision` and task `publish` (empty); in a transition `when`, `do`
# and `__chart_meta__` (None) and `publish` (empty).


def _serialize_transition(raw: Any) -> Any:
    if not isinstance(raw, dict):
        return raw
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


def _serialize_retry(raw: Any) -> Any:
    if not isinstance(raw, dict):
        return raw
    return {
        "count": raw.get("count"),
        "delay": raw.get("delay"),
        "backoff": raw.get("backoff", "constant"),
        "max_delay": raw.get("max_delay"),
        "on_error": raw.get("on_error"),
    }


def _serialize_iterate_cache(raw: Any) -> Any:
    if not isinstance(raw, dict):
        return raw
    out: dict[str, Any] = {}
    for key in ("owner_type", "owner_ref"):
        if raw.get(key) is not None:
            out[key] = raw[key]
    out["namespace"] = raw.get("namespace")
    out["generation"] = raw.get("generation", "active")
    out["page_size"] = raw.get("page_size", 100)
    out["require_fresh"] = raw.get("require_fresh", False)
    return out


def _serialize_decision(raw: Any) -> Any:
    if not isinstance(raw, dict):
        return raw
    return {"when": raw.get("when"), "next": raw.get("next"), "default": raw.get("default", False)}


def _serialize_task(raw: Any) -> Any:
    if not isinstance(raw, dict):
        return raw
    out: dict[str, Any] = {
        "name": raw.get("name"),
        "type": raw.get("type", "action"),
        "action": raw.get("action"),
        "input": raw.get("input", {}),
        "permission_set_refs": raw.get("permission_set_refs"),
        "trace_tag_template": raw.get("trace_tag_template"),
        "worker_selector": raw.get("worker_selector"),
        "worker_tolerations": raw.get("worker_tolerations"),
        "worker_affinity": raw.get("worker_affinity"),
        "when": raw.get("when"),
    }
    if raw.get("wait_for") is not None:
        out["wait_for"] = raw["wait_for"]
    out["with_items"] = raw.get("with_items")
    cache = raw.get("iterate_cache")
    out["iterate_cache"] = _serialize_iterate_cache(cache) if cache is not None else None
    out["batch_size"] = raw.get("batch_size")
    out["concurrency"] = raw.get("concurrency")
    retry = raw.get("retry")
    out["retry"] = _serialize_retry(retry) if retry is not None else None
    out["timeout"] = raw.get("timeout")
    nxt = raw.get("next")
    out["next"] = [_serialize_transition(t) for t in nxt] if isinstance(nxt, list) else []
    # Sub-tasks nested deeper than Attune normalises keep their legacy fields.
    for key in ("on_success", "on_failure", "on_complete", "on_timeout"):
        if raw.get(key) is not None:
            out[key] = raw[key]
    if raw.get("decision"):
        out["decision"] = [_serialize_decision(d) for d in raw["decision"]]
    if raw.get("publish"):
        out["publish"] = raw["publish"]
    out["join"] = raw.get("join")
    tasks = raw.get("tasks")
    out["tasks"] = [_serialize_task(t) for t in tasks] if isinstance(tasks, list) else None
    if raw.get("__chart_meta__") is not None:
        out["__chart_meta__"] = raw["__chart_meta__"]
    return out


def attune_definition(normalized: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """The ``definition`` JSON Attune stores for a normalised workflow document.

    ``overrides`` replace top-level fields after parsing, as the pack loader fills
    ``ref``/``label``/``description``/``tags`` of an action-linked file from its action.
    """
    data = {**normalized, **overrides}
    version = data.get("version")
    out: dict[str, Any] = {
        "ref": data.get("ref", ""),
        "label": data.get("label", ""),
        "description": data.get("description"),
        "version": version if isinstance(version, str) else _scalar_text(version),
        "parameters": data.get("parameters"),
        "output": data.get("output"),
        "vars": data.get("vars", {}),
        "tasks": [_serialize_task(t) for t in data.get("tasks") or []],
        "output_map": data.get("output_map"),
        "tags": list(data.get("tags", [])),
    }
    policy = data.get("cancellation_policy")
    if policy is not None and policy != "allow_finish":
        out["cancellation_policy"] = policy
    return out


def _scalar_text(value: Any) -> str | None:
    """A YAML scalar as Attune's string fields decode it (``1.0`` -> ``"1.0"``)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def pack_record(pack: PackInfo) -> PackRecord:
    """The pack row from ``pack.yaml``, or from the folder name when there is none."""
    m = pack.manifest or {}
    version = m.get("version")
    return PackRecord(
        ref=pack.ref,
        label=_str(m.get("label")) or _str(m.get("name")) or pack.ref,
        version=str(version) if isinstance(version, str | int | float) else "0.0.0",
        description=_str(m.get("description")),
        conf_schema=_dict(m.get("conf_schema", m.get("config_schema"))),
        config=_dict(m.get("config")),
        meta=_dict(m.get("meta", m.get("metadata"))),
        tags=_strings(m.get("tags", m.get("keywords"))),
        runtime_deps=_strings(m.get("runtime_deps")),
        dependencies=_strings(m.get("dependencies")),
        is_standard=m.get("system") is True,
    )


def action_label(action: ActionInfo) -> str:
    """The action's label: its YAML ``label``, else derived from the last part of its ref."""
    label = _text(action.data.get("label"))
    return label if label is not None else derive_label(action.ref.rpartition(".")[2])


def _lower(value: Any, default: str) -> str:
    return value.strip().lower() if isinstance(value, str) else default


def action_record(action: ActionInfo, pack_ref: str) -> ActionRecord:
    """The action row of a workflow action file, as Attune's pack loader writes it.

    ``runtime`` is NULL and ``entrypoint`` is the ``workflow_file``; enum-like values
    are lower-cased and permission-set refs trimmed, as the loader does.
    """
    d = action.data
    enabled = d.get("enabled")
    mcp = d.get("accesses_mcp")
    return ActionRecord(
        ref=action.ref,
        pack_ref=pack_ref,
        label=action_label(action),
        entrypoint=action.workflow_file or "",
        description=_text(d.get("description")),
        enabled=enabled if isinstance(enabled, bool) else True,
        param_schema=action.parameters,
        out_schema=action.output,
        parameter_delivery=_lower(d.get("parameter_delivery"), "stdin"),
        parameter_format=_lower(d.get("parameter_format"), "json"),
        output_format=_lower(d.get("output_format"), "text"),
        timeout_seconds=_int(d.get("timeout_seconds")),
        runtime_version_constraint=_text(d.get("runtime_version")),
        accesses_mcp=mcp if isinstance(mcp, bool) else False,
        default_execution_permission_set_refs=_yaml_strings(
            d.get("default_execution_permission_set_refs"), trim=True
        ),
        reference_visibility=_lower(d.get("reference_visibility"), "public"),
        reference_allowed_pack_refs=_yaml_strings(d.get("reference_allowed_pack_refs"), trim=True),
        log_retention_policy=_text(d.get("log_retention_policy")),
        log_retention_limit=_int(d.get("log_retention_limit")),
        artifact_retention_policy=_text(d.get("artifact_retention_policy")),
        artifact_retention_limit=_int(d.get("artifact_retention_limit")),
        required_worker_runtimes=_dict(d.get("required_worker_runtimes")) or {},
        worker_selector=_dict(d.get("worker_selector")) or {},
        worker_affinity=_dict(d.get("worker_affinity")) or {},
        worker_tolerations=list(d["worker_tolerations"])
        if isinstance(d.get("worker_tolerations"), list)
        else [],
    )


def format_error(path: Path, diagnostic: Diagnostic) -> str:
    """``path:line:col: message [rule]`` for a refused record."""
    s = diagnostic.span
    return f"{path}:{s.line + 1}:{s.column + 1}: {diagnostic.message} [{diagnostic.code}]"


def _errors(path: Path, diagnostics: Iterable[Diagnostic]) -> list[str]:
    return [format_error(path, d) for d in diagnostics if d.severity is Severity.ERROR]


def _record(
    loaded: LoadedWorkflow,
    pack: PackInfo,
    action: ActionInfo | None,
    action_errors: Sequence[str],
) -> WorkflowRecord:
    data = loaded.data or {}
    normalized = loaded.definition or {}
    name = loaded.file.name
    if action is not None:
        # PackComponentLoader.load_workflow_for_action: the action fills what the
        # workflow file leaves out, and the definition JSON carries the filled values.
        ref = _str(data.get("ref")) or action.ref
        label = _str(data.get("label")) or action_label(action)
        description = _text(data.get("description"))
        if description is None:
            description = _text(action.data.get("description")) or ""
        tags = _yaml_strings(data.get("tags")) or _yaml_strings(action.data.get("tags"))
        params = action.parameters if action.parameters is not None else data.get("parameters")
        output = action.output if action.output is not None else data.get("output")
        definition = attune_definition(
            normalized, ref=ref, label=label, description=description, tags=list(tags)
        )
        action_row: ActionRecord | None = action_record(action, pack.ref)
    else:
        # WorkflowRegistrar: ref and label fall back to the file name (the label
        # verbatim); the definition JSON is the file as parsed.
        ref = _str(data.get("ref")) or f"{pack.ref}.{name}"
        label = _str(data.get("label")) or name
        description = _text(data.get("description"))
        tags = _yaml_strings(data.get("tags"))
        params = data.get("parameters")
        output = data.get("output")
        definition = attune_definition(normalized)
        action_row = None
    version = data.get("version")
    return WorkflowRecord(
        ref=ref,
        pack_ref=pack.ref,
        label=label,
        version=version if isinstance(version, str) else (_scalar_text(version) or ""),
        definition=definition,
        description=description,
        param_schema=params,
        out_schema=output,
        tags=tags,
        source=str(loaded.file.path),
        action=action_row,
        pack=pack_record(pack),
        errors=(*_errors(loaded.file.path, loaded.diagnostics), *action_errors),
    )


def collect(
    paths: Sequence[Path], *, max_file_size: int | None = None, processes: bool = True
) -> tuple[list[WorkflowRecord], list[str]]:
    """Registrar records for the workflows in the given files and folders.

    Returns the records and problems that are not about one workflow (a path
    outside any pack, a file that cannot be read). ``processes``: large packs may be
    read by a pool of forked processes; a program with threads (the language server)
    must say False, as a fork copies the locks other threads hold.
    """
    size = max_file_size or DEFAULT_MAX_FILE_SIZE
    problems: list[str] = []
    wanted: dict[Path, set[Path] | None] = {}
    for path in paths:
        path = real_path(path)
        if not path.exists():
            problems.append(f"{path}: no such file or folder")
            continue
        if path.is_dir():
            roots = discover_packs(path)
            if not roots:
                problems.append(
                    f"{path}: no pack found (a pack has pack.yaml, actions/ or workflows/)"
                )
            for found in roots:
                wanted[found] = None
            continue
        pack_root = find_pack_root(path)
        if pack_root is None:
            problems.append(f"{path}: not inside a pack")
            continue
        if pack_root not in wanted:
            wanted[pack_root] = set()
        files = wanted[pack_root]
        if files is not None:
            files.add(path)
    config = Config(max_file_size=size)
    index = build_index(list(wanted), config)
    jobs: list[_Job] = []
    for root, only in wanted.items():
        problems.extend(_pack_problems(root))
        jobs.extend(_pack_jobs(root, only, index))
    packs_by_ref: dict[str, Path] = {}
    for root in wanted:
        pack = index.pack_for(root / "pack.yaml")
        ref = pack.ref if pack is not None else root.name
        if ref in packs_by_ref:
            problems.append(
                f"{root}: pack ref '{ref}' is also the ref of {packs_by_ref[ref]}; one would "
                "replace the other: register them separately or give each its own ref"
            )
        packs_by_ref.setdefault(ref, root)
    records: dict[str, WorkflowRecord] = {}
    for outcome in _run_jobs(jobs, index, size, processes):
        if isinstance(outcome, str):
            problems.append(outcome)
        else:  # within a pack, actions/workflows/ wins a collision, as in Attune's loader
            records[outcome.ref] = outcome
    return list(records.values()), problems


# (workflow file, pack root, ref of the action that links it)
_Job = tuple[WorkflowFileRef, Path, str | None]
# Workflows at least this many are read by a pool of processes.
PARALLEL_THRESHOLD = 64


def _pack_jobs(root: Path, only: set[Path] | None, index: PackIndex) -> list[_Job]:
    pack = index.pack_for(root / "pack.yaml") or read_pack(root)
    linked: dict[Path, ActionInfo] = {}
    for candidate in pack.actions.values():
        target = candidate.workflow_path
        if target is not None and target.is_file():
            linked.setdefault(target, candidate)
    jobs: list[_Job] = []
    for file in WorkflowLoader(index=index).pack_files(pack.ref, root):
        action = linked.get(file.path)
        if (
            only is not None
            and file.path not in only
            and (action is None or action.path not in only)
        ):
            continue
        jobs.append((file, root, action.ref if action is not None else None))
    return jobs


_STATE: tuple[PackIndex, int] | None = None


def _init_worker(index: PackIndex, size: int) -> None:
    global _STATE
    _STATE = (index, size)


def _job_in_worker(job: _Job) -> WorkflowRecord | str:
    assert _STATE is not None
    return _run_job(job, *_STATE)


def _run_jobs(
    jobs: list[_Job], index: PackIndex, size: int, processes: bool
) -> list[WorkflowRecord | str]:
    workers = os.cpu_count() or 1
    if processes and workers > 1 and len(jobs) >= PARALLEL_THRESHOLD:
        with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(index, size)) as pool:
            return list(pool.map(_job_in_worker, jobs, chunksize=16))
    return [_run_job(job, index, size) for job in jobs]


def _pack_problems(root: Path) -> list[str]:
    """What keeps a pack's batch from being registered although no workflow reports it.

    A workflow, actions or pack folder that cannot be listed, and an action file
    that cannot be read or is not valid YAML: the workflow it links (unknown,
    since the file cannot be read) would be registered with a stand-in action
    and its parameters lost.
    """
    problems = [f"{folder}: {why}" for folder, why in unreadable_folders(root)]
    manifest = root / "pack.yaml"
    candidates = [manifest] if os.path.lexists(manifest) else []
    for path in [*candidates, *yaml_files(root / "actions")]:
        try:
            text = read_text(path, max_size=MAX_INDEXED_SIZE, root=root)
        except FileProblem as problem:
            if problem.size is not None:
                problems.append(f"{path}: the file is {problem.size:,} bytes; not read")
            else:
                problems.append(f"{path}: {problem.message} [unreadable-file]")
            continue
        doc = parse_yaml(text)
        errors = [doc.syntax_error] if doc.syntax_error else list(doc.scalar_errors)
        for message, span in errors:
            problems.append(
                f"{path}:{span.line + 1}:{span.column + 1}: Invalid YAML: {message} [yaml-syntax]"
            )
    return problems


def _run_job(job: _Job, index: PackIndex, size: int) -> WorkflowRecord | str:
    """Load one workflow file and make its record (or say why it cannot be read)."""
    try:
        return _load_job(job, index, size)
    except Exception as exc:  # one file's crash must not hide the others' findings
        log.exception("reading %s failed", job[0].path)
        return format_error(job[0].path, internal_error("the workflow loader", exc))


def _load_job(job: _Job, index: PackIndex, size: int) -> WorkflowRecord | str:
    file, root, action_ref = job
    pack = index.pack_for(root / "pack.yaml") or read_pack(root)
    action = index.action(action_ref) if action_ref is not None else None
    loader = WorkflowLoader(
        LoaderConfig(packs_base_dir=root.parent, max_file_size=size), index=index
    )
    try:
        loaded = loader.load_workflow_file(file)
    except OSError as exc:
        return f"{file.path}: cannot read: {exc.strerror or exc}"
    action_errors: list[str] = []
    if action is not None and action.path is not None:
        action_errors = _action_errors(action.path, index, size, root)
    return _record(loaded, pack, action, action_errors)


def _action_errors(path: Path, index: PackIndex, size: int, root: Path) -> list[str]:
    workspace = Workspace([root.parent], Config(max_file_size=size), index=index)
    report = check_file(path, workspace, root=root)
    return _errors(path, report.diagnostics)


__all__ = [
    "WorkflowFileRef",
    "action_label",
    "attune_definition",
    "collect",
    "derive_label",
    "pack_record",
    "workflow_name",
]

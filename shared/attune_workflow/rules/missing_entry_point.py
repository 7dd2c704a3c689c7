"""An action that is not a workflow has no `entry_point`, or names a file that is not there.

## What it does
Checks the `entry_point` of every action file without `workflow_file`: it
must be given, and the script it names (relative to the pack's `actions/`
folder) must exist. Actions of the `native` runner name a built-in handler,
not a file, so only their presence is checked. The finding sits on
`entry_point` (or on the first key when it is missing). When the `actions/`
folder holds no script at all (a copy of the pack's metadata only), it is said
once, on the first action whose script is missing, rather than on every one.

## Why is this bad?
Attune's pack check reports both (`action.entrypoint_missing`). The pack
installer does not look: it installs the action, and every run of it then
fails because the runner has no script to start.

## Example
```yaml
# actions/restart.yaml, with no actions/restart.sh beside it
ref: ops.restart
runner_type: shell
entry_point: restart.sh
```

## Use instead
```yaml
# actions/restart.yaml, with actions/scripts/restart.sh
ref: ops.restart
runner_type: shell
entry_point: scripts/restart.sh
```
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path, PurePosixPath

from ..context import Context, FileKind
from ..diagnostics import Diagnostic, Severity
from ..yamlsource import MappingNode, is_null, mapping_index
from .invalid_ref import first_key_span

ID = "missing-entry-point"
SEVERITY = Severity.WARNING
KINDS = frozenset({FileKind.ACTION})

# Runners whose entry point is a built-in handler name rather than a script file.
BUILTIN_RUNNERS = frozenset({"native"})


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Report a missing entry point, or one naming a file that does not exist."""
    root = ctx.doc.root
    if ctx.doc.syntax_error is not None or not isinstance(root, MappingNode):
        return
    fields = mapping_index(root)
    workflow = fields.get("workflow_file")
    if workflow is not None and not is_null(workflow[1]):
        return  # a workflow action: the graph file is workflow-file's
    entry = fields.get("entry_point")
    value = entry[1].value if entry is not None else None
    if entry is None or is_null(entry[1]) or not isinstance(value, str) or not value.strip():
        span = ctx.span(entry[0]) if entry is not None else first_key_span(ctx)
        if span is not None:
            yield ctx.diagnostic(
                ID,
                SEVERITY,
                span,
                "The action has no 'entry_point' (and no 'workflow_file'): Attune installs it, "
                "but its runner has nothing to start, so every run fails",
            )
        return
    runner = fields.get("runner_type")
    if runner is not None and str(runner[1].value).lower() in BUILTIN_RUNNERS:
        return
    if ctx.path.parent.name != "actions":
        return  # a loose action file: where its scripts live is not known
    relative = PurePosixPath(value)
    if relative.is_absolute() or ".." in relative.parts:
        return
    actions = ctx.path.resolve().parent
    script = actions / relative
    if script.exists():
        return
    if not _has_scripts(actions, _stamp(actions)):
        first = _first_missing(actions, _stamp(actions))
        if first is not None and first != ctx.path.resolve():
            return
        yield ctx.diagnostic(
            ID,
            SEVERITY,
            ctx.span(entry[1]),
            f"Entry point '{value}' does not exist: the pack's 'actions/' folder holds no "
            "scripts at all (said here once for all its actions); Attune installs the "
            "actions, but every run of them fails",
        )
        return
    yield ctx.diagnostic(
        ID,
        SEVERITY,
        ctx.span(entry[1]),
        f"Entry point '{value}' does not exist in the pack's 'actions/' folder: Attune "
        "installs the action, but every run of it fails",
    )


def _stamp(folder: Path) -> int:
    try:
        return folder.stat().st_mtime_ns
    except OSError:
        return 0


@lru_cache(maxsize=64)
def _has_scripts(actions: Path, stamp: int) -> bool:
    """Whether any file but YAML lies below ``actions/`` (``workflows/`` aside)."""
    del stamp  # part of the cache key only
    for current, dirs, names in os.walk(actions):
        if Path(current) == actions:
            dirs[:] = [d for d in dirs if d != "workflows"]
        if any(not name.endswith((".yaml", ".yml")) for name in names):
            return True
    return False


@lru_cache(maxsize=64)
def _first_missing(actions: Path, stamp: int) -> Path | None:
    """The first action file (by name) whose script entry point is missing."""
    del stamp  # part of the cache key only
    from ..packindex import yaml_files
    from ..yamlsource import parse_yaml

    for path in yaml_files(actions):
        try:
            data = parse_yaml(path.read_text(encoding="utf-8")).data
        except (OSError, UnicodeDecodeError):
            continue
        if not isinstance(data, dict) or data.get("workflow_file"):
            continue
        entry = data.get("entry_point")
        runner = str(data.get("runner_type", "")).lower()
        if isinstance(entry, str) and entry.strip() and runner not in BUILTIN_RUNNERS:
            return path.resolve()
    return None

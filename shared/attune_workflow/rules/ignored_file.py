"""A YAML file in a place of the pack that Attune's installer never reads.

## What it does
Lists the `.yaml` / `.yml` files of a pack that lie where Attune's pack
installer does not look: below a sub-folder of `actions/` other than
`actions/workflows/` (`actions/nested/x.yaml`), below a sub-folder of
`actions/workflows/` or `workflows/`, and in top-level folders that are not
component folders (`misc/x.yaml`). Component folders (`actions/`,
`triggers/`, `sensors/`, `rules/`, `policies/`, `permission_sets/`,
`runtimes/`, `queues/`, `dashboards/`, `caches/`), `tests/`, hidden folders
and files at the top of the pack are left alone. The findings sit on the
first key of `pack.yaml`, one per file.

## Why is this bad?
The installer reads only the top level of each component folder: an action
or workflow placed anywhere else is silently not installed. Attune's pack
check reports these files as being in an ignored location.

## Example
```yaml
# packs/ops/actions/restart/restart.yaml
ref: ops.restart
entry_point: restart.sh
```

## Use instead
```yaml
# packs/ops/actions/restart.yaml
ref: ops.restart
entry_point: restart/restart.sh
```
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from ..context import Context, FileKind
from ..diagnostics import Diagnostic, Severity
from ..packindex import SKIP_DIRS, YAML_SUFFIXES
from .invalid_ref import first_key_span

ID = "ignored-file"
SEVERITY = Severity.WARNING
KINDS = frozenset({FileKind.PACK})

COMPONENT_DIRS = frozenset(
    {
        "actions",
        "triggers",
        "sensors",
        "rules",
        "policies",
        "permission_sets",
        "runtimes",
        "queues",
        "dashboards",
        "caches",
    }
)
# Top-level folders that hold no components to install, or are read elsewhere.
NOT_COMPONENTS = frozenset({"tests", "workflows"})
# At most this many files are listed; one more finding counts the rest.
MAX_LISTED = 50


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Report the YAML files of the pack that the installer never reads."""
    root = ctx.path.resolve().parent
    if ctx.path.name != "pack.yaml" or ctx.doc.syntax_error is not None:
        return
    span = first_key_span(ctx)
    if span is None:
        return
    found = ignored_files(root)
    for path in found[:MAX_LISTED]:
        where = path.relative_to(root).as_posix()
        yield ctx.diagnostic(
            ID,
            SEVERITY,
            span,
            f"'{where}' is in a folder Attune's pack installer never reads: whatever it "
            "declares is not installed",
        )
    if len(found) > MAX_LISTED:
        yield ctx.diagnostic(
            ID,
            SEVERITY,
            span,
            f"{len(found) - MAX_LISTED} more YAML files lie in folders Attune's pack installer "
            "never reads",
        )


def ignored_files(root: Path) -> list[Path]:
    """The YAML files of a pack folder outside the places the installer reads, sorted."""
    found: list[Path] = []
    for top in _subdirs(root):
        name = top.name
        if name in COMPONENT_DIRS:
            if name == "actions":
                for sub in _subdirs(top):
                    if sub.name == "workflows":
                        for nested in _subdirs(sub):
                            found.extend(_yaml_below(nested))
                    else:
                        found.extend(_yaml_below(sub))
        elif name == "workflows":
            for nested in _subdirs(top):
                found.extend(_yaml_below(nested))
        elif name not in NOT_COMPONENTS:
            found.extend(_yaml_below(top))
    return sorted(found)


def _subdirs(folder: Path) -> list[Path]:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return []
    return [
        Path(entry.path)
        for entry in entries
        if not entry.name.startswith(".")
        and entry.name not in SKIP_DIRS
        and entry.is_dir(follow_symlinks=False)
    ]


def _yaml_below(folder: Path) -> list[Path]:
    found: list[Path] = []
    for current, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS)
        for name in sorted(names):
            if name.endswith(YAML_SUFFIXES) and not name.startswith("."):
                found.append(Path(current) / name)
    return found

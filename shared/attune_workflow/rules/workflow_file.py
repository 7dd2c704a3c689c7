"""An action's `workflow_file` is not a path under `actions/workflows/`, or names no file.

## What it does
Checks the `workflow_file` of action files: it must be a path relative to the
`actions/` folder that starts with `workflows/`, must not climb out with `..`,
and must name an existing file. The message gives the path it resolves to; a
quick fix corrects a near miss (`actions/workflows/x.yaml`, a misspelt name).

## Why is this bad?
Attune's pack loader rejects any other path ("Workflow file '...' must be
relative to actions/ and located under actions/workflows/"), and a missing
file makes the pack installation fail: the workflow action cannot run.

## Example
```yaml
ref: mypack.deploy
workflow_file: actions/workflows/deploy.workflow.yaml
```

## Use instead
```yaml
ref: mypack.deploy
workflow_file: workflows/deploy.workflow.yaml
```
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from ..context import Context, FileKind, node_type_word
from ..diagnostics import Diagnostic, Fix, Severity
from ..packindex import yaml_files
from ..suggest import close_match, did_you_mean
from ..yamlsource import MappingNode, ScalarNode, is_null, is_string, mapping_get
from .invalid_ref import replace_edit

ID = "workflow-file"
SEVERITY = Severity.ERROR
KINDS = frozenset({FileKind.ACTION})

PREFIX = "workflows/"
_ABSOLUTE = re.compile(r"^(?:/|\\|[A-Za-z]:[\\/])")
_RULE = (
    "Attune's pack loader requires a path relative to actions/ and located under actions/workflows/"
)


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Report a bad or dangling ``workflow_file``."""
    root = ctx.doc.root
    if ctx.doc.syntax_error is not None or not isinstance(root, MappingNode):
        return
    entry = mapping_get(root, "workflow_file")
    if entry is None or is_null(entry[1]):
        return
    node = entry[1]
    if not is_string(node) or not isinstance(node, ScalarNode):
        yield ctx.diagnostic(
            ID,
            SEVERITY,
            ctx.span(node),
            "The 'workflow_file' must be a path such as 'workflows/deploy.workflow.yaml', not "
            f"{node_type_word(node)}: Attune's pack loader rejects the action",
        )
        return
    value = str(node.value)
    resolved = _where(value)
    problem = None
    suggestion: str | None = None
    if _ABSOLUTE.match(value):
        problem = "is absolute"
    elif ".." in value.replace("\\", "/").split("/"):
        problem = "escapes actions/workflows/ with '..'"
    elif not value.startswith(PREFIX):
        problem = "does not start with 'workflows/'"
        suggestion = _prefixed(ctx, value)
    if problem is not None:
        yield ctx.diagnostic(
            ID,
            SEVERITY,
            ctx.span(node),
            f"Workflow file '{value}' {problem}{resolved}: {_RULE}" + did_you_mean(suggestion),
            fixes=_fixes(ctx, node, suggestion),
        )
        return
    folder = ctx.path.parent
    if not folder.is_dir() or (folder / value).is_file():
        return
    suggestion = _suggest(value, folder / "workflows")
    yield ctx.diagnostic(
        ID,
        SEVERITY,
        ctx.span(node),
        f"Workflow file '{value}' does not exist{resolved}: Attune cannot "
        "install the pack" + did_you_mean(suggestion),
        fixes=_fixes(ctx, node, suggestion),
    )


# Above this many graph files a suggestion is looked up by name, not by edit distance: each
# dangling link would otherwise cost a comparison with every file of the folder.
_FUZZY_LIMIT = 100


def _suggest(value: str, folder: Path) -> str | None:
    """A graph file of the folder close to ``value``, in time independent of the other links."""
    try:
        stamp = os.stat(folder).st_mtime_ns
    except (OSError, ValueError):
        return None
    names, by_stem = _listing(str(folder), stamp)
    if len(names) <= _FUZZY_LIMIT:
        return close_match(value, names)
    return by_stem.get(_stem(value))


@lru_cache(maxsize=64)
def _listing(folder: str, stamp: int) -> tuple[tuple[str, ...], dict[str, str]]:
    """The ``workflows/<name>`` entries of a folder, and the same by lower-case stem."""
    names = tuple(PREFIX + path.name for path in yaml_files(Path(folder)))
    by_stem: dict[str, str] = {}
    for name in names:
        by_stem.setdefault(_stem(name), name)
    return names, by_stem


def _stem(name: str) -> str:
    base = name.lower().rsplit("/", 1)[-1]
    for suffix in (".yaml", ".yml"):
        base = base.removesuffix(suffix)
    return base.removesuffix(".workflow")


def _where(value: str) -> str:
    """Where a relative path leads, from the pack root, as the loader would join it."""
    if _ABSOLUTE.match(value):
        return ""
    resolved = posixpath.normpath(posixpath.join("actions", value.replace("\\", "/")))
    if resolved == ".." or resolved.startswith("../"):
        return f" (it resolves to '{resolved}', outside the pack)"
    return f" (it resolves to '{resolved}' in the pack)"


def _prefixed(ctx: Context, value: str) -> str | None:
    """The ``workflows/...`` path a near miss means, when that file exists."""
    candidates = []
    cleaned = value.replace("\\", "/")
    for head in ("./", "actions/"):
        if cleaned.startswith(head):
            cleaned = cleaned[len(head) :]
    candidates.append(cleaned)
    if "/" not in cleaned:
        candidates.append(PREFIX + cleaned)
    folder = ctx.path.parent
    for candidate in candidates:
        if candidate.startswith(PREFIX) and (folder / candidate).is_file():
            return candidate
    return None


def _fixes(ctx: Context, node: ScalarNode, suggestion: str | None) -> tuple[Fix, ...]:
    if suggestion is None:
        return ()
    return (Fix(f"Change to '{suggestion}'", (replace_edit(ctx, node, suggestion),), True),)

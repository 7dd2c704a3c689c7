"""A ref does not belong to its pack, or a workflow's ref differs from its action's.

## What it does
Checks that the `ref` of an action file and of a workflow file starts with the
ref of the pack the file is in (`<pack>.`), and that a graph file under
`actions/workflows/` that sets a `ref` uses the ref of the action that links
it, unless several actions link it. The related information points at the other file.

## Why is this bad?
Attune's pack loader rejects an action whose ref does not belong to the
installing pack ("action ref 'x' must belong to installing pack 'p'"), and its
pack workflow service rejects a workflow whose ref does not match its pack. A
graph file whose own `ref` differs from its action's is registered under that
other ref, apart from the action that runs it. A graph file that several
actions share may carry its own `ref` (Attune documents sharing a graph file
and registers it under that ref); it must still belong to the pack.

## Example
```yaml
# packs/mypack/actions/workflows/deploy.workflow.yaml, linked from mypack.deploy
ref: otherpack.deploy
version: "1.0.0"
tasks:
  - name: build
    action: core.echo
```

## Use instead
```yaml
# the graph file can leave `ref` out: the linking action supplies it
version: "1.0.0"
tasks:
  - name: build
    action: core.echo
```
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from ..context import Context, FileKind
from ..diagnostics import Diagnostic, Fix, Related, Severity
from ..files import FileProblem, read_text
from ..packindex import MAX_INDEXED_SIZE, PackInfo
from ..positions import Span
from ..suggest import did_you_mean
from ..yamlsource import MappingNode, ScalarNode, YamlDocument, is_string, mapping_get, parse_yaml
from .invalid_ref import is_identifier, is_ref, replace_edit

ID = "ref-mismatch"
SEVERITY = Severity.ERROR
KINDS = frozenset({FileKind.WORKFLOW, FileKind.ACTION})


@lru_cache(maxsize=128)
def _read(path: Path, stamp: tuple[int, int]) -> YamlDocument | None:
    del stamp  # part of the cache key only
    try:
        return parse_yaml(read_text(path, max_size=MAX_INDEXED_SIZE))
    except FileProblem:  # not a regular file, too large, not UTF-8
        return None


def read_document(path: Path | None) -> YamlDocument | None:
    """Another file of the workspace, parsed (cached while it does not change)."""
    if path is None:
        return None
    try:
        info = path.stat()
    except OSError:
        return None
    return _read(path, (info.st_mtime_ns, info.st_size))


def key_span(path: Path | None, *keys: str, value: bool = True) -> Span | None:
    """The span of a (nested) key, or of its value, in another file."""
    doc = read_document(path)
    if doc is None or doc.root is None:
        return None
    node = doc.root
    entry = None
    for key in keys:
        entry = mapping_get(node, key)
        if entry is None:
            return None
        node = entry[1]
    if entry is None:
        return None
    return doc.span(entry[1] if value else entry[0])


def is_real_pack(pack: PackInfo | None) -> bool:
    """Whether a pack folder has ``pack.yaml`` or ``actions/`` (not just a workflows folder)."""
    if pack is None or pack.root is None:
        return False
    return (pack.root / "pack.yaml").is_file() or (pack.root / "actions").is_dir()


def pack_related(ctx: Context) -> tuple[Related, ...]:
    """Where the pack's ref is declared, when ``pack.yaml`` declares it."""
    pack = ctx.pack
    if pack is None or pack.manifest_path is None:
        return ()
    span = key_span(pack.manifest_path, "ref")
    if span is None:
        return ()
    return (Related(span, f"The pack's ref is '{pack.ref}'", pack.manifest_path),)


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Report a ref outside the file's pack, or different from the linking action's."""
    if ctx.doc.syntax_error is not None or not isinstance(ctx.doc.root, MappingNode):
        return
    entry = mapping_get(ctx.doc.root, "ref")
    if entry is None or not is_string(entry[1]) or not isinstance(entry[1], ScalarNode):
        return
    node = entry[1]
    value = str(node.value)
    if not is_ref(value):
        return  # invalid-ref
    what = "Workflow" if ctx.kind is FileKind.WORKFLOW else "Action"
    if ctx.kind is FileKind.WORKFLOW:
        linked = ctx.linked_action
        if linked is not None and linked.ref == value:
            return  # the action file answers for its own ref
        if linked is not None and len(ctx.index.linking_actions(ctx.path)) > 1:
            linked = None  # a shared graph file: Attune registers it under its own ref
        if linked is not None:
            related: tuple[Related, ...] = ()
            span = key_span(linked.path, "ref")
            if span is not None and linked.path is not None:
                related = (
                    Related(span, f"The linking action's ref is '{linked.ref}'", linked.path),
                )
            yield ctx.diagnostic(
                ID,
                SEVERITY,
                ctx.span(node),
                f"Workflow ref '{value}' differs from '{linked.ref}', the ref of the action "
                f"that links this file: Attune registers the workflow under '{value}', apart "
                "from its action",
                related=related,
                fixes=(
                    Fix(f"Change to '{linked.ref}'", (replace_edit(ctx, node, linked.ref),), True),
                ),
            )
            return
    pack = ctx.pack
    if pack is None or not is_real_pack(pack) or value.startswith(f"{pack.ref}."):
        return
    suggestion = f"{pack.ref}.{value.partition('.')[2]}"
    if not (is_identifier(pack.ref) and is_ref(suggestion)):
        suggestion = ""
    outcome = (
        "Attune rejects a workflow whose ref does not match its pack"
        if what == "Workflow"
        else "Attune's pack loader rejects the action"
    )
    yield ctx.diagnostic(
        ID,
        SEVERITY,
        ctx.span(node),
        f"{what} ref '{value}' does not belong to pack '{pack.ref}': {outcome}"
        + did_you_mean(suggestion or None),
        related=pack_related(ctx),
        fixes=(Fix(f"Change to '{suggestion}'", (replace_edit(ctx, node, suggestion),), True),)
        if suggestion
        else (),
    )

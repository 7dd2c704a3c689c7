"""`pack.yaml` lacks a valid `ref` or semantic `version`, or gives a legacy alias and its key.

## What it does
Checks a pack's `pack.yaml`: `ref` must be present and an identifier
(lowercase letter first, then lowercase letters, digits, `_` or `-`, no dots);
`version` must be present and a semantic version string `MAJOR.MINOR.PATCH`
(an unquoted `1.0` is a number: quote it); and a legacy alias must not be given
together with its current key with a different value (`name` + `label`,
`config_schema` + `conf_schema`, `metadata` + `meta`, `keywords` + `tags`; the
same value twice is fine). Keys that pack check reads with a fixed type must
have it: `dependencies` a list, `tags` / `keywords` / `runtime_deps` lists of
strings, `config` / `meta` / `metadata` mappings (`dependencies: {}` is
rejected). A document that is not a mapping is reported by `not-a-workflow`. A pack
folder (one with `actions/`) without `pack.yaml` is reported once, on its
first action file.

## Why is this bad?
Attune's pack check rejects such a manifest (`manifest.invalid_ref`,
`manifest.invalid_version`, `manifest.legacy_conflict`, a field of the wrong
type), and the pack cannot be installed. When an alias and its key differ,
which one wins is not what the author can see.

## Example
```yaml
ref: My.Pack
name: My Pack
label: Our Pack
version: 1.0
dependencies: {}
```

## Use instead
```yaml
ref: my_pack
label: Our Pack
version: "1.0.0"
dependencies: []
```
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from ..context import Context, FileKind, node_type_word
from ..diagnostics import Diagnostic, Edit, Fix, Related, Severity
from ..positions import Span
from ..suggest import did_you_mean
from ..yamlsource import (
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    is_null,
    is_string,
    mapping_index,
    scalar_value,
)
from .invalid_ref import (
    first_key_span,
    insert_top_key,
    is_identifier,
    replace_edit,
)

ID = "pack-manifest"
SEVERITY = Severity.ERROR
KINDS = frozenset({FileKind.PACK, FileKind.ACTION, FileKind.WORKFLOW})

LEGACY_ALIASES = (
    ("name", "label"),
    ("config_schema", "conf_schema"),
    ("metadata", "meta"),
    ("keywords", "tags"),
)
_NUMBER = r"(?:0|[1-9][0-9]*)"
_PRE = r"(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)"
SEMVER = re.compile(
    rf"^{_NUMBER}\.{_NUMBER}\.{_NUMBER}(?:-{_PRE}(?:\.{_PRE})*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$"
)
_SHORT_VERSION = re.compile(r"^[vV]?([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?$")
DEFAULT_VERSION = "0.1.0"


def semver_of(text: str) -> str | None:
    """The semantic version a short or prefixed version means (``1.0`` -> ``1.0.0``)."""
    match = _SHORT_VERSION.match(text.strip())
    if match is None:
        return None
    # Leading zeros dropped as text: a number of thousands of digits is not converted.
    major, minor, patch = ((part or "0").lstrip("0") or "0" for part in match.groups())
    return f"{major}.{minor}.{patch}"


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Report a bad ``ref`` or ``version`` and alias conflicts of ``pack.yaml``."""
    if ctx.kind is not FileKind.PACK:
        yield from _missing_manifest(ctx)
        return
    root = ctx.doc.root
    if ctx.doc.syntax_error is not None or not isinstance(root, MappingNode):
        return  # yaml-syntax / not-a-workflow
    fields = mapping_index(root)
    yield from _check_ref(ctx, fields)
    yield from _check_version(ctx, fields)
    yield from _check_types(ctx, fields)
    for legacy, current in LEGACY_ALIASES:
        if legacy in fields and current in fields:
            if _same_value(fields[legacy][1], fields[current][1]):
                continue  # pack check only objects when the two differ
            legacy_key, current_key = fields[legacy][0], fields[current][0]
            yield ctx.diagnostic(
                ID,
                SEVERITY,
                ctx.span(legacy_key),
                f"Legacy alias '{legacy}' is given together with '{current}' with a different "
                f"value: Attune's pack check rejects the manifest; keep only '{current}'",
                related=(Related(ctx.span(current_key), f"'{current}' is given here", ctx.path),),
            )


def _missing_manifest(ctx: Context) -> Iterator[Diagnostic]:
    """A pack folder (one with ``actions/``) without ``pack.yaml``: said on its first file."""
    pack = ctx.pack
    if pack is None or pack.root is None or (pack.root / "pack.yaml").is_file():
        return
    first = next(pack.files(), None)
    if first is None or first.resolve() != ctx.path.resolve():
        return
    span = first_key_span(ctx) or Span(0, 0, 0, 0)
    yield ctx.diagnostic(
        ID,
        SEVERITY,
        span,
        f"The pack folder '{pack.root.name}' has no pack.yaml: Attune's pack check rejects it "
        "(manifest.missing) and the pack cannot be installed",
    )


def _same_value(a: Node, b: Node) -> bool:
    """Whether two manifest values hold the same data."""
    return bool(_plain(a) == _plain(b))


def _plain(node: Node) -> Any:
    if isinstance(node, ScalarNode):
        return scalar_value(node)
    if isinstance(node, SequenceNode):
        return [_plain(item) for item in node.value]
    if isinstance(node, MappingNode):
        return [(_plain(k), _plain(v)) for k, v in node.value]
    return None


def _check_types(ctx: Context, fields: dict[str, tuple[ScalarNode, Node]]) -> Iterator[Diagnostic]:
    """Keys pack check reads with a fixed YAML type (``dependencies: {}`` is not a list)."""
    for key, (expected, check_type) in MANIFEST_TYPES.items():
        entry = fields.get(key)
        if entry is None or is_null(entry[1]) or check_type(entry[1]):
            continue
        yield ctx.diagnostic(
            ID,
            SEVERITY,
            ctx.span(entry[1]) if _inline(entry[1]) else ctx.span(entry[0]),
            f"'{key}' must be {expected}, not {node_type_word(entry[1])}: Attune's pack check "
            "rejects the manifest",
        )


def _inline(node: Node) -> bool:
    return isinstance(node, ScalarNode) or bool(getattr(node, "flow_style", False))


def _is_list_of_strings(node: Node) -> bool:
    return isinstance(node, SequenceNode) and all(is_string(item) for item in node.value)


MANIFEST_TYPES: dict[str, tuple[str, Callable[[Node], bool]]] = {
    "dependencies": ("a list", lambda node: isinstance(node, SequenceNode)),
    "tags": ("a list of strings", _is_list_of_strings),
    "keywords": ("a list of strings", _is_list_of_strings),
    "runtime_deps": ("a list of strings", _is_list_of_strings),
    "config": ("a mapping", lambda node: isinstance(node, MappingNode)),
    "meta": ("a mapping", lambda node: isinstance(node, MappingNode)),
    "metadata": ("a mapping", lambda node: isinstance(node, MappingNode)),
}


def _check_ref(ctx: Context, fields: dict[str, tuple[ScalarNode, Node]]) -> Iterator[Diagnostic]:
    entry = fields.get("ref")
    if entry is None or is_null(entry[1]):
        span = ctx.span(entry[0]) if entry is not None else first_key_span(ctx)
        if span is None:
            return
        folder = ctx.path.resolve().parent.name.lower().replace(".", "_").replace(" ", "_")
        edit = insert_top_key(ctx, f"ref: {folder}") if entry is None else None
        yield ctx.diagnostic(
            ID,
            SEVERITY,
            span,
            "The manifest has no 'ref': Attune cannot install a pack without one",
            fixes=(Fix(f"Add 'ref: {folder}'", (edit,), True),)
            if edit is not None and is_identifier(folder)
            else (),
        )
        return
    node = entry[1]
    if not is_string(node) or not isinstance(node, ScalarNode):
        yield ctx.diagnostic(
            ID,
            SEVERITY,
            ctx.span(node),
            f"The pack ref must be a string identifier, not {node_type_word(node)}: Attune "
            "rejects the pack",
        )
        return
    value = str(node.value)
    if is_identifier(value):
        return
    suggestion: str | None = value.strip().lower().replace(".", "_").replace(" ", "_")
    if suggestion == value or not is_identifier(str(suggestion)):
        suggestion = None
    yield ctx.diagnostic(
        ID,
        SEVERITY,
        ctx.span(node),
        f"Pack ref '{value}' is not an identifier (a lowercase letter, then lowercase "
        "letters, digits, '_' or '-'; no dots): Attune rejects the pack" + did_you_mean(suggestion),
        fixes=(Fix(f"Change to '{suggestion}'", (replace_edit(ctx, node, suggestion),), True),)
        if suggestion
        else (),
    )


def _check_version(
    ctx: Context, fields: dict[str, tuple[ScalarNode, Node]]
) -> Iterator[Diagnostic]:
    entry = fields.get("version")
    if entry is None or is_null(entry[1]):
        span = ctx.span(entry[0]) if entry is not None else first_key_span(ctx)
        if span is None:
            return
        edit = insert_top_key(ctx, f'version: "{DEFAULT_VERSION}"') if entry is None else None
        yield ctx.diagnostic(
            ID,
            SEVERITY,
            span,
            "The manifest has no 'version': Attune requires a semantic version such as "
            f'"{DEFAULT_VERSION}"',
            fixes=(Fix(f"Add 'version: \"{DEFAULT_VERSION}\"'", (edit,), True),)
            if edit is not None
            else (),
        )
        return
    node = entry[1]
    if not isinstance(node, ScalarNode) or not (
        is_string(node) or node.tag.endswith((":int", ":float"))
    ):
        yield ctx.diagnostic(
            ID,
            SEVERITY,
            ctx.span(node),
            f'The pack version must be a string such as "{DEFAULT_VERSION}", not '
            f"{node_type_word(node)}: Attune rejects the pack",
        )
        return
    value = str(node.value)
    if not is_string(node):
        fixed = semver_of(value) or value
        yield ctx.diagnostic(
            ID,
            SEVERITY,
            ctx.span(node),
            f"Version {value} is {node_type_word(node)}, not a string: quote it as a semantic "
            f'version, "{fixed}"',
            fixes=(Fix(f'Change to "{fixed}"', (Edit(ctx.span(node), f'"{fixed}"'),), True),),
        )
        return
    if SEMVER.match(value):
        return
    suggestion = semver_of(value)
    yield ctx.diagnostic(
        ID,
        SEVERITY,
        ctx.span(node),
        f"Version '{value}' is not a semantic version (MAJOR.MINOR.PATCH): Attune rejects "
        "the pack" + did_you_mean(suggestion),
        fixes=(Fix(f"Change to '{suggestion}'", (replace_edit(ctx, node, suggestion),), True),)
        if suggestion
        else (),
    )

"""A workflow or action ref is not `pack.name`, or a task's action ref has an empty part.

## What it does
Checks the `ref` of action files and workflow files: it must be `pack.name`,
each part a lowercase letter followed by lowercase letters, digits, `_` or `-`.
Checks every task's `action` (sub-tasks of parallel tasks too): it must have at
least two dot-separated parts, none of them empty. An action file without a
`ref` is reported too.

## Why is this bad?
Attune's pack loader rejects an action whose ref is not `pack.name` in
lowercase (the database allows exactly one dot), and its workflow validator
rejects a task whose action reference is not at least two non-empty parts
("Invalid action reference"). Such a workflow is never registered.

## Example
```yaml
ref: MyPack.Deploy
version: "1.0.0"
tasks:
  - name: build
    action: core.
```

## Use instead
```yaml
ref: mypack.deploy
version: "1.0.0"
tasks:
  - name: build
    action: core.echo
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..context import Context, FileKind, node_type_word
from ..diagnostics import Diagnostic, Edit, Fix, Severity
from ..positions import Span
from ..suggest import did_you_mean
from ..view import TaskView
from ..yamlsource import MappingNode, ScalarNode, is_null, is_string, mapping_get
from .base import Scope

ID = "invalid-ref"
SEVERITY = Severity.ERROR
KINDS = frozenset({FileKind.WORKFLOW, FileKind.ACTION})
SCOPE = Scope.TASK

PART = r"[a-z][a-z0-9_-]*"
REF = re.compile(rf"^{PART}\.{PART}$")
PART_RE = re.compile(rf"^{PART}$")
CALLING_TYPES = ("action", "workflow")


def is_ref(value: str) -> bool:
    """Whether ``value`` is a valid component ref ``pack.name``."""
    return REF.match(value) is not None


def is_identifier(value: str) -> bool:
    """Whether ``value`` is a valid ref part (a pack ref, or the name of an action)."""
    return PART_RE.match(value) is not None


def is_template(value: str) -> bool:
    """Whether a string holds a ``{{ }}`` template."""
    return "{{" in value


def action_ref_ok(value: str) -> bool:
    """Whether a task's action reference has at least two parts, none empty."""
    parts = value.split(".")
    return len(parts) >= 2 and all(parts)


def task_action(task: TaskView) -> ScalarNode | None:
    """The ``action`` value of a task that calls one, when it is a plain string."""
    if task.type not in CALLING_TYPES:
        return None
    node = task.value("action")
    if not is_string(node) or not isinstance(node, ScalarNode):
        return None
    value = str(node.value)
    if not value or is_template(value):
        return None
    return node


def suggest_ref(value: str) -> str | None:
    """A valid ref close to ``value`` (lowercased, spaces made underscores), if one is."""
    candidate = value.strip().lower().replace(" ", "_")
    return candidate if candidate != value and is_ref(candidate) else None


def replace_edit(ctx: Context, node: ScalarNode, text: str) -> Edit:
    """Replace the characters of a scalar's value (quotes, if any, are kept)."""
    return Edit(ctx.value_span(node, 0, len(node.value)), text)


def first_key_span(ctx: Context) -> Span | None:
    """The span of the first key of the document's root mapping."""
    root = ctx.doc.root
    if isinstance(root, MappingNode) and root.value:
        return ctx.span(root.value[0][0])
    return None


def insert_top_key(ctx: Context, line: str) -> Edit | None:
    """An edit that adds ``line`` (``key: value``) above the first key of a block root."""
    root = ctx.doc.root
    span = first_key_span(ctx)
    if span is None or not isinstance(root, MappingNode) or root.flow_style or span.column:
        return None
    return Edit(Span(span.line, 0, span.line, 0), line + "\n")


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Report bad refs of the file and bad action references of its tasks."""
    if ctx.doc.syntax_error is not None or not isinstance(ctx.doc.root, MappingNode):
        return
    if ctx.kind is FileKind.ACTION:
        yield from _check_action_file(ctx)
        return
    entry = mapping_get(ctx.doc.root, "ref")
    if entry is not None and is_string(entry[1]) and isinstance(entry[1], ScalarNode):
        yield from _check_ref(ctx, entry[1], "Workflow", "Attune cannot load the workflow by ref")
    view = ctx.view
    if view is None:
        return
    for task in view.all_tasks():
        if task.type not in CALLING_TYPES:
            continue
        node = task.value("action")
        if not is_string(node) or not isinstance(node, ScalarNode):
            continue
        value = str(node.value)
        if not value or is_template(value) or action_ref_ok(value):
            continue
        yield ctx.diagnostic(
            ID,
            SEVERITY,
            ctx.span(node),
            f"Action reference '{value}' of {task.label} is not 'pack.name' with non-empty "
            "parts: Attune rejects it as an invalid action reference",
        )


def _check_action_file(ctx: Context) -> Iterator[Diagnostic]:
    entry = mapping_get(ctx.doc.root, "ref")
    if entry is None or is_null(entry[1]):
        span = ctx.span(entry[0]) if entry is not None else first_key_span(ctx)
        if span is None:
            return
        fixes: tuple[Fix, ...] = ()
        stem = ctx.path.name.split(".", 1)[0].lower()
        if entry is None and ctx.pack is not None and is_ref(f"{ctx.pack.ref}.{stem}"):
            ref = f"{ctx.pack.ref}.{stem}"
            edit = insert_top_key(ctx, f"ref: {ref}")
            if edit is not None:
                fixes = (Fix(f"Add 'ref: {ref}'", (edit,), preferred=True),)
        yield ctx.diagnostic(
            ID,
            SEVERITY,
            span,
            "The action has no 'ref': Attune's pack loader requires one, 'pack.name'",
            fixes=fixes,
        )
        return
    node = entry[1]
    if not is_string(node) or not isinstance(node, ScalarNode):
        yield ctx.diagnostic(
            ID,
            SEVERITY,
            ctx.span(node),
            f"Action ref must be a string 'pack.name', not {node_type_word(node)}: "
            "Attune's pack loader rejects the action",
        )
        return
    yield from _check_ref(ctx, node, "Action", "Attune's pack loader rejects the action")


def _check_ref(ctx: Context, node: ScalarNode, what: str, outcome: str) -> Iterator[Diagnostic]:
    value = str(node.value)
    if what == "Workflow" and value == "":
        return
    if is_ref(value):
        return
    suggestion = suggest_ref(value)
    hint = did_you_mean(suggestion)
    fixes = (
        (Fix(f"Change to '{suggestion}'", (replace_edit(ctx, node, suggestion),), True),)
        if suggestion
        else ()
    )
    yield ctx.diagnostic(
        ID,
        SEVERITY,
        ctx.span(node),
        f"{what} ref '{value}' is not 'pack.name' with lowercase parts "
        f"([a-z][a-z0-9_-]*): {outcome}{hint}",
        fixes=fixes,
    )

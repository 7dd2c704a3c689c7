"""Links from a file to the files it names, for editors' document links.

An action file links its ``workflow_file`` and ``entry_point`` (both relative to the
``actions/`` folder the action file sits in); a workflow links each task's ``action``
ref to the file that defines the action. Only files that exist are linked.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .context import Context, FileKind
from .positions import Span
from .yamlsource import ScalarNode, is_string, mapping_get


@dataclass(frozen=True, slots=True)
class Link:
    """A span of the file that names another file."""

    span: Span
    target: Path
    tooltip: str


def document_links(ctx: Context) -> list[Link]:
    """The links of a file, in document order."""
    found: list[Link] = []
    if ctx.kind is FileKind.ACTION:
        for key, what in (("workflow_file", "workflow graph"), ("entry_point", "entry point")):
            node = _string_value(ctx, key)
            if node is None:
                continue
            target = (ctx.path.parent / str(node.value)).resolve()
            if target.is_file():
                found.append(Link(_whole(ctx, node), target, f"Open the {what}"))
    view = ctx.view
    for task in view.all_tasks() if view is not None else ():
        ref = task.value("action")
        if not isinstance(ref, ScalarNode) or not is_string(ref):
            continue
        action = ctx.index.action(str(ref.value))
        if action is None or action.path is None or not action.path.is_file():
            continue
        found.append(Link(_whole(ctx, ref), action.path, f"Open action {action.ref}"))
    found.sort(key=lambda link: link.span)
    return found


def _string_value(ctx: Context, key: str) -> ScalarNode | None:
    entry = mapping_get(ctx.doc.root, key)
    if entry is None or not isinstance(entry[1], ScalarNode) or not is_string(entry[1]):
        return None
    return entry[1] if str(entry[1].value) else None


def _whole(ctx: Context, node: ScalarNode) -> Span:
    return ctx.value_span(node, 0, len(str(node.value)))

"""Completion items that insert a workflow skeleton with placeholders (a task, a ``next``
entry), offered on a new list item and only to clients that support snippets."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from lsprotocol import types as lsp

from attune_workflow.query.yamlpath import ITEM, LineContext, container_entries
from attune_workflow.snippets import Placeholder, Skeleton, new_task, next_entry

if TYPE_CHECKING:
    from .features.completion import Completer

_ESCAPE = re.compile(r"([$}\\])")
_CHOICE_ESCAPE = re.compile(r"([$}\\,|])")


def render(skeleton: Skeleton, indent: str) -> str:
    """The skeleton in the LSP snippet syntax, lines after the first indented."""
    lines = []
    for pieces in skeleton.lines:
        text = ""
        for piece in pieces:
            if isinstance(piece, Placeholder):
                text += _placeholder(piece)
            else:
                text += _ESCAPE.sub(r"\\\1", piece)
        lines.append(text)
    return ("\n" + indent).join(lines) + "\n" + indent + "$0"


def _placeholder(piece: Placeholder) -> str:
    if len(piece.choices) > 1:
        choices = ",".join(_CHOICE_ESCAPE.sub(r"\\\1", c) for c in piece.choices)
        return f"${{{piece.index}|{choices}|}}"
    default = _ESCAPE.sub(r"\\\1", piece.default)
    return f"${{{piece.index}:{default}}}"


def snippet_items(completer: Completer, ctx: LineContext) -> list[lsp.CompletionItem]:
    """The skeletons that fit an empty ``- `` item of ``tasks`` or ``next``."""
    if not completer.snippets or ctx.kind != "item" or len(ctx.path) < 2:
        return []
    if ctx.path[-1] != ITEM or container_entries(completer.lines, ctx):
        return []
    names = list(completer.known_tasks())
    if ctx.path[-2] == "tasks":
        skeleton = new_task(names)
    elif ctx.path[-2] == "next" and len(ctx.path) >= 4 and ctx.path[-4] == "tasks":
        skeleton = next_entry(names)
    else:
        return []
    text = render(skeleton, " " * ctx.start)
    rng = completer._range(ctx.start, max(ctx.end, completer.column))
    return [
        lsp.CompletionItem(
            label=skeleton.label,
            kind=lsp.CompletionItemKind.Snippet,
            detail=skeleton.detail,
            documentation=completer._doc("```yaml\n" + "\n".join(skeleton.plain()) + "\n```"),
            sort_text=f"0_{skeleton.label}",
            filter_text=skeleton.label.split()[0],
            insert_text_format=lsp.InsertTextFormat.Snippet,
            insert_text_mode=lsp.InsertTextMode.AsIs,
            text_edit=lsp.TextEdit(range=rng, new_text=text),
        )
    ]

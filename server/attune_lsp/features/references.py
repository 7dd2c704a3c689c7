"""Find references, prepare rename and rename: tasks, variables, parameters, actions.

The search reads a snapshot of the documents (:class:`Sources`) on a thread of its own,
so that a long search never holds up the event loop: a hover sent meanwhile is answered
at once.
"""

from __future__ import annotations

import asyncio
import re
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcInvalidParams

from attune_workflow.context import Context, FileKind
from attune_workflow.expressions import KEYWORDS, NAMESPACES
from attune_workflow.query.navigation import (
    Occurrence,
    Target,
    parameter_keys,
    target_at,
    variable_occurrences,
)
from attune_workflow.query.occurrences import Sources, occurrences
from attune_workflow.rules.invalid_ref import is_ref
from attune_workflow.rules.reserved_task_name import RESERVED

from .. import convert

if TYPE_CHECKING:
    from ..analysis import Analysis
    from ..host import Host

RENAMABLE = ("task", "variable", "parameter", "input", "action")
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


async def _target(ls: Host, uri: str, pos: lsp.Position) -> tuple[Analysis, Target] | None:
    analysis = await ls.scheduler.analysis(uri)
    if analysis is None or analysis.ctx is None or analysis.ctx.doc.root is None:
        return None
    line, column = convert.to_engine(pos, analysis.lines)
    target = target_at(analysis.ctx, line, column)
    return (analysis, target) if target is not None else None


def _location(sources: Sources, uris: dict[Path, str], found: Occurrence) -> tuple[str, lsp.Range]:
    """The URI (the open document's own, else the file's) and LSP range of an occurrence."""
    uri = uris.get(found.path) or convert.path_to_uri(found.path)
    return uri, convert.span_to_range(found.span, sources.lines(found.path))


def _renamable(target: Target) -> bool:
    if target.kind not in RENAMABLE:
        return False
    if target.kind == "task" and target.task is None:
        return False
    if target.kind == "action":
        return target.action is not None and target.action.path is not None
    if target.kind == "input":
        return target.action is not None and target.name in (target.action.parameters or {})
    return True


def refusal(ctx: Context, target: Target, new: str) -> str | None:
    """Why a target cannot take a new name (None: it can)."""
    if target.kind == "action":
        pack = target.name.partition(".")[0]
        if not is_ref(new) or new.partition(".")[0] != pack:
            return (
                f"'{new}' is not a ref of pack '{pack}': use '{pack}.<name>' in lower case "
                "(letters, digits, '_' and '-')"
            )
        if ctx.index.action(new) is not None:
            return f"An action '{new}' already exists"
        return None
    if not NAME.match(new):
        return f"'{new}' is not a valid name: use letters, digits and '_' (not first a digit)"
    if target.kind == "task":
        if new in RESERVED:
            return f"'{new}' is a reserved word: Attune refuses it as a task name"
        scope = ctx.view.scope_of(target.task) if ctx.view and target.task else []
        if any(t.name == new for t in scope):
            return f"A task named '{new}' already exists"
    elif target.kind == "variable":
        if new in NAMESPACES or new in KEYWORDS:
            return f"'{new}' is a reserved word of expressions"
        if ctx.kind is FileKind.WORKFLOW and variable_occurrences(ctx, new):
            return f"A variable named '{new}' already exists"
    elif target.kind in ("parameter", "input"):
        declared = set(parameter_keys(ctx.doc.root))
        if target.action is not None:
            declared |= set(target.action.parameters or {})
        elif ctx.linked_action is not None:
            declared |= set(ctx.linked_action.parameters or {})
        if new in declared:
            return f"A parameter named '{new}' already exists"
    return None


def register(server: Host) -> None:
    """Add the handlers."""

    @server.feature(lsp.TEXT_DOCUMENT_REFERENCES)
    async def references(ls: Host, params: lsp.ReferenceParams) -> list[lsp.Location] | None:
        found = await _target(ls, params.text_document.uri, params.position)
        if found is None:
            return None
        analysis, target = found
        ctx = analysis.ctx
        assert ctx is not None
        sources, uris = ls.scheduler.sources()
        declarations = params.context.include_declaration

        def search() -> list[lsp.Location]:
            return [
                lsp.Location(uri=uri, range=where)
                for occurrence in occurrences(sources, ctx, target)
                if declarations or not occurrence.declaration
                for uri, where in [_location(sources, uris, occurrence)]
            ]

        return await asyncio.to_thread(search)

    @server.feature(lsp.TEXT_DOCUMENT_PREPARE_RENAME)
    async def prepare_rename(
        ls: Host, params: lsp.PrepareRenameParams
    ) -> lsp.PrepareRenamePlaceholder | None:
        found = await _target(ls, params.text_document.uri, params.position)
        if found is None or not _renamable(found[1]):
            return None
        analysis, target = found
        return lsp.PrepareRenamePlaceholder(
            range=convert.span_to_range(target.span, analysis.lines), placeholder=target.name
        )

    @server.feature(lsp.TEXT_DOCUMENT_RENAME, lsp.RenameOptions(prepare_provider=True))
    async def rename(ls: Host, params: lsp.RenameParams) -> lsp.WorkspaceEdit | None:
        found = await _target(ls, params.text_document.uri, params.position)
        if found is None or not _renamable(found[1]):
            raise JsonRpcInvalidParams(
                "Only tasks, workflow variables, parameters and actions can be renamed"
            )
        analysis, target = found
        ctx = analysis.ctx
        assert ctx is not None
        new = params.new_name.strip()
        if new == target.name:
            return lsp.WorkspaceEdit(changes={})
        problem = refusal(ctx, target, new)
        if problem is not None:
            raise JsonRpcInvalidParams(f"Cannot rename '{target.name}': {problem}")
        sources, uris = ls.scheduler.sources()

        def search() -> dict[str, list[lsp.TextEdit]]:
            changes: dict[str, list[lsp.TextEdit]] = defaultdict(list)
            for occurrence in occurrences(sources, ctx, target):
                uri, where = _location(sources, uris, occurrence)
                changes[uri].append(lsp.TextEdit(range=where, new_text=new))
            return dict(changes)

        return lsp.WorkspaceEdit(changes=await asyncio.to_thread(search))

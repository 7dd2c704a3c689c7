"""Find references, prepare rename and rename: tasks, variables, parameters (across files)."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import TYPE_CHECKING

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcInvalidParams

from attune_workflow.positions import LineIndex
from attune_workflow.query.navigation import Target, target_at

from .. import convert
from ..occurrences import occurrences

if TYPE_CHECKING:
    from ..analysis import Analysis
    from ..server import AttuneServer

RENAMABLE = ("task", "variable", "parameter", "input")
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


async def _target(ls: AttuneServer, uri: str, pos: lsp.Position) -> tuple[Analysis, Target] | None:
    analysis = await ls.analysis(uri)
    if analysis is None or analysis.ctx is None or analysis.ctx.doc.root is None:
        return None
    line, column = convert.to_engine(pos, analysis.lines)
    target = target_at(analysis.ctx, line, column)
    return (analysis, target) if target is not None else None


def _renamable(target: Target) -> bool:
    if target.kind not in RENAMABLE:
        return False
    if target.kind == "task" and target.task is None:
        return False
    if target.kind == "input":
        return target.action is not None and target.name in (target.action.parameters or {})
    return True


def register(server: AttuneServer) -> None:
    """Add the handlers."""

    @server.feature(lsp.TEXT_DOCUMENT_REFERENCES)
    async def references(
        ls: AttuneServer, params: lsp.ReferenceParams
    ) -> list[lsp.Location] | None:
        found = await _target(ls, params.text_document.uri, params.position)
        if found is None:
            return None
        analysis, target = found
        assert analysis.ctx is not None
        result = []
        for occurrence in occurrences(ls, analysis.ctx, target):
            if occurrence.declaration and not params.context.include_declaration:
                continue
            lines = ls.lines_of(occurrence.path) or LineIndex("")
            result.append(
                lsp.Location(
                    uri=ls.uri_of(occurrence.path),
                    range=convert.span_to_range(occurrence.span, lines),
                )
            )
        return result

    @server.feature(lsp.TEXT_DOCUMENT_PREPARE_RENAME)
    async def prepare_rename(
        ls: AttuneServer, params: lsp.PrepareRenameParams
    ) -> lsp.PrepareRenamePlaceholder | None:
        found = await _target(ls, params.text_document.uri, params.position)
        if found is None or not _renamable(found[1]):
            return None
        analysis, target = found
        return lsp.PrepareRenamePlaceholder(
            range=convert.span_to_range(target.span, analysis.lines), placeholder=target.name
        )

    @server.feature(lsp.TEXT_DOCUMENT_RENAME, lsp.RenameOptions(prepare_provider=True))
    async def rename(ls: AttuneServer, params: lsp.RenameParams) -> lsp.WorkspaceEdit | None:
        found = await _target(ls, params.text_document.uri, params.position)
        if found is None or not _renamable(found[1]):
            raise JsonRpcInvalidParams(
                "Only tasks, workflow variables and parameters can be renamed"
            )
        analysis, target = found
        assert analysis.ctx is not None
        new = params.new_name.strip()
        if not NAME.match(new):
            raise JsonRpcInvalidParams(
                f"'{new}' is not a valid name: use letters, digits and '_' (not first a digit)"
            )
        if target.kind == "task" and analysis.ctx.view is not None:
            assert target.task is not None
            if any(t.name == new for t in analysis.ctx.view.scope_of(target.task)):
                raise JsonRpcInvalidParams(f"A task named '{new}' already exists")
        changes: dict[str, list[lsp.TextEdit]] = defaultdict(list)
        for occurrence in occurrences(ls, analysis.ctx, target):
            lines = ls.lines_of(occurrence.path) or LineIndex("")
            changes[ls.uri_of(occurrence.path)].append(
                lsp.TextEdit(range=convert.span_to_range(occurrence.span, lines), new_text=new)
            )
        return lsp.WorkspaceEdit(changes=dict(changes))

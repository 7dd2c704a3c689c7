"""Code actions: the engine's fixes, "ignore this rule here", and the register commands."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp

from attune_workflow.diagnostics import Diagnostic
from attune_workflow.query.navigation import steps_at
from attune_workflow.yamlsource import ScalarNode, end_position, start_position

from .. import convert
from . import register as commands

if TYPE_CHECKING:
    from ..analysis import Analysis
    from ..host import Host

_IGNORE = re.compile(r"#\s*attune:\s*ignore\[([^\]]*)\]")


def _chosen(analysis: Analysis, params: lsp.CodeActionParams) -> list[tuple[int, Diagnostic]]:
    """The engine diagnostics the request is about."""
    chosen: dict[int, Diagnostic] = {}
    for sent in params.context.diagnostics:
        if sent.source != convert.SOURCE:
            continue
        data: Any = sent.data
        number = data.get("number") if isinstance(data, dict) else None
        if (
            isinstance(number, int)
            and data.get("version") == analysis.version
            and 0 <= number < len(analysis.diagnostics)
            and analysis.diagnostics[number].code == sent.code
        ):
            chosen[number] = analysis.diagnostics[number]
            continue
        for n, published in enumerate(analysis.published):
            if published.code == sent.code and published.range == sent.range:
                chosen[n] = analysis.diagnostics[n]
    if not params.context.diagnostics:
        span = convert.range_to_span(params.range, analysis.lines)
        for n, d in enumerate(analysis.diagnostics):
            if d.span.start <= span.end and span.start <= d.span.end:
                chosen[n] = d
    return sorted(chosen.items())


def _inside_scalar(analysis: Analysis, line: int) -> bool:
    """Whether the end of a line lies inside a multi-line scalar (no comment can go there)."""
    ctx = analysis.ctx
    if ctx is None or ctx.doc.root is None:
        return False
    text = analysis.lines.line_text(line)
    steps, on_key = steps_at(ctx, line, len(text))
    if not steps or on_key:
        return False
    node = steps[-1].node
    if (
        not isinstance(node, ScalarNode)
        or start_position(node, analysis.lines)[0] == end_position(node, analysis.lines)[0]
    ):
        return False
    if node.style in ("|", ">") and start_position(node, analysis.lines)[0] == line:
        return False
    return start_position(node, analysis.lines)[0] <= line


def ignore_action(analysis: Analysis, number: int, d: Diagnostic) -> lsp.CodeAction:
    """Silence a rule on the diagnostic's line (or in the file, inside a block scalar)."""
    uri, lines = analysis.uri, analysis.lines
    line = d.span.line
    text = lines.line_text(line)
    if _inside_scalar(analysis, line):
        title = f"Ignore '{d.code}' in this file"
        edit = lsp.TextEdit(
            range=lsp.Range(
                start=lsp.Position(line=0, character=0), end=lsp.Position(line=0, character=0)
            ),
            new_text=f"# attune: ignore-file[{d.code}]\n",
        )
    else:
        title = f"Ignore '{d.code}' on this line"
        match = _IGNORE.search(text)
        if match is not None:
            listed = [r.strip() for r in match.group(1).split(",") if r.strip()]
            at = convert.line_position(text, line, match.end(1))
            addition = f", {d.code}" if listed else d.code
            edit = lsp.TextEdit(
                range=lsp.Range(start=at, end=at),
                new_text=addition,
            )
        else:
            edit = lsp.TextEdit(
                range=lsp.Range(
                    start=convert.line_position(text, line, len(text.rstrip())),
                    end=convert.line_position(text, line, len(text)),
                ),
                new_text=f"  # attune: ignore[{d.code}]"
                if text.strip()
                else f"# attune: ignore[{d.code}]",
            )
    return lsp.CodeAction(
        title=title,
        kind=lsp.CodeActionKind.QuickFix,
        diagnostics=[analysis.published[number]],
        edit=lsp.WorkspaceEdit(changes={uri: [edit]}),
    )


def _kind(kind: str | lsp.CodeActionKind) -> str:
    return kind.value if isinstance(kind, lsp.CodeActionKind) else str(kind)


def _wanted(only: list[str] | None, kind: lsp.CodeActionKind) -> bool:
    name = _kind(kind)
    return only is None or any(name == o or name.startswith(f"{o}.") for o in only)


def register(server: Host) -> None:
    """Add the handler."""

    @server.feature(
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(
            code_action_kinds=[lsp.CodeActionKind.QuickFix, lsp.CodeActionKind.Source]
        ),
    )
    async def code_action(ls: Host, params: lsp.CodeActionParams) -> list[lsp.CodeAction] | None:
        uri = params.text_document.uri
        analysis = await ls.scheduler.analysis(uri)
        if analysis is None:
            return None
        only = [_kind(kind) for kind in params.context.only] if params.context.only else None
        actions: list[lsp.CodeAction] = []
        if _wanted(only, lsp.CodeActionKind.QuickFix):
            for number, d in _chosen(analysis, params):
                for fix in d.fixes:
                    actions.append(
                        lsp.CodeAction(
                            title=fix.title,
                            kind=lsp.CodeActionKind.QuickFix,
                            diagnostics=[analysis.published[number]],
                            is_preferred=fix.preferred or None,
                            edit=convert.workspace_edit(
                                fix,
                                path=analysis.path,
                                uri=uri,
                                lines=analysis.lines,
                                lines_of=ls.space.lines_of,
                            ),
                        )
                    )
                actions.append(ignore_action(analysis, number, d))
        if _wanted(only, lsp.CodeActionKind.Source) and commands.registrable(analysis):
            for command, title in commands.source_actions(analysis):
                actions.append(
                    lsp.CodeAction(
                        title=title,
                        kind=lsp.CodeActionKind.Source,
                        command=lsp.Command(title=title, command=command, arguments=[uri]),
                    )
                )
        return actions

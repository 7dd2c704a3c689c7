"""Engine values <-> LSP types: the only place positions become UTF-16.

The engine counts code points on ``\\n``-separated lines; LSP clients count UTF-16 code
units. Every range sent and every position received passes through here.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote_from_bytes, unquote_to_bytes, urlsplit, urlunsplit

from lsprotocol import types as lsp

from attune_workflow.diagnostics import Diagnostic, Edit, Fix
from attune_workflow.positions import LineIndex, Span

from .utf16 import codepoint_column as codepoint_column
from .utf16 import utf16_column as utf16_column

SOURCE = "attune"
RULE_DOCS = "https://github.com/attune-lsp/attune-lsp/blob/main/docs/rules.md#{}"

# Gives the lines of another file (open buffer or disk), or None when it cannot be read.
LinesOf = Callable[[Path], LineIndex | None]


def canonical_uri(uri: str) -> str:
    """One spelling of a ``file:`` URI: its path percent-encoded as ``Path.as_uri`` does.

    Editors spell URIs differently (VS Code encodes ``+`` and ``:``, Neovim does not);
    the server spells each one this way, so one file is one document. Other URIs are
    kept as they are.
    """
    try:
        parts = urlsplit(uri)
    except ValueError:
        return uri
    if parts.scheme.lower() != "file":
        return uri
    netloc = "" if parts.netloc.lower() in ("", "localhost") else parts.netloc
    path = quote_from_bytes(unquote_to_bytes(parts.path), safe="/")
    return urlunsplit(("file", netloc, path or "/", parts.query, parts.fragment))


def uri_to_path(uri: str) -> Path:
    """The file system path of a document URI (untitled documents get a stand-in path).

    No file name holds a NUL character, and no system call accepts one: it becomes
    U+FFFD, so a buffer named that way is checked like any unsaved buffer.
    """
    try:
        parts = urlsplit(uri)
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() != "file":
        return Path("/", "untitled", uri.rsplit("/", 1)[-1] or "untitled.yaml")
    path = os.fsdecode(unquote_to_bytes(parts.path)).replace("\0", "\ufffd")
    if parts.netloc and parts.netloc.lower() != "localhost":
        path = f"//{parts.netloc}{path}"
    return Path(path or "/")


def path_to_uri(path: Path) -> str:
    """The ``file:`` URI of a path, spelled as :func:`canonical_uri` does."""
    return "file://" + quote_from_bytes(os.fsencode(str(path)), safe="/")


BOM = "\ufeff"


class BomLines(LineIndex):
    """The lines of a buffer that starts with a byte order mark, indexed without it.

    The engine never sees a BOM (a file read from disk loses it when decoded); a client
    whose buffer holds one counts it as the first UTF-16 code unit of the first line.
    """

    __slots__ = ()


def buffer_lines(text: str) -> tuple[str, LineIndex]:
    """A buffer's text as the engine reads it (no BOM), and the lines to convert with."""
    if text.startswith(BOM):
        text = text[1:]
        return text, BomLines(text)
    return text, LineIndex(text)


def line_position(line_text: str, line: int, column: int) -> lsp.Position:
    """The LSP position of a code-point column in a line of known text."""
    return lsp.Position(line=line, character=utf16_column(line_text, column))


def line_column(line_text: str, character: int) -> int:
    """The code-point column of an LSP character offset in a line of known text."""
    return codepoint_column(line_text, character)


def position(lines: LineIndex, line: int, column: int) -> lsp.Position:
    """An engine (line, code-point column) as an LSP position."""
    character = utf16_column(lines.line_text(line), column)
    if line == 0 and isinstance(lines, BomLines):
        character += 1
    return lsp.Position(line=line, character=character)


def span_to_range(span: Span, lines: LineIndex) -> lsp.Range:
    """An engine span as an LSP range."""
    return lsp.Range(
        start=position(lines, span.line, span.column),
        end=position(lines, span.end_line, span.end_column),
    )


def to_engine(pos: lsp.Position, lines: LineIndex) -> tuple[int, int]:
    """An LSP position as an engine (line, code-point column)."""
    character = pos.character
    if pos.line == 0 and isinstance(lines, BomLines):
        character = max(0, character - 1)
    return pos.line, codepoint_column(lines.line_text(pos.line), character)


def range_to_span(rng: lsp.Range, lines: LineIndex) -> Span:
    """An LSP range as an engine span."""
    line, column = to_engine(rng.start, lines)
    end_line, end_column = to_engine(rng.end, lines)
    return Span(line, column, end_line, end_column)


def diagnostic(
    d: Diagnostic,
    lines: LineIndex,
    *,
    uri: str,
    version: int | None,
    number: int,
    lines_of: LinesOf,
) -> lsp.Diagnostic:
    """An engine diagnostic as an LSP diagnostic.

    ``data`` says which analysis and which diagnostic it is, so a code action request can
    find the engine's fixes; the rule's own data rides along under ``rule``.
    """
    related: list[lsp.DiagnosticRelatedInformation] = []
    for item in d.related:
        target_uri, target_lines = uri, lines
        if item.path is not None:
            target_uri = path_to_uri(item.path)
            target_lines = lines_of(item.path) or LineIndex("")
        related.append(
            lsp.DiagnosticRelatedInformation(
                location=lsp.Location(uri=target_uri, range=span_to_range(item.span, target_lines)),
                message=item.message,
            )
        )
    data: dict[str, Any] = {"uri": uri, "version": version, "number": number}
    if d.fixes:
        data["fixes"] = len(d.fixes)
    if d.data:
        data["rule"] = d.data
    return lsp.Diagnostic(
        range=span_to_range(d.span, lines),
        message=d.message,
        severity=lsp.DiagnosticSeverity(int(d.severity)),
        code=d.code,
        code_description=lsp.CodeDescription(href=RULE_DOCS.format(d.code)),
        source=SOURCE,
        related_information=related or None,
        tags=_tags(d),
        data=data,
    )


def _tags(d: Diagnostic) -> list[lsp.DiagnosticTag] | None:
    if d.code in ("unreachable-task", "unused-ignore"):
        return [lsp.DiagnosticTag.Unnecessary]
    if d.code in ("legacy-transition", "legacy-location"):
        return [lsp.DiagnosticTag.Deprecated]
    return None


def text_edits(
    edits: Iterable[Edit], *, path: Path, uri: str, lines: LineIndex, lines_of: LinesOf
) -> dict[str, list[lsp.TextEdit]]:
    """Engine edits grouped by document URI (an edit without a path is for ``path``)."""
    changes: dict[str, list[lsp.TextEdit]] = {}
    for edit in edits:
        if edit.path is None or edit.path == path:
            target_uri, target_lines = uri, lines
        else:
            target_uri = path_to_uri(edit.path)
            target_lines = lines_of(edit.path) or LineIndex("")
        changes.setdefault(target_uri, []).append(
            lsp.TextEdit(range=span_to_range(edit.span, target_lines), new_text=edit.new_text)
        )
    return changes


def workspace_edit(
    fix: Fix, *, path: Path, uri: str, lines: LineIndex, lines_of: LinesOf
) -> lsp.WorkspaceEdit:
    """The edits of a fix as a workspace edit."""
    return lsp.WorkspaceEdit(
        changes=text_edits(fix.edits, path=path, uri=uri, lines=lines, lines_of=lines_of)
    )


def markdown(client_formats: Iterable[lsp.MarkupKind] | None, text: str) -> lsp.MarkupContent:
    """Markdown when the client renders it, else the same text as plain text."""
    formats = list(client_formats or [])
    if not formats or lsp.MarkupKind.Markdown in formats:
        return lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=text)
    return lsp.MarkupContent(kind=lsp.MarkupKind.PlainText, value=text)

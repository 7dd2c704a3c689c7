"""Report formats of ``--check``: text, JSON, SARIF 2.1.0 and GitHub annotations.

Positions leave the engine 0-based; every format here is 1-based with an
exclusive end column.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

from attune_workflow.diagnostics import Diagnostic, FileReport, Severity
from attune_workflow.files import FileProblem, read_file
from attune_workflow.positions import LineIndex
from attune_workflow.rules import RULES

from . import __version__

FORMATS = ("text", "json", "sarif", "github")
DOCS_URL = "https://github.com/attune-lsp/attune-lsp/blob/main/docs/rules.md"


def display_path(path: Path, base: Path | None = None) -> str:
    """A path relative to the working folder when it lies inside it."""
    base = base or Path.cwd()
    try:
        return os.path.relpath(path, base) if path.is_relative_to(base) else str(path)
    except ValueError:
        return str(path)


# Control characters from files (ESC starts terminal escape sequences) are shown, not sent.
_CONTROLS = {
    code: f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    for code in (*range(0x00, 0x09), *range(0x0A, 0x20), *range(0x7F, 0xA0), 0x2028, 0x2029)
}


_LINE_CONTROLS = {code: text for code, text in _CONTROLS.items() if code not in (0x0A, 0x0D)}


def printable(text: str, *, keep_lines: bool = False) -> str:
    """Text for a terminal: control characters written as ``\\xNN`` escapes (tabs kept)."""
    return text.translate(_LINE_CONTROLS if keep_lines else _CONTROLS)


# Findings about files that were not read: their source is never shown either.
_UNREAD = frozenset({"unreadable-file", "file-too-large"})
_SOURCE_LIMIT = 64 * 1024 * 1024


def _items(reports: Iterable[FileReport]) -> Iterable[tuple[FileReport, Diagnostic]]:
    for report in reports:
        for diagnostic in report.diagnostics:
            yield report, diagnostic


def write_text(
    reports: Sequence[FileReport],
    out: TextIO,
    *,
    show_source: bool,
    texts: dict[Path, str] | None = None,
) -> None:
    """``path:line:col: severity: message [rule-id]``, with the line and a caret when asked."""
    for report, d in _items(reports):
        s = d.span
        out.write(
            f"{printable(display_path(report.path))}:{s.line + 1}:{s.column + 1}: "
            f"{d.severity.label}: {printable(d.message)} [{d.code}]\n"
        )
        if show_source and d.code not in _UNREAD:
            text = (texts or {}).get(report.path)
            if text is None:
                try:
                    data = read_file(report.path, max_size=_SOURCE_LIMIT)
                except FileProblem:
                    continue
                text = data.decode("utf-8", errors="replace")
            line = LineIndex(text).line_text(s.line)
            width = (s.end_column if s.end_line == s.line else len(line)) - s.column
            out.write(f"  {printable(line)}\n  {' ' * s.column}{'^' * max(1, width)}\n")


def to_json(reports: Sequence[FileReport]) -> list[dict[str, Any]]:
    """One JSON object per diagnostic."""
    return [
        {
            "path": display_path(report.path),
            "line": d.span.line + 1,
            "column": d.span.column + 1,
            "end_line": d.span.end_line + 1,
            "end_column": d.span.end_column + 1,
            "severity": d.severity.label,
            "code": d.code,
            "message": d.message,
        }
        for report, d in _items(reports)
    ]


_SARIF_LEVEL = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFORMATION: "note",
    Severity.HINT: "note",
}


def to_sarif(reports: Sequence[FileReport]) -> dict[str, Any]:
    """A SARIF 2.1.0 log with every rule's help text."""
    rules = []
    for rule in RULES:
        rules.append(
            {
                "id": rule.id,
                "name": "".join(part.title() for part in rule.id.split("-")),
                "shortDescription": {"text": rule.summary},
                "fullDescription": {"text": rule.summary},
                "help": {"text": rule.doc.strip(), "markdown": rule.doc.strip()},
                "helpUri": f"{DOCS_URL}#{rule.id}",
                "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity]},
            }
        )
    order = {rule.id: i for i, rule in enumerate(RULES)}
    results = []
    for report, d in _items(reports):
        results.append(
            {
                "ruleId": d.code,
                "ruleIndex": order.get(d.code, -1),
                "level": _SARIF_LEVEL[d.severity],
                "message": {"text": d.message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": display_path(report.path)},
                            "region": {
                                "startLine": d.span.line + 1,
                                "startColumn": d.span.column + 1,
                                "endLine": d.span.end_line + 1,
                                "endColumn": d.span.end_column + 1,
                            },
                        }
                    }
                ],
            }
        )
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "attune-lsp",
                        "version": __version__,
                        "informationUri": DOCS_URL,
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


_GITHUB_LEVEL = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFORMATION: "notice",
    Severity.HINT: "notice",
}


def write_github(reports: Sequence[FileReport], out: TextIO) -> None:
    """GitHub Actions workflow commands, one annotation per diagnostic."""
    for report, d in _items(reports):
        s = d.span
        props = [
            f"file={_escape_property(printable(display_path(report.path)))}",
            f"line={s.line + 1}",
            f"col={s.column + 1}",
            f"endLine={s.end_line + 1}",
        ]
        if s.end_line == s.line:
            props.append(f"endColumn={s.end_column + 1}")
        props.append(f"title={_escape_property(d.code)}")
        message = _escape_data(printable(d.message, keep_lines=True))
        out.write(f"::{_GITHUB_LEVEL[d.severity]} {','.join(props)}::{message}\n")


def write_report(
    reports: Sequence[FileReport],
    fmt: str,
    out: TextIO,
    *,
    show_source: bool = False,
    texts: dict[Path, str] | None = None,
) -> None:
    """Write reports in one of :data:`FORMATS`."""
    if fmt == "json":
        json.dump(to_json(reports), out, indent=2)
        out.write("\n")
    elif fmt == "sarif":
        json.dump(to_sarif(reports), out, indent=2)
        out.write("\n")
    elif fmt == "github":
        write_github(reports, out)
    else:
        write_text(reports, out, show_source=show_source, texts=texts)

"""Any text, however broken, gives diagnostics whose ranges lie inside it; nothing raises."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attune_workflow.check import check_text
from attune_workflow.config import Config
from attune_workflow.diagnostics import Diagnostic
from attune_workflow.positions import LineIndex, Span
from attune_workflow.rules import RULES
from attune_workflow.workspace import build_index

CORPUS = Path(__file__).parent / "data" / "corpus"
SOURCES = sorted(CORPUS.rglob("*.yaml"))
CONFIG = Config(strict=True)
INDEX = build_index([CORPUS / "packs"], CONFIG)
PIECES = [
    "{{", "}}", " | length", " if x else y", "\n", "  ", "- ", ": ", "next:", "do: [a]", "'", '"',
    "\\", "#", "# attune: ignore[unknown-task]", "task.", "parameters.", "é", "😀", "\t", "[", "]",
    "{", "}", ",", "tasks:", "when: ", "---\n", "|\n", ">\n", "keystore.a", "result()",
]  # fmt: skip


def inside(span: Span, lines: LineIndex) -> bool:
    if (span.line, span.column) > (span.end_line, span.end_column):
        return False
    if not 0 <= span.line < lines.line_count or not 0 <= span.end_line < lines.line_count:
        return False
    return span.column <= len(lines.line_text(span.line)) and span.end_column <= len(
        lines.line_text(span.end_line)
    )


def assert_ranges(text: str, diagnostics: list[Diagnostic]) -> None:
    lines = LineIndex(text)
    for d in diagnostics:
        assert inside(d.span, lines), (d, text)
        for related in d.related:
            if related.path is None:
                assert inside(related.span, lines), (d, text)
        for fix in d.fixes:
            for edit in fix.edits:
                if edit.path is None:
                    assert inside(edit.span, lines), (d, fix, text)


@st.composite
def mutated(draw: st.DrawFn) -> tuple[Path, str]:
    source = draw(st.sampled_from(SOURCES))
    text = source.read_text(encoding="utf-8")
    for _ in range(draw(st.integers(0, 6))):
        pos = draw(st.integers(0, len(text)))
        if draw(st.booleans()):
            text = text[:pos] + draw(st.sampled_from(PIECES)) + text[pos:]
        else:
            end = draw(st.integers(pos, min(len(text), pos + 20)))
            text = text[:pos] + text[end:]
    return source, text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_diagnostic_ranges_lie_inside_the_document(case: tuple[Path, str]) -> None:
    path, text = case
    diagnostics = check_text(path, text, index=INDEX, config=CONFIG)
    assert_ranges(text, diagnostics)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_never_raises(text: str) -> None:
    path = CORPUS / "packs" / "mattermost" / "actions" / "workflows" / "x.workflow.yaml"
    assert_ranges(text, check_text(path, text, index=INDEX, config=CONFIG))


def test_a_failing_rule_does_not_hide_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(ctx: object) -> list[Diagnostic]:
        raise RuntimeError("boom")

    broken = dataclasses.replace(RULES[0], check=boom)
    monkeypatch.setattr("attune_workflow.check.RULES", (broken, *RULES[1:]))
    text = 'version: "1"\ntasks:\n  - name: a\n    action: core.echo\n    next:\n      - do: [b]\n'
    path = CORPUS / "packs" / "mattermost" / "actions" / "workflows" / "x.workflow.yaml"
    found = check_text(path, text, index=INDEX, config=CONFIG)
    codes = {d.code for d in found}
    assert "internal-error" in codes and "unknown-task" in codes
    failure = next(d for d in found if d.code == "internal-error")
    assert "Internal error" in failure.message and "boom" in failure.message
    assert f"'{RULES[0].id}'" in failure.message

"""Searches across files (:mod:`attune_workflow.query.occurrences`): one walk of a file."""

from __future__ import annotations

from pathlib import Path

import pytest

from attune_workflow.positions import LineIndex, Span


def test_a_search_parses_each_expression_and_indexes_each_file_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from attune_workflow import names
    from attune_workflow.check import analyze
    from attune_workflow.config import Config
    from attune_workflow.packindex import PackIndex
    from attune_workflow.query import navigation, occurrences
    from attune_workflow.query.navigation import Target

    uses = 400
    tasks = "".join(
        f"  - name: t{i}\n    action: core.echo\n"
        f'    input: {{message: "{{{{ workflow.n }}}} {{{{ workflow.n + {i} }}}}"}}\n'
        for i in range(uses // 2)
    )
    text = f'version: "1.0"\nvars:\n  n: 0\ntasks:\n{tasks}'
    path = Path("/nowhere/flow.workflow.yaml")
    ctx, _ = analyze(path, text, index=PackIndex(), config=Config())
    ctx.expressions  # noqa: B018 - parsed once by the analysis
    counts = {"parse": 0, "lines": 0}

    def parse(*args: object) -> object:
        counts["parse"] += 1
        raise AssertionError("the search parses expressions again")

    class Lines(LineIndex):
        def __init__(self, text: str) -> None:
            counts["lines"] += 1
            super().__init__(text)

    monkeypatch.setattr(navigation, "parse_expression", parse)
    monkeypatch.setattr(names, "parse_expression", parse)
    monkeypatch.setattr(occurrences, "LineIndex", Lines)
    sources = occurrences.Sources(PackIndex(), {}, {path: text}, {}, ctx.config)
    found = occurrences.occurrences(sources, ctx, Target("variable", "n", Span(0, 0, 0, 0)))
    starts = {(o.span.line, o.span.column) for o in found}
    indexes = [sources.lines(o.path) for o in found]
    assert all(lines is indexes[0] for lines in indexes)
    assert len(found) == uses + 1 and len(starts) == uses + 1
    assert counts == {"parse": 0, "lines": 1}

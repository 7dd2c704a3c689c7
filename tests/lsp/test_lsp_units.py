"""In-process tests of the server's own logic: cursor context, model keys, settings, positions."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types as lsp

from attune_lsp import convert
from attune_lsp.settings import Settings, merge_raw, parse_settings
from attune_workflow.context import FileKind
from attune_workflow.diagnostics import Severity
from attune_workflow.positions import LineIndex, Span
from attune_workflow.query.keys import item_info, key_info, model_at
from attune_workflow.query.yamlpath import ITEM, locate

DOC = """version: "1.0"
tasks:
  - name: a
    action: core.echo
    input:
      message: hi
      cmd: |
        echo {{ par
    next:
      - when: "{{ succeeded() }}"
        do: [b, c
      - do:
          - b
          -{space}
  - na
tasks2:
- name: z
  ty
""".format(space=" ")
LINES = DOC.split("\n")


def where(line: int, column: int | None = None) -> tuple[str, tuple[str, ...], str | None, str]:
    ctx = locate(LINES, line, len(LINES[line]) if column is None else column)
    return ctx.kind, ctx.path, ctx.key, ctx.prefix


@pytest.mark.parametrize(
    ("line", "column", "expected"),
    [
        (0, 3, ("key", (), "version", "ver")),
        (0, 10, ("value", (), "version", "")),
        (3, None, ("value", ("tasks", ITEM), "action", "core.echo")),
        (5, 8, ("key", ("tasks", ITEM, "input"), "message", "me")),
        (7, None, ("block", ("tasks", ITEM, "input"), "cmd", "par")),
        (10, None, ("value", ("tasks", ITEM, "next", ITEM), "do", "c")),
        (13, None, ("item", ("tasks", ITEM, "next", ITEM, "do", ITEM), None, "")),
        (14, None, ("item", ("tasks", ITEM), None, "na")),
        (17, None, ("key", ("tasks2", ITEM), None, "ty")),
    ],
)
def test_locate(line: int, column: int | None, expected: tuple[object, ...]) -> None:
    assert where(line, column) == expected


def test_locate_blank_line_takes_the_cursor_column() -> None:
    lines = ["tasks:", "  - name: a", "    retry:", "      count: 1", "      "]
    assert locate(lines, 4, 6).path == ("tasks", ITEM, "retry")
    assert locate(lines, 4, 4).path == ("tasks", ITEM)


def test_model_keys() -> None:
    assert model_at(FileKind.WORKFLOW, ("tasks", ITEM, "next", ITEM)).__name__ == "Transition"  # type: ignore[union-attr]
    assert model_at(FileKind.WORKFLOW, ("tasks", ITEM, "tasks", ITEM)).__name__ == "Task"  # type: ignore[union-attr]
    info = key_info(FileKind.WORKFLOW, ("tasks", ITEM, "retry"), "backoff")
    assert info is not None and info.values == ("constant", "linear", "exponential")
    do = item_info(FileKind.WORKFLOW, ("tasks", ITEM, "next", ITEM, "do", ITEM))
    assert do is not None and do.item_shape == "scalar"
    legacy = key_info(FileKind.WORKFLOW, ("tasks", ITEM), "on_success")
    assert legacy is not None and legacy.description and "Legacy" in legacy.description


def test_settings() -> None:
    settings, problems = parse_settings(
        {
            "attune": {
                "databaseUrl": " postgresql://x ",
                "packRoots": ["p"],
                "strict": True,
                "rules": {"unknown-key": "error", "result-path": "off"},
            }
        },
        base=Path("/w"),
    )
    assert problems == []
    assert settings == Settings(
        database_url="postgresql://x",
        pack_roots=(Path("/w/p"),),
        rules={"unknown-key": Severity.ERROR, "result-path": None},
        strict=True,
    )
    _, problems = parse_settings({"maxFileSize": 0, "rules": {"nope": "error"}, "x": 1})
    assert len(problems) == 3
    assert merge_raw({"strict": True}, {"attune": {"strict": False}}) == {"strict": False}


def test_positions_are_utf16_only_at_the_edge() -> None:
    lines = LineIndex('a: "🚀x"\n')
    rng = convert.span_to_range(Span(0, 5, 0, 6), lines)  # the `x` after the emoji
    assert rng == lsp.Range(lsp.Position(0, 6), lsp.Position(0, 7))
    assert convert.range_to_span(rng, lines) == Span(0, 5, 0, 6)

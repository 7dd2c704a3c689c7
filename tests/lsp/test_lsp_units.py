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


CLIENTS = ["visual_studio_code", "neovim", "emacs", None]


@pytest.mark.parametrize("profile", CLIENTS)
def test_the_prelude_answers_initialize_as_the_full_server(profile: str | None) -> None:
    """``capabilities.json`` must follow the features: regenerate it when this fails."""
    from pytest_lsp import client_capabilities

    from attune_lsp.prelude import initialize_result
    from attune_lsp.server import create_server

    server = create_server()
    caps = client_capabilities(profile) if profile else lsp.ClientCapabilities()
    converter = server.protocol._converter
    steps = server.protocol.lsp_initialize(
        lsp.InitializeParams(capabilities=caps, process_id=None, root_uri=None)
    )
    try:
        while True:
            handler, args, _ = next(steps)
            handler(*args)
    except StopIteration as stop:
        expected = converter.unstructure(stop.value)
    assert initialize_result(converter.unstructure(caps)) == expected


def test_the_prelude_publishes_diagnostics_as_the_full_server() -> None:
    from attune_lsp.prelude import diagnostic_json
    from attune_lsp.server import create_server
    from attune_workflow.check import analyze
    from attune_workflow.config import Config
    from attune_workflow.packindex import PackIndex

    folder = Path(__file__).parent / "data" / "workspace" / "packs" / "shop" / "actions"
    converter = create_server().protocol._converter
    checked = 0
    for path in sorted(folder.rglob("*.yaml")):
        text = path.read_text()
        _, found = analyze(path, text, index=PackIndex(), config=Config(strict=True))
        lines = LineIndex(text)
        uri = path.as_uri()
        for n, d in enumerate(found):
            full = convert.diagnostic(
                d, lines, uri=uri, version=3, number=n, lines_of=lambda p: LineIndex(p.read_text())
            )
            early = diagnostic_json(d, lines, uri=uri, version=3, number=n)
            assert early == converter.unstructure(full)
            checked += 1
    assert checked >= 4

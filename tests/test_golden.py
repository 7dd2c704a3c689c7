"""Golden tests: ``tests/data/<rule-id>/<case>`` against ``<case>.out``.

A case is a YAML file or a folder (a pack tree); the ``.out`` file holds
exactly what ``attune-lsp --check <case>`` prints, run from the rule's folder.
``pytest --update-golden`` rewrites the ``.out`` files.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from attune_lsp.cli import build_parser, run_check
from attune_workflow.rules import RULES_BY_ID

DATA = Path(__file__).parent / "data"


def golden_cases() -> list[Path]:
    cases = []
    for rule_id in sorted(RULES_BY_ID):
        folder = DATA / rule_id
        if not folder.is_dir():
            continue
        for entry in sorted(folder.iterdir()):
            if entry.name.startswith(("fail", "pass")) and entry.suffix != ".out":
                cases.append(entry)
    return cases


def run_cli_check(target: Path, cwd: Path, *extra: str) -> tuple[int, str]:
    """Run ``attune-lsp --check`` in-process from ``cwd``; returns (exit code, stdout)."""
    args = build_parser().parse_args(["check", "--color", "never", *extra, str(target)])
    out, err = io.StringIO(), io.StringIO()
    old = Path.cwd()
    os.chdir(cwd)
    try:
        code = run_check(args, out, err)
    finally:
        os.chdir(old)
    return code, out.getvalue()


@pytest.mark.parametrize("case", golden_cases(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_golden(case: Path, update_golden: bool) -> None:
    expected_file = case.parent / (case.stem + ".out" if case.is_file() else case.name + ".out")
    _code, output = run_cli_check(Path(case.name), case.parent)
    if update_golden:
        expected_file.write_text(output, encoding="utf-8")
    assert expected_file.exists(), f"missing {expected_file}: run pytest --update-golden"
    assert output == expected_file.read_text(encoding="utf-8")

"""The VS Code extension's TextMate grammar names the engine's functions and namespaces."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from attune_workflow.expressions import ALL_FUNCTIONS, NAMESPACES

GRAMMAR = (
    Path(__file__).parent.parent / "vscode-extension/syntaxes/attune-expression.tmLanguage.json"
)


def _names(pattern: str) -> set[str]:
    """The words of the first ``(a|b|c)`` alternation in a pattern."""
    match = re.search(r"\((?:\?:)?([a-z_|]+)\)", pattern)
    assert match is not None, pattern
    return set(match.group(1).split("|"))


def test_grammar_lists_match_the_engine_tables() -> None:
    repo: dict[str, Any] = json.loads(GRAMMAR.read_text())["repository"]
    builtin = repo["call"]["patterns"][0]["match"]
    assert _names(builtin) == set(ALL_FUNCTIONS)
    assert _names(repo["namespace"]["match"]) == set(NAMESPACES)
    task_keyed = {name for name, info in NAMESPACES.items() if info.task_keyed}
    assert _names(repo["task-name"]["match"]) == task_keyed

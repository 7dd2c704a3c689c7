"""Docs and tests cannot drift: every rule has a unique id, its doc and golden cases."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from attune_lsp.ruledocs import render_rules
from attune_workflow.rules import GROUPS, RULES, RULES_BY_ID
from attune_workflow.rules.base import DOC_SECTIONS

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent
RULE_FOLDER = ROOT / "shared" / "attune_workflow" / "rules"
# Every rule module on disk (the registry must list each one, and only those).
CATALOGUE = {
    path.stem.replace("_", "-")
    for path in RULE_FOLDER.glob("*.py")
    if path.stem not in {"__init__", "base"}
}


def test_every_catalogued_rule_is_registered_once() -> None:
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids))
    assert set(ids) == CATALOGUE
    assert all(rule.module.endswith("." + rule.id.replace("-", "_")) for rule in RULES)
    assert sorted(i for group in GROUPS.values() for i in group) == sorted(ids)


@pytest.mark.parametrize("rule_id", sorted(CATALOGUE))
def test_rule_has_doc_sections(rule_id: str) -> None:
    rule = RULES_BY_ID[rule_id]
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.id)
    doc = rule.doc
    assert doc.strip().splitlines()[0].strip(), "a one-line summary"
    positions = [doc.find(section) for section in DOC_SECTIONS]
    assert all(p > 0 for p in positions), f"{rule_id}: missing one of {DOC_SECTIONS}"
    assert positions == sorted(positions), f"{rule_id}: sections out of order"
    assert "TODO" not in doc


@pytest.mark.parametrize("rule_id", sorted(CATALOGUE))
def test_rule_has_failing_and_passing_golden_case(rule_id: str) -> None:
    folder = DATA / rule_id
    outs = {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.out")}
    fails = [text for name, text in outs.items() if name.startswith("fail")]
    passes = [text for name, text in outs.items() if name.startswith("pass")]
    assert fails, f"{rule_id}: no fail_* golden case"
    assert passes, f"{rule_id}: no pass_* golden case"
    tag = f"[{rule_id}]"
    assert all(tag in text for text in fails), f"{rule_id}: a fail case does not report it"
    assert not any(tag in text for text in passes), f"{rule_id}: a pass case reports it"


def test_rule_docs_are_generated() -> None:
    generated = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert generated == render_rules("markdown"), "run: attune-lsp rules > docs/rules.md"

"""Real Attune files get exactly what a correct checker reports (tests/data/corpus/SOURCE.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from attune_workflow.check import check_paths
from attune_workflow.config import Config
from attune_workflow.diagnostics import FileReport, Severity

CORPUS = Path(__file__).parent / "data" / "corpus"
SNIPPETS = CORPUS / "snippets"

# Rules each snippet must get (unknown-action on made-up actions aside).
EXPECTED = {
    "legacy_simple": {"legacy-transition"},
    "legacy_parallel": {"legacy-transition"},
    "legacy_decision": {"legacy-transition"},
    "legacy_all_transition_types": {"legacy-transition"},
    "next_multi": set(),
    "next_cycle": set(),
    "typed_publish": set(),
    "chart_meta": set(),
    "standalone_flat_params": set(),
    "next_precedence_over_legacy": {"legacy-ignored"},
    "next_invalid_ref": {"unknown-task"},
    "duplicate_task_names": {"duplicate-task"},
    "invalid_action_ref": {"invalid-ref"},
    "reserved_keyword": {"reserved-task-name"},
    "wait_for_multiple_targets": {"invalid-value"},
    "wait_for_with_iteration": {"wait-for-misuse"},
    "wait_for_in_cycle": {"wait-for-misuse"},
}
# Findings that accompany a snippet's main one and are right too.
ALSO_ALLOWED = {"unknown-action", "unverified-action"}


def _check(path: Path) -> list[FileReport]:
    return check_paths([path], Config(), jobs=1)


def test_every_snippet_is_expected() -> None:
    assert {p.stem for p in SNIPPETS.glob("*.yaml")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_snippet(name: str) -> None:
    (report,) = _check(SNIPPETS / f"{name}.yaml")
    codes = {d.code for d in report.diagnostics}
    assert EXPECTED[name] <= codes, f"{name}: expected {EXPECTED[name]}, got {codes}"
    unexpected = codes - EXPECTED[name] - ALSO_ALLOWED
    assert not unexpected, f"{name}: unexpected {unexpected}: {report.diagnostics}"
    if not EXPECTED[name] or EXPECTED[name] == {"legacy-transition"}:
        errors = [
            d
            for d in report.diagnostics
            if d.severity is Severity.ERROR and d.code != "unknown-action"
        ]
        assert not errors, errors


def test_mattermost_pack_is_clean() -> None:
    reports = _check(CORPUS / "packs" / "mattermost")
    assert len(reports) >= 4
    errors = [
        (r.path.name, d) for r in reports for d in r.diagnostics if d.severity is Severity.ERROR
    ]
    assert errors == []


@pytest.mark.parametrize(
    ("pack", "missing"),
    [
        (
            "deployments",
            {"deployments.validate_release", "deployments.deploy_region", "deployments.rollback"},
        ),
        ("examples", {"examples.process_user_batch"}),
    ],
)
def test_undefined_actions_are_reported(pack: str, missing: set[str]) -> None:
    reports = _check(CORPUS / "packs" / pack)
    found = {d.code for r in reports for d in r.diagnostics if d.severity is Severity.ERROR}
    assert found == {"unknown-action"}, found
    messages = " ".join(d.message for r in reports for d in r.diagnostics)
    for ref in missing:
        assert ref in messages
    assert "core." not in " ".join(
        d.message for r in reports for d in r.diagnostics if d.code == "unknown-action"
    ), "core actions must resolve"


def test_core_pack_manifest_and_actions_have_no_errors() -> None:
    reports = _check(CORPUS / "packs" / "core")
    errors = [d for r in reports for d in r.diagnostics if d.severity is Severity.ERROR]
    assert errors == []

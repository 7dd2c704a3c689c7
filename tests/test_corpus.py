"""Real Attune files get exactly what a correct checker reports (tests/data/corpus/SOURCE.md)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from attune_lsp.cli import build_parser, run_check
from attune_workflow.config import Config
from attune_workflow.diagnostics import FileReport, Severity
from attune_workflow.packindex import bundled_core
from attune_workflow.workspace import check_paths
from attune_workflow.yamlsource import parse_yaml

CORPUS = Path(__file__).parent / "data" / "corpus"
SNIPPETS = CORPUS / "snippets"

# Rules each snippet must get (unknown-action on made-up actions aside).
EXPECTED = {
    "legacy_simple": {"legacy-transition"},
    "legacy_parallel": {"legacy-transition", "skipped-by-scheduler"},
    "legacy_decision": {"legacy-transition"},
    "legacy_all_transition_types": {"legacy-transition"},
    "next_multi": set(),
    "next_cycle": {"unreachable-task"},
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
    "wait_for_in_cycle": {"wait-for-misuse", "unreachable-task"},
}
# Snippets Attune accepts: warnings at most (a parallel task and a graph without an entry
# task parse, but the scheduler runs neither).
VALID = {
    "legacy_simple",
    "legacy_parallel",
    "legacy_decision",
    "legacy_all_transition_types",
    "next_multi",
    "next_cycle",
    "typed_publish",
    "chart_meta",
    "standalone_flat_params",
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
    if name in VALID:
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
    # these guide excerpts come without pack.yaml, which pack-manifest reports once
    assert found == {"unknown-action", "pack-manifest"}, found
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


# -- attune-packs and the core actions ----------------------------------------------------------

ATTUNE_PACKS = CORPUS / "attune-packs"


def test_attune_packs_have_no_errors(update_golden: bool) -> None:
    """Real packs that Attune installs: no error, and exactly the findings in the golden file."""
    expected_file = CORPUS / "attune-packs.out"
    args = build_parser().parse_args(["check", "--color", "never", "attune-packs"])
    out, err = io.StringIO(), io.StringIO()
    old = Path.cwd()
    os.chdir(CORPUS)
    try:
        code = run_check(args, out, err)
    finally:
        os.chdir(old)
    output = out.getvalue()
    if update_golden:
        expected_file.write_text(output, encoding="utf-8")
    assert " error: " not in output
    assert code == 0
    assert output == expected_file.read_text(encoding="utf-8")


def test_bundled_core_index_matches_attunes_core_actions() -> None:
    """The bundled core index says what Attune's own core action files say."""
    core = bundled_core()
    files = sorted((CORPUS / "core-actions").glob("*.yaml"))
    assert len(files) > 5
    for path in files:
        if path.name == "pack.yaml":
            continue
        data = parse_yaml(path.read_text(encoding="utf-8")).data
        action = core.actions.get(data["ref"])
        assert action is not None, f"{data['ref']} is missing from the bundled index"
        assert action.parameters == data.get("parameters"), data["ref"]
        assert action.output == data.get("output"), data["ref"]

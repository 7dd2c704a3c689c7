"""``attune-lsp rehearse``: text, JSON and JUnit reports, exit codes, pack coverage."""

from __future__ import annotations

import io
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from attune_lsp.cli import main
from attune_lsp.rehearsecli import run_rehearse

DEMO = Path(__file__).parent.parent / "examples" / "packs" / "demo"


def rehearse(paths: list[Path], fmt: str = "text") -> tuple[int, str]:
    out = io.StringIO()
    code = run_rehearse(paths, fmt, out)
    return code, out.getvalue()


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    """A copy of the demo pack, with one more scenario that breaks an expectation."""
    root = tmp_path / "demo"
    shutil.copytree(DEMO, root)
    (root / "tests" / "wrong.scenario.yaml").write_text(
        "workflow: demo.onboard_user\n"
        "parameters: {user: Ada, teams: [a, b]}\n"
        "tasks:\n  greet_user: {result: {greeting: Hi}}\n"
        "expect:\n  output: {notified: 3}\n  not_ran: [notify_teams]\n",
        encoding="utf-8",
    )
    return root


def test_the_example_pack_passes() -> None:
    code, text = rehearse([DEMO])
    assert code == 0
    assert text.count("\nPASS\n") == 2
    assert "transition coverage: 2 of 2 fired" in text
    assert text.endswith("2 of 2 scenarios passed\n")


def test_one_scenario_prints_the_trace() -> None:
    code, text = rehearse([DEMO / "tests" / "happy_path.scenario.yaml"])
    assert code == 0
    assert "  1. greet_user: succeeded (2 attempts)\n" in text
    assert "     next[0] {{ succeeded() }}: fired, condition is true\n" in text
    assert '       publish greeting = "Hello, Ada"\n' in text
    assert "  2. notify_teams: succeeded (3 items)\n" in text
    assert "  skipped report_failure: no transition started it\n" in text
    assert "transition coverage" not in text


def test_a_broken_expectation_fails_with_a_clear_trace(pack: Path) -> None:
    code, text = rehearse([pack / "tests" / "wrong.scenario.yaml"])
    assert code == 1
    assert "    FAIL output.notified == 3 (got 2)\n" in text
    assert "    FAIL notify_teams did not run (ran 2nd)\n" in text
    assert text.rstrip().endswith("0 of 1 scenario passed")


def test_pack_mode_reports_transitions_no_scenario_fired(pack: Path) -> None:
    for name in ("greet_fails", "happy_path"):
        (pack / "tests" / f"{name}.scenario.yaml").unlink()
    code, text = rehearse([pack])
    assert code == 1
    assert "transition coverage: 1 of 2 fired" in text
    assert (
        "onboard_user.workflow.yaml:19 greet_user next[1] when {{ failed() }} → report_failure"
        in text
    )


def test_json_report(pack: Path) -> None:
    code, text = rehearse([pack], "json")
    assert code == 1
    data = json.loads(text)
    assert [s["passed"] for s in data["scenarios"]] == [True, True, False]
    assert data["scenarios"][2]["steps"][0]["published"] == {"greeting": "Hi"}
    assert [c["fired"] for c in data["coverage"]] == [True, True]


def test_junit_report(pack: Path) -> None:
    code, text = rehearse([pack], "junit")
    assert code == 1
    suite = ET.fromstring(text.split("?>", 1)[1])
    assert suite.get("tests") == "3" and suite.get("failures") == "1"
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [
        "greeting fails",
        "greet retried, teams notified",
        "wrong",
    ]
    failure = cases[2].find("failure")
    assert failure is not None
    assert "output.notified == 3 (got 2)" in (failure.get("message") or "")


def test_a_scenario_that_cannot_run_is_an_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.scenario.yaml"
    bad.write_text("workflow: nowhere.yaml\n", encoding="utf-8")
    code, text = rehearse([bad])
    assert code == 1
    assert "ERROR" in text and "workflow file not found: nowhere.yaml" in text
    code, xml = rehearse([bad], "junit")
    assert 'errors="1"' in xml


def test_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rehearse", str(tmp_path / "missing.scenario.yaml")]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    assert main(["rehearse", str(tmp_path)]) == 2
    assert "no *.scenario.yaml files" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(["rehearse"])
    assert info.value.code == 2

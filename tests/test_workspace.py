"""The per-file configuration resolver and the entry point from a file to its analysis."""

from __future__ import annotations

from pathlib import Path

import pytest

from attune_workflow.config import CONFIG_NAME, Config, ConfigError, ConfigResolver
from attune_workflow.context import FileKind
from attune_workflow.diagnostics import Severity
from attune_workflow.rules import RULES_BY_ID
from attune_workflow.workspace import Workspace, analyse_file, check_paths
from attune_workflow.yamlsource import YamlDocument

WORKFLOW = (
    'version: "1.0.0"\ntasks:\n  - name: a\n    action: core.echo\n    next:\n      - do: [b]\n'
)


def resolver(roots: list[Path], settings: Config | None = None) -> ConfigResolver:
    return ConfigResolver(roots, settings or Config(), RULES_BY_ID)


def test_nearest_project_file_wins_and_settings_lie_over_it(tmp_path: Path) -> None:
    (tmp_path / CONFIG_NAME).write_text("rules:\n  unknown-task: off\n  unknown-key: hint\n")
    nested = tmp_path / "packs" / "a"
    nested.mkdir(parents=True)
    (nested / CONFIG_NAME).write_text("rules:\n  unknown-task: warning\n")
    configs = resolver([tmp_path], Config(rules={"duplicate-key": Severity.HINT}, strict=True))
    inner = configs.config_for(nested / "w.yaml")
    assert inner.rules == {"unknown-task": Severity.WARNING, "duplicate-key": Severity.HINT}
    assert inner.strict
    outer = configs.config_for(tmp_path / "packs" / "w.yaml")
    assert outer.rules == {
        "unknown-task": None,
        "unknown-key": Severity.HINT,
        "duplicate-key": Severity.HINT,
    }
    configs = resolver([tmp_path], Config(rules={"unknown-task": Severity.ERROR}))
    assert configs.config_for(nested / "w.yaml").rules == {"unknown-task": Severity.ERROR}


def test_search_stops_at_the_workspace_root(tmp_path: Path) -> None:
    (tmp_path / CONFIG_NAME).write_text("rules:\n  unknown-task: off\n")
    root = tmp_path / "ws"
    (root / "pack").mkdir(parents=True)
    assert resolver([root]).config_for(root / "pack" / "w.yaml").rules == {}
    # outside every root, the search goes up to the file system root
    assert resolver([root / "pack"]).project_file(tmp_path / "other" / "w.yaml") == (
        tmp_path / CONFIG_NAME
    )


def test_a_bad_project_file_raises_or_is_collected(tmp_path: Path) -> None:
    (tmp_path / CONFIG_NAME).write_text("rules:\n  no-such-rule: off\n")
    with pytest.raises(ConfigError, match="no-such-rule"):
        resolver([tmp_path]).config_for(tmp_path / "w.yaml")
    settings = Config(strict=True)
    collecting = ConfigResolver([tmp_path], settings, RULES_BY_ID, collect=True)
    assert collecting.config_for(tmp_path / "w.yaml") is settings
    assert any("no-such-rule" in problem for problem in collecting.problems)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_bad_project_file_stops_a_check_before_any_file_is_checked(
    tmp_path: Path, jobs: int
) -> None:
    # a workflow linked from a folder the check does not walk (a hidden one), whose
    # project file is bad: the link's configuration is that of the folder it leads to
    hidden = tmp_path / ".drafts"
    hidden.mkdir()
    (hidden / CONFIG_NAME).write_text("rules:\n  no-such-rule: off\n")
    (hidden / "w.workflow.yaml").write_text(WORKFLOW)
    (tmp_path / "flows").mkdir()
    (tmp_path / "flows" / "w.workflow.yaml").symlink_to(hidden / "w.workflow.yaml")
    for n in range(70):  # enough files for a pool of processes
        (tmp_path / "flows" / f"f{n}.workflow.yaml").write_text(WORKFLOW)
    with pytest.raises(ConfigError, match="no-such-rule"):
        check_paths([tmp_path], Workspace([tmp_path]), jobs=jobs)
    (hidden / CONFIG_NAME).write_text("rules:\n  unknown-task: off\n")
    reports = check_paths([tmp_path], Workspace([tmp_path]), jobs=jobs)
    found = {report.path.name: [d.code for d in report.diagnostics] for report in reports}
    assert len(found) == 71
    assert found["w.workflow.yaml"] == []
    assert found["f0.workflow.yaml"] == ["unknown-task"]


@pytest.mark.parametrize("as_bytes", [False, True])
def test_analyse_file_text_bytes_and_disk_agree(tmp_path: Path, as_bytes: bool) -> None:
    path = tmp_path / "w.workflow.yaml"
    path.write_text(WORKFLOW)
    workspace = Workspace([tmp_path])
    workspace.index_packs([path])
    source = WORKFLOW.encode() if as_bytes else WORKFLOW
    given = analyse_file(path, source, workspace, kind=FileKind.WORKFLOW)
    read = analyse_file(path, None, workspace, kind=FileKind.WORKFLOW)
    assert [d.code for d in given.diagnostics] == ["unknown-task"]
    assert given.diagnostics == read.diagnostics
    assert given.ctx is not None and given.text == WORKFLOW


def test_unreadable_content_has_no_context(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    analysis = analyse_file(path, b"\xff\xfe tasks", Workspace([tmp_path]))
    assert analysis.ctx is None
    assert [d.code for d in analysis.diagnostics] == ["encoding"]
    missing = analyse_file(tmp_path / "gone.yaml", None, Workspace([tmp_path]))
    assert missing.ctx is None and [d.code for d in missing.diagnostics] == ["unreadable-file"]


def test_a_check_parses_each_action_file_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from attune_workflow import check

    corpus = Path(__file__).parent / "data" / "corpus" / "packs"
    for name in ("deployments", "mattermost"):
        shutil.copytree(corpus / name, tmp_path / name)
    (tmp_path / "deployments" / "actions" / "broken.yaml").write_text("ref: [deployments\n")
    workspace = Workspace([tmp_path])
    expected = {
        report.path: report.diagnostics for report in check_paths([tmp_path], workspace, jobs=1)
    }
    parses: list[str] = []
    parse = check.parse_yaml

    def counted(text: str) -> YamlDocument:
        parses.append(text)
        return parse(text)

    monkeypatch.setattr(check, "parse_yaml", counted)
    reports = check_paths([tmp_path], workspace, jobs=1)
    assert {report.path: report.diagnostics for report in reports} == expected
    actions = [r.path for r in reports if r.path.parent.name == "actions"]
    assert len(actions) >= 3 and any(expected[path] for path in actions)
    # the check parses the workflows and the manifests, not the action files again
    assert len(parses) == len(reports) - len(actions)
    assert workspace.parsed is None

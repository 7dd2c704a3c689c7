"""The ``attune-lsp`` command: formats, exit codes, stdin, limits, schemas."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from attune_lsp.cli import main

CORPUS = Path(__file__).parent / "data" / "corpus"
EXAMPLES = Path(__file__).parent.parent / "examples" / "packs"
BAD = 'version: "1.0.0"\ntasks:\n  - name: a\n    action: core.echo\n    next:\n      - do: [b]\n'


def run(
    args: list[str], stdin: str | None = None, env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    """Run the real command in a fresh process."""
    exe = Path(sys.executable).parent / "attune-lsp"
    proc = subprocess.run(
        [str(exe), *args], input=stdin, capture_output=True, text=True,
        env={**os.environ, "GITHUB_ACTIONS": "false", **(env or {})}, check=False,
    )  # fmt: skip
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture
def bad_pack(tmp_path: Path) -> Path:
    root = tmp_path / "p"
    (root / "actions" / "workflows").mkdir(parents=True)
    (root / "pack.yaml").write_text('ref: p\nlabel: P\nversion: "1.0.0"\n')
    (root / "actions" / "w.yaml").write_text("ref: p.w\nworkflow_file: workflows/w.yaml\n")
    (root / "actions" / "workflows" / "w.yaml").write_text(BAD)
    return root


def test_examples_are_clean_and_exit_zero() -> None:
    code, out, _ = run(["--check", str(EXAMPLES)])
    assert code == 0, out
    assert "error" not in out


def test_text_format_and_findings_exit_one(bad_pack: Path) -> None:
    code, out, err = run(["--check", str(bad_pack)])
    assert code == 1
    line = next(line for line in out.splitlines() if "[unknown-task]" in line)
    assert line.endswith("[unknown-task]")
    assert ":6:14: error: " in line
    assert "1 error" in err


def test_json_format_positions(bad_pack: Path) -> None:
    code, out, _ = run(["check", "--format", "json", str(bad_pack)])
    assert code == 1
    items = json.loads(out)
    item = next(i for i in items if i["code"] == "unknown-task")
    assert set(item) == {
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "severity",
        "code",
        "message",
    }
    assert (item["line"], item["column"], item["end_line"], item["end_column"]) == (6, 14, 6, 15)
    assert item["severity"] == "error"


def test_sarif_format(bad_pack: Path) -> None:
    _, out, _ = run(["--check", "--format", "sarif", str(bad_pack)])
    log = json.loads(out)
    assert log["version"] == "2.1.0"
    driver = log["runs"][0]["tool"]["driver"]
    rule_ids = [r["id"] for r in driver["rules"]]
    assert "unknown-task" in rule_ids
    assert all(r["help"]["text"] for r in driver["rules"])
    result = next(r for r in log["runs"][0]["results"] if r["ruleId"] == "unknown-task")
    assert result["level"] == "error"
    region = result["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"], region["endColumn"]) == (6, 14, 15)
    assert driver["rules"][result["ruleIndex"]]["id"] == "unknown-task"


def test_github_format_is_default_on_actions(bad_pack: Path) -> None:
    _, out, _ = run(["--check", str(bad_pack)], env={"GITHUB_ACTIONS": "true"})
    line = next(line for line in out.splitlines() if "unknown-task" in line)
    assert line.startswith("::error file=")
    assert ",line=6,col=14,endLine=6,endColumn=15,title=unknown-task::" in line


def test_strict_makes_warnings_fail(tmp_path: Path) -> None:
    f = tmp_path / "w.yaml"
    f.write_text('version: "1"\ntasks:\n  - name: a\n    action: core.echo\n    delay: 5\n')
    assert run(["--check", str(f)])[0] == 0
    assert run(["--check", "--strict", str(f)])[0] == 1


def test_stdin_with_filename(bad_pack: Path) -> None:
    name = bad_pack / "actions" / "workflows" / "w.yaml"
    code, out, _ = run(
        ["--check", "--stdin", "--stdin-filename", str(name), "--format", "json"], BAD
    )
    assert code == 1
    assert any(i["code"] == "unknown-task" for i in json.loads(out))


def test_max_file_size(bad_pack: Path) -> None:
    code, out, _ = run(["--check", "--max-file-size", "10", "--format", "json", str(bad_pack)])
    assert code == 1
    assert {i["code"] for i in json.loads(out)} == {"file-too-large"}


@pytest.mark.parametrize(
    "args",
    [["--check", "--format", "xml", "."], ["--check", "/no/such/path"], ["--check", "--jobs", "0", "."],
     ["--check", "--max-file-size", "lots", "."], ["schema", "nothing"]],
)  # fmt: skip
def test_usage_errors_exit_two(args: list[str]) -> None:
    code, _, err = run(args)
    assert code == 2
    assert "Traceback" not in err


def test_bad_config_file_is_a_usage_error(bad_pack: Path) -> None:
    (bad_pack / ".attune-lsp.yaml").write_text("rules:\n  no-such-rule: off\n")
    code, _, err = run(["--check", str(bad_pack)])
    assert code == 2
    assert "no-such-rule" in err and "Traceback" not in err


def test_config_file_turns_a_rule_off(bad_pack: Path) -> None:
    (bad_pack / ".attune-lsp.yaml").write_text("rules:\n  unknown-task: off\n")
    _, out, _ = run(["--check", str(bad_pack)])
    assert "unknown-task" not in out


def test_source_line_and_caret(bad_pack: Path) -> None:
    _, out, _ = run(["--check", "--color", "always", str(bad_pack)])
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if "[unknown-task]" in line)
    assert lines[at + 1] == "        - do: [b]"
    assert lines[at + 2] == "  " + " " * 13 + "^"


def test_workflow_schema_accepts_real_files_and_rejects_a_float_version() -> None:
    out = io.StringIO()
    sys_stdout, sys.stdout = sys.stdout, out
    try:
        assert main(["schema", "workflow"]) == 0
    finally:
        sys.stdout = sys_stdout
    schema = json.loads(out.getvalue())
    graph = CORPUS / "packs" / "mattermost" / "actions" / "workflows" / "post_thread.workflow.yaml"
    jsonschema.validate(yaml.safe_load(graph.read_text()), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"version": 1.0, "tasks": [{"name": "a"}]}, schema)


@pytest.mark.parametrize("which", ["action", "pack"])
def test_other_schemas_accept_real_files(which: str) -> None:
    out = io.StringIO()
    sys_stdout, sys.stdout = sys.stdout, out
    try:
        assert main(["schema", which]) == 0
    finally:
        sys.stdout = sys_stdout
    schema = json.loads(out.getvalue())
    files = {
        "action": CORPUS / "packs" / "mattermost" / "actions" / "post_message.yaml",
        "pack": CORPUS / "packs" / "mattermost" / "pack.yaml",
    }
    jsonschema.validate(yaml.safe_load(files[which].read_text()), schema)


def test_parallel_run_matches_serial(tmp_path: Path) -> None:
    for i in range(40):
        shutil.copytree(CORPUS / "packs" / "deployments", tmp_path / f"d{i}")
    serial = run(["--check", "--jobs", "1", "--format", "json", str(tmp_path)])
    parallel = run(["--check", "--jobs", "2", "--format", "json", str(tmp_path)])
    assert serial[0] == parallel[0] == 1
    assert json.loads(serial[1]) == json.loads(parallel[1])
    assert len(json.loads(serial[1])) >= 40


ARGO = """apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: build-
spec:
  entrypoint: main
  templates:
    - name: main
      container: {image: "alpine:3.19", command: [echo, "{{workflow.name}}"]}
"""


def test_a_workflows_folder_outside_packs_without_attune_keys_is_not_checked(
    tmp_path: Path,
) -> None:
    manifests = tmp_path / "k8s" / "workflows"
    manifests.mkdir(parents=True)
    (manifests / "build.yaml").write_text(ARGO)
    assert main(["--check", str(tmp_path)]) == 0
    # The same keys inside a pack, or a file with Attune keys, are still checked.
    (manifests / "flow.yaml").write_text(BAD)
    assert main(["--check", str(manifests / "flow.yaml")]) == 1
    (tmp_path / "k8s" / "pack.yaml").write_text('ref: k8s\nlabel: K\nversion: "1.0.0"\n')
    assert main(["--check", str(manifests / "build.yaml")]) == 1


def test_workflow_keys_follow_the_model() -> None:
    from attune_workflow.context import WORKFLOW_KEYS
    from attune_workflow.model.workflow import WorkflowFile

    assert {f.alias or name for name, f in WorkflowFile.model_fields.items()} == WORKFLOW_KEYS


def test_a_check_does_not_load_the_package_metadata_machinery(bad_pack: Path) -> None:
    # pydantic's plugin loader imports importlib.metadata only to list plugins a check turns off
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "attune_lsp", "--check", str(bad_pack)],
        capture_output=True, text=True, env={**env, "GITHUB_ACTIONS": "false"}, check=False,
    )  # fmt: skip
    imported = {
        line.rsplit("|", 1)[-1].strip()
        for line in proc.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert proc.returncode == 1, proc.stdout
    assert "unknown-task" in proc.stdout
    assert "attune_workflow.model.workflow" in imported  # the models were built
    assert "importlib.metadata" not in imported


def test_the_plugin_loader_stand_in_gives_other_names_from_the_real_loader(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from attune_lsp.cli import _PLUGIN_LOADER, _NoPluginLoader

    stand_in = _NoPluginLoader(_PLUGIN_LOADER)
    monkeypatch.delitem(sys.modules, _PLUGIN_LOADER, raising=False)
    monkeypatch.setitem(sys.modules, _PLUGIN_LOADER, stand_in)
    assert tuple(stand_in.get_plugins()) == ()
    with pytest.raises(AttributeError):
        _ = stand_in.__path__  # not a package: `from ._loader import x` asks this
    assert sys.modules[_PLUGIN_LOADER] is stand_in
    assert stand_in.PYDANTIC_ENTRY_POINT_GROUP == "pydantic"  # loaded from the real module
    assert sys.modules[_PLUGIN_LOADER] is not stand_in

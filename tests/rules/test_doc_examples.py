"""Every rule's documentation runs: its "Example" is reported, its "Use instead" is not.

A doc block is a file of a pack named ``mypack``. A first comment line that names a
path places it (``# packs/ops/actions/restart.yaml``, ``# actions/restart.yaml``); a
"Use instead" block without one takes the path of the example it replaces; any other
block is placed by what it holds (a task list or ``next:`` list inside a workflow, an
action, a pack manifest). Blocks separated by ``---`` are separate files. Each tree is
checked as ``--check --strict`` would, so rules that are off by default run too.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from attune_workflow.config import Config
from attune_workflow.rules import RULES, RULES_BY_ID
from attune_workflow.workspace import Workspace, check_paths

PACK = "mypack"
MANIFEST = f'ref: {PACK}\nlabel: My pack\nversion: "1.0.0"\n'
WORKFLOW = f"{PACK}/actions/workflows/example.workflow.yaml"
ACTION = f"{PACK}/actions/example.yaml"
# Files a doc names in words ("linked from mypack.deploy", "with actions/scripts/restart.sh").
CONTEXT: dict[str, dict[str, str]] = {
    "ref-mismatch": {
        f"{PACK}/actions/deploy.yaml": "ref: mypack.deploy\n"
        "runner_type: workflow\nworkflow_file: workflows/deploy.workflow.yaml\n"
    },
    "missing-entry-point": {f"{PACK}/actions/scripts/restart.sh": "#!/bin/sh\n"},
    "workflow-file": {
        f"{PACK}/actions/workflows/deploy.workflow.yaml": 'version: "1.0.0"\n'
        "tasks:\n  - name: build\n    action: core.echo\n"
    },
    "missing-input": {
        "mattermost/pack.yaml": 'ref: mattermost\nlabel: Mattermost\nversion: "1.0.0"\n',
        "mattermost/actions/post_message.yaml": "ref: mattermost.post_message\n"
        "runner_type: python\nentry_point: post.py\nparameters:\n"
        "  channel_id: {type: string, required: true}\n  message: {type: string}\n",
        "mattermost/actions/post.py": "",
    },
    "ignored-file": {"ops/pack.yaml": 'ref: ops\nlabel: Ops\nversion: "1.0.0"\n'},
    # found only through the pack_roots of the project file of "Use instead"
    "unverified-action": {
        "vendor-packs/slack/pack.yaml": 'ref: slack\nlabel: Slack\nversion: "1.0.0"\n',
        "vendor-packs/slack/actions/post_message.yaml": "ref: slack.post_message\n"
        "runner_type: python\nentry_point: post.py\n",
        "vendor-packs/slack/actions/post.py": "",
    },
}
# Docs whose "Example" is itself the file (no frame around it).
AS_IS = {"not-a-workflow"}
# Docs whose "Use instead" adds a file beside the example's (the example stays).
BESIDE = {"unverified-action"}
# Docs whose example is not a file's content (the raw bytes or the file system decide).
NOT_YAML = {"file-too-large", "encoding", "unreadable-file"}

PATH_COMMENT = re.compile(r"#\s*((?:packs/)?[\w./-]*\.ya?ml)\b")
PROJECT_FILE = ".attune-lsp.yaml"


def sections(doc: str) -> tuple[list[str], list[str]]:
    """The YAML blocks of the "Example" and "Use instead" sections."""
    example = doc.split("## Example", 1)[1].split("## Use instead", 1)[0]
    use = doc.split("## Use instead", 1)[1].split("\n## ", 1)[0]
    pick = re.compile(r"```yaml\n(.*?)```", re.S)
    return pick.findall(example), pick.findall(use)


def named_path(block: str) -> str | None:
    first = block.lstrip().splitlines()[0] if block.strip() else ""
    match = PATH_COMMENT.match(first)
    if match is None:
        return None
    path = match.group(1)
    if path == PROJECT_FILE:
        return path
    if path.startswith("packs/"):
        return path.removeprefix("packs/")
    return f"{PACK}/{path}"


def framed(block: str) -> tuple[str, str]:
    """(path, text) of a block placed by what it holds."""
    keys = set(re.findall(r"^([a-z_]+):", block, re.M))
    if block.lstrip().startswith("- "):
        return WORKFLOW, 'version: "1.0.0"\ntasks:\n' + textwrap.indent(block, "  ")
    if block.lstrip().startswith("next:"):
        task = "- name: build\n  action: core.echo\n" + textwrap.indent(block, "  ")
        return WORKFLOW, 'version: "1.0.0"\ntasks:\n' + textwrap.indent(task, "  ")
    if "tasks" in keys:
        return WORKFLOW, block if "version" in keys else 'version: "1.0.0"\n' + block
    if keys & {"runner_type", "entry_point", "workflow_file", "parameters", "output"}:
        return ACTION, block
    if "ref" in keys and keys & {"label", "name", "version"}:
        return f"{PACK}/pack.yaml", block
    return WORKFLOW, block


def files_of(
    blocks: list[str], paths: list[str] | None = None, *, as_is: bool = False
) -> dict[str, str]:
    """The files of a section; ``paths``: the example's, for blocks that name none."""
    files: dict[str, str] = {}
    parts = [p for block in blocks for p in re.split(r"^---\n", block, flags=re.M)]
    for number, part in enumerate(parts):
        path = named_path(part)
        if path is None and paths and number < len(paths) and paths[number] != WORKFLOW:
            path = paths[number]
        if path is None and as_is:
            path, text = WORKFLOW, part
        elif path is None:
            path, text = framed(part)
        else:
            text = part
        files[path] = text
    return files


def findings(tmp_path: Path, files: dict[str, str], context: dict[str, str]) -> set[str]:
    """The codes reported on the packs of these files (the context files beside them)."""
    tree = {f"{PACK}/pack.yaml": MANIFEST, **context, **files}
    for name, text in tree.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    workspace = Workspace([tmp_path], Config(strict=True))
    packs = sorted({tmp_path / name.split("/")[0] for name in files if "/" in name})
    reports = check_paths(packs, workspace, jobs=1)
    return {d.code for report in reports for d in report.diagnostics}


RUNNABLE = sorted(rule.id for rule in RULES if rule.id not in NOT_YAML)


def test_only_docs_without_yaml_are_left_out() -> None:
    assert {rule.id for rule in RULES if not sections(rule.doc)[0]} == NOT_YAML


@pytest.mark.parametrize("rule_id", RUNNABLE)
def test_example_is_reported_and_use_instead_is_not(rule_id: str, tmp_path: Path) -> None:
    example, use = sections(RULES_BY_ID[rule_id].doc)
    bad = files_of(example, as_is=rule_id in AS_IS)
    context = CONTEXT.get(rule_id, {})
    assert rule_id in findings(tmp_path / "example", bad, context), bad
    good = files_of(use, list(bad))
    if rule_id in BESIDE:
        good = {**bad, **good}
    assert rule_id not in findings(tmp_path / "use", good, context), good

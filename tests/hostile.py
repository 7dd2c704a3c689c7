"""Hostile and odd workspaces, built on demand: each case is one odd thing in one pack.

Used by ``tests/test_hostile.py`` and by ``bench/hostile.py`` (which records time,
memory and exit code of ``--check`` on each case); the packs of the language server's
broken-workspace cases (``make_action_pack``, ``make_user_pack``) by
``tests/lsp/test_lsp_broken.py`` and ``bench/lsp_hostile.py``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

GOOD_WORKFLOW = (
    'version: "1.0.0"\ntasks:\n  - name: a\n    action: core.echo\n    next:\n      - do: [b]\n'
)
WORKFLOW_HEAD = 'version: "1.0.0"\ntasks:\n  - name: a\n    action: core.echo\n'


def make_pack(root: Path, ref: str, workflow: str = WORKFLOW_HEAD) -> Path:
    """A pack with one linked workflow (``actions/w.yaml`` -> ``actions/workflows/w.yaml``)."""
    (root / "actions" / "workflows").mkdir(parents=True)
    (root / "pack.yaml").write_text(f'ref: {ref}\nlabel: P\nversion: "1.0.0"\n')
    (root / "actions" / "w.yaml").write_text(f"ref: {ref}.w\nworkflow_file: workflows/w.yaml\n")
    (root / "actions" / "workflows" / "w.yaml").write_text(workflow)
    return root


# The user's workflow of the broken-workspace cases (``timeout`` left to fill in).
FLOW = """\
version: "1.0.0"
tasks:
  - name: first
    action: p007.run
    input:
      msg: hi
    next:
      - do: [second]
  - name: second
    action: core.echo
    timeout: {timeout}
    input:
      message: "{{{{ task.first.result }}}}"
    next:
      - do: [nowhere]
"""


def make_action_pack(folder: Path, ref: str, manifest: str | None = None) -> None:
    """A pack with one Python action ``<ref>.run`` (one required parameter ``msg``)."""
    (folder / "actions").mkdir(parents=True)
    (folder / "pack.yaml").write_text(manifest or f"ref: {ref}\nversion: '1.0.0'\n")
    (folder / "actions" / "run.yaml").write_text(
        f"ref: {ref}.run\ndescription: Run step {ref}\nrunner_type: python-script\n"
        "entry_point: run.py\nparameters:\n  msg: {type: string, required: true}\n"
    )


def make_user_pack(folder: Path, flow: str) -> Path:
    """The user's pack ``mine``: a workflow action and its graph file holding ``flow``;
    returns the graph file."""
    graphs = folder / "actions" / "workflows"
    graphs.mkdir(parents=True)
    (folder / "pack.yaml").write_text("ref: mine\nversion: '1.0.0'\n")
    (folder / "actions" / "flow.yaml").write_text(
        "ref: mine.flow\nrunner_type: workflow\nentry_point: workflows/flow.workflow.yaml\n"
        "workflow_file: workflows/flow.workflow.yaml\n"
    )
    graph = graphs / "flow.workflow.yaml"
    graph.write_text(flow)
    return graph


def make_workspace(base: Path) -> tuple[Path, Path]:
    """A workspace with a ``good`` pack holding one known finding (unknown-task) and an
    empty folder for the ``odd`` pack; returns (workspace, odd pack folder)."""
    workspace = base / "ws"
    make_pack(workspace / "good", "good", GOOD_WORKFLOW)
    odd = make_pack(workspace / "odd", "odd")
    return workspace, odd


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """The billion-laughs document, under ``input`` of a task (a few hundred bytes)."""
    lines = ['version: "1.0.0"', "tasks:", "  - name: a", "    action: core.echo", "    input:"]
    lines.append("      l0: &l0 [" + ", ".join(['"lol"'] * width) + "]")
    for level in range(1, levels):
        items = ", ".join([f"*l{level - 1}"] * width)
        lines.append(f"      l{level}: &l{level} [{items}]")
    return "\n".join(lines) + "\n"


def _loop(pack: Path) -> str:
    os.symlink("self.yaml", pack / "actions" / "workflows" / "self.yaml")
    return "unreadable-file"


def _folder_cycle(pack: Path) -> str:
    os.symlink("..", pack / "actions" / "workflows" / "up")
    os.symlink("loop.yaml", pack / "actions" / "loop.yaml")
    return "unreadable-file"


def _int_tag(pack: Path) -> str:
    (pack / "pack.yaml").write_text('ref: odd\nlabel: P\nversion: !!int "x"\n')
    return "yaml-syntax"


def _huge_int(pack: Path) -> str:
    (pack / "pack.yaml").write_text("ref: odd\nlabel: P\nversion: " + "9" * 4301 + "\n")
    return "yaml-syntax"


def _nul_workflow_file(pack: Path) -> str:
    (pack / "actions" / "x.yaml").write_text('ref: odd.x\nworkflow_file: "workflows/a\\0b.yaml"\n')
    return "workflow-file"


def _fifo(pack: Path) -> str:
    os.mkfifo(pack / "actions" / "workflows" / "pipe.yaml")
    os.mkfifo(pack / "actions" / "pipe.yaml")
    return "unreadable-file"


def _soon(pack: Path) -> str:
    (pack / "actions" / "workflows" / "w.yaml").write_text(
        WORKFLOW_HEAD + '    timeout: !!int "soon"\n'
    )
    return "yaml-syntax"


def _recursive_alias(pack: Path) -> str:
    (pack / "actions" / "workflows" / "w.yaml").write_text(
        WORKFLOW_HEAD + "    input: &in\n      again: *in\n"
    )
    return "yaml-syntax"


def _alias_bomb(pack: Path) -> str:
    (pack / "actions" / "workflows" / "w.yaml").write_text(alias_bomb())
    return "yaml-syntax"


def _bad_action_yaml(pack: Path) -> str:
    (pack / "actions" / "w.yaml").write_text("ref: odd.w\nworkflow_file: [workflows/w.yaml\n")
    return "yaml-syntax"


# name -> (make the odd thing in the odd pack; the rule that reports it)
TRIGGERS: dict[str, Callable[[Path], str]] = {
    "link-loop": _loop,
    "folder-link-cycle": _folder_cycle,
    "int-tag-x": _int_tag,
    "int-4301-digits": _huge_int,
    "nul-in-workflow-file": _nul_workflow_file,
    "fifo": _fifo,
    "timeout-int-soon": _soon,
    "recursive-alias": _recursive_alias,
    "alias-bomb": _alias_bomb,
    "action-yaml-error": _bad_action_yaml,
}

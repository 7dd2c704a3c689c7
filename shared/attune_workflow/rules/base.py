"""The shape of a rule, and the registry entry made from each rule module.

A rule is a module with ``ID`` (kebab-case), ``SEVERITY``, ``KINDS`` (the file
kinds it reads), a docstring with the four sections (What it does / Why is
this bad? / Example / Use instead) and ``check(ctx)``. Rules that look at the
raw bytes before parsing define ``check_bytes(path, data, config)`` too.
``ENABLED = False`` makes a rule off unless ``--strict`` or configuration turns
it on.

``SCOPE`` says what a rule's findings depend on, so that an edit re-runs only
what it can change. ``Scope.FILE`` (the default): anything in the file. A rule
of ``Scope.TASK`` promises that each finding about a top-level task (or its
sub-tasks) lies inside that task's lines and depends only on that task, on the
file's other top-level keys, and on what every task declares to the others:
task names (and which tasks are sub-tasks), ``wait_for`` keys, actions and
published names; its fixes may also add a task after the last one. An edit
inside one task (not the last) that leaves those unchanged re-runs such a rule
on that task alone. The rule sees every task in ``ctx.view.tasks`` and the
graph, but ``ctx.view.all_tasks()``, ``ctx.templated``, ``ctx.expressions``,
``ctx.structure`` and ``ctx.scalar_texts`` give only that task's (and the
file's other keys'). A rule that walks something else (the graph's scopes, a
scope's tasks) reports only about the tasks of :func:`walked_tasks`.
``Scope.GRAPH`` promises the same, except that a task's findings may also
depend on the task graph: which tasks every task of its scope starts, in
order. Such a rule re-runs on the edited task alone when the edit also leaves
the edited task's transitions' targets as they were. Under either scope, a
finding's related places may lie in other tasks; a rule whose messages cite
line numbers sets ``CITES_LINES = True``, and is run on the whole file when an
edit adds or removes lines.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from ..config import Config
from ..context import Context, FileKind
from ..diagnostics import Diagnostic, Severity
from ..view import TaskView

Check = Callable[[Context], Iterable[Diagnostic]]
CheckBytes = Callable[[Path, bytes, Config], Iterable[Diagnostic]]

ALL_KINDS = frozenset(FileKind)


def workflow_tasks(ctx: Context) -> Iterator[TaskView]:
    """Every task of the file's workflow view, parents first (none without a view)."""
    view = ctx.view
    return view.all_tasks() if view is not None else iter(())


def walked_tasks(ctx: Context) -> frozenset[TaskView]:
    """The tasks a rule reports about: every task, or the edited one's under a partial run."""
    view = ctx.view
    return frozenset(view.all_tasks()) if view is not None else frozenset()


DOC_SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead")


class Scope(enum.StrEnum):
    """What a rule's findings depend on (see the module's doc)."""

    FILE = "file"
    TASK = "task"
    GRAPH = "graph"


@dataclass(frozen=True, slots=True)
class Rule:
    """A registered rule."""

    id: str
    severity: Severity
    kinds: frozenset[FileKind]
    check: Check
    check_bytes: CheckBytes | None
    enabled: bool
    doc: str
    module: str
    scope: Scope = Scope.FILE
    cites_lines: bool = False

    @property
    def summary(self) -> str:
        """The first line of the rule's doc."""
        return self.doc.strip().splitlines()[0] if self.doc.strip() else self.id

    @classmethod
    def from_module(cls, module: ModuleType) -> Rule:
        """Make the registry entry of a rule module."""
        return cls(
            id=module.ID,
            severity=module.SEVERITY,
            kinds=frozenset(getattr(module, "KINDS", ALL_KINDS)),
            check=module.check,
            check_bytes=getattr(module, "check_bytes", None),
            enabled=getattr(module, "ENABLED", True),
            doc=module.__doc__ or "",
            module=module.__name__,
            scope=getattr(module, "SCOPE", Scope.FILE),
            cites_lines=getattr(module, "CITES_LINES", False),
        )

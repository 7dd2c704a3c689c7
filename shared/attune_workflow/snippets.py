"""Skeletons of workflow parts an editor inserts with placeholders.

A new task (``name``, ``action``, ``input``, ``next``) and a ``next`` entry
(``when`` / ``do``). Each line is a list of text and placeholders; the editor edge
writes them in its snippet syntax and indents them where they go.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

DEFAULT_ACTION = "core.echo"
SUCCEEDED = "{{ succeeded() }}"


@dataclass(frozen=True, slots=True)
class Placeholder:
    """A tab stop with its default text, or a choice among ``choices``."""

    index: int
    default: str
    choices: tuple[str, ...] = ()


Piece = str | Placeholder


@dataclass(frozen=True, slots=True)
class Skeleton:
    """What to insert: lines of pieces, the first at the cursor, the others indented."""

    label: str
    detail: str
    lines: tuple[tuple[Piece, ...], ...]

    def plain(self) -> list[str]:
        """The lines with each placeholder's default."""
        return [
            "".join(p if isinstance(p, str) else p.default for p in line) for line in self.lines
        ]


def free_name(taken: Iterable[str], stem: str = "task") -> str:
    """``task_1``, ``task_2``...: the first not taken."""
    names = set(taken)
    number = 1
    while f"{stem}_{number}" in names:
        number += 1
    return f"{stem}_{number}"


def _target(tasks: list[str], index: int) -> Placeholder:
    if tasks:
        return Placeholder(index, tasks[0], tuple(tasks))
    return Placeholder(index, "next_task")


def new_task(tasks: Iterable[str]) -> Skeleton:
    """A task calling an action, with one input and a transition on success."""
    names = list(dict.fromkeys(tasks))
    return Skeleton(
        "task",
        "New task with action, input and next",
        (
            ("name: ", Placeholder(1, free_name(names))),
            ("action: ", Placeholder(2, DEFAULT_ACTION)),
            ("input:",),
            ("  ", Placeholder(3, "message"), ": ", Placeholder(4, "hello")),
            ("next:",),
            ("  - when: ", Placeholder(5, f'"{SUCCEEDED}"')),
            ("    do: [", _target(names, 6), "]"),
        ),
    )


def next_entry(tasks: Iterable[str]) -> Skeleton:
    """A ``next`` entry: a condition and the task it starts."""
    names = list(dict.fromkeys(tasks))
    return Skeleton(
        "when / do",
        "Transition: when a condition holds, start tasks",
        (
            ("when: ", Placeholder(1, f'"{SUCCEEDED}"')),
            ("do: [", _target(names, 2), "]"),
        ),
    )

"""Where a task, variable, parameter or action is declared and named, across files.

A parameter lives in two or three places: the workflow action's ``parameters`` (or the
workflow's own), ``parameters.p`` in the graph file's templates, and the ``input`` keys of
every task that calls the action. Tasks and variables stay inside their workflow file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from attune_workflow.config import Config
from attune_workflow.context import Context, FileKind
from attune_workflow.packindex import ActionInfo, PackIndex
from attune_workflow.positions import LineIndex
from attune_workflow.query.navigation import (
    Occurrence,
    Target,
    declaration_in,
    input_occurrences,
    parameter_occurrences,
    task_occurrences,
    value_span,
    variable_occurrences,
)
from attune_workflow.yamlsource import ScalarNode, mapping_get, parse_yaml


@dataclass
class Sources:
    """What a search across files reads, taken at one moment.

    Made by the caller (the language server: on its event loop), then read on another
    thread: the open documents' texts (and the contexts of their current analyses), the
    actions each checked file calls and the pack index. Each file is parsed, and its
    lines indexed, at most once per search.
    """

    index: PackIndex
    uses: Mapping[Path, frozenset[str]]
    texts: Mapping[Path, str]
    contexts: Mapping[Path, Context]
    config: Config
    _parsed: dict[Path, Context | None] = field(default_factory=dict)
    _lines: dict[Path, LineIndex] = field(default_factory=dict)

    def parse(self, path: Path) -> Context | None:
        """A parsed file (rules not run): an open document's analysis, else the text."""
        if path in self.contexts:
            return self.contexts[path]
        if path not in self._parsed:
            text = self.texts.get(path)
            if text is None:
                try:
                    text = path.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError):
                    self._parsed[path] = None
                    return None
            self._parsed[path] = Context(
                path, text, parse_yaml(text), index=self.index, config=self.config
            )
        return self._parsed[path]

    def lines(self, path: Path) -> LineIndex:
        """The lines of a file (its open text, else the disk's)."""
        found = self._lines.get(path)
        if found is None:
            ctx = self.contexts.get(path) or self._parsed.get(path)
            if ctx is not None:
                found = ctx.doc.lines
            else:
                text = self.texts.get(path)
                if text is None:
                    try:
                        text = path.read_text(encoding="utf-8", errors="replace")
                    except OSError:
                        text = ""
                found = LineIndex(text)
            self._lines[path] = found
        return found


def own_action(ctx: Context) -> ActionInfo | None:
    """The action an action file defines (as the index knows it)."""
    for action in ctx.index.actions():
        if action.path is not None and action.path == ctx.path.resolve():
            return action
    return None


def callers(sources: Sources, ref: str) -> list[Context]:
    """The parsed workflow files whose tasks call an action."""
    found = []
    for path, uses in sources.uses.items():
        if ref in uses:
            ctx = sources.parse(path)
            if ctx is not None:
                found.append(ctx)
    return found


def occurrences(sources: Sources, ctx: Context, target: Target) -> list[Occurrence]:
    """Every place naming the target (declarations included)."""
    if target.kind == "task" and target.task is not None:
        return task_occurrences(ctx, target.task)
    if target.kind == "variable":
        return variable_occurrences(ctx, target.name)
    if target.kind == "action":
        return action_occurrences(sources, target.name)
    action: ActionInfo | None = None
    found: list[Occurrence] = []
    if target.kind == "input":
        action = target.action
    elif target.kind == "parameter" and ctx.kind is FileKind.WORKFLOW:
        found.extend(parameter_occurrences(ctx, target.name))
        action = ctx.linked_action
    elif target.kind == "parameter" and ctx.kind is FileKind.ACTION:
        action = own_action(ctx)
        span = declaration_in(ctx, target.name)
        if span is not None:
            found.append(Occurrence(ctx.path, span, True))
    else:
        return []
    if action is None:
        return found
    return _dedupe(found + action_parameter(sources, action, target.name, skip=ctx.path))


def action_parameter(
    sources: Sources, action: ActionInfo, name: str, *, skip: Path | None = None
) -> list[Occurrence]:
    """A parameter of an action: its declaration, its graph file's references, callers' inputs."""
    found: list[Occurrence] = []
    if action.path is not None and action.path != skip:
        actx = sources.parse(action.path)
        span = declaration_in(actx, name) if actx is not None else None
        if span is not None:
            found.append(Occurrence(action.path, span, True))
    graph = action.workflow_path
    if graph is not None and graph != skip and graph.is_file():
        gctx = sources.parse(graph)
        if gctx is not None:
            found.extend(parameter_occurrences(gctx, name))
    for cctx in callers(sources, action.ref):
        found.extend(input_occurrences(cctx, action.ref, name))
    return found


def action_occurrences(sources: Sources, ref: str) -> list[Occurrence]:
    """The declaration of an action (its ``ref``) and every task ``action:`` naming it."""
    found: list[Occurrence] = []
    action = sources.index.action(ref)
    if action is not None and action.path is not None:
        actx = sources.parse(action.path)
        entry = mapping_get(actx.doc.root, "ref") if actx is not None else None
        if actx is not None and entry is not None and isinstance(entry[1], ScalarNode):
            found.append(Occurrence(action.path, value_span(actx, entry[1]), True))
    graph = action.workflow_path if action is not None else None
    gctx = sources.parse(graph) if graph is not None and graph.is_file() else None
    entry = mapping_get(gctx.doc.root, "ref") if gctx is not None else None
    if (
        gctx is not None
        and entry is not None
        and isinstance(entry[1], ScalarNode)
        and entry[1].value == ref
    ):
        found.append(Occurrence(gctx.path, value_span(gctx, entry[1]), False))
    for cctx in callers(sources, ref):
        view = cctx.view
        for task in view.all_tasks() if view is not None else ():
            node = task.value("action")
            if task.string("action") == ref and isinstance(node, ScalarNode):
                found.append(Occurrence(cctx.path, value_span(cctx, node), False))
    return _dedupe(found)


def _dedupe(items: list[Occurrence]) -> list[Occurrence]:
    seen: dict[tuple[Path, int, int, int, int], Occurrence] = {}
    for item in items:
        key = (
            item.path,
            item.span.line,
            item.span.column,
            item.span.end_line,
            item.span.end_column,
        )
        if key not in seen or item.declaration:
            seen[key] = item
    return list(seen.values())

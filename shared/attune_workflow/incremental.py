"""Analysis of an open document, kept from edit to edit.

An edit usually touches one task. :class:`DocumentAnalysis` finds the edited
region by comparing the new text with the last one, re-composes only the item
of the top-level ``tasks`` list that holds the edit, splices the new nodes into
the kept tree (the nodes after the edit move by the edit's length), and builds
the next context from the kept per-task views and templates. Anything it is not
sure of (an edit outside a task, a change of the list's structure, anchors,
several documents, a syntax error before or after) falls back to a full parse,
so the findings are always those of :func:`attune_workflow.check.analyze`.

One analysis is kept per document, and the expression results of one version
are handed to the next and dropped when no longer used: nothing grows with the
number of edits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .check import analyze_document, gc_paused
from .config import Config
from .context import (
    Context,
    Expression,
    FileKind,
    Layout,
    StructuralError,
    Templated,
    expressions_of,
    structural_errors,
    templated_of_output,
    templated_of_task,
)
from .diagnostics import Diagnostic
from .expressions.memo import FileMemo
from .packindex import PackIndex
from .positions import LineIndex, Span
from .view import TaskView, WorkflowView, build_task
from .yamlsource import (
    DuplicateKey,
    MappingNode,
    Mark,
    Node,
    ScalarNode,
    SequenceNode,
    YamlDocument,
    build_data,
    compose_region,
    mapping_index,
    parse_yaml,
    region_problems,
    shift_marks,
)

__all__ = ["DocumentAnalysis", "common_ends"]

_CHUNK = 4096


def common_ends(old: str, new: str) -> tuple[int, int]:
    """(length of the common prefix, length of the common suffix), not overlapping."""
    limit = min(len(old), len(new))
    prefix = 0
    while (
        prefix + _CHUNK <= limit and old[prefix : prefix + _CHUNK] == new[prefix : prefix + _CHUNK]
    ):
        prefix += _CHUNK
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    limit -= prefix
    suffix = 0
    old_end, new_end = len(old), len(new)
    while (
        suffix + _CHUNK <= limit
        and old[old_end - suffix - _CHUNK : old_end - suffix]
        == new[new_end - suffix - _CHUNK : new_end - suffix]
    ):
        suffix += _CHUNK
    while suffix < limit and old[old_end - suffix - 1] == new[new_end - suffix - 1]:
        suffix += 1
    return prefix, suffix


@dataclass(slots=True)
class _Region:
    """Item ``position`` of the top-level task list and its text ``[start, end)``."""

    position: int
    start: int
    end: int


class DocumentAnalysis:
    """The analysis of one open document, updated by each new version of its text."""

    def __init__(
        self,
        path: Path,
        *,
        index: PackIndex,
        config: Config,
        kind: FileKind | None = None,
        layout: Layout | None = None,
    ) -> None:
        self.path = path
        self.index = index
        self.config = config
        self.kind = kind
        self.layout = layout
        self.context: Context | None = None
        self.diagnostics: list[Diagnostic] = []
        self.incremental_updates = 0
        self._memo = FileMemo()

    def update(
        self, text: str, *, index: PackIndex | None = None, config: Config | None = None
    ) -> tuple[Context, list[Diagnostic]]:
        """Analyse the document's new text; reuses what the edit did not touch."""
        settings_changed = (index is not None and index is not self.index) or (
            config is not None and config is not self.config
        )
        self.index = index or self.index
        self.config = config or self.config
        with gc_paused(), self._memo.generation():
            previous = None if settings_changed else self.context
            spliced = self._splice(previous, text) if previous is not None else None
            if spliced is None:
                doc = parse_yaml(text)
                ctx = Context(
                    self.path,
                    text,
                    doc,
                    index=self.index,
                    config=self.config,
                    kind=self.kind,
                    layout=self.layout,
                )
            else:
                ctx = spliced
                self.incremental_updates += 1
            # the old context is let go before the rules run: one tree per document
            self.context = None
            diagnostics = analyze_document(ctx)
        self.context = ctx
        self.diagnostics = diagnostics
        return ctx, diagnostics

    # -- the splice -----------------------------------------------------------------------

    def _splice(self, old: Context, text: str) -> Context | None:
        doc = old.doc
        if doc.syntax_error is not None or doc.document_count != 1 or doc.extra_document:
            return None
        root = doc.root
        if not isinstance(root, MappingNode) or not isinstance(doc.data, dict):
            return None
        if old.kind is not FileKind.WORKFLOW or old.view is None:
            return None
        tasks = _tasks_node(root)
        if tasks is None:
            return None
        old_text = doc.text
        prefix, suffix = common_ends(old_text, text)
        if prefix == len(old_text) and prefix == len(text):
            return None  # the same text: a full analysis is as cheap and always right
        region = _region(doc, root, tasks, prefix, len(old_text) - suffix)
        if region is None:
            return None
        delta = len(text) - len(old_text)
        old_piece = old_text[region.start : region.end]
        new_piece = text[region.start : region.end + delta]
        if _unsafe(old_piece) or _unsafe(new_piece):
            return None
        if "&" in old_text and "*" in old_text:
            return None  # aliases elsewhere: the edit may change how far they expand
        lines = LineIndex(text)
        start_line = doc.lines.position(region.start)[0]
        item = compose_region(new_piece, region.start, start_line)
        if item is None:
            return None
        old_item = tasks.value[region.position]
        if item.start_mark.column != old_item.start_mark.column:
            return None
        scalar_errors = region_problems(item, lines, 2)
        if scalar_errors is None:
            return None
        line_delta = lines.line_count - doc.lines.line_count
        _shift_after(root, tasks, region, region.end, delta, line_delta)
        tasks.value[region.position] = item
        # the plain data: only the task's entry changes
        duplicates = _moved_duplicates(doc.duplicates, old, region, line_delta)
        kept_errors = _moved_errors(doc.scalar_errors, old, region, line_delta)
        fresh: list[DuplicateKey] = []
        task_data = build_data(item, fresh, lines)
        data = dict(doc.data)
        data_tasks = list(data["tasks"])
        data_tasks[region.position] = task_data
        data["tasks"] = data_tasks
        new_doc = YamlDocument(
            text=text,
            lines=lines,
            root=root,
            data=data,
            document_count=1,
            duplicates=duplicates[0] + fresh + duplicates[1],
            scalar_errors=kept_errors[0] + scalar_errors + kept_errors[1],
        )
        ctx = Context(
            self.path,
            text,
            new_doc,
            index=self.index,
            config=self.config,
            kind=self.kind,
            layout=self.layout,
        )
        if ctx.kind is not old.kind or ctx.layout is not old.layout:
            return None
        decoding = _spliced_decoding(old, region.position, item, task_data)
        if decoding is not None:
            ctx.__dict__["_decoding"] = decoding
            structure = _spliced_structure(old, region.position, item, decoding[0])
            if structure is not None:
                ctx.__dict__["structure"] = structure
        view = _spliced_view(old.view, root, region.position, item)
        ctx.__dict__["view"] = view
        templated = _spliced_templated(old, view, region.position)
        ctx.__dict__["templated"] = templated
        if "expressions" in old.__dict__:
            ctx.__dict__["expressions"] = _kept_expressions(old, templated)
        return ctx


def _tasks_node(root: MappingNode) -> SequenceNode | None:
    """The block sequence of the top-level ``tasks`` key, when it is the only such key."""
    found: SequenceNode | None = None
    seen: set[Any] = set()
    for key, value in root.value:
        if not isinstance(key, ScalarNode):
            return None
        if key.value in seen:
            return None  # a duplicate top-level key: leave it to the full parse
        seen.add(key.value)
        if key.value == "tasks":
            if not isinstance(value, SequenceNode) or value.flow_style or not value.value:
                return None
            found = value
    return found


def _region(
    doc: YamlDocument, root: MappingNode, tasks: SequenceNode, start: int, end: int
) -> _Region | None:
    """The task item whose lines hold the old text ``[start, end)``, if one does."""
    lines = doc.lines
    items = tasks.value
    starts = [lines.offset(lines.position(item.start_mark.index)[0], 0) for item in items]
    after = None
    for number, (_, value) in enumerate(root.value):
        if value is tasks:
            if number + 1 < len(root.value):
                after = root.value[number + 1][0].start_mark.index
            break
    last_end = lines.offset(lines.position(after)[0], 0) if after is not None else len(doc.text)
    low, high = 0, len(items) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if starts[middle] <= start:
            low = middle
        else:
            high = middle - 1
    position = low
    region_start = starts[position]
    region_end = starts[position + 1] if position + 1 < len(items) else last_end
    # The edit must leave the item's first line up to its content and the next item alone.
    content = items[position].start_mark.index
    if start < content or end >= region_end or region_end <= region_start:
        return None
    return _Region(position, region_start, region_end)


_MARKERS = re.compile(r"^(?:---|\.\.\.)", re.MULTILINE)


def _unsafe(piece: str) -> bool:
    """Text whose meaning may depend on the rest of the file.

    Anchors, aliases, tags, directives, tabs and document markers are left to
    the full parse.
    """
    if "&" in piece or "*" in piece or "!" in piece or "\t" in piece or "%" in piece:
        return True
    return _MARKERS.search(piece) is not None


def _shift_after(
    root: MappingNode,
    tasks: SequenceNode,
    region: _Region,
    old_end: int,
    delta: int,
    line_delta: int,
) -> None:
    """Move every mark at or after ``old_end`` by the edit's length and line count."""
    if delta == 0 and line_delta == 0:
        return
    nodes: list[Node] = list(tasks.value[region.position + 1 :])
    past = False
    for key, value in root.value:
        if value is tasks:
            past = True
            continue
        if past:
            nodes.extend((key, value))
    for node in (root, tasks):
        mark = node.end_mark
        if mark.index >= old_end:
            node.end_mark = Mark(mark.index + delta, mark.line + line_delta, mark.column)
    shift_marks(nodes, old_end, delta, line_delta)


def _moved_duplicates(
    duplicates: list[DuplicateKey], old: Context, region: _Region, line_delta: int
) -> tuple[list[DuplicateKey], list[DuplicateKey]]:
    """The duplicate keys before the region and, moved, those after it."""
    lines = old.doc.lines
    first_line = lines.position(region.start)[0]
    end_line = lines.position(region.end)[0]
    before = [d for d in duplicates if d.span.end_line < first_line]
    after = []
    for d in duplicates:
        if d.span.line >= end_line:
            after.append(
                DuplicateKey(
                    d.key,
                    _moved(d.span, line_delta),
                    _moved(d.first, line_delta) if d.first.line >= end_line else d.first,
                )
            )
    return before, after


def _moved_errors(
    errors: list[tuple[str, Span]], old: Context, region: _Region, line_delta: int
) -> tuple[list[tuple[str, Span]], list[tuple[str, Span]]]:
    """The unreadable scalars before the region and, moved, those after it."""
    lines = old.doc.lines
    first_line = lines.position(region.start)[0]
    end_line = lines.position(region.end)[0]
    before = [(m, span) for m, span in errors if span.end_line < first_line]
    after = [(m, _moved(span, line_delta)) for m, span in errors if span.line >= end_line]
    return before, after


def _moved(span: Any, lines: int) -> Any:
    return type(span)(span.line + lines, span.column, span.end_line + lines, span.end_column)


def _spliced_decoding(
    old: Context, position: int, item: Node, task_data: Any
) -> tuple[Any, list[tuple[ScalarNode, tuple[str | int, ...]]]] | None:
    """The old decoded data with one task decoded again, when the old one was decoded."""
    previous = old.__dict__.get("_decoding")
    if previous is None:
        return None
    decoded, texts = previous
    if not isinstance(decoded, dict) or not isinstance(decoded.get("tasks"), list):
        return None
    from .model import WorkflowFile
    from .model.decode import decode_list_item

    value, fresh = decode_list_item(WorkflowFile, "tasks", position, item, task_data)
    tasks = list(decoded["tasks"])
    if position >= len(tasks):
        return None
    tasks[position] = value
    decoded = dict(decoded)
    decoded["tasks"] = tasks

    # texts come in document order: root keys in order, tasks by position
    order = {key.value: n for n, (key, _) in enumerate(old.doc.root.value)}  # type: ignore[union-attr]

    def rank(entry: tuple[ScalarNode, tuple[str | int, ...]]) -> tuple[int, int]:
        path = entry[1]
        head = order.get(path[0], -1) if path else -1
        if path and path[0] == "tasks" and len(path) >= 2 and isinstance(path[1], int):
            return head, path[1]
        return head, -1

    if any(entry[1] and entry[1][0] not in order for entry in texts):
        return None
    kept = [entry for entry in texts if rank(entry)[1] != position or entry[1][0] != "tasks"]
    return decoded, sorted(kept + fresh, key=rank)


def _spliced_structure(
    old: Context, position: int, item: Node, decoded: Any
) -> list[StructuralError] | None:
    """The old model errors with one task validated again, when that keeps their order.

    A list's items are validated in order and nothing of the workflow model looks
    across tasks, so a task's errors are those of the task model, under its path.
    """
    previous: list[StructuralError] | None = old.__dict__.get("structure")
    if previous is None:
        return None
    from .model.workflow import Task

    def task_of(error: StructuralError) -> int | None:
        path = error.path
        if len(path) >= 2 and path[0] == "tasks" and isinstance(path[1], int):
            return path[1]
        return None

    marked = [task_of(error) for error in previous]
    if previous and all(n is None for n in marked):
        return None  # where the task's errors go among the others is not known
    fresh = [
        replace(error, path=("tasks", position, *error.path))
        for error in structural_errors(Task, decoded["tasks"][position], item)
    ]
    if not previous:
        return fresh
    places = [n for n, task in enumerate(marked) if task is not None]
    first, last = places[0], places[-1]
    if any(task is None for task in marked[first : last + 1]):
        return None
    middle = list(zip(previous[first : last + 1], marked[first : last + 1], strict=True))
    before = [error for error, task in middle if task is not None and task < position]
    after = [error for error, task in middle if task is not None and task > position]
    return previous[:first] + before + fresh + after + previous[last + 1 :]


def _spliced_view(old: WorkflowView, root: MappingNode, position: int, item: Node) -> WorkflowView:
    """The old view with one top-level task rebuilt from its new node."""
    tasks = list(old.tasks)
    tasks[position] = build_task(item, position, None)
    return WorkflowView(root=root, fields=mapping_index(root), tasks=tasks)


def _spliced_templated(old: Context, view: WorkflowView, position: int) -> list[Templated]:
    """The templated strings of the kept tasks, and those of the rebuilt one."""
    by_task: dict[int, list[Templated]] = {}
    for entry in old.templated:
        if entry.task is not None:
            by_task.setdefault(id(entry.task), []).append(entry)
    rebuilt = {id(task) for task in _subtree(view.tasks[position])}
    result: list[Templated] = []
    for task in view.all_tasks():
        if id(task) in rebuilt:
            result.extend(templated_of_task(task))
        else:
            result.extend(by_task.get(id(task), ()))
    result.extend(templated_of_output(view))
    return result


def _kept_expressions(old: Context, templated: list[Templated]) -> list[Expression]:
    """The expressions of the templated strings, reusing those of the kept ones."""
    by_node: dict[int, list[Expression]] = {}
    for expr in old.expressions:
        by_node.setdefault(id(expr.node), []).append(expr)
    result: list[Expression] = []
    for entry in templated:
        kept = by_node.get(id(entry.node))
        if kept is not None and kept[0].task is entry.task and kept[0].site is entry.site:
            result.extend(kept)
        else:
            result.extend(expressions_of(entry))
    return result


def _subtree(task: TaskView) -> list[TaskView]:
    found: list[TaskView] = []
    stack = [task]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(reversed(current.children))
    return found

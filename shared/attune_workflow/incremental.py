"""Analysis of an open document, kept from edit to edit.

An edit usually touches one task. :class:`DocumentAnalysis` finds the edited
region by comparing the new text with the last one, re-composes only the item
of the top-level ``tasks`` list that holds the edit (or the value of a top-level
``vars``, ``parameters`` or ``output_map``), splices the new nodes into the kept
tree (the items after the edit move by the edit's length, each in one step:
their nodes count their marks from the item's base), and builds the next
context from the kept per-task views, templates and expressions.

Each rule's findings are kept too. A rule of task scope
(:class:`attune_workflow.rules.base.Scope`) runs again on the edited task alone
(or on the file's own keys, for a top-level edit) and its findings about the
other tasks are kept, moved with their lines, as long as the edit leaves what
the tasks declare to each other as it was (task names, waits, actions,
published names, ``vars`` and parameter names); otherwise it runs on the whole
file. A rule of graph scope does the same when the edit also leaves the targets
of the edited task's transitions as they were. Rules of file scope run on the
whole new context. The task graph is made from the old one, with the edited
task's edges computed again, unless the edit renames the task.

Anything it is not sure of (an edit elsewhere, a change of the list's
structure, anchors, several documents, a syntax error before or after) falls
back to a full parse, so the findings are always those of
:func:`attune_workflow.check.analyze`.

One analysis is kept per document, and the expression results of one version
are handed to the next and dropped when no longer used: nothing grows with the
number of edits.
"""

from __future__ import annotations

import re
import sys
import weakref
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .check import active_rules, finish_findings, gc_paused, run_rule
from .config import Config
from .context import (
    Context,
    Expression,
    FileKind,
    StructuralError,
    Templated,
    classify,
    expressions_of,
    structural_errors,
    templated_of_output,
    templated_of_task,
)
from .diagnostics import Diagnostic, Edit, Fix, Related
from .exprcheck import WorkflowFacts, adopt_facts, known_facts, workflow_facts
from .expressions.memo import FileMemo
from .graph import (
    WorkflowGraph,
    adopt_graph,
    effective_transitions,
    spliced_graph,
    subtree,
    workflow_graph,
)
from .packindex import PackIndex
from .positions import LineIndex, Span
from .rules.base import Scope
from .view import TaskView, WorkflowView, build_task
from .yamlsource import (
    DuplicateKey,
    ItemMark,
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    YamlDocument,
    build_data,
    compose_entry,
    compose_region,
    mapping_index,
    move_entries,
    move_items,
    move_node,
    node_end,
    node_start,
    parse_yaml,
    region_problems,
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
    """Item ``position`` of the top-level task list and its text ``[start, end)``.

    ``[block_start, block_end)`` is the text of all the items.
    """

    position: int
    start: int
    end: int
    block_start: int
    block_end: int


@dataclass(frozen=True, slots=True)
class _Edit:
    """Where a spliced edit fell, in the lines of the text before it.

    Task ``position`` (None: a top-level block) held lines ``[first_line,
    end_line)``; all the task items held ``[block_start, block_end)``; the lines
    from ``end_line`` on moved by ``line_delta``. ``kept_summaries``: the edited
    part declares to the tasks what it declared before (task names, waits,
    actions, published names; ``vars`` and parameter names). ``kept_graph``: so
    do the targets of its transitions (the task graph is as it was).
    """

    position: int | None
    first_line: int
    end_line: int
    block_start: int
    block_end: int
    line_delta: int
    kept_summaries: bool
    kept_graph: bool = False
    # where the changed text began (line, column) and the line it ended on, before the edit
    start: tuple[int, int] = (0, 0)
    stop_line: int = 0

    @classmethod
    def of(
        cls,
        region: _Region,
        position: int | None,
        lines: LineIndex,
        delta: int,
        kept: bool,
        kept_graph: bool,
        changed: tuple[int, int],
    ) -> _Edit:
        """The edit of ``region`` of the text that ``lines`` indexes."""
        end = len(lines.text)
        return cls(
            position=position,
            first_line=lines.position(region.start)[0],
            end_line=lines.position(region.end)[0],
            block_start=lines.position(region.block_start)[0],
            block_end=lines.position(region.block_end)[0]
            if region.block_end < end
            else lines.line_count + 1,
            line_delta=delta,
            kept_summaries=kept,
            kept_graph=kept and kept_graph,
            start=lines.position(changed[0]),
            stop_line=lines.position(changed[1])[0],
        )

    def kept(self, found: list[Diagnostic], path: Path) -> list[Diagnostic] | None:
        """A task rule's findings about the other tasks, moved with their lines.

        Findings about the edited task and those outside the tasks (about the
        file's other keys) are left out: the rule gives them again on :meth:`part`.
        None when a kept finding points at the changed text, or after it on the same
        line (where the edit may have moved what it points at): the rule must run on
        the whole file.
        """
        first, end, delta = self.first_line, self.end_line, self.line_delta
        low, high = self.block_start, self.block_end
        after = self.stop_line + 1  # the lines from here on move by the line delta
        result: list[Diagnostic] = []
        for diagnostic in found:
            line = diagnostic.span.line
            if line < low or line >= high or first <= line < end:
                continue
            if (diagnostic.related or diagnostic.fixes) and any(
                self._touched(span) for span in _own_spans(diagnostic, path)
            ):
                return None
            if delta and _reaches(diagnostic, after, path):
                diagnostic = _moved_diagnostic(diagnostic, after, delta, path)
            result.append(diagnostic)
        return result

    def _touched(self, span: Span) -> bool:
        """Whether the edit may have moved a place in the edited lines (old positions)."""
        if span.end_line < self.first_line or span.line >= self.end_line:
            return False
        ends_before = (span.end_line, span.end_column) <= self.start
        return not ends_before and span.line <= self.stop_line

    def reruns(self, scope: Scope) -> bool:
        """Whether a rule of that scope runs on the edited part alone (else: the whole file)."""
        if scope is Scope.TASK:
            return self.kept_summaries
        return scope is Scope.GRAPH and self.kept_graph

    def part(self, ctx: Context) -> Context:
        """The context as a task rule sees it for the edited task and the file's other keys."""
        view = ctx.view
        assert view is not None
        tasks = [view.tasks[self.position]] if self.position is not None else []
        walked = [t for task in tasks for t in subtree(task)]
        part = Context.__new__(Context)
        part.__dict__.update(
            (name, value)
            for name, value in ctx.__dict__.items()
            if name not in ("view", "templated", "expressions", "structure", "_decoding")
        )
        # every task is in the view, so that scopes and the graph are whole, but only the
        # edited task and its sub-tasks are walked
        part_view = WorkflowView(root=view.root, fields=view.fields, tasks=view.tasks)
        part_view.__dict__["_flat"] = tuple(walked)
        adopt_graph(part_view, workflow_graph(view))
        part.__dict__["view"] = part_view
        for name in ("templated", "expressions"):
            entries = getattr(ctx, name)
            output = _entries_of(entries, _OUTPUT)[0]
            low, high = _entries_of(entries, self.position) if self.position is not None else (0, 0)
            part.__dict__[name] = entries[low:high] + entries[output:]
        for name in ("variables", "parameter_names", "linked_action"):
            part.__dict__[name] = getattr(ctx, name)
        # the model's errors and a workflow's scalar texts: the edited task's and the other keys'
        part.__dict__["structure"] = [e for e in ctx.structure if self._walks(e.path)]
        decoded, texts = ctx._decoding
        part.__dict__["_decoding"] = (decoded, [t for t in texts if self._walks(t[1])])
        adopt_facts(part, workflow_facts(ctx))
        return part

    def _walks(self, path: tuple[str | int, ...]) -> bool:
        """Whether a data path lies in the edited task or outside the tasks."""
        if len(path) < 2 or path[0] != "tasks" or not isinstance(path[1], int):
            return True
        return path[1] == self.position


def _reaches(diagnostic: Diagnostic, line: int, path: Path) -> bool:
    """Whether any span of a finding in its own file ends at or after ``line``."""
    if diagnostic.span.end_line >= line:
        return True
    return any(span.end_line >= line for span in _own_spans(diagnostic, path))


def _own_spans(diagnostic: Diagnostic, path: Path) -> list[Span]:
    """The spans in the finding's own file of its related places and its fixes' edits."""
    spans = [r.span for r in diagnostic.related if r.path is None or r.path == path]
    spans.extend(
        edit.span
        for fix in diagnostic.fixes
        for edit in fix.edits
        if edit.path is None or edit.path == path
    )
    return spans


def _moved_span(span: Span, line: int, delta: int) -> Span:
    """A span with its ends at or after ``line`` moved down by ``delta`` lines."""
    start = span.line + delta if span.line >= line else span.line
    end = span.end_line + delta if span.end_line >= line else span.end_line
    return Span(start, span.column, end, span.end_column)


def _moved_diagnostic(diagnostic: Diagnostic, line: int, delta: int, path: Path) -> Diagnostic:
    """A finding with its spans in this file moved (built directly: ``replace`` is slower)."""
    related = diagnostic.related
    if related:
        related = tuple(
            Related(_moved_span(r.span, line, delta), r.message, r.path)
            if r.path is None or r.path == path
            else r
            for r in related
        )
    fixes = diagnostic.fixes
    if fixes:
        fixes = tuple(
            Fix(
                fix.title,
                tuple(
                    Edit(_moved_span(e.span, line, delta), e.new_text, e.path)
                    if e.path is None or e.path == path
                    else e
                    for e in fix.edits
                ),
                fix.preferred,
            )
            for fix in fixes
        )
    return Diagnostic(
        _moved_span(diagnostic.span, line, delta),
        diagnostic.severity,
        diagnostic.code,
        diagnostic.message,
        related,
        fixes,
        diagnostic.data,
    )


def _summary(task: TaskView) -> tuple[Any, ...]:
    """What a top-level task and its sub-tasks declare to the other tasks."""
    result = []
    for current in subtree(task):
        wait = current.value("wait_for")
        waits = (
            tuple(str(key.value) for key, _ in wait.value if isinstance(key, ScalarNode))
            if isinstance(wait, MappingNode)
            else None
        )
        published: list[Any] = []
        for node in [t.publish for t in current.transitions] + [current.value("publish")]:
            if isinstance(node, SequenceNode):
                for item in node.value:
                    if isinstance(item, MappingNode):
                        published.extend(str(k.value) for k, _ in item.value)
                    elif isinstance(item, ScalarNode):
                        published.append((item.tag, item.value))
            elif node is not None:
                published.append(None)
        result.append(
            (
                current.name,
                len(current.children),
                waits,
                current.string("action"),
                tuple(published),
            )
        )
    return tuple(result)


def _targets(task: TaskView) -> tuple[Any, ...]:
    """The targets of the transitions of a top-level task and its sub-tasks (their graph)."""
    return tuple(
        tuple(tuple(target.name for target in t.targets) for t in effective_transitions(current))
        for current in subtree(task)
    )


def _moved_facts(facts: WorkflowFacts, old: TaskView, new: TaskView) -> WorkflowFacts:
    """The facts with the edited task's views in place of the old ones (same names)."""
    tasks = dict(facts.tasks)
    for before, after in zip(subtree(old), subtree(new), strict=True):
        # each view is known by its own name only, if it is the first of that name
        if before.name is not None and tasks.get(before.name) is before:
            tasks[before.name] = after
    return WorkflowFacts(tasks, facts.wait_keys)


class _ScalarRanges:
    """The sorted (start, end) offsets of a tree's scalars longer than one character, as
    :func:`attune_workflow.check.cap_per_string` finds them, without walking the tree on
    every edit.

    Each top-level item (a task, the value of another top-level key) keeps its
    scalars' offsets counted from its base (see
    :class:`attune_workflow.yamlsource.ItemMark`): a spliced edit leaves them as
    they are, and a re-composed item is a new node. Only the top-level keys are
    read again.
    """

    def __init__(self) -> None:
        self._items: weakref.WeakKeyDictionary[Node, list[tuple[int, int]]] = (
            weakref.WeakKeyDictionary()
        )

    def __call__(self, doc: YamlDocument) -> list[tuple[int, int]] | None:
        """The offsets, or None (the tree may share nodes, or has a key that is not a scalar)."""
        root = doc.root
        if not isinstance(root, MappingNode) or "*" in doc.text:
            return None
        found: list[tuple[int, int]] = []
        for key, value in root.value:
            if key.__class__ is not ScalarNode:
                return None
            start, end = node_start(key), node_end(key)
            if end - start > 1:
                found.append((start, end))
            if value.__class__ is SequenceNode:
                for item in value.value:
                    self._add(found, item)
            else:
                self._add(found, value)
        found.sort()
        return found

    def _add(self, found: list[tuple[int, int]], node: Node) -> None:
        items = self._items
        own = items.get(node)
        if own is None:
            own = items[node] = _own_scalars(node)
        mark = node.start_mark
        base = mark.base.index if mark.__class__ is ItemMark else 0
        if base:
            found.extend([(start + base, end + base) for start, end in own])
        else:
            found.extend(own)


def _own_scalars(node: Node) -> list[tuple[int, int]]:
    """The offsets of the scalars below a node, counted from its item's base (if it has one)."""
    found = []
    stack = [node]
    while stack:
        current = stack.pop()
        kind = current.__class__
        if kind is ScalarNode:
            start: Any = current.start_mark
            end: Any = current.end_mark
            if start.__class__ is ItemMark:
                first, last = start.offset, end.offset
            else:
                first, last = start.index, end.index
            if last - first > 1:
                found.append((first, last))
        elif kind is MappingNode:
            for key, value in current.value:
                stack.append(key)
                stack.append(value)
        elif kind is SequenceNode:
            stack.extend(current.value)
    return found


class DocumentAnalysis:
    """The analysis of one open document, updated by each new version of its text."""

    def __init__(
        self,
        path: Path,
        *,
        index: PackIndex,
        config: Config,
        held: Callable[[Context], bool] | None = None,
    ) -> None:
        self.path = path
        self.index = index
        self.config = config
        # Whether a reader still holds a context: a held tree is never spliced (the splice
        # moves its nodes in place), the next version is parsed afresh instead.
        self.held = held
        self.context: Context | None = None
        self.diagnostics: list[Diagnostic] = []
        self.incremental_updates = 0
        self.partial_rule_runs = 0  # updates whose task rules ran on the edited task alone
        self.held_fallbacks = 0  # updates parsed afresh because a reader held the last tree
        # how many times each rule ran on the whole file (the others ran on an edited part)
        self.whole_file_runs: dict[str, int] = {}
        self.graph_splices = 0  # task graphs made from the last version's
        self._memo = FileMemo()
        self._scalars = _ScalarRanges()
        # each rule's findings on the current context, before suppressions
        self._findings: dict[str, list[Diagnostic]] = {}

    def update(
        self, text: str, *, index: PackIndex | None = None, config: Config | None = None
    ) -> tuple[Context, list[Diagnostic]]:
        """Analyse the document's new text; reuses what the edit did not touch.

        A new pack index keeps the tree (the parse, the views, the templated strings, the
        expressions and the model's errors do not read it) and runs every rule again; new
        settings start afresh.
        """
        config_changed = config is not None and config != self.config
        index_changed = index is not None and index is not self.index
        self.index = index or self.index
        self.config = config or self.config
        previous = None if config_changed else self.context
        if previous is not None and not index_changed and previous.text == text:
            return previous, list(self.diagnostics)  # nothing to do again
        if previous is not None and self.held is not None and self.held(previous):
            previous = None
            self.held_fallbacks += 1
        with gc_paused(), self._memo.generation():
            spliced: tuple[Context, _Edit | None] | None = None
            if previous is not None:
                if previous.text == text:
                    spliced = self._reindexed(previous)
                else:
                    spliced = self._splice(previous, text, keep_index=not index_changed)
            if spliced is None:
                ctx, edit = self._context(parse_yaml(text)), None
            else:
                ctx, edit = spliced
                self.incremental_updates += 1
            # the old context is let go before the rules run: one tree per document
            self.context = None
            findings = self._run_rules(ctx, edit)
            diagnostics = finish_findings(
                [d for found in findings.values() for d in found],
                ctx,
                lambda: self._scalars(ctx.doc),
            )
        self.context = ctx
        self.diagnostics = diagnostics
        self._findings = findings
        return ctx, diagnostics

    def _run_rules(self, ctx: Context, edit: _Edit | None) -> dict[str, list[Diagnostic]]:
        """Each active rule's findings; task rules re-run on the edited task alone if they may."""
        previous = self._findings if edit is not None and edit.kept_summaries else None
        self._findings = {}
        part: Context | None = None
        findings: dict[str, list[Diagnostic]] = {}
        for rule, severity in active_rules(ctx.config):
            if ctx.kind not in rule.kinds:
                continue
            found = previous.get(rule.id) if previous is not None else None
            kept = None
            if (
                found is not None
                and edit is not None
                and edit.reruns(rule.scope)
                and not (rule.cites_lines and edit.line_delta)
            ):
                kept = edit.kept(found, ctx.path)
            if kept is None or edit is None:
                findings[rule.id] = run_rule(rule, severity, ctx)
                self.whole_file_runs[rule.id] = self.whole_file_runs.get(rule.id, 0) + 1
                continue
            if part is None:
                part = edit.part(ctx)
                self.partial_rule_runs += 1
            findings[rule.id] = kept + run_rule(rule, severity, part)
        return findings

    def _context(self, doc: YamlDocument) -> Context:
        return Context(self.path, doc.text, doc, index=self.index, config=self.config)

    def _reindexed(self, old: Context) -> tuple[Context, None]:
        """The same text under a new pack index: the tree and what is built from it kept."""
        ctx = self._context(old.doc)
        for name in ("view", "templated", "expressions", "structure", "_decoding"):
            if name in old.__dict__:
                ctx.__dict__[name] = old.__dict__[name]
        facts = known_facts(old)
        if facts is not None:
            adopt_facts(ctx, facts)
        return ctx, None

    # -- the splice -----------------------------------------------------------------------

    def _splice(
        self, old: Context, text: str, *, keep_index: bool = True
    ) -> tuple[Context, _Edit] | None:
        """The context of ``text`` from ``old``'s tree, spliced in place.

        ``keep_index`` False (a new pack index): nothing that reads the index is carried
        over, and every rule runs again on the whole file.
        """
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
        if _odd_breaks(old_text) or _odd_breaks(text):
            return None
        prefix, suffix = common_ends(old_text, text)
        region = _region(doc, root, tasks, prefix, len(old_text) - suffix)
        if region is None:
            return self._splice_top(old, text, tasks, prefix, suffix, keep_index)
        delta = len(text) - len(old_text)
        old_piece = old_text[region.start : region.end]
        new_piece = text[region.start : region.end + delta]
        if _unsafe(old_piece) or _unsafe(new_piece):
            return None
        if "&" in old_text and "*" in old_text:
            return None  # aliases elsewhere: the edit may change how far they expand
        lines = doc.lines.edited(text, prefix, len(old_text) - suffix, len(text) - suffix)
        start_line = doc.lines.position(region.start)[0]
        item = compose_region(
            new_piece, region.start, start_line, _spaces(text, region.end + delta)
        )
        if item is None:
            return None
        old_item = tasks.value[region.position]
        if item.start_mark.column != old_item.start_mark.column:
            return None
        scalar_errors = region_problems(item, lines, 2)
        if scalar_errors is None:
            return None
        line_delta = lines.line_count - doc.lines.line_count
        # the plain data: only the task's entry changes
        fresh: list[DuplicateKey] = []
        task_data = build_data(item, fresh, lines)
        data = dict(doc.data)
        data_tasks = list(data["tasks"])
        data_tasks[region.position] = task_data
        data["tasks"] = data_tasks
        if classify(self.path, data) != (old.kind, old.layout):
            return None  # decided before the old tree is touched
        _shift_after(root, tasks, region, region.end, delta, line_delta)
        tasks.value[region.position] = item
        ctx = self._context(
            _spliced_document(old, region, lines, data, fresh, scalar_errors, line_delta)
        )
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
            ctx.__dict__["expressions"] = _kept_expressions(old, templated, region.position)
        old_task, new_task = old.view.tasks[region.position], view.tasks[region.position]
        old_graph = old.view.__dict__.get("_graph")
        if isinstance(old_graph, WorkflowGraph):
            graph = spliced_graph(old_graph, view, old_task, new_task)
            if graph is not None:
                adopt_graph(view, graph)
                self.graph_splices += 1
        # a fix that creates a missing task goes after the last task: its text counts too;
        # fixes write the file's line break
        kept_summaries = (
            keep_index
            and region.position != len(tasks.value) - 1
            and _same_breaks(old_text, text, old_piece, new_piece)
            and _summary(old_task) == _summary(new_task)
        )
        if kept_summaries:
            # what the tasks declare to each other is as it was
            for name in ("variables", "parameter_names"):
                if name in old.__dict__:
                    ctx.__dict__[name] = old.__dict__[name]
            facts = known_facts(old)
            if facts is not None:
                adopt_facts(ctx, _moved_facts(facts, old_task, new_task))
        kept_graph = kept_summaries and _targets(old_task) == _targets(new_task)
        return ctx, _Edit.of(
            region,
            region.position,
            doc.lines,
            line_delta,
            kept_summaries,
            kept_graph,
            (prefix, len(old_text) - suffix),
        )

    def _splice_top(
        self,
        old: Context,
        text: str,
        tasks: SequenceNode,
        prefix: int,
        suffix: int,
        keep_index: bool,
    ) -> tuple[Context, _Edit] | None:
        """Splice an edit inside the value of a top-level ``vars``, ``parameters`` or
        ``output_map``; the tasks are kept as they are."""
        doc = old.doc
        root = doc.root
        assert isinstance(root, MappingNode) and old.view is not None
        old_text = doc.text
        found = _top_region(doc, root, tasks, prefix, len(old_text) - suffix)
        if found is None:
            return None
        number, region = found
        old_key = root.value[number][0]
        delta = len(text) - len(old_text)
        old_piece = old_text[region.start : region.end]
        new_piece = text[region.start : region.end + delta]
        if _unsafe(old_piece) or _unsafe(new_piece) or ("&" in old_text and "*" in old_text):
            return None
        lines = doc.lines.edited(text, prefix, len(old_text) - suffix, len(text) - suffix)
        entry = compose_entry(
            new_piece,
            region.start,
            doc.lines.position(region.start)[0],
            _spaces(text, region.end + delta),
        )
        if entry is None:
            return None
        key, value = entry
        if (
            not isinstance(key, ScalarNode)
            or key.value != old_key.value
            or key.tag != old_key.tag
            or key.start_mark.index != old_key.start_mark.index
        ):
            return None
        scalar_errors = region_problems(value, lines, 2)
        if scalar_errors is None:
            return None
        name = str(key.value)
        line_delta = lines.line_count - doc.lines.line_count
        fresh: list[DuplicateKey] = []
        data = dict(doc.data)
        data[name] = build_data(value, fresh, lines)
        if classify(self.path, data) != (old.kind, old.layout):
            return None  # decided before the old tree is touched
        if delta or line_delta:
            move_node(root, region.end, delta, line_delta)
            for later in root.value[number + 1 :]:
                if later[1] is tasks:
                    move_node(later[0], region.end, delta, line_delta)
                    move_node(tasks, region.end, delta, line_delta)
                    move_items(tasks.value, delta, line_delta)
                else:
                    move_entries([later], delta, line_delta)
        root.value[number] = (key, value)
        ctx = self._context(
            _spliced_document(old, region, lines, data, fresh, scalar_errors, line_delta)
        )
        decoding = _spliced_field(old, name, value, data[name])
        if decoding is not None:
            ctx.__dict__["_decoding"] = decoding
        view = WorkflowView(root=root, fields=mapping_index(root), tasks=old.view.tasks)
        old_graph = old.view.__dict__.get("_graph")
        if isinstance(old_graph, WorkflowGraph):
            adopt_graph(view, old_graph)  # the same tasks
        ctx.__dict__["view"] = view
        if name == "output_map":
            templated = old.templated[: _entries_of(old.templated, _OUTPUT)[0]]
            templated.extend(templated_of_output(view))
            ctx.__dict__["templated"] = templated
            if "expressions" in old.__dict__:
                ctx.__dict__["expressions"] = _kept_expressions(old, templated, _OUTPUT)
        else:
            # the strings and expressions are those of the same nodes
            ctx.__dict__["templated"] = old.templated
            if "expressions" in old.__dict__:
                ctx.__dict__["expressions"] = old.expressions
        facts = known_facts(old)
        if facts is not None:
            adopt_facts(ctx, facts)  # the tasks are the same views
        kept_summaries = (
            keep_index
            and _same_breaks(old_text, text, old_piece, new_piece)
            and _declared(name, doc.data.get(name)) == _declared(name, data[name])
        )
        if kept_summaries:
            for cached in ("variables", "parameter_names"):
                if cached in old.__dict__:
                    ctx.__dict__[cached] = old.__dict__[cached]
        return ctx, _Edit.of(
            region,
            None,
            doc.lines,
            line_delta,
            kept_summaries,
            kept_summaries,
            (prefix, len(old_text) - suffix),
        )


def _same_breaks(old_text: str, text: str, old_piece: str, new_piece: str) -> bool:
    """Whether the file's line break (the one fixes write) is the same after the edit."""
    if "\r" not in old_piece and "\r" not in new_piece:
        return True
    return ("\r\n" in old_text) == ("\r\n" in text)


# Top-level keys whose value edits are spliced; any other key's edit is a full analysis.
_SPLICED_KEYS = frozenset({"vars", "parameters", "output_map"})


def _top_region(
    doc: YamlDocument, root: MappingNode, tasks: SequenceNode, start: int, end: int
) -> tuple[int, _Region] | None:
    """The top-level entry whose value holds the old text ``[start, end)``, if it may be spliced.

    The region runs from the entry's first line to the next entry's; its
    ``block_*`` bounds are those of the task items.
    """
    lines = doc.lines
    entries = root.value
    line_starts = [lines.offset(lines.position(key.start_mark.index)[0], 0) for key, _ in entries]
    number = bisect_right(line_starts, start) - 1
    if number < 0 or str(entries[number][0].value) not in _SPLICED_KEYS:
        return None
    key = entries[number][0]
    region_start = line_starts[number]
    region_end = line_starts[number + 1] if number + 1 < len(entries) else len(doc.text)
    if start <= key.end_mark.index or end >= region_end or region_start != key.start_mark.index:
        return None
    position = next(n for n, (_, value) in enumerate(entries) if value is tasks)
    block_start = lines.offset(lines.position(tasks.value[0].start_mark.index)[0], 0)
    block_end = line_starts[position + 1] if position + 1 < len(entries) else len(doc.text)
    return number, _Region(-1, region_start, region_end, block_start, block_end)


def _declared(key: str, value: Any) -> tuple[Any, ...]:
    """What a top-level ``vars`` or ``parameters`` value declares to the tasks (names)."""
    if not isinstance(value, dict):
        return (type(value).__name__,)
    properties = value.get("properties")
    return (
        tuple(value),
        tuple(properties) if isinstance(properties, dict) else None,
        value.get("type") if key == "parameters" else None,
    )


def _spliced_field(
    old: Context, name: str, node: Node, value: Any
) -> tuple[Any, list[tuple[ScalarNode, tuple[str | int, ...]]]] | None:
    """The old decoded data with one top-level field decoded again."""
    previous = old.__dict__.get("_decoding")
    if previous is None or not isinstance(previous[0], dict) or name not in previous[0]:
        return None
    from .model import WorkflowFile
    from .model.decode import decode_field

    decoded_value, fresh = decode_field(WorkflowFile, name, node, value)
    decoded = dict(previous[0])
    decoded[name] = decoded_value
    texts = previous[1]
    # the texts come in document order, so the field's own go where its old ones were
    places = [n for n, (_, path) in enumerate(texts) if path and path[0] == name]
    if places:
        first, last = places[0], places[-1]
        if len(places) != last - first + 1:
            return None
        return decoded, texts[:first] + fresh + texts[last + 1 :]
    order = [str(key.value) for key, _ in old.doc.root.value]  # type: ignore[union-attr]
    rank = order.index(name)
    at = next(
        (
            n
            for n, (_, path) in enumerate(texts)
            if path and path[0] in order and order.index(str(path[0])) > rank
        ),
        len(texts),
    )
    return decoded, texts[:at] + fresh + texts[at:]


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
    position = bisect_right(items, start, key=node_start) - 1
    if position < 0:
        return None

    def line_start(offset: int) -> int:
        return lines.offset(lines.position(offset)[0], 0)

    after = None
    for number, (_, value) in enumerate(root.value):
        if value is tasks:
            if number + 1 < len(root.value):
                after = root.value[number + 1][0].start_mark.index
            break
    last_end = line_start(after) if after is not None else len(doc.text)
    region_start = line_start(node_start(items[position]))
    region_end = (
        line_start(node_start(items[position + 1])) if position + 1 < len(items) else last_end
    )
    # The edit must leave the item's first line up to its content and the next item alone.
    if start < node_start(items[position]) or end >= region_end or region_end <= region_start:
        return None
    return _Region(position, region_start, region_end, line_start(node_start(items[0])), last_end)


def _odd_breaks(text: str) -> bool:
    """Whether the text holds a line break of libyaml's that LineIndex does not count
    (U+0085, U+2028, U+2029): the regions, found by LineIndex's lines, may cut
    libyaml's, so such a text is parsed afresh."""
    return not text.isascii() and ("\x85" in text or "\u2028" in text or "\u2029" in text)


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
    """Move every mark at or after ``old_end`` by the edit's length and line count.

    Each later task, and each later entry of the top-level mapping, moves as one
    (:func:`move_items`): the work is that of the items after the edit, not of
    their nodes.
    """
    if delta == 0 and line_delta == 0:
        return
    move_node(root, old_end, delta, line_delta)
    move_node(tasks, old_end, delta, line_delta)
    move_items(tasks.value[region.position + 1 :], delta, line_delta)
    entries = root.value
    number = next(n for n, (_, value) in enumerate(entries) if value is tasks)
    move_entries(entries[number + 1 :], delta, line_delta)


def _spaces(text: str, at: int) -> int:
    """The number of spaces at offset ``at`` of the text."""
    found = _SPACES.match(text, at)
    return found.end() - at if found is not None else 0


_SPACES = re.compile(" *")


def _spliced_document(
    old: Context,
    region: _Region,
    lines: LineIndex,
    data: Any,
    duplicates: list[DuplicateKey],
    scalar_errors: list[tuple[str, Span]],
    line_delta: int,
) -> YamlDocument:
    """The new document: the old tree with the region's nodes spliced in, and the region's
    duplicate keys and unreadable scalars among the others (moved)."""
    before, after = _moved_duplicates(old.doc.duplicates, old, region, line_delta)
    errors_before, errors_after = _moved_errors(old.doc.scalar_errors, old, region, line_delta)
    return YamlDocument(
        text=lines.text,
        lines=lines,
        root=old.doc.root,
        data=data,
        document_count=1,
        duplicates=before + duplicates + after,
        scalar_errors=errors_before + scalar_errors + errors_after,
    )


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


# Where the entries of ``output_map`` sort among the tasks' entries: last.
_OUTPUT = sys.maxsize


def _top_position(entry: Templated | Expression) -> int:
    """The position of the top-level task an entry belongs to (``output_map``: last)."""
    task = entry.task
    if task is None:
        return _OUTPUT
    while task.parent is not None:
        task = task.parent
    return task.index


def _entries_of(entries: list[Any], position: int) -> tuple[int, int]:
    """The range of task ``position``'s entries in a list of templated strings or expressions
    (they come in task order)."""
    return (
        bisect_left(entries, position, key=_top_position),
        bisect_right(entries, position, key=_top_position),
    )


def _spliced_templated(old: Context, view: WorkflowView, position: int) -> list[Templated]:
    """The templated strings of the kept tasks, and those of the rebuilt one."""
    entries = old.templated
    low, high = _entries_of(entries, position)
    fresh = [t for task in subtree(view.tasks[position]) for t in templated_of_task(task)]
    return entries[:low] + fresh + entries[high:]


def _kept_expressions(old: Context, templated: list[Templated], position: int) -> list[Expression]:
    """The expressions of the templated strings, reusing those of the kept tasks.

    ``position`` is the rebuilt task's, or :data:`_OUTPUT` for ``output_map``'s strings.
    """
    entries = old.expressions
    low, high = _entries_of(entries, position)
    at, end = _entries_of(templated, position)
    rebuilt = templated[at:end]
    return entries[:low] + [e for t in rebuilt for e in expressions_of(t)] + entries[high:]

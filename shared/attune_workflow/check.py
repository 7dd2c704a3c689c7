"""The check pipeline of one text: bytes -> text -> YAML -> context -> rules -> suppressions.

Files reach it through :func:`attune_workflow.workspace.analyse_file`, which the CLI,
the language server and the loader all call, so one file gets the same diagnostics
everywhere.
"""

from __future__ import annotations

import gc
import logging
import threading
from bisect import bisect_right
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from .config import Config
from .context import Context, FileKind, Layout, classify
from .diagnostics import INTERNAL_ERROR, Diagnostic, Severity, internal_error
from .expressions.memo import FileMemo
from .files import FileProblem
from .packindex import (
    PackIndex,
)
from .positions import LineIndex
from .rules import RULES, file_too_large, unreadable_file, unused_ignore
from .rules.base import Rule
from .suppressions import find_suppressions, suppressed_by
from .yamlsource import (
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    YamlDocument,
    node_end,
    node_start,
    parse_yaml,
)

log = logging.getLogger(__name__)

# Folders with at least this many files are checked by a pool of processes.
PARALLEL_THRESHOLD = 64


def active_rules(config: Config) -> list[tuple[Rule, Severity | None]]:
    """The rules that run under a configuration, with the severity the user set (if any).

    Without a user setting a rule's diagnostics keep their own severity (a rule
    may report some cases above or below its default).
    """
    result: list[tuple[Rule, Severity | None]] = []
    for rule in RULES:
        if rule.id in config.rules:
            severity = config.rules[rule.id]
            if severity is None:
                continue
            result.append((rule, severity))
        elif rule.enabled or config.strict:
            result.append((rule, None))
    return result


_gc_lock = threading.Lock()
_gc_holders = 0
_gc_kept_off = False
_gc_releases = 0
# Analyses between two full collections of the frozen objects.
_GC_FULL_EVERY = 32


def keep_collector_off() -> None:
    """Leave the cyclic collector off for the rest of a one-shot process.

    A command that checks files and exits frees its memory at exit; the
    collector's passes over the trees it builds would only cost time.
    """
    global _gc_kept_off
    with _gc_lock:
        _gc_kept_off = True
        gc.disable()


def _release_collector() -> None:
    """Switch the collector back on without letting it walk the fresh trees.

    The survivors of an analysis are frozen (moved out of the collector's
    sight, in constant time); reference counting still frees them. Cycles
    among frozen objects would stay, so every few analyses the frozen objects
    are collected once.
    """
    global _gc_releases
    if _gc_kept_off:
        return
    _gc_releases += 1
    if _gc_releases % _GC_FULL_EVERY == 0:
        gc.unfreeze()
        gc.collect()
    gc.freeze()
    gc.enable()


_points = threading.local()


def checkpoint() -> None:
    """A point between two steps of an analysis where it may pause or be given up.

    Calls the hooks that :func:`pause_points` set on this thread: a hook may wait (the
    analysis pauses, holding no lock) or raise (the analysis ends there, unwinding
    cleanly). Without hooks it does nothing.
    """
    hooks: list[Callable[[], object]] | None = getattr(_points, "hooks", None)
    if hooks:
        for hook in hooks:
            hook()


@contextmanager
def pause_points(hook: Callable[[], object]) -> Iterator[None]:
    """Within the block, call ``hook`` at every :func:`checkpoint` this thread reaches."""
    hooks: list[Callable[[], object]] | None = getattr(_points, "hooks", None)
    if hooks is None:
        hooks = _points.hooks = []
    hooks.append(hook)
    try:
        yield
    finally:
        hooks.pop()


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a file is analysed.

    Composing a large document allocates hundreds of thousands of small objects
    that form no cycles; the collector's repeated passes over them cost as much
    as the parse itself. Reference counting still frees everything.
    """
    global _gc_holders
    with _gc_lock:
        _gc_holders += 1
        if _gc_holders == 1:
            gc.disable()
    try:
        yield
    finally:
        with _gc_lock:
            _gc_holders -= 1
            if _gc_holders == 0:
                _release_collector()


def check_text(
    path: Path,
    text: str,
    *,
    index: PackIndex,
    config: Config,
    kind: FileKind | None = None,
    layout: Layout | None = None,
) -> list[Diagnostic]:
    """Every diagnostic of one file's text, suppressions applied, sorted."""
    return analyze(path, text, index=index, config=config, kind=kind, layout=layout)[1]


def analyze(
    path: Path,
    text: str,
    *,
    index: PackIndex,
    config: Config,
    kind: FileKind | None = None,
    layout: Layout | None = None,
    doc: YamlDocument | None = None,
) -> tuple[Context, list[Diagnostic]]:
    """The context of one file's text and its diagnostics (suppressions applied, sorted).

    ``doc``: the text already parsed, by a reader that keeps nothing else of the tree.
    """
    with gc_paused(), FileMemo().generation():
        return _analyze(path, text, index=index, config=config, kind=kind, layout=layout, doc=doc)


def _analyze(
    path: Path,
    text: str,
    *,
    index: PackIndex,
    config: Config,
    kind: FileKind | None,
    layout: Layout | None,
    doc: YamlDocument | None,
) -> tuple[Context, list[Diagnostic]]:
    checkpoint()
    if doc is None or doc.text != text:
        doc = parse_yaml(text)
    checkpoint()
    ctx = Context(path, text, doc, index=index, config=config, kind=kind, layout=layout)
    return ctx, analyze_document(ctx)


def analyze_document(ctx: Context) -> list[Diagnostic]:
    """The diagnostics of a built context: every active rule, then suppressions."""
    found: list[Diagnostic] = []
    for rule, severity in active_rules(ctx.config):
        if ctx.kind in rule.kinds:
            checkpoint()
            found.extend(run_rule(rule, severity, ctx))
    return finish_findings(found, ctx)


def run_rule(rule: Rule, severity: Severity | None, ctx: Context) -> list[Diagnostic]:
    """One rule's findings on a context, at the user's severity; a crash becomes a finding."""
    try:
        produced = list(rule.check(ctx))
    except Exception as exc:  # a bug in one rule must not hide the others' findings
        log.exception("rule %s failed on %s", rule.id, ctx.path)
        return [internal_error(f"rule '{rule.id}'", exc)]
    if severity is None:
        return produced
    return [d.with_severity(severity) for d in produced]


def finish_findings(
    found: list[Diagnostic],
    ctx: Context,
    scalars: Callable[[], list[tuple[int, int]] | None] | None = None,
) -> list[Diagnostic]:
    """The rules' findings capped per string, suppressions applied, sorted.

    ``scalars``, if given, gives what :func:`cap_per_string` would find by
    walking the tree (None: walk it).
    """
    if len(found) > FINDINGS_PER_STRING:
        found = cap_per_string(found, ctx.doc, scalars() if scalars is not None else None)
    return _finish(found, ctx.text, ctx.doc.lines, ctx.config)


# At most this many findings of one rule inside one string; the rest are counted.
FINDINGS_PER_STRING = 20


def cap_per_string(
    found: list[Diagnostic], doc: YamlDocument, scalars: list[tuple[int, int]] | None = None
) -> list[Diagnostic]:
    """Keep the first :data:`FINDINGS_PER_STRING` findings of each rule in each string.

    A string of thousands of ``{{ }}`` blocks would otherwise give thousands of
    findings; the ones past the cap become one "and N more" finding on the string.
    Linear in the findings and the scalars of the document. ``scalars``: the
    sorted (start, end) offsets of the document's scalars longer than one
    character, if known.
    """
    if scalars is None:
        scalars = sorted(
            (node_start(node), node_end(node))
            for node in _scalar_nodes(doc.root)
            if node_end(node) - node_start(node) > 1
        )
    starts = [start for start, _ in scalars]
    groups: dict[tuple[str, int], list[Diagnostic]] = {}
    kept: list[Diagnostic] = []
    for diagnostic in found:
        offset = doc.lines.offset(diagnostic.span.line, diagnostic.span.column)
        at = bisect_right(starts, offset) - 1
        if at < 0 or diagnostic.code == INTERNAL_ERROR or offset > scalars[at][1]:
            kept.append(diagnostic)
            continue
        group = groups.setdefault((diagnostic.code, at), [])
        group.append(diagnostic)
        if len(group) <= FINDINGS_PER_STRING:
            kept.append(diagnostic)
    for (code, at), group in groups.items():
        extra = len(group) - FINDINGS_PER_STRING
        if extra <= 0:
            continue
        start, end = scalars[at]
        first = group[FINDINGS_PER_STRING]
        kept.append(
            Diagnostic(
                doc.lines.span(start, end),
                min(d.severity for d in group[FINDINGS_PER_STRING:]),
                code,
                f"... and {extra:,} more finding{'s' if extra != 1 else ''} of this rule in this "
                f"string (the next: {first.message})",
            )
        )
    return kept


def _scalar_nodes(root: Node | None) -> Iterator[ScalarNode]:
    if root is None:
        return
    seen: set[int] = set()
    stack: list[Node] = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, ScalarNode):
            yield node
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, MappingNode):
            for key, value in node.value:
                stack.append(key)
                stack.append(value)


def _finish(
    found: list[Diagnostic], text: str, lines: LineIndex, config: Config
) -> list[Diagnostic]:
    suppressions = find_suppressions(text, lines)
    if suppressions:
        kept = []
        for diagnostic in found:
            if diagnostic.code == INTERNAL_ERROR:  # a crash is never hidden
                kept.append(diagnostic)
                continue
            hit = False
            for supp in suppressions:
                if suppressed_by(supp, diagnostic.code, diagnostic.span.line):
                    supp.used.add(diagnostic.code)
                    hit = True
            if not hit:
                kept.append(diagnostic)
        found = kept
        severity = config.rules.get(unused_ignore.ID, unused_ignore.SEVERITY)
        if severity is not None:
            found.extend(replace(d, severity=severity) for d in unused_ignore.unused(suppressions))
    found.sort(key=lambda d: d.sort_key)
    return found


def check_bytes(
    path: Path,
    data: bytes,
    *,
    index: PackIndex,
    config: Config,
    kind: FileKind | None = None,
) -> list[Diagnostic]:
    """Check raw file content: size and encoding first, then the text."""
    early = check_raw(path, data, config)
    if early:
        return early
    return check_text(path, decode(data), index=index, config=config, kind=kind)


def check_raw(path: Path, data: bytes, config: Config) -> list[Diagnostic]:
    """Diagnostics of the raw bytes (size, encoding); when any, the text is not read."""
    early: list[Diagnostic] = []
    for rule, severity in active_rules(config):
        if rule.check_bytes is not None:
            for diagnostic in rule.check_bytes(path, data, config):
                early.append(diagnostic if severity is None else diagnostic.with_severity(severity))
    return sorted(early, key=lambda d: d.sort_key)


def decode(data: bytes) -> str:
    """The text of file content that passed :func:`check_raw` (a BOM is dropped)."""
    return data.decode("utf-8").removeprefix("\ufeff")


def file_problem(
    problem: FileProblem, config: Config, severity: Severity = unreadable_file.SEVERITY
) -> list[Diagnostic]:
    """The finding for a file that was not read, with the user's severity for its rule."""
    if problem.size is not None:
        diagnostic = file_too_large.diagnostic(problem.size, config.max_file_size)
    else:
        diagnostic = unreadable_file.diagnostic(problem.message, severity)
    if diagnostic.code in config.rules:
        level = config.rules[diagnostic.code]
        return [] if level is None else [diagnostic.with_severity(level)]
    return [diagnostic]


__all__ = [
    "active_rules",
    "analyze",
    "analyze_document",
    "check_bytes",
    "check_raw",
    "check_text",
    "checkpoint",
    "classify",
    "decode",
    "file_problem",
    "keep_collector_off",
    "pause_points",
]

"""The check pipeline: bytes -> text -> YAML -> context -> rules -> suppressions.

The CLI, the language server and the registrar all call :func:`check_text` or
:func:`check_file`, so one file gets the same diagnostics everywhere.
"""

from __future__ import annotations

import gc
import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from .config import Config, find_config_files, load_config_file
from .context import Context, FileKind, Layout, classify
from .diagnostics import Diagnostic, FileReport, Severity
from .expressions.memo import FileMemo
from .packindex import (
    SKIP_DIRS,
    YAML_SUFFIXES,
    PackIndex,
    PackInfo,
    discover_packs,
    find_pack_root,
    is_pack_dir,
    read_pack,
)
from .positions import LineIndex, Span
from .rules import RULES, unused_ignore
from .rules.base import Rule
from .suppressions import find_suppressions, suppressed_by
from .yamlsource import parse_yaml

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
) -> tuple[Context, list[Diagnostic]]:
    """The context of one file's text and its diagnostics (suppressions applied, sorted)."""
    with gc_paused(), FileMemo().generation():
        return _analyze(path, text, index=index, config=config, kind=kind, layout=layout)


def _analyze(
    path: Path,
    text: str,
    *,
    index: PackIndex,
    config: Config,
    kind: FileKind | None,
    layout: Layout | None,
) -> tuple[Context, list[Diagnostic]]:
    doc = parse_yaml(text)
    ctx = Context(path, text, doc, index=index, config=config, kind=kind, layout=layout)
    return ctx, analyze_document(ctx)


def analyze_document(ctx: Context) -> list[Diagnostic]:
    """The diagnostics of a built context: every active rule, then suppressions."""
    config = ctx.config
    found: list[Diagnostic] = []
    for rule, severity in active_rules(config):
        if ctx.kind not in rule.kinds:
            continue
        try:
            produced = list(rule.check(ctx))
        except Exception as exc:  # a bug in one rule must not hide the others' findings
            produced = [_rule_failure(rule, exc)]
        if severity is None:
            found.extend(produced)
        else:
            found.extend(d.with_severity(severity) for d in produced)
    return _finish(found, ctx.text, ctx.doc.lines, config)


def _rule_failure(rule: Rule, exc: Exception) -> Diagnostic:
    log.exception("rule %s failed", rule.id)
    return Diagnostic(
        Span(0, 0, 0, 0),
        Severity.ERROR,
        rule.id,
        f"Internal error in rule '{rule.id}' ({type(exc).__name__}: {exc}); the other rules ran. "
        "Please report this file to the attune-lsp project",
    )


def _finish(
    found: list[Diagnostic], text: str, lines: LineIndex, config: Config
) -> list[Diagnostic]:
    suppressions = find_suppressions(text, lines)
    if suppressions:
        kept = []
        for diagnostic in found:
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


def check_file(path: Path, *, index: PackIndex, config: Config) -> FileReport:
    """Check one file on disk."""
    data = path.read_bytes()
    return FileReport(path, tuple(check_bytes(path, data, index=index, config=config)))


# -- many files ----------------------------------------------------------------------------


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """The files to check for the given files and folders, in a stable order.

    A folder yields the files of every pack below it and loose YAML files that
    look like workflows or actions; a file given by name is always checked.
    """
    return _expand(paths)[0]


def _expand(paths: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """(files to check, pack folders found below the folders), from one walk per folder."""
    files: dict[Path, None] = {}
    packs: dict[Path, None] = {}
    for path in paths:
        path = path.resolve()
        if path.is_file():
            files[path] = None
            continue
        found, loose = scan_folder(path)
        for root in found:
            packs[root] = None
            files.update(dict.fromkeys(read_pack_files(root)))
        files.update(dict.fromkeys(loose))
    return list(files), list(packs)


def read_pack_files(root: Path) -> list[Path]:
    """The files of a pack folder that are checked."""
    return list(PackInfo(ref=root.name, root=root).files())


def scan_folder(root: Path) -> tuple[list[Path], list[Path]]:
    """The packs at or below a folder, and the loose Attune YAML files outside them."""
    if not root.is_dir():
        return [], []
    if is_pack_dir(root):
        return [root], []
    packs: list[Path] = []
    loose: list[Path] = []
    for current, dirs, names in os.walk(root):
        here = Path(current)
        if here != root and is_pack_dir(here):
            packs.append(here)
            dirs[:] = []
            continue
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS)
        for name in sorted(names):
            if name.endswith(YAML_SUFFIXES) and not name.startswith("."):
                file = here / name
                if _looks_like_attune(file):
                    loose.append(file)
    return packs, loose


def _looks_like_attune(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(65536)
    except OSError:
        return False
    return any(
        line.startswith((b"tasks:", b"workflow_file:", b"runner_type:", b"entry_point:"))
        for line in head.splitlines()
    )


def build_index(
    paths: Iterable[Path], config: Config, *, discovered: Iterable[Path] | None = None
) -> PackIndex:
    """Index the packs the given paths belong to or contain, their siblings and extra roots.

    ``discovered``: the packs below the folders among ``paths``, when already found.
    """
    roots: dict[Path, None] = dict.fromkeys(discovered or ())
    for path in paths:
        path = path.resolve()
        pack_root = find_pack_root(path)
        if pack_root is not None:
            roots[pack_root] = None
            for sibling in sibling_packs(pack_root):
                roots[sibling] = None
        if discovered is None and path.is_dir():
            roots.update(dict.fromkeys(discover_packs(path)))
    for extra in config.pack_roots:
        for folder in discover_packs(extra):
            roots[folder] = None
    return PackIndex(read_pack(root) for root in roots)


def sibling_packs(pack_root: Path) -> list[Path]:
    """The packs beside a pack (Attune keeps packs side by side under one folder)."""
    parent = pack_root.parent
    if parent == pack_root:
        return []
    try:
        entries = sorted(os.scandir(parent), key=lambda e: e.name)
    except OSError:
        return []
    return [
        Path(entry.path)
        for entry in entries
        if not entry.name.startswith(".")
        and entry.name not in SKIP_DIRS
        and entry.is_dir()
        and is_pack_dir(Path(entry.path))
    ]


def load_config(paths: Iterable[Path], base: Config) -> Config:
    """The base configuration with every ``.attune-lsp.yaml`` above the paths laid over it."""
    config = base
    seen: set[Path] = set()
    for path in paths:
        for file in find_config_files(path):
            if file not in seen:
                seen.add(file)
                config = load_config_file(file).merged(config)
    return config


_WORKER: tuple[PackIndex, Config] | None = None


def _init_worker(index: PackIndex, config: Config) -> None:
    global _WORKER
    _WORKER = (index, config)


def _check_in_worker(path: Path) -> FileReport:
    assert _WORKER is not None
    index, config = _WORKER
    return _safe_check(path, index, config)


def _safe_check(path: Path, index: PackIndex, config: Config) -> FileReport:
    try:
        return check_file(path, index=index, config=config)
    except OSError as exc:
        message = f"Cannot read the file: {exc.strerror or exc}"
        diagnostic = Diagnostic(Span(0, 0, 0, 0), Severity.ERROR, "encoding", message)
        return FileReport(path, (diagnostic,))


def check_paths(
    paths: Sequence[Path],
    config: Config,
    *,
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    index: PackIndex | None = None,
) -> list[FileReport]:
    """Check files and folders; large trees use a pool of processes."""
    files, packs = _expand(paths)
    if index is None:
        index = build_index(paths, config, discovered=packs)
    total = len(files)
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    reports: list[FileReport] = []
    if workers > 1 and total >= PARALLEL_THRESHOLD:
        # imported here: a check of a few files starts no processes and needs no pool
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(
            max_workers=workers, initializer=_init_worker, initargs=(index, config)
        ) as pool:
            for done, report in enumerate(pool.map(_check_in_worker, files, chunksize=8), 1):
                reports.append(report)
                if progress:
                    progress(done, total)
    else:
        for done, path in enumerate(files, 1):
            reports.append(_safe_check(path, index, config))
            if progress:
                progress(done, total)
    return reports


__all__ = [
    "active_rules",
    "analyze",
    "analyze_document",
    "build_index",
    "check_bytes",
    "check_file",
    "check_paths",
    "check_raw",
    "check_text",
    "classify",
    "decode",
    "expand_paths",
    "keep_collector_off",
    "load_config",
]

"""The check pipeline: bytes -> text -> YAML -> context -> rules -> suppressions.

The CLI, the language server and the registrar all call :func:`check_text` or
:func:`check_file`, so one file gets the same diagnostics everywhere.
"""

from __future__ import annotations

import gc
import logging
import os
import threading
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from .config import Config, find_config_files, load_config_file
from .context import Context, FileKind, Layout, classify
from .diagnostics import INTERNAL_ERROR, Diagnostic, FileReport, Severity, internal_error
from .files import FileProblem, check_entry, read_file, real_path
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
from .rules import RULES, file_too_large, pack_manifest, unreadable_file, unused_ignore
from .rules.base import Rule
from .suppressions import find_suppressions, suppressed_by
from .yamlsource import MappingNode, Node, ScalarNode, SequenceNode, YamlDocument, parse_yaml

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
                gc.enable()


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
    with gc_paused():
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
    found: list[Diagnostic] = []
    for rule, severity in active_rules(config):
        if ctx.kind not in rule.kinds:
            continue
        try:
            produced = list(rule.check(ctx))
        except Exception as exc:  # a bug in one rule must not hide the others' findings
            log.exception("rule %s failed on %s", rule.id, path)
            found.append(internal_error(f"rule '{rule.id}'", exc))
            continue
        if severity is None:
            found.extend(produced)
        else:
            found.extend(d.with_severity(severity) for d in produced)
    if len(found) > FINDINGS_PER_STRING:
        found = cap_per_string(found, doc)
    return ctx, _finish(found, text, doc.lines, config)


# At most this many findings of one rule inside one string; the rest are counted.
FINDINGS_PER_STRING = 20


def cap_per_string(found: list[Diagnostic], doc: YamlDocument) -> list[Diagnostic]:
    """Keep the first :data:`FINDINGS_PER_STRING` findings of each rule in each string.

    A string of thousands of ``{{ }}`` blocks would otherwise give thousands of
    findings; the ones past the cap become one "and N more" finding on the string.
    Linear in the findings and the scalars of the document.
    """
    scalars = sorted(
        (node.start_mark.index, node.end_mark.index)
        for node in _scalar_nodes(doc.root)
        if node.end_mark.index - node.start_mark.index > 1
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


def check_file(
    path: Path, *, index: PackIndex, config: Config, root: Path | None = None
) -> FileReport:
    """Check one file on disk; a file that cannot be read safely gets one finding.

    The file is stat-ed before it is read (the size limit costs no read) and is
    read only when it is a regular file whose real path lies inside ``root``
    (its pack folder, or the folder that was searched), when given.
    """
    try:
        data = read_file(path, max_size=config.max_file_size, root=root)
    except FileProblem as problem:
        return FileReport(path, tuple(file_problem(problem, config)))
    return FileReport(path, tuple(check_bytes(path, data, index=index, config=config)))


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


# -- many files ----------------------------------------------------------------------------


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """The files to check for the given files and folders, in a stable order.

    A folder yields the files of every pack below it and loose YAML files that
    look like workflows or actions; a file given by name is always checked.
    """
    return list(_expand(paths).files)


class _Expansion:
    """What a walk of the given paths found."""

    __slots__ = ("files", "packs", "skipped")

    def __init__(self) -> None:
        self.files: dict[Path, Path | None] = {}  # file -> the root it must lie in
        self.packs: dict[Path, None] = {}
        self.skipped: list[tuple[Path, str, Severity]] = []  # (entry, why, severity)


def _expand(paths: Iterable[Path]) -> _Expansion:
    """The files to check, the pack folders below the folders and the entries skipped."""
    found = _Expansion()
    for path in paths:
        path = real_path(path)
        if not path.is_dir():
            found.files[path] = None  # named by the user: read (or reported) whatever it is
            continue
        packs, loose, skipped = scan_folder(path)
        for root in packs:
            found.packs[root] = None
            found.files.update(dict.fromkeys(read_pack_files(root), root))
            found.skipped.extend((f, why, Severity.ERROR) for f, why in unreadable_folders(root))
        found.files.update(dict.fromkeys(loose, path))
        found.skipped.extend((f, why, Severity.WARNING) for f, why in skipped)
    return found


def read_pack_files(root: Path) -> list[Path]:
    """The files of a pack folder that are checked."""
    return list(PackInfo(ref=root.name, root=root).files())


def unreadable_folders(root: Path) -> list[tuple[Path, str]]:
    """The workflow and action folders of a pack that exist but cannot be listed."""
    problems = []
    for name in ("actions", "actions/workflows", "workflows"):
        folder = root / name
        try:
            with os.scandir(folder):
                pass
        except (FileNotFoundError, NotADirectoryError):
            continue
        except OSError as exc:
            problems.append(
                (
                    folder,
                    f"Cannot read the folder: {exc.strerror or exc}; its files are not checked "
                    "(and Attune's loader cannot read them either)",
                )
            )
    return problems


def scan_folder(root: Path) -> tuple[list[Path], list[Path], list[tuple[Path, str]]]:
    """The packs at or below a folder, the loose Attune YAML files outside them, and
    the YAML-named entries that are skipped (not regular files, links out of the folder).
    """
    if not root.is_dir():
        return [], [], []
    if is_pack_dir(root):
        return [root], [], []
    packs: list[Path] = []
    loose: list[Path] = []
    skipped: list[tuple[Path, str]] = []
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
                try:
                    check_entry(file, root)
                except FileProblem as problem:
                    skipped.append((file, problem.message))
                    continue
                if _looks_like_attune(file):
                    loose.append(file)
    return packs, loose, skipped


def _looks_like_attune(path: Path) -> bool:
    try:
        with open(path, "rb", opener=_nonblocking) as handle:
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
        path = real_path(path)
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
    return PackIndex(safe_read_pack(root) for root in roots)


def safe_read_pack(root: Path) -> PackInfo:
    """Read a pack for the index; a pack that cannot be read is indexed empty, not fatal.

    Its own files still get their findings when they are checked.
    """
    try:
        return read_pack(root)
    except Exception:
        log.exception("reading pack %s failed", root)
        return PackInfo(ref=root.name, root=real_path(root))


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


def _nonblocking(path: str, flags: int) -> int:
    return os.open(path, flags | os.O_NONBLOCK)


def _init_worker(index: PackIndex, config: Config) -> None:
    global _WORKER
    _WORKER = (index, config)


def _check_in_worker(job: tuple[Path, Path | None]) -> FileReport:
    assert _WORKER is not None
    index, config = _WORKER
    return _safe_check(job[0], job[1], index, config)


def _safe_check(path: Path, root: Path | None, index: PackIndex, config: Config) -> FileReport:
    """Check one file; a crash of the checker becomes an internal-error finding of that file."""
    try:
        return check_file(path, index=index, config=config, root=root)
    except Exception as exc:
        log.exception("checking %s failed", path)
        return FileReport(path, (internal_error("the checker", exc),))


def check_paths(
    paths: Sequence[Path],
    config: Config,
    *,
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    index: PackIndex | None = None,
) -> list[FileReport]:
    """Check files and folders; large trees use a pool of processes.

    Entries that are skipped (a FIFO, a link out of the folder, an unreadable
    folder) come first, each with a warning of its own.
    """
    found = _expand(paths)
    if index is None:
        index = build_index(paths, config, discovered=list(found.packs))
    reports: list[FileReport] = [
        FileReport(entry, tuple(file_problem(FileProblem(why), config, severity)))
        for entry, why, severity in found.skipped
    ]
    files = list(found.files.items())
    total = len(files)
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers > 1 and total >= PARALLEL_THRESHOLD:
        with ProcessPoolExecutor(
            max_workers=workers, initializer=_init_worker, initargs=(index, config)
        ) as pool:
            for done, report in enumerate(pool.map(_check_in_worker, files, chunksize=8), 1):
                reports.append(report)
                if progress:
                    progress(done, total)
    else:
        for done, (path, root) in enumerate(files, 1):
            reports.append(_safe_check(path, root, index, config))
            if progress:
                progress(done, total)
    return _with_duplicate_refs(reports, list(found.packs), index, config)


def _with_duplicate_refs(
    reports: list[FileReport], packs: list[Path], index: PackIndex, config: Config
) -> list[FileReport]:
    """Report packs checked together that share a ref (Attune keeps one pack per ref).

    Only packs among the checked folders count: a sibling indexed for context is not
    reported on a check of its neighbour.
    """
    severity = config.rules.get(pack_manifest.ID, pack_manifest.SEVERITY)
    if severity is None:
        return reports
    first: dict[str, Path] = {}
    extra: dict[Path, Diagnostic] = {}
    for root in packs:
        pack = index.pack_for(root / "pack.yaml")
        ref = pack.ref if pack is not None else root.name
        if ref not in first:
            first[ref] = root
            continue
        target = root / "pack.yaml" if os.path.lexists(root / "pack.yaml") else root
        extra[target] = Diagnostic(
            Span(0, 0, 0, 0),
            severity,
            pack_manifest.ID,
            f"Pack ref '{ref}' is also the ref of the pack in {first[ref]}: Attune keeps one "
            "pack per ref, so one would replace the other; give each pack its own ref",
        )
    if not extra:
        return reports
    merged = []
    for report in reports:
        found = extra.pop(report.path, None)
        if found is not None:
            both = sorted((*report.diagnostics, found), key=lambda d: d.sort_key)
            report = FileReport(report.path, tuple(both))
        merged.append(report)
    merged.extend(FileReport(path, (d,)) for path, d in extra.items())
    return merged


__all__ = [
    "active_rules",
    "analyze",
    "build_index",
    "check_bytes",
    "check_file",
    "check_paths",
    "check_raw",
    "check_text",
    "classify",
    "decode",
    "expand_paths",
    "load_config",
]

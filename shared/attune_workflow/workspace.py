"""One way from a file to its analysis: the workspace, its configuration and its packs.

The checker, the language server and the loader all go through :class:`Workspace`
and :func:`analyse_file`: the configuration of each file comes from one
:class:`~attune_workflow.config.ConfigResolver` and the pack index from one
builder, :func:`build_index`, so one file gets the same findings everywhere.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .check import analyze, check_raw, decode, file_problem
from .config import Config, ConfigResolver
from .context import Context, FileKind
from .diagnostics import Diagnostic, FileReport, Severity, internal_error
from .files import FileProblem, check_entry, folders_resolved_once, read_file, real_path
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
from .rules import RULES_BY_ID, pack_manifest
from .yamlsource import YamlDocument

if TYPE_CHECKING:
    # an open document's analysis: the server's, never needed by a check
    from .incremental import DocumentAnalysis

log = logging.getLogger(__name__)

# Folders with at least this many files are checked by a pool of processes.
PARALLEL_THRESHOLD = 64


class Workspace:
    """Where files are checked: the workspace roots, the user's settings, the resolver of
    each file's configuration and the pack index (a snapshot, swapped when packs change).
    """

    def __init__(
        self,
        roots: Iterable[Path] = (),
        settings: Config | None = None,
        *,
        index: PackIndex | None = None,
        collect_config_problems: bool = False,
    ) -> None:
        self.roots = tuple(real_path(root) for root in roots)
        self.configs = ConfigResolver(
            self.roots, settings or Config(), RULES_BY_ID, collect=collect_config_problems
        )
        self.index = index if index is not None else PackIndex()
        # The action files the index read, parsed: a one-shot check sets it, and the check
        # of each file takes its own document (the index keeps only the data). None: not kept.
        self.parsed: dict[Path, YamlDocument] | None = None

    @property
    def settings(self) -> Config:
        """The user's settings (laid over every project file)."""
        return self.configs.settings

    def config_for(self, path: Path) -> Config:
        """The configuration of one file."""
        return self.configs.config_for(path)

    def index_packs(
        self,
        paths: Iterable[Path] = (),
        *,
        discovered: Iterable[Path] | None = None,
        overlay: Mapping[Path, str] | None = None,
    ) -> PackIndex:
        """Build the pack index for these paths (see :func:`build_index`) and use it."""
        self.index = build_index(
            paths, self.configs, discovered=discovered, overlay=overlay, parsed=self.parsed
        )
        return self.index


@dataclass(frozen=True, slots=True)
class FileAnalysis:
    """One file analysed: its text, configuration, context and findings.

    ``ctx`` is None when the content was not read as YAML (unreadable, too large,
    not UTF-8): the findings then say why.
    """

    path: Path
    text: str
    config: Config
    ctx: Context | None
    diagnostics: list[Diagnostic]

    @property
    def lines(self) -> LineIndex:
        """The line index of the text."""
        return self.ctx.doc.lines if self.ctx is not None else LineIndex(self.text)

    def report(self) -> FileReport:
        """The findings as a report of the file."""
        return FileReport(self.path, tuple(self.diagnostics))


def analyse_file(
    path: Path,
    source: str | bytes | None,
    workspace: Workspace,
    *,
    kind: FileKind | None = None,
    root: Path | None = None,
    document: DocumentAnalysis | None = None,
) -> FileAnalysis:
    """Analyse one file: ``source`` is an editor's text, raw bytes, or None to read the file.

    ``document``, an open document's incremental analysis, re-analyses only what an edit
    of the text changed.

    A file read from disk is stat-ed first and read only when it is a regular file
    within the size limit whose real path lies inside ``root`` (when given);
    otherwise the one finding says why. ``kind`` forces what the file is read as.
    """
    config = workspace.config_for(path)
    read = source is None
    if source is None:
        try:
            source = read_file(path, max_size=config.max_file_size, root=root)
        except FileProblem as problem:
            return FileAnalysis(path, "", config, None, file_problem(problem, config))
    if isinstance(source, bytes):
        early = check_raw(path, source, config)
        text = source.decode("utf-8", errors="replace") if early else decode(source)
    else:
        text = source
        early = check_raw(path, text.encode("utf-8", errors="surrogatepass"), config)
    if early:
        return FileAnalysis(path, text, config, None, early)
    if document is not None and kind is None:
        ctx, diagnostics = document.update(text, index=workspace.index, config=config)
    else:
        # the index's parse of the same text, when it kept one (its last use)
        parsed = workspace.parsed
        doc = parsed.pop(path, None) if parsed is not None and read else None
        ctx, diagnostics = analyze(
            path, text, index=workspace.index, config=config, kind=kind, doc=doc
        )
    return FileAnalysis(path, text, config, ctx, diagnostics)


def check_file(path: Path, workspace: Workspace, *, root: Path | None = None) -> FileReport:
    """The findings of one file on disk; a crash of the checker is one internal-error finding."""
    try:
        return analyse_file(path, None, workspace, root=root).report()
    except Exception as exc:
        log.exception("checking %s failed", path)
        return FileReport(path, (internal_error("the checker", exc),))


# -- the pack index ------------------------------------------------------------------------


def build_index(
    paths: Iterable[Path],
    configs: ConfigResolver | Config,
    *,
    discovered: Iterable[Path] | None = None,
    overlay: Mapping[Path, str] | None = None,
    parsed: dict[Path, YamlDocument] | None = None,
) -> PackIndex:
    """The pack index of :func:`index_roots` (``overlay``: editor texts over files on disk;
    ``parsed`` keeps the action files parsed, see :func:`~.packindex.read_action`)."""
    roots = index_roots(paths, configs, discovered=discovered)
    return PackIndex(safe_read_pack(root, overlay, parsed) for root in roots)


def index_roots(
    paths: Iterable[Path],
    configs: ConfigResolver | Config,
    *,
    discovered: Iterable[Path] | None = None,
    siblings: bool = True,
) -> list[Path]:
    """The packs to index: those the given paths belong to or contain, their siblings
    (unless ``siblings`` is False), and the packs under the ``pack_roots`` of the settings
    and of the paths' project files. A folder that cannot be read adds no pack.

    ``discovered``: the packs below the folders among ``paths``, when already found.
    ``configs`` may be bare settings (no workspace roots).
    """
    if isinstance(configs, Config):
        configs = ConfigResolver((), configs, RULES_BY_ID, collect=True)
    roots: dict[Path, None] = dict.fromkeys(discovered or ())
    extra: dict[Path, None] = dict.fromkeys(configs.settings.pack_roots)
    for path in paths:
        path = real_path(path)
        pack_root = _pack_of(path)
        if pack_root is not None:
            roots[pack_root] = None
            if siblings:
                roots.update(dict.fromkeys(sibling_packs(pack_root)))
        if discovered is None and path.is_dir():
            roots.update(dict.fromkeys(_discover(path)))
        extra.update(dict.fromkeys(configs.config_for(path).pack_roots))
    for folder in extra:
        roots.update(dict.fromkeys(_discover(folder)))
    return list(roots)


def _discover(root: Path) -> list[Path]:
    """The packs at or below a folder (none when it cannot be read)."""
    try:
        return discover_packs(root)
    except (OSError, ValueError, RuntimeError) as exc:
        log.warning("cannot look for packs in %s: %s", root, exc)
        return []


def _pack_of(path: Path) -> Path | None:
    """The pack folder a file or folder belongs to, if any."""
    try:
        return find_pack_root(path)
    except (OSError, ValueError, RuntimeError):
        return None


def safe_read_pack(
    root: Path,
    overlay: Mapping[Path, str] | None = None,
    parsed: dict[Path, YamlDocument] | None = None,
) -> PackInfo:
    """Read a pack for the index; a pack that cannot be read is indexed empty, not fatal.

    Its own files still get their findings when they are checked.
    """
    try:
        return read_pack(root, overlay, parsed=parsed)
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


def _nonblocking(path: str, flags: int) -> int:
    return os.open(path, flags | os.O_NONBLOCK)


# -- many files ----------------------------------------------------------------------------

_WORKER: Workspace | None = None


def _init_worker(workspace: Workspace) -> None:
    global _WORKER
    _WORKER = workspace
    # a worker lives for one check: each folder's real path is resolved once for all its
    # files (the block is left when the process ends)
    folders_resolved_once().__enter__()


def _check_in_worker(jobs: list[tuple[Path, Path | None]]) -> list[FileReport]:
    assert _WORKER is not None
    return [check_file(path, _WORKER, root=root) for path, root in jobs]


def _batches(
    files: list[tuple[Path, Path | None]], workers: int
) -> list[list[tuple[Path, Path | None]]]:
    """The files in batches for the workers: few enough that handing them over costs
    little, small enough that the workers end together."""
    size = max(8, min(64, len(files) // (workers * 16)))
    return [files[start : start + size] for start in range(0, len(files), size)]


def check_paths(
    paths: Sequence[Path],
    settings: Config | Workspace,
    *,
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[FileReport]:
    """Check files and folders; large trees use a pool of processes.

    ``settings``: the user's settings (the workspace is the current folder), or a
    workspace. Each file gets the configuration of its nearest ``.attune-lsp.yaml``;
    a project file that cannot be used raises ConfigError before any file is checked.
    Entries that are skipped (a FIFO, a link out of the folder, an unreadable folder)
    come first, each with a warning of its own.
    """
    workspace = settings if isinstance(settings, Workspace) else Workspace([Path.cwd()], settings)
    # a one-shot check: each action file is parsed once, for the index and for its check
    workspace.parsed = {}
    try:
        with folders_resolved_once():
            return _check_paths(paths, workspace, jobs=jobs, progress=progress)
    finally:
        workspace.parsed = None


def _check_paths(
    paths: Sequence[Path],
    workspace: Workspace,
    *,
    jobs: int | None,
    progress: Callable[[int, int], None] | None,
) -> list[FileReport]:
    found = _expand(paths)
    # every project file is read (and a broken one reported) before any file is checked:
    # a file's configuration is its folder's (a link's, that of the folder it leads to)
    for place in dict.fromkeys(p if os.path.islink(p) else p.parent for p in found.files):
        workspace.config_for(place)
    workspace.index_packs(paths, discovered=list(found.packs))
    reports: list[FileReport] = [
        FileReport(
            entry, tuple(file_problem(FileProblem(why), workspace.config_for(entry), severity))
        )
        for entry, why, severity in found.skipped
    ]
    files = list(found.files.items())
    total = len(files)
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers > 1 and total >= PARALLEL_THRESHOLD:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(
            max_workers=workers, initializer=_init_worker, initargs=(workspace,)
        ) as pool:
            done = 0
            for batch in pool.map(_check_in_worker, _batches(files, workers)):
                reports.extend(batch)
                done += len(batch)
                if progress:
                    progress(done, total)
    else:
        for done, (path, root) in enumerate(files, 1):
            reports.append(check_file(path, workspace, root=root))
            if progress:
                progress(done, total)
    return _with_duplicate_refs(reports, list(found.packs), workspace)


def _with_duplicate_refs(
    reports: list[FileReport], packs: list[Path], workspace: Workspace
) -> list[FileReport]:
    """Report packs checked together that share a ref (Attune keeps one pack per ref).

    Only packs among the checked folders count: a sibling indexed for context is not
    reported on a check of its neighbour.
    """
    index = workspace.index
    first: dict[str, Path] = {}
    extra: dict[Path, Diagnostic] = {}
    for root in packs:
        pack = index.pack_for(root / "pack.yaml")
        ref = pack.ref if pack is not None else root.name
        if ref not in first:
            first[ref] = root
            continue
        target = root / "pack.yaml" if os.path.lexists(root / "pack.yaml") else root
        rules = workspace.config_for(target).rules
        severity = rules.get(pack_manifest.ID, pack_manifest.SEVERITY)
        if severity is None:
            continue
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

"""The pack index: packs, their actions and flat schemas, and workflow links.

A pack is a folder with ``pack.yaml`` or one holding ``actions/`` (a folder
that merely has a ``workflows/`` child, such as a docs folder, is not one).
Attune's ``core`` pack is always installed, so a bundled index of its actions
is always present; a ``core`` pack in the workspace adds to it.
"""

from __future__ import annotations

import json
import os
import pkgutil
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from .files import FileProblem, read_text, real_path
from .yamlsource import YamlDocument, parse_yaml

YAML_SUFFIXES = (".yaml", ".yml")
# Pack files larger than this are not read into the index (their own check reports the size;
# Attune's loader refuses files over 1 MiB).
MAX_INDEXED_SIZE = 1024 * 1024
SKIP_DIRS = frozenset({"node_modules", "__pycache__", "venv", ".venv", "site-packages"})


@dataclass(slots=True)
class ActionInfo:
    """What the checker knows of one action."""

    ref: str
    pack: str
    path: Path | None = None
    label: str | None = None
    description: str | None = None
    parameters: dict[str, Any] | None = None
    output: dict[str, Any] | None = None
    workflow_file: str | None = None
    source: str = "workspace"  # "workspace", "bundled" or "database"
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The part of the ref after the pack."""
        return self.ref.partition(".")[2]

    @property
    def workflow_path(self) -> Path | None:
        """The graph file this action links, when it is a workflow action on disk."""
        if self.path is None or not isinstance(self.workflow_file, str):
            return None
        if "\0" in self.workflow_file:
            return None
        return real_path(self.path.parent / self.workflow_file)


@dataclass(slots=True)
class PackInfo:
    """A pack on disk (or the bundled core pack)."""

    ref: str
    root: Path | None
    manifest: dict[str, Any] | None = None
    actions: dict[str, ActionInfo] = field(default_factory=dict)
    # ref -> the action files that declare it, in file order, for refs declared twice
    duplicate_refs: dict[str, list[Path]] = field(default_factory=dict)

    @property
    def manifest_path(self) -> Path | None:
        """Where ``pack.yaml`` is (or would be)."""
        return self.root / "pack.yaml" if self.root else None

    def files(self) -> Iterator[Path]:
        """The files of the pack the checker reads, in a stable order."""
        if self.root is None:
            return
        manifest = self.root / "pack.yaml"
        if os.path.lexists(manifest) and not manifest.is_dir():
            yield manifest  # an odd manifest (a FIFO, a link loop) is reported when read
        for folder in ("actions", "actions/workflows", "workflows"):
            yield from yaml_files(self.root / folder)


def yaml_files(folder: Path) -> list[Path]:
    """The ``.yaml``/``.yml`` entries directly in a folder that are not folders, sorted.

    Odd entries (FIFOs, link loops, dangling links) are listed too, so that
    reading them reports why they are skipped rather than hiding them.
    """
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except OSError:
        return []
    return [
        Path(entry.path)
        for entry in entries
        if entry.name.endswith(YAML_SUFFIXES) and not _is_dir(entry)
    ]


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def is_pack_dir(folder: Path) -> bool:
    """Whether a folder looks like a pack: it has ``pack.yaml`` or an ``actions/`` folder."""
    return (folder / "pack.yaml").is_file() or (folder / "actions").is_dir()


def find_pack_root(path: Path) -> Path | None:
    """The pack folder a file or folder belongs to, walking up."""
    path = real_path(path)
    start = path if path.is_dir() else path.parent
    for folder in (start, *start.parents):
        if (folder / "pack.yaml").is_file():
            return folder
    parts = start.parts
    if len(parts) >= 3 and parts[-2:] == ("actions", "workflows"):
        return start.parent.parent
    if parts and parts[-1] == "actions":
        return start.parent
    if parts and parts[-1] == "workflows" and is_pack_dir(start.parent):
        return start.parent
    if is_pack_dir(start) and (start / "actions").is_dir():
        return start
    return None


def discover_packs(root: Path) -> list[Path]:
    """Pack folders at or below ``root`` (a pack's own sub-folders are not searched)."""
    root = real_path(root)
    if not root.is_dir():
        return []
    if is_pack_dir(root):
        return [root]
    found: list[Path] = []
    for current, dirs, _files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS)
        here = Path(current)
        if here != root and is_pack_dir(here):
            found.append(here)
            dirs[:] = []
    return found


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _schema(value: Any) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None


def read_action(
    path: Path,
    pack_ref: str,
    text: str | None = None,
    *,
    root: Path | None = None,
    parsed: dict[Path, YamlDocument] | None = None,
) -> ActionInfo | None:
    """Read an action file (or the given text of it); None when it has no usable content.

    The file is read only when it is a regular file inside ``root`` (the pack
    folder), when given, and within :data:`MAX_INDEXED_SIZE`. ``parsed`` keeps the
    document parsed from the disk, for a check of the file to use again.
    """
    if text is None:
        try:
            text = read_text(path, max_size=MAX_INDEXED_SIZE, root=root)
        except FileProblem:
            return None
        doc = parse_yaml(text)
        if parsed is not None:
            parsed[path] = doc
    else:
        doc = parse_yaml(text)
    data = doc.data
    if not isinstance(data, dict):
        return None
    ref = _string(data.get("ref"))
    if not ref:
        ref = f"{pack_ref}.{path.stem}"
    return ActionInfo(
        ref=ref,
        pack=ref.partition(".")[0],
        path=real_path(path),
        label=_string(data.get("label")),
        description=_string(data.get("description")),
        parameters=_schema(data.get("parameters")),
        output=_schema(data.get("output")),
        workflow_file=_string(data.get("workflow_file")),
        data=data,
    )


def read_pack(
    root: Path,
    overlay: Mapping[Path, str] | None = None,
    *,
    parsed: dict[Path, YamlDocument] | None = None,
) -> PackInfo:
    """Read a pack folder: its manifest and its actions.

    ``overlay`` maps files to texts that replace what is on disk (an editor's
    unsaved buffers); an overlaid action file that does not exist yet is read too.
    ``parsed`` keeps the action files parsed from the disk (see :func:`read_action`).
    """
    root = real_path(root)
    overlay = overlay or {}
    manifest: dict[str, Any] | None = None
    manifest_path = root / "pack.yaml"
    manifest_text = overlay.get(manifest_path)
    if manifest_text is None and manifest_path.is_file():
        try:
            manifest_text = read_text(manifest_path, max_size=MAX_INDEXED_SIZE, root=root)
        except FileProblem:
            manifest_text = None
    if manifest_text is not None:
        data = parse_yaml(manifest_text).data
        manifest = data if isinstance(data, dict) else None
    ref = root.name
    if manifest and isinstance(manifest.get("ref"), str) and manifest["ref"]:
        ref = manifest["ref"]
    pack = PackInfo(ref=ref, root=root, manifest=manifest)
    actions_dir = root / "actions"
    files = dict.fromkeys(yaml_files(actions_dir))
    files.update(dict.fromkeys(p for p in overlay if p.parent == actions_dir))
    for path in sorted(files):
        action = read_action(path, ref, overlay.get(path), root=root, parsed=parsed)
        if action is not None:
            first = pack.actions.setdefault(action.ref, action)
            if first is not action and first.path is not None and action.path is not None:
                pack.duplicate_refs.setdefault(action.ref, [first.path]).append(action.path)
    return pack


@cache
def bundled_core() -> PackInfo:
    """Attune's core pack as shipped with Attune (always installed)."""
    # pkgutil reads through the package's loader, as importlib.resources does, without
    # loading that module's archive and temporary-file machinery into every check
    raw = pkgutil.get_data("attune_workflow", "data/core_pack.json")
    if raw is None:
        raise FileNotFoundError("attune_workflow/data/core_pack.json")
    data = json.loads(raw)
    pack = PackInfo(ref="core", root=None, manifest=data.get("manifest"))
    for item in data["actions"]:
        pack.actions[item["ref"]] = ActionInfo(
            ref=item["ref"],
            pack="core",
            label=item.get("label"),
            description=item.get("description"),
            parameters=item.get("parameters"),
            output=item.get("output"),
            source="bundled",
        )
    return pack


class PackIndex:
    """Every pack and action the checker can see."""

    def __init__(self, packs: Iterable[PackInfo] = (), *, include_core: bool = True) -> None:
        self._packs: dict[str, PackInfo] = {}
        self._by_root: dict[Path, PackInfo] = {}
        self._actions: dict[str, ActionInfo] = {}
        self._links: dict[Path, ActionInfo] = {}
        self._all_links: dict[Path, list[ActionInfo]] = {}
        self._database_packs: set[str] = set()
        if include_core:
            core = bundled_core()
            self._packs["core"] = PackInfo(ref="core", root=None, manifest=core.manifest)
            for action in core.actions.values():
                self._actions[action.ref] = action
        for pack in packs:
            self.add_pack(pack)

    def add_pack(self, pack: PackInfo) -> None:
        """Add or replace a pack read from disk."""
        if pack.root is not None:
            old = self._by_root.get(pack.root)
            if old is not None:
                self.remove_pack(old.root)
            self._by_root[pack.root] = pack
        existing = self._packs.get(pack.ref)
        if existing is None or existing.root is None:
            self._packs[pack.ref] = pack
        for action in pack.actions.values():
            self._actions[action.ref] = action
            linked = action.workflow_path
            if linked is not None:
                self._links.setdefault(linked, action)
                self._all_links.setdefault(linked, []).append(action)

    def remove_pack(self, root: Path | None) -> None:
        """Forget a pack read from disk (its bundled core actions stay)."""
        if root is None:
            return
        pack = self._by_root.pop(root, None)
        if pack is None:
            return
        if self._packs.get(pack.ref) is pack:
            del self._packs[pack.ref]
            if pack.ref == "core":
                self._packs["core"] = PackInfo(ref="core", root=None)
        for ref, action in list(self._actions.items()):
            if action.path is not None and action.path.is_relative_to(root):
                del self._actions[ref]
                bundled = bundled_core().actions.get(ref)
                if bundled is not None:
                    self._actions[ref] = bundled
        for path, action in list(self._links.items()):
            if action.path is not None and action.path.is_relative_to(root):
                del self._links[path]
        for path, actions in list(self._all_links.items()):
            kept = [a for a in actions if a.path is None or not a.path.is_relative_to(root)]
            if kept:
                self._all_links[path] = kept
            else:
                del self._all_links[path]

    def add_database_actions(self, actions: Mapping[str, Mapping[str, Any]]) -> None:
        """Add actions known from an Attune database (never replacing workspace ones)."""
        for ref, item in actions.items():
            pack = ref.partition(".")[0]
            self._database_packs.add(pack)
            if ref in self._actions and self._actions[ref].source == "workspace":
                continue
            self._actions[ref] = ActionInfo(
                ref=ref,
                pack=pack,
                description=_string(item.get("description")),
                parameters=_schema(item.get("param_schema")),
                output=_schema(item.get("out_schema")),
                source="database",
            )

    @property
    def packs(self) -> Mapping[str, PackInfo]:
        """Packs by ref."""
        return self._packs

    def pack_for(self, path: Path) -> PackInfo | None:
        """The indexed pack a file lies in."""
        path = real_path(path)
        for folder in path.parents:
            pack = self._by_root.get(folder)
            if pack is not None:
                return pack
        return None

    def action(self, ref: str) -> ActionInfo | None:
        """An action by ref."""
        return self._actions.get(ref)

    def actions(self) -> Iterator[ActionInfo]:
        """Every known action."""
        return iter(self._actions.values())

    def pack_known(self, pack_ref: str) -> bool:
        """Whether the actions of a pack are known (workspace, bundled core or database)."""
        return pack_ref in self._packs or pack_ref in self._database_packs

    def pack_source(self, pack_ref: str) -> str | None:
        """``workspace``, ``bundled`` or ``database`` for a known pack."""
        pack = self._packs.get(pack_ref)
        if pack is not None:
            return "workspace" if pack.root is not None else "bundled"
        return "database" if pack_ref in self._database_packs else None

    def linked_action(self, workflow_path: Path) -> ActionInfo | None:
        """The action whose ``workflow_file`` names this graph file."""
        return self._links.get(real_path(workflow_path))

    def linking_actions(self, workflow_path: Path) -> list[ActionInfo]:
        """Every action whose ``workflow_file`` names this graph file, by ref."""
        return sorted(self._all_links.get(real_path(workflow_path), ()), key=lambda a: a.ref)

"""Project configuration: ``.attune-lsp.yaml`` at the workspace or pack root.

It may set ``rules: {rule-id: off|error|warning|information|hint}``,
``max_file_size`` and extra ``pack_roots``. The database URL never lives here:
it comes from the environment or editor settings, so no secret is committed.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .diagnostics import Severity
from .files import real_path
from .yamlsource import parse_yaml

CONFIG_NAME = ".attune-lsp.yaml"
DEFAULT_MAX_FILE_SIZE = 1024 * 1024
OFF = "off"


class ConfigError(ValueError):
    """A configuration file or option that cannot be used."""


@dataclass(frozen=True, slots=True)
class Config:
    """Settings that shape a check."""

    rules: Mapping[str, Severity | None] = field(default_factory=dict)
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    pack_roots: tuple[Path, ...] = ()
    strict: bool = False

    def merged(self, other: Config) -> Config:
        """This configuration with ``other``'s rule settings and pack roots laid over it."""
        return replace(
            self,
            rules={**self.rules, **other.rules},
            max_file_size=other.max_file_size
            if other.max_file_size != DEFAULT_MAX_FILE_SIZE
            else self.max_file_size,
            pack_roots=self.pack_roots
            + tuple(p for p in other.pack_roots if p not in self.pack_roots),
        )


def parse_rule_settings(
    raw: Any, *, source: str, known: Collection[str]
) -> dict[str, Severity | None]:
    """Read a ``rules`` mapping: rule id (one of ``known``) -> severity name or ``off``."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{source}: 'rules' must be a mapping of rule id to severity or 'off'")
    result: dict[str, Severity | None] = {}
    for key, value in raw.items():
        if key not in known:
            raise ConfigError(f"{source}: unknown rule id {key!r}")
        if value is False or (isinstance(value, str) and value.strip().lower() == OFF):
            result[str(key)] = None
            continue
        if not isinstance(value, str):
            raise ConfigError(f"{source}: rule {key!r} must be set to a severity or 'off'")
        try:
            result[str(key)] = Severity.parse(value)
        except ValueError:
            raise ConfigError(
                f"{source}: rule {key!r}: {value!r} is not one of off, error, warning, "
                "information, hint"
            ) from None
    return result


def load_config_file(path: Path, *, known_rules: Collection[str]) -> Config:
    """Read one ``.attune-lsp.yaml``; raises ConfigError with a clear message."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    doc = parse_yaml(text)
    if doc.syntax_error:
        message, span = doc.syntax_error
        raise ConfigError(f"{path}:{span.line + 1}:{span.column + 1}: {message}")
    data = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping")
    unknown = set(data) - {"rules", "max_file_size", "pack_roots"}
    if unknown:
        raise ConfigError(f"{path}: unknown setting(s): {', '.join(sorted(map(str, unknown)))}")
    size = data.get("max_file_size", DEFAULT_MAX_FILE_SIZE)
    if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
        raise ConfigError(f"{path}: max_file_size must be a positive number of bytes")
    roots = data.get("pack_roots", [])
    if not isinstance(roots, list) or not all(isinstance(r, str) for r in roots):
        raise ConfigError(f"{path}: pack_roots must be a list of folders")
    project = real_path(path.parent)
    resolved = []
    for entry in roots:
        folder = real_path(project / entry)
        if not folder.is_relative_to(project):
            # A repository's file must not widen the scan (``["/"]`` walks the whole disk).
            raise ConfigError(
                f"{path}: pack_roots entry {entry!r} lies outside {project}; a project's "
                "configuration only names folders inside the project (name outside folders "
                "in your own editor settings, attune.packRoots)"
            )
        resolved.append(folder)
    return Config(
        rules=parse_rule_settings(data.get("rules"), source=str(path), known=known_rules),
        max_file_size=size,
        pack_roots=tuple(resolved),
    )


class ConfigResolver:
    """The configuration of each file, resolved one way for the checker, the server and
    the loader: the nearest ``.attune-lsp.yaml`` from the file's folder up to its
    workspace root (up to the file system root for a file outside every workspace root),
    with the user's settings (command line or editor) laid over it.

    ``known_rules`` are the rule ids a file may name. A file that cannot be used raises
    :class:`ConfigError`; with ``collect`` its message is kept in :attr:`problems`
    instead and the settings alone apply.
    """

    def __init__(
        self,
        roots: Iterable[Path],
        settings: Config,
        known_rules: Collection[str],
        *,
        collect: bool = False,
    ) -> None:
        # Deepest first, so a nested workspace folder bounds the search of its files.
        self.roots = tuple(
            sorted({real_path(r) for r in roots}, key=lambda p: len(p.parts), reverse=True)
        )
        self.settings = settings
        self.known_rules = frozenset(known_rules)
        self.collect = collect
        self.problems: dict[str, None] = {}
        self._by_folder: dict[Path, Config | ConfigError] = {}

    def project_file(self, path: Path) -> Path | None:
        """The ``.attune-lsp.yaml`` that applies to a file or folder, if any."""
        path = real_path(path)
        folder = path if path.is_dir() else path.parent
        stop = next((root for root in self.roots if folder.is_relative_to(root)), None)
        for current in (folder, *folder.parents):
            candidate = current / CONFIG_NAME
            if candidate.is_file():
                return candidate
            if current == stop:
                break
        return None

    def config_for(self, path: Path) -> Config:
        """The configuration of one file (or of the files of a folder)."""
        real = real_path(path)
        folder = real if real.is_dir() else real.parent
        found = self._by_folder.get(folder)
        if found is None:
            file = self.project_file(folder)
            try:
                project = load_config_file(file, known_rules=self.known_rules) if file else Config()
                found = replace(project.merged(self.settings), strict=self.settings.strict)
            except ConfigError as exc:
                found = exc
            self._by_folder[folder] = found
        if isinstance(found, ConfigError):
            if not self.collect:
                raise found
            self.problems[str(found)] = None
            return self.settings
        return found

    def forget(self) -> None:
        """Drop what was read (a ``.attune-lsp.yaml`` changed)."""
        self._by_folder.clear()
        self.problems.clear()

"""The server's settings: initialization options, ``workspace/configuration`` and changes.

Editors send them as one camelCase object (``databaseUrl``, ``packRoots``, ``maxFileSize``,
``rules``, ``strict``), either bare or under an ``attune`` key. Every problem is collected
into one message and the default is used for that setting, so a typo never stops the server.
``.attune-lsp.yaml`` files still apply; these settings lie over them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from attune_workflow.config import DEFAULT_MAX_FILE_SIZE, Config, ConfigError, parse_rule_settings
from attune_workflow.diagnostics import Severity
from attune_workflow.rules import RULES_BY_ID

SECTION = "attune"
KEYS = ("databaseUrl", "packRoots", "maxFileSize", "rules", "strict")
# Settings of the VS Code extension that are meant for the extension itself.
CLIENT_KEYS = frozenset({"server", "interpreter", "trace"})


@dataclass(frozen=True, slots=True)
class Settings:
    """Typed settings with their defaults."""

    database_url: str | None = None
    pack_roots: tuple[Path, ...] = ()
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    rules: Mapping[str, Severity | None] = field(default_factory=dict)
    strict: bool = False

    def config(self) -> Config:
        """The engine configuration these settings make (before ``.attune-lsp.yaml`` files)."""
        return Config(
            rules=dict(self.rules),
            max_file_size=self.max_file_size,
            pack_roots=self.pack_roots,
            strict=self.strict,
        )


def section_of(raw: Any) -> Any:
    """The ``attune`` section when the object holds one, else the object itself."""
    if isinstance(raw, Mapping) and isinstance(raw.get(SECTION), Mapping):
        return raw[SECTION]
    return raw


def parse_settings(raw: Any, *, base: Path | None = None) -> tuple[Settings, list[str]]:
    """Read a settings object; returns the settings and the problems found (defaults used).

    Relative ``packRoots`` are taken from ``base`` (the first workspace folder).
    """
    raw = section_of(raw)
    if raw is None:
        return Settings(), []
    if not isinstance(raw, Mapping):
        return Settings(), [f"the settings must be an object, not {type(raw).__name__}"]
    problems: list[str] = []
    unknown = sorted(str(k) for k in raw if k not in KEYS and k not in CLIENT_KEYS)
    if unknown:
        problems.append(f"unknown setting(s) {', '.join(unknown)} (known: {', '.join(KEYS)})")

    database_url: str | None = None
    url = raw.get("databaseUrl")
    if isinstance(url, str):
        database_url = url.strip() or None
    elif url is not None:
        problems.append("databaseUrl must be a string")

    roots: list[Path] = []
    value = raw.get("packRoots")
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        for item in value:
            if not item.strip():
                continue
            path = Path(os.path.expandvars(item)).expanduser()
            if not path.is_absolute() and base is not None:
                path = base / path
            roots.append(path.resolve())
    elif value is not None:
        problems.append("packRoots must be a list of folders")

    size = raw.get("maxFileSize")
    max_file_size = DEFAULT_MAX_FILE_SIZE
    if isinstance(size, int) and not isinstance(size, bool) and size > 0:
        max_file_size = size
    elif size is not None:
        problems.append(f"maxFileSize must be a positive number of bytes (using {max_file_size})")

    rules: dict[str, Severity | None] = {}
    value = raw.get("rules")
    if isinstance(value, Mapping):
        for rule, level in value.items():
            try:
                rules.update(parse_rule_settings({rule: level}, source="rules", known=RULES_BY_ID))
            except ConfigError as exc:
                problems.append(str(exc))
    elif value is not None:
        problems.append("rules must be an object of rule id to off|error|warning|information|hint")

    strict = raw.get("strict", False)
    if not isinstance(strict, bool):
        problems.append("strict must be true or false")
        strict = False

    settings = Settings(
        database_url=database_url,
        pack_roots=tuple(dict.fromkeys(roots)),
        max_file_size=max_file_size,
        rules=rules,
        strict=strict,
    )
    return settings, problems


def merge_raw(*layers: Any) -> dict[str, Any]:
    """Lay settings objects over each other (later ones win, key by key)."""
    merged: dict[str, Any] = {}
    for layer in layers:
        layer = section_of(layer)
        if isinstance(layer, Mapping):
            merged.update({str(k): v for k, v in layer.items() if v is not None})
    return merged

"""The workflow loader, as Attune's ``WorkflowLoader`` finds and names files.

Every sub-folder of ``packs_base_dir`` is a pack named after the folder. A
pack's workflows are read from ``workflows/`` then ``actions/workflows/``
(non-recursive, ``.yaml``/``.yml``); the name is the file stem without a
trailing ``.workflow`` and the ref is ``<pack>.<name>``; on a collision the
``actions/workflows/`` file wins. Unlike Attune's loader, a loaded workflow
carries every diagnostic of the file, not only the first, and an oversized
file becomes a ``file-too-large`` diagnostic rather than an exception.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import DEFAULT_MAX_FILE_SIZE, Config
from .context import FileKind
from .diagnostics import Diagnostic, Severity
from .files import real_path
from .normalize import normalize
from .packindex import PackIndex, yaml_files
from .rules import GROUPS
from .workspace import Workspace, analyse_file, build_index

DEFAULT_PACKS_DIR = Path("/opt/attune/packs")
# The checks Attune's parse step makes; the only ones run with ``skip_validation``.
PARSE_RULES = frozenset(GROUPS["File and YAML"]) | frozenset(GROUPS["Structure and types"])
# Pack-check findings about the pack around a file; Attune's loader reads every sub-folder
# of the base folder as a pack, with or without pack.yaml, so they do not block a workflow.
PACK_CHECK_RULES = frozenset(
    {"pack-manifest", "missing-entry-point", "duplicate-ref", "ignored-file"}
)


class LoaderError(Exception):
    """A loader request that cannot be served (missing folder, bad ref, not found)."""


@dataclass(frozen=True, slots=True)
class LoaderConfig:
    """Where packs live and how strictly files are read."""

    packs_base_dir: Path = DEFAULT_PACKS_DIR
    skip_validation: bool = False
    max_file_size: int = DEFAULT_MAX_FILE_SIZE


@dataclass(frozen=True, slots=True)
class WorkflowFileRef:
    """A workflow file found in a pack."""

    path: Path
    pack: str
    name: str
    ref_name: str
    root: Path | None = None  # the pack folder; a file whose real path is outside is not read


@dataclass(slots=True)
class LoadedWorkflow:
    """A workflow file with its data as Attune decodes it, its stored form and its diagnostics."""

    file: WorkflowFileRef
    data: dict[str, Any] | None
    definition: dict[str, Any] | None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        """The error diagnostics (they keep the workflow from being registered)."""
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    @property
    def valid(self) -> bool:
        """Whether Attune would accept the file."""
        return self.definition is not None and not self.errors


def workflow_name(path: Path) -> str:
    """The workflow name of a file: its stem without a trailing ``.workflow``."""
    return path.stem.removesuffix(".workflow")


class WorkflowLoader:
    """Scans packs, loads workflow files and reloads them by ref."""

    def __init__(self, config: LoaderConfig | None = None, *, index: PackIndex | None = None):
        self.config = config or LoaderConfig()
        # The loader's own choices lie over each pack's .attune-lsp.yaml like user settings.
        off = _all_rules() - PARSE_RULES if self.config.skip_validation else PACK_CHECK_RULES
        settings = Config(rules=dict.fromkeys(off, None), max_file_size=self.config.max_file_size)
        self.workspace = Workspace([self.config.packs_base_dir], settings)
        self._index = index

    def _pack_index(self) -> PackIndex:
        if self._index is None:
            base = self.config.packs_base_dir
            roots = [p for p in sorted(base.iterdir()) if p.is_dir()] if base.is_dir() else []
            self._index = build_index([], self.workspace.configs, discovered=roots)
        return self._index

    def load_all_workflows(self) -> dict[str, LoadedWorkflow]:
        """Every workflow of every pack under the base folder, by ref."""
        base = self.config.packs_base_dir
        if not base.is_dir():
            raise LoaderError(f"Packs base directory does not exist: {base}")
        result: dict[str, LoadedWorkflow] = {}
        for pack_dir in sorted(p for p in base.iterdir() if p.is_dir()):
            result.update(self.load_pack_workflows(pack_dir.name, pack_dir))
        return result

    def pack_files(self, pack: str, pack_dir: Path) -> list[WorkflowFileRef]:
        """The workflow files of one pack, in Attune's scan order."""
        files = []
        for folder in (pack_dir / "workflows", pack_dir / "actions" / "workflows"):
            for path in yaml_files(folder):
                name = workflow_name(path)
                files.append(
                    WorkflowFileRef(
                        real_path(path), pack, name, f"{pack}.{name}", real_path(pack_dir)
                    )
                )
        return files

    def load_pack_workflows(self, pack: str, pack_dir: Path) -> dict[str, LoadedWorkflow]:
        """The workflows of one pack by ref; an ``actions/workflows/`` file wins a collision."""
        result: dict[str, LoadedWorkflow] = {}
        for ref in self.pack_files(pack, pack_dir):
            result[ref.ref_name] = self.load_workflow_file(ref)
        return result

    def load_workflow_file(self, file: WorkflowFileRef) -> LoadedWorkflow:
        """Load one file; every problem, reading included, becomes a diagnostic.

        The file is read only when it is a regular file within the size limit
        whose real path lies inside its pack folder.
        """
        self.workspace.index = self._pack_index()
        analysis = analyse_file(
            file.path, None, self.workspace, kind=FileKind.WORKFLOW, root=file.root
        )
        ctx = analysis.ctx
        if ctx is None or not isinstance(ctx.data, dict):
            return LoadedWorkflow(file, None, None, analysis.diagnostics)
        return LoadedWorkflow(file, ctx.decoded, normalize(ctx.decoded), analysis.diagnostics)

    def reload_workflow(self, ref: str) -> LoadedWorkflow:
        """Load the file of a ref again, searching as Attune does."""
        parts = ref.split(".")
        if len(parts) != 2 or not all(parts):
            raise LoaderError(f"Invalid workflow reference: {ref}")
        pack, name = parts
        pack_dir = self.config.packs_base_dir / pack
        for folder in (pack_dir / "actions" / "workflows", pack_dir / "workflows"):
            for candidate in (
                f"{name}.workflow.yaml",
                f"{name}.yaml",
                f"{name}.workflow.yml",
                f"{name}.yml",
            ):
                path = folder / candidate
                if path.is_file():
                    return self.load_workflow_file(
                        WorkflowFileRef(real_path(path), pack, name, ref, real_path(pack_dir))
                    )
        raise LoaderError(f"Workflow not found: ref '{ref}'")


def _all_rules() -> frozenset[str]:
    from .rules import RULES_BY_ID

    return frozenset(RULES_BY_ID)

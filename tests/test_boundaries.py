"""The import boundaries of the project, read from the source (every import, at any depth).

- the engine (``attune_workflow`` outside the registrar) imports neither the language
  server nor the registrar, nor any LSP or PostgreSQL library;
- rules import neither the registrar nor the server;
- configuration does not reach the rule registry, even indirectly;
- only ``attune_workflow.registrar`` imports psycopg;
- only the YAML reader reads the YAML library's marks, and only the server's ``convert``
  module counts UTF-16 units;
- no feature module of the server imports the server module (not even for typing, not
  even through another module): features see :mod:`attune_lsp.host`; the server module is
  imported only by the entry points, and the scheduler, the workspace, the client and the
  host interface import no feature;
- every module of the server speaks LSP (analysis without LSP types belongs in the
  engine), but for the command-line front ends, the edge before pygls loads, the settings
  parser and the package files (``bench/edge_lines.py`` counts their lines).
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = {"attune_workflow": ROOT / "shared" / "attune_workflow",
           "attune_lsp": ROOT / "server" / "attune_lsp"}  # fmt: skip
REGISTRAR = ("attune_workflow.registrar",)
SERVER = ("attune_lsp",)
LSP_LIBRARIES = ("lsprotocol", "pygls")


def module_files() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package, folder in SOURCES.items():
        for path in folder.rglob("*.py"):
            parts = [package, *path.relative_to(folder).with_suffix("").parts]
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = module_files()


@cache
def imports_of(module: str) -> frozenset[str]:
    """Every module named by an import statement of a module (functions included)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            names.add(target)
            names.update(f"{target}.{alias.name}" for alias in node.names)
    return frozenset(n for n in names if n in MODULES or not n.startswith(tuple(SOURCES)))


def closure(module: str) -> set[str]:
    seen: set[str] = set()
    stack = [module]
    while stack:
        current = stack.pop()
        for name in imports_of(current):
            if name in MODULES and name not in seen:
                seen.add(name)
                stack.append(name)
            elif name not in MODULES:
                seen.add(name)
    return seen


def within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


FEATURES = sorted(m for m in MODULES if within(m, ("attune_lsp.features",)))
SERVER_MODULE = "attune_lsp.server"
ENTRY_POINTS = ("attune_lsp.cli", "attune_lsp.prelude")
SHARED_STATE = (
    "attune_lsp.host",
    "attune_lsp.scheduler",
    "attune_lsp.workspace",
    "attune_lsp.client",
)
ENGINE = sorted(m for m in MODULES if m.startswith("attune_workflow") and not within(m, REGISTRAR))
RULES = sorted(m for m in MODULES if within(m, ("attune_workflow.rules",)))


def test_the_module_table_is_read() -> None:
    assert "attune_workflow.check" in ENGINE and "attune_workflow.rules.unknown_task" in RULES
    assert "attune_workflow.rules" in imports_of("attune_workflow.workspace")
    assert "attune_workflow.config" in closure("attune_workflow.workspace")
    assert "attune_lsp.features.references" in FEATURES and len(FEATURES) > 15
    # TYPE_CHECKING imports are read too.
    assert "attune_lsp.host" in imports_of("attune_lsp.features.hover")
    assert SERVER_MODULE in imports_of("attune_lsp.cli")


@pytest.mark.parametrize("module", ENGINE)
def test_engine_imports_neither_server_nor_registrar(module: str) -> None:
    bad = {
        n for n in imports_of(module) if within(n, (*SERVER, *REGISTRAR, *LSP_LIBRARIES, "psycopg"))
    }
    assert not bad, f"{module} imports {sorted(bad)}"


@pytest.mark.parametrize("module", RULES)
def test_rules_import_neither_registrar_nor_server(module: str) -> None:
    bad = {n for n in closure(module) if within(n, (*SERVER, *REGISTRAR))}
    assert not bad, f"{module} reaches {sorted(bad)}"


def test_configuration_does_not_reach_the_rule_registry() -> None:
    reached = closure("attune_workflow.config")
    assert not {n for n in reached if within(n, ("attune_workflow.rules",))}, sorted(reached)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_only_the_registrar_imports_psycopg(module: str) -> None:
    if within(module, REGISTRAR) or module == "attune_lsp.dbcli":
        return
    assert not {n for n in imports_of(module) if within(n, ("psycopg",))}, module


MARK = re.compile(r"\.(start|end|problem|context)_mark\b")
UTF16 = re.compile(r"[\"']utf-?16|utf16_column|codepoint_column|0xFFFF", re.IGNORECASE)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_positions_only_through_spans(module: str) -> None:
    text = MODULES[module].read_text(encoding="utf-8")
    # The incremental splice re-composes part of a document and moves the marks of the
    # nodes after the edit: it is part of the YAML reader.
    if module not in ("attune_workflow.yamlsource", "attune_workflow.incremental"):
        assert not MARK.search(text), f"{module} reads a YAML mark; use a span"
    # The prelude is the LSP edge until pygls loads: it converts through attune_lsp.utf16.
    if module not in ("attune_lsp.convert", "attune_lsp.utf16", "attune_lsp.prelude"):
        assert not UTF16.search(text), f"{module} counts UTF-16 units; use attune_lsp.convert"


@pytest.mark.parametrize("module", FEATURES)
def test_features_do_not_reach_the_server_module(module: str) -> None:
    assert SERVER_MODULE not in closure(module), f"{module} reaches {SERVER_MODULE}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_only_the_entry_points_import_the_server_module(module: str) -> None:
    if module in ENTRY_POINTS:
        return
    assert SERVER_MODULE not in imports_of(module), f"{module} imports {SERVER_MODULE}"


@pytest.mark.parametrize("module", SHARED_STATE)
def test_the_shared_state_imports_no_feature(module: str) -> None:
    reached = {n for n in closure(module) if within(n, ("attune_lsp.features", SERVER_MODULE))}
    assert not reached, f"{module} reaches {sorted(reached)}"


NOT_LSP = ("attune_lsp", "attune_lsp.__main__", "attune_lsp.features", "attune_lsp.cli",
           "attune_lsp.dbcli", "attune_lsp.graphcli", "attune_lsp.rehearsecli",
           "attune_lsp.ruledocs", "attune_lsp.output", "attune_lsp.prelude", "attune_lsp.edge",
           "attune_lsp.utf16", "attune_lsp.settings")  # fmt: skip


@pytest.mark.parametrize("module", sorted(m for m in MODULES if within(m, SERVER)))
def test_the_server_holds_no_analysis_without_lsp_types(module: str) -> None:
    if module in NOT_LSP:
        return
    assert {n for n in imports_of(module) if within(n, LSP_LIBRARIES)}, (
        f"{module} uses no LSP type: analysis belongs in attune_workflow"
    )

#!/usr/bin/env python3
"""Lines of analysis the language server holds without LSP types.

Lists the modules under ``server/attune_lsp`` (of this checkout, or of ``--src``) that
import neither lsprotocol nor pygls when they run (an import only for type checking
does not count: such a module uses no LSP value), leaving out the
command-line front ends, the wire edge before pygls loads, the settings parser and the
package files; prints each with its line count, then the total. Analysis belongs in the
engine (``attune_workflow``); what stays in the server speaks LSP.

  python bench/edge_lines.py
  python bench/edge_lines.py --src OTHER_CHECKOUT
"""

from __future__ import annotations

import argparse
import ast
from pathlib import Path

LEFT_OUT = {
    "__init__.py",
    "__main__.py",
    "cli.py",
    "dbcli.py",
    "graphcli.py",
    "rehearsecli.py",
    "ruledocs.py",
    "output.py",
    "prelude.py",
    "edge.py",
    "utf16.py",
    "settings.py",
}


def speaks_lsp(path: Path) -> bool:
    """Whether a module imports lsprotocol or pygls when it runs (functions included)."""
    stack: list[ast.AST] = [ast.parse(path.read_text(encoding="utf-8"))]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            stack.extend(node.orelse)
            continue
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            names = [node.module or ""]
        if any(name.split(".")[0] in ("lsprotocol", "pygls") for name in names):
            return True
        stack.extend(ast.iter_child_nodes(node))
    return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, default=Path(__file__).resolve().parent.parent)
    args = parser.parse_args()
    folder = args.src / "server" / "attune_lsp"
    total = 0
    for path in sorted(folder.rglob("*.py")):
        if path.name in LEFT_OUT or speaks_lsp(path):
            continue
        count = len(path.read_text(encoding="utf-8").splitlines())
        total += count
        print(f"{count:6} {path.relative_to(args.src)}")
    print(f"{total:6} lines in total (left out: {', '.join(sorted(LEFT_OUT))})")


if __name__ == "__main__":
    main()

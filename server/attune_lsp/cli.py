"""The ``attune-lsp`` command.

With no arguments it speaks LSP on stdio. ``--check`` (or ``check``) runs the
engine headless; ``schema`` prints a JSON Schema; ``rules`` prints the rule
index; ``graph`` draws a workflow; ``rehearse`` runs scenarios;
``register``/``unregister``/``list``/``show``/``db`` talk to Attune's
database. Exit codes: 0 clean, 1 findings, 2 usage error, 3 failure (a crash
of the checker is one line on stderr and exit 3; the other files' findings
are still printed).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import logging
import os
import sys
import types
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from . import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, EXIT_FAILURE = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _size(value: str) -> int:
    units = {"k": 1024, "m": 1024**2, "g": 1024**3}
    text = value.strip().lower().removesuffix("ib").removesuffix("b")
    factor = units.get(text[-1:], 1)
    number = text[:-1] if text[-1:] in units else text
    try:
        size = int(float(number) * factor)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a size: {value!r} (use bytes, or 512K, 2M)"
        ) from None
    if size <= 0:
        raise argparse.ArgumentTypeError("the size must be positive")
    return size


def _add_check_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", type=Path, help="files or folders (default: .)")
    default_format = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    from .output import FORMATS

    parser.add_argument("--format", choices=FORMATS, default=default_format)
    parser.add_argument("--strict", action="store_true", help="warnings fail too")
    parser.add_argument("--stdin", action="store_true", help="read one file from stdin")
    parser.add_argument("--stdin-filename", type=Path, help="the path the stdin text belongs to")
    parser.add_argument("--max-file-size", type=_size, help="loader size limit (default 1 MiB)")
    parser.add_argument("--jobs", type=int, help="processes for large trees (default: cores)")
    parser.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="show the source line and a caret under each finding",
    )


def build_parser(*, only_check: bool = False) -> argparse.ArgumentParser:
    """The argument parser of ``attune-lsp``.

    ``only_check`` leaves out the other commands, whose arguments import the graph,
    rehearsal and database modules a check does not need.
    """
    parser = _Parser(
        prog="attune-lsp",
        description="Checker, language server and registrar for Attune workflow packs.",
    )
    parser.add_argument("--version", action="version", version=f"attune-lsp {__version__}")
    parser.add_argument("--tcp", metavar="HOST:PORT", help="speak LSP over TCP instead of stdio")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    check = sub.add_parser("check", help="check files and folders (also: --check)")
    _add_check_arguments(check)
    if only_check:
        return parser
    schema = sub.add_parser("schema", help="print a JSON Schema (for yaml-language-server)")
    schema.add_argument("which", choices=("workflow", "action", "pack"))
    rules = sub.add_parser("rules", help="print the rule index")
    rules.add_argument("--format", choices=("markdown", "json"), default="markdown")
    from .graphcli import add_graph_arguments
    from .rehearsecli import add_rehearse_arguments

    add_graph_arguments(sub)
    add_rehearse_arguments(sub)
    try:
        from .dbcli import add_db_arguments
    except ImportError:  # pragma: no cover - the registrar is an optional part of a build
        pass
    else:
        add_db_arguments(sub)
    return parser


def run() -> None:
    """The console script: run, flush, and leave without tearing the heap down.

    After a large check the interpreter's clean-up of millions of small objects
    takes as long as the check itself; nothing is left to release by then.
    A reader that stops early (``| head``) ends the output quietly.
    """
    code = EXIT_FAILURE
    argv = sys.argv[1:]
    if "--check" in argv or argv[:1] == ["check"]:
        # the models are the checker's own: no third-party pydantic plugin is looked for
        os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
        if os.environ["PYDANTIC_DISABLE_PLUGINS"] in _ALL_PLUGINS_OFF:
            sys.modules.setdefault(_PLUGIN_LOADER, _NoPluginLoader(_PLUGIN_LOADER))
        from attune_workflow.check import keep_collector_off

        # a one-shot check frees everything at exit: collector passes would only cost time
        keep_collector_off()
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
    except ValueError:
        pass  # the language server closes stdout on `exit`
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.flush()
    os._exit(code)


# pydantic's plugin loader, and the values of PYDANTIC_DISABLE_PLUGINS that switch all off
_PLUGIN_LOADER = "pydantic.plugin._loader"
_ALL_PLUGINS_OFF = ("__all__", "1", "true")


class _NoPluginLoader(types.ModuleType):
    """pydantic's plugin loader while every plugin is off: it finds none.

    The real loader imports ``importlib.metadata`` (and with it the email, zip
    and socket modules: about a tenth of a small check's time) only to list the
    plugins that the setting switches off. Any other name loads the real module.
    """

    @staticmethod
    def get_plugins() -> tuple[()]:
        return ()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # the import system asking (is it a package?)
            raise AttributeError(name)
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), name)


def _silence_stdout() -> None:
    """Point stdout at the null device once its reader has gone (nothing more can be shown)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    finally:
        os.close(devnull)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list:
        # The language server on stdio: start before the parser and the engine load.
        from .prelude import serve_stdio

        return serve_stdio()
    if "--check" in args_list:
        args_list.remove("--check")
        args_list.insert(0, "check")
    from attune_workflow.config import ConfigError

    parser = build_parser(only_check=args_list[0] == "check")
    args = parser.parse_args(args_list)
    if args.command is not None:
        _log_to_stderr(redact=args.command != "check")
    try:
        if args.command == "check":
            return run_check(args, sys.stdout, sys.stderr)
        if args.command == "schema":
            return run_schema(args.which, sys.stdout)
        if args.command == "rules":
            from .ruledocs import render_rules

            sys.stdout.write(render_rules(args.format))
            return EXIT_CLEAN
        if args.command is None:
            from .server import serve

            return int(serve(args.tcp))
        handler = getattr(args, "handler", None)
        if handler is None:
            parser.print_usage(sys.stderr)
            return EXIT_USAGE
        return int(handler(args))
    except ConfigError as exc:
        print(f"attune-lsp: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_FAILURE
    except BrokenPipeError:
        raise
    except Exception as exc:  # one line, never a traceback (that goes to the log)
        logging.getLogger(__name__).debug("attune-lsp failed", exc_info=True)
        detail = " ".join(str(exc).split())[:200]
        print(f"attune-lsp: internal error: {type(exc).__name__}: {detail}", file=sys.stderr)
        return EXIT_FAILURE


def _log_to_stderr(*, redact: bool = True) -> None:
    """Logging for the commands: off unless ``ATTUNE_LSP_LOG`` names a level.

    A crash is reported as one line; its traceback is logged, so it shows only when
    asked for. Messages pass through the password redaction (``redact``; a check
    handles no connection string, and does not load the registrar for it).
    """
    root = logging.getLogger()
    if not root.handlers:
        level = os.environ.get("ATTUNE_LSP_LOG", "").upper()
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(
            getattr(logging, level, logging.CRITICAL + 1) if level else logging.CRITICAL + 1
        )
    if redact:
        from attune_workflow.registrar.errors import install_log_redaction

        install_log_redaction()


def run_schema(which: str, out: TextIO) -> int:
    """Print the JSON Schema of a file kind."""
    from attune_workflow.schemas import json_schema

    json.dump(json_schema(which), out, indent=2)
    out.write("\n")
    return EXIT_CLEAN


def _progress(stream: TextIO) -> Any:
    def show(done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} files")
        if done == total:
            stream.write("\r" + " " * (width + 24) + "\r")
        stream.flush()

    return show


def run_check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """The ``check`` command."""
    from attune_workflow.config import Config
    from attune_workflow.diagnostics import INTERNAL_ERROR, Severity
    from attune_workflow.workspace import Workspace, analyse_file, check_paths

    from .output import write_report

    base = Config(strict=args.strict)
    if args.max_file_size:
        base = Config(strict=args.strict, max_file_size=args.max_file_size)
    if args.jobs is not None and args.jobs < 1:
        print("attune-lsp: error: --jobs must be at least 1", file=err)
        return EXIT_USAGE
    texts: dict[Path, str] = {}
    if args.stdin:
        if args.paths:
            print("attune-lsp: error: --stdin takes no paths", file=err)
            return EXIT_USAGE
        name = (args.stdin_filename or Path("stdin.yaml")).resolve()
        workspace = Workspace([Path.cwd()], base)
        data = sys.stdin.buffer.read()
        workspace.index_packs([name])
        reports = [analyse_file(name, data, workspace).report()]
        texts[name] = data.decode("utf-8", errors="replace")
    else:
        paths = args.paths or [Path(".")]
        missing = [p for p in paths if not p.exists()]
        if missing:
            print(f"attune-lsp: error: no such file or folder: {missing[0]}", file=err)
            return EXIT_USAGE
        progress = _progress(err) if err.isatty() else None
        workspace = Workspace([Path.cwd()], base)
        reports = check_paths(paths, workspace, jobs=args.jobs, progress=progress)
    color = args.color == "always" or (args.color == "auto" and out.isatty())
    try:
        write_report(reports, args.format, out, show_source=color, texts=texts)
        out.flush()
    except BrokenPipeError:  # `| head`: the reader has seen enough; the exit code still counts
        _silence_stdout()
    counts = {severity: 0 for severity in Severity}
    for report in reports:
        for d in report.diagnostics:
            counts[d.severity] += 1
    if args.format == "text" and (err.isatty() or any(counts.values())):
        parts = [
            f"{n} {s.label}{'s' if n != 1 and s is not Severity.INFORMATION else ''}"
            for s, n in counts.items()
            if n
        ]
        print(
            f"{', '.join(parts) if parts else 'No problems'} in {len(reports)} "
            f"file{'s' if len(reports) != 1 else ''}",
            file=err,
        )
    crashed = sum(1 for r in reports for d in r.diagnostics if d.code == INTERNAL_ERROR)
    if crashed:
        print(
            f"attune-lsp: internal error while checking {crashed} "
            f"file{'s' if crashed != 1 else ''} (see the {INTERNAL_ERROR} findings)",
            file=err,
        )
        return EXIT_FAILURE
    failing = counts[Severity.ERROR] + (counts[Severity.WARNING] if args.strict else 0)
    return EXIT_FINDINGS if failing else EXIT_CLEAN

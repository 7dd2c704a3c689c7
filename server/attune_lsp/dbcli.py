"""The database commands of the CLI: register, unregister, list, show and db.

`add_db_arguments(subparsers)` adds the subcommands; each parsed namespace carries
`handler`, a function taking the namespace and returning the exit code. Results go to
stdout; a database failure is one line on stderr and exit code 3, with any password
in the URL redacted. Exit codes: 0 done, 1 findings (refused records, files that could
not be loaded, refs that are not registered), 2 usage, 3 failure.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import pathlib
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import Any, TextIO, TypeVar

from attune_workflow.diagnostics import INTERNAL_ERROR
from attune_workflow.registrar.errors import RegistrarError, redact_text
from attune_workflow.registrar.types import (
    RegistrationReport,
    UnregisterReport,
    WorkflowDetail,
    WorkflowRecord,
    WorkflowSummary,
)

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_FAILURE = 3

Handler = Callable[[argparse.Namespace], int]

_URL_HELP = (
    "PostgreSQL URL of the Attune database (default: $ATTUNE_DATABASE_URL, else the embedded "
    "server in attune-lsp's data directory)"
)


_Parser = TypeVar("_Parser", bound=argparse.ArgumentParser)


def add_db_arguments(subparsers: argparse._SubParsersAction[_Parser]) -> None:
    """Add `register`, `unregister`, `list`, `show` and `db` to the CLI's subcommands."""

    def url_option(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--database-url", metavar="URL", help=_URL_HELP)

    p = subparsers.add_parser(
        "register",
        help="register workflow files in the database",
        description="Register workflows (and their actions) in one all-or-nothing transaction.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", type=pathlib.Path)
    p.add_argument("--dry-run", action="store_true", help="report what would change; write nothing")
    p.add_argument("--create-pack", action="store_true", help="create missing pack rows")
    p.add_argument("--max-file-size", type=int, metavar="BYTES", help="skip larger files")
    url_option(p)
    p.set_defaults(handler=cmd_register)

    p = subparsers.add_parser(
        "unregister",
        help="remove registered workflows",
        description="Delete workflow definitions; their linked actions and workflow "
        "executions go with them.",
    )
    p.add_argument("refs", nargs="*", metavar="REF")
    p.add_argument("--pack", metavar="P", help="remove every workflow of pack P")
    p.add_argument("--dry-run", action="store_true", help="report what would go; delete nothing")
    url_option(p)
    p.set_defaults(handler=cmd_unregister)

    p = subparsers.add_parser("list", help="list registered workflows")
    p.add_argument("--pack", metavar="P", help="only workflows of pack P")
    p.add_argument("--tag", metavar="T", help="only workflows tagged T")
    p.add_argument("--format", choices=("table", "json"), default="table")
    url_option(p)
    p.set_defaults(handler=cmd_list)

    p = subparsers.add_parser("show", help="show one registered workflow")
    p.add_argument("ref", metavar="REF")
    p.add_argument("--format", choices=("text", "json"), default="text")
    url_option(p)
    p.set_defaults(handler=cmd_show)

    db = subparsers.add_parser("db", help="database schema and embedded server")
    db_commands = db.add_subparsers(dest="db_command", metavar="{upgrade,status,stop}")
    db_commands.required = True
    p = db_commands.add_parser("upgrade", help="create or update attune-lsp's Attune schema")
    url_option(p)
    p.set_defaults(handler=cmd_db_upgrade)
    p = db_commands.add_parser("status", help="which database is in use and its migrations")
    url_option(p)
    p.set_defaults(handler=cmd_db_status)
    p = db_commands.add_parser("stop", help="stop the embedded PostgreSQL server")
    p.set_defaults(handler=cmd_db_stop)


def _fail(message: str, err: TextIO | None = None) -> int:
    print(f"attune-lsp: error: {message}", file=err or sys.stderr)
    return EXIT_FAILURE


def _guarded(handler: Handler) -> Handler:
    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except RegistrarError as exc:
            return _fail(str(exc))
        except BrokenPipeError:
            raise
        except Exception as exc:  # a crash is one line; the traceback goes to the log
            logging.getLogger(__name__).debug("%s failed", handler.__name__, exc_info=True)
            detail = redact_text(" ".join(str(exc).split())[:200])
            return _fail(f"internal error: {type(exc).__name__}: {detail}")

    run.__name__ = handler.__name__
    run.__doc__ = handler.__doc__
    return run


# --- register -------------------------------------------------------------------------


def _collect(
    paths: list[pathlib.Path], max_file_size: int | None
) -> tuple[list[WorkflowRecord], list[str]]:
    """The engine's records for `paths` (imported on use: the engine is a separate layer)."""
    try:
        module = importlib.import_module("attune_workflow.registrar.registration")
    except ImportError as exc:
        raise RegistrarError(f"workflow loading is not available: {exc}") from None
    records, problems = module.collect(paths, max_file_size=max_file_size)
    return list(records), [str(problem) for problem in problems]


def print_registration(report: RegistrationReport, display: str, out: TextIO) -> None:
    for outcome in report.outcomes:
        print(f"{outcome.status:<9}  {outcome.ref}", file=out)
        # A skipped record's reason is the refusal of another: the last line says so.
        details = list(outcome.reasons) if outcome.status != "skipped" else []
        if outcome.diff is not None:
            details += outcome.diff.lines()
        details += [f"note: {note}" for note in outcome.notes]
        for line in details:
            print(f"    {line}", file=out)
    print(f"{report.summary()} ({display})", file=out)
    if report.dry_run:
        print("dry run: nothing was written", file=out)
    elif not report.written:
        print("nothing was written: the batch is all-or-nothing", file=out)


@_guarded
def cmd_register(args: argparse.Namespace) -> int:
    """Register workflow files."""
    from attune_workflow.registrar import connect, register
    from attune_workflow.registrar.embedded import resolve_database

    records, problems = _collect(list(args.paths), args.max_file_size)
    crashed = [
        line
        for line in (*problems, *(e for r in records for e in r.errors))
        if line.endswith(f"[{INTERNAL_ERROR}]")
    ]
    if problems or crashed:
        for problem in problems:
            print(problem)
        for line in crashed:
            print(line)
        count = len(problems) + len(crashed)
        print(f"nothing registered: {count} {'problem' if count == 1 else 'problems'} in the files")
        if crashed:
            return _fail(f"internal error while reading {len(crashed)} file(s)")
        return EXIT_FINDINGS
    if not records:
        print("attune-lsp: no workflow files found", file=sys.stderr)
        return EXIT_FINDINGS
    target = resolve_database(args.database_url)
    with connect(target.url) as conn:
        report = register(conn, records, dry_run=args.dry_run, create_pack=args.create_pack)
    print_registration(report, target.display, sys.stdout)
    return EXIT_OK if report.ok else EXIT_FINDINGS


# --- unregister -----------------------------------------------------------------------


def print_unregister(report: UnregisterReport, display: str, out: TextIO) -> None:
    for item in report.removed:
        print(f"removed    {item.ref}", file=out)
        for action in item.actions:
            print(f"    - action {action}", file=out)
        if item.executions:
            print(f"    - {item.executions} workflow executions", file=out)
    for ref in report.missing:
        print(f"missing    {ref}", file=out)
    print(f"{report.summary()} ({display})", file=out)
    if report.dry_run:
        print("dry run: nothing was deleted", file=out)


@_guarded
def cmd_unregister(args: argparse.Namespace) -> int:
    """Remove registered workflows by ref or pack."""
    from attune_workflow.registrar import connect, unregister
    from attune_workflow.registrar.embedded import resolve_database

    if not args.refs and args.pack is None:
        print("attune-lsp unregister: give REF... or --pack P", file=sys.stderr)
        return 2
    target = resolve_database(args.database_url)
    with connect(target.url) as conn:
        report = unregister(conn, args.refs, pack=args.pack, dry_run=args.dry_run)
    print_unregister(report, target.display, sys.stdout)
    return EXIT_FINDINGS if report.missing else EXIT_OK


# --- list and show --------------------------------------------------------------------


def _summary_json(item: WorkflowSummary) -> dict[str, Any]:
    data = asdict(item)
    data["tags"] = list(item.tags)
    data["updated"] = item.updated.isoformat()
    return data


def print_table(rows: Sequence[Sequence[str]], out: TextIO) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
        print("  ".join(cells).rstrip(), file=out)


@_guarded
def cmd_list(args: argparse.Namespace) -> int:
    """List registered workflows."""
    from attune_workflow.registrar import connect, list_workflows
    from attune_workflow.registrar.embedded import resolve_database

    target = resolve_database(args.database_url)
    with connect(target.url) as conn:
        items = list_workflows(conn, pack=args.pack, tag=args.tag)
    if args.format == "json":
        print(json.dumps([_summary_json(item) for item in items], indent=2))
        return EXIT_OK
    if not items:
        print(f"no workflows registered ({target.display})")
        return EXIT_OK
    rows = [("REF", "PACK", "VERSION", "TASKS", "ACTION", "ENABLED", "UPDATED", "LABEL")]
    rows += [
        (
            item.ref,
            item.pack_ref,
            item.version,
            str(item.task_count),
            item.action_ref or "-",
            "-" if item.enabled is None else ("yes" if item.enabled else "no"),
            item.updated.strftime("%Y-%m-%d %H:%M:%S"),
            item.label,
        )
        for item in items
    ]
    print_table(rows, sys.stdout)
    return EXIT_OK


def _detail_json(detail: WorkflowDetail) -> dict[str, Any]:
    data = asdict(detail)
    data["tags"] = list(detail.tags)
    data["created"] = detail.created.isoformat()
    data["updated"] = detail.updated.isoformat()
    data["tasks"] = [asdict(task) for task in detail.tasks]
    data["actions"] = [asdict(action) for action in detail.actions]
    return data


def print_detail(detail: WorkflowDetail, out: TextIO) -> None:
    fields = [
        ("ref", detail.ref),
        ("label", detail.label),
        ("pack", detail.pack_ref),
        ("version", detail.version),
        ("description", detail.description or "-"),
        ("tags", ", ".join(detail.tags) or "-"),
        ("created", detail.created.isoformat(timespec="seconds")),
        ("updated", detail.updated.isoformat(timespec="seconds")),
    ]
    for action in detail.actions or ():
        effective = action.enabled if action.effective_enabled is None else action.effective_enabled
        state = "enabled" if effective else "disabled"
        if effective != action.enabled:
            # Attune's effective_enabled: an operator override or the pack omitting it.
            state += f", declared {'enabled' if action.enabled else 'disabled'}"
        fields.append(("action", f"{action.ref} ({action.entrypoint}, {state})"))
    if not detail.actions:
        fields.append(("action", "- (no linked action)"))
    params = detail.param_schema
    if isinstance(params, dict):
        names = params.get("properties") if params.get("type") == "object" else params
        fields.append(("parameters", ", ".join(names) if isinstance(names, dict) else "-"))
    for name, value in fields:
        print(f"{name + ':':<13}{value}", file=out)
    print(f"tasks:       {len(detail.tasks)}", file=out)
    depth: dict[str, int] = {}
    rows: list[tuple[str, str]] = []
    for task in detail.tasks:
        level = depth.get(task.parent, 0) + 1 if task.parent else 1
        depth[task.name] = level
        rows.append(("  " * level + task.name, task.action or f"({task.type})"))
    width = max((len(name) for name, _ in rows), default=0)
    for name, target in rows:
        print(f"{name.ljust(width)}  {target}", file=out)


@_guarded
def cmd_show(args: argparse.Namespace) -> int:
    """Show one registered workflow."""
    from attune_workflow.registrar import connect, show_workflow
    from attune_workflow.registrar.embedded import resolve_database

    target = resolve_database(args.database_url)
    with connect(target.url) as conn:
        detail = show_workflow(conn, args.ref)
    if detail is None:
        print(f"attune-lsp: {args.ref} is not registered ({target.display})", file=sys.stderr)
        return EXIT_FINDINGS
    if args.format == "json":
        print(json.dumps(_detail_json(detail), indent=2, default=str))
    else:
        print_detail(detail, sys.stdout)
    return EXIT_OK


# --- db -------------------------------------------------------------------------------


@_guarded
def cmd_db_upgrade(args: argparse.Namespace) -> int:
    """Create or update the attune schema (never one that Attune itself manages)."""
    from attune_workflow.registrar import connect
    from attune_workflow.registrar.embedded import resolve_database
    from attune_workflow.registrar.migrate import upgrade

    target = resolve_database(args.database_url, migrate=False)
    with connect(target.url) as conn:
        applied = upgrade(conn)
    for name in applied:
        print(f"applied    {name}")
    print(f"schema up to date ({target.display})")
    return EXIT_OK


@_guarded
def cmd_db_status(args: argparse.Namespace) -> int:
    """Which database is in use, and where its migrations stand."""
    from attune_workflow.registrar import connect
    from attune_workflow.registrar.embedded import ENV_DATABASE_URL, resolve_database, server_info
    from attune_workflow.registrar.migrate import status

    configured = args.database_url or os.environ.get(ENV_DATABASE_URL)
    if not configured:
        # Report on the embedded server; never start it.
        server = server_info()
        running = f"running, pid {server.pid}" if server.running else "not running"
        print(f"database:  {server.display} ({running})")
        if not server.running:
            print(
                "schema:    not read while the server is stopped (registering starts it,"
                " as does `attune-lsp db upgrade`)"
            )
            return EXIT_OK
    target = resolve_database(args.database_url, start=False, migrate=False)
    if configured:
        print(f"database:  {target.display}")
    with connect(target.url) as conn:
        state = status(conn)
    if state.owner == "foreign":
        print(
            "schema:    attune exists and is managed by Attune itself (not migrated by attune-lsp)"
        )
        return EXIT_OK
    if state.owner == "none":
        print("schema:    none yet (`attune-lsp db upgrade` creates it)")
    else:
        verdict = "up to date" if not state.pending else f"{len(state.pending)} pending"
        print(f"schema:    managed by attune-lsp, {verdict}")
    for name in state.applied:
        print(f"applied    {name}")
    for name in state.pending:
        print(f"pending    {name}")
    for name in state.unknown:
        print(f"unknown    {name} (applied by a newer attune-lsp)")
    return EXIT_OK


@_guarded
def cmd_db_stop(args: argparse.Namespace) -> int:
    """Stop the embedded PostgreSQL server."""
    from attune_workflow.registrar.embedded import pgdata_dir, stop

    server = stop()
    if server is None:
        print(f"the embedded PostgreSQL at {pgdata_dir()} is not running")
    else:
        print(f"stopped the embedded PostgreSQL at {server.pgdata}")
    return EXIT_OK

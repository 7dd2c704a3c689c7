"""Registering N generated workflows in one batch next to a raw COPY of the same rows.

Everything is measured in one run against one PostgreSQL (an embedded server in
a temporary folder, or ``--database-url``), each figure the median of
``--rounds`` and reported as a ratio to the COPY:

  python bench/register_speed.py --workflows 1000 --tasks 10

The COPY writes what a registration writes: the workflow definitions and their
action rows. The records come from real files: a generated pack of N workflow actions and
their graph files, read by the engine (``registration.collect``), whose time is
reported too.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

sys.path.insert(0, str(Path(__file__).parent))
from gen_workflow import workflow

from attune_workflow.registrar import connect, embedded, migrate, register
from attune_workflow.registrar.registration import collect
from attune_workflow.registrar.tables import ACTION, action_values
from attune_workflow.registrar.types import WorkflowRecord, companion_action


def make_pack(root: Path, workflows: int, tasks: int) -> Path:
    """A pack with ``workflows`` workflow actions of ``tasks`` tasks each."""
    (root / "actions" / "workflows").mkdir(parents=True)
    (root / "pack.yaml").write_text('ref: perf\nlabel: Perf\nversion: "1.0.0"\n')
    (root / "actions" / "step.yaml").write_text(
        "ref: perf.step\nrunner_type: python\nentry_point: step.py\n"
        "parameters:\n  message: {type: string, required: true}\n  index: {type: integer}\n"
    )
    text = workflow(tasks)
    for i in range(workflows):
        name = f"flow{i:04d}"
        (root / "actions" / f"{name}.yaml").write_text(
            f"ref: perf.{name}\nlabel: Flow {i}\nworkflow_file: workflows/{name}.workflow.yaml\n"
            "parameters:\n  count: {type: integer, default: 3}\n"
        )
        (root / "actions" / "workflows" / f"{name}.workflow.yaml").write_text(text)
    return root


def fresh_database(admin: psycopg.Connection[Any], url: str, name: str) -> psycopg.Connection[Any]:
    admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.execute(f"CREATE DATABASE {name}")
    conn = connect(url.replace("/postgres?", f"/{name}?", 1))
    migrate.upgrade(conn)
    conn.execute("INSERT INTO attune.pack (ref, label, version) VALUES ('perf', 'Perf', '1.0.0')")
    return conn


def raw_copy(conn: psycopg.Connection[Any], records: list[WorkflowRecord]) -> float:
    """COPY the rows a registration writes: the workflow definitions and their action rows."""
    pack_id = conn.execute("SELECT id FROM attune.pack WHERE ref = 'perf'").fetchone()[0]  # type: ignore[index]
    actions = [(w.ref, action_values(w.action or companion_action(w))) for w in records]
    columns = list(actions[0][1]) if actions else []
    start = time.perf_counter()
    with conn.transaction():
        with conn.cursor().copy(
            "COPY attune.workflow_definition (ref, pack, pack_ref, label, description, version,"
            " param_schema, out_schema, definition, tags) FROM STDIN"
        ) as copy:
            for w in records:
                copy.write_row(
                    (w.ref, pack_id, w.pack_ref, w.label, w.description, w.version,
                     Jsonb(w.param_schema), Jsonb(w.out_schema), Jsonb(w.definition),
                     list(w.tags))
                )  # fmt: skip
        ids = dict(conn.execute("SELECT ref, id FROM attune.workflow_definition").fetchall())
        with conn.cursor().copy(
            f"COPY attune.action (pack, workflow_def, {', '.join(columns)}) FROM STDIN"
        ) as copy:
            for ref, values in actions:
                copy.write_row(
                    (pack_id, ids[ref], *(_cell(name, values[name]) for name in columns))
                )
    return time.perf_counter() - start


_JSONB = {name for name, kind in ACTION.stage_columns if kind == "jsonb"}


def _cell(name: str, value: Any) -> Any:
    return Jsonb(value) if name in _JSONB and value is not None else value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workflows", type=int, default=1000)
    parser.add_argument("--tasks", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url", help="a server to use (its 'postgres' database)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
        Path(tmp).chmod(0o755)  # the embedded server's own account must enter it
        pack = make_pack(Path(tmp) / "packs" / "perf", args.workflows, args.tasks)
        start = time.perf_counter()
        records, problems = collect([pack])
        read = time.perf_counter() - start
        assert not problems and len(records) == args.workflows, problems
        assert not any(r.errors for r in records), records[0].errors
        if args.database_url:
            url = args.database_url
        else:
            base = Path(tmp) / "pg"
            base.mkdir()
            base.chmod(0o755)
            server, _ = embedded.ensure_running(base)
            url = server.url("postgres")
        admin = psycopg.connect(url, autocommit=True)
        changed = [
            dataclasses.replace(r, definition={**r.definition, "description": "changed"})
            for r in records
        ]
        copies, creates, unchanged, updates = [], [], [], []
        try:
            for _ in range(args.rounds):
                with fresh_database(admin, url, "bench_copy") as conn:
                    copies.append(raw_copy(conn, records))
                with fresh_database(admin, url, "bench_register") as conn:
                    start = time.perf_counter()
                    report = register(conn, records)
                    creates.append(time.perf_counter() - start)
                    assert report.count("created") == len(records), report.summary()
                    start = time.perf_counter()
                    report = register(conn, records)
                    unchanged.append(time.perf_counter() - start)
                    assert report.count("unchanged") == len(records), report.summary()
                    start = time.perf_counter()
                    report = register(conn, changed)
                    updates.append(time.perf_counter() - start)
                    assert report.count("updated") == len(records), report.summary()
        finally:
            admin.close()
            if not args.database_url:
                embedded.stop(base)

    def ms(samples: list[float]) -> float:
        return statistics.median(samples) * 1000

    copy = ms(copies)
    print(f"{args.workflows} workflows of {args.tasks} tasks; median of {args.rounds} rounds")
    print(f"  engine reads the pack (collect)    {read * 1000:8.1f} ms")
    print(f"  raw COPY, definitions + actions    {copy:8.1f} ms   1.00x")
    rows = (
        ("register, all created", creates),
        ("register again, unchanged", unchanged),
        ("register again, all changed", updates),
    )
    for label, samples in rows:
        print(f"  {label:34} {ms(samples):8.1f} ms   {ms(samples) / copy:.2f}x")


if __name__ == "__main__":
    main()

"""``attune-lsp rehearse``: run scenario files and print the trace (text, JSON or JUnit XML).

Arguments are scenario files or pack folders; a folder runs every scenario it holds
(``tests/*.scenario.yaml`` in a pack) and reports which transitions no scenario fired.
Exit codes: 0 every scenario passed, 1 one failed (or could not run), 2 usage.
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from attune_workflow.expressions.evaluator import to_json
from attune_workflow.rehearsal import (
    Rehearsal,
    Step,
    TransitionSite,
    coverage,
    find_scenarios,
    rehearse_file,
)

EXIT_PASSED, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
FORMATS = ("text", "json", "junit")
_MAX_VALUE = 120


def add_rehearse_arguments(sub: Any) -> None:
    """Add the ``rehearse`` sub-command."""
    parser = sub.add_parser(
        "rehearse", help="run a workflow on mocked task results (scenario files or packs)"
    )
    parser.add_argument("paths", nargs="+", type=Path, help="scenario files or pack folders")
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.set_defaults(handler=lambda args: run_rehearse(args.paths, args.format, sys.stdout))


def _short(value: Any) -> str:
    text = to_json(value)
    return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 1] + "…"


def _step_lines(step: Step) -> list[str]:
    head = f"  {step.order}. {step.task}: {step.status}"
    extras = []
    if step.items is not None:
        extras.append(f"{step.items} item{'s' if step.items != 1 else ''}")
    if step.attempts > 1:
        extras.append(f"{step.attempts} attempts")
    if extras:
        head += f" ({', '.join(extras)})"
    lines = [head]
    lines.extend(f"       note: {note}" for note in step.notes)
    for t in step.transitions:
        condition = t.when if t.when is not None else "(always)"
        mark = "fired" if t.fired else "not fired"
        lines.append(f"     next[{t.index}] {condition}: {mark}, {t.reason}")
        for key, value in t.published.items():
            lines.append(f"       publish {key} = {_short(value)}")
        if t.started:
            lines.append(f"       started {', '.join(t.started)}")
        lines.extend(f"       note: {note}" for note in t.notes)
    return lines


def text_report(run: Rehearsal) -> str:
    """The trace of one scenario as text."""
    title = f"scenario {run.name} ({run.scenario})"
    if run.error is not None:
        return f"{title}\n  ERROR {run.error}\nFAIL\n"
    lines = [
        title,
        f"  workflow {run.ref or ''} {run.workflow}".replace("  workflow  ", "  workflow "),
    ]
    for step in run.steps:
        lines.extend(_step_lines(step))
    for name, why in run.not_run.items():
        lines.append(f"  skipped {name}: {why}")
    lines.append(f"  workflow {run.status}")
    lines.extend(f"  note: {note}" for note in run.notes)
    lines.append(f"  vars {_short(run.vars)}")
    lines.append(f"  output {_short(run.output)}")
    if run.expectations:
        lines.append("  expectations:")
        for e in run.expectations:
            detail = f" ({e.detail})" if e.detail else ""
            lines.append(f"    {'ok  ' if e.ok else 'FAIL'} {e.what}{detail}")
    lines.append("PASS" if run.passed else "FAIL")
    return "\n".join(lines) + "\n"


def coverage_text(sites: list[TransitionSite]) -> str:
    """The transitions no scenario fired."""
    if not sites:
        return ""
    missed = [s for s in sites if not s.fired]
    lines = [f"transition coverage: {len(sites) - len(missed)} of {len(sites)} fired"]
    for s in missed:
        where = f"{s.workflow}:{s.line}" if s.line else str(s.workflow)
        lines.append(f"  never fired: {where} {s.task} next[{s.index}] {s.label}")
    return "\n".join(lines) + "\n"


def junit_report(runs: list[Rehearsal]) -> str:
    """JUnit XML: one test case per scenario."""
    failures = sum(1 for r in runs if r.error is None and not r.passed)
    errors = sum(1 for r in runs if r.error is not None)
    suite = ET.Element(
        "testsuite",
        name="attune-lsp rehearse",
        tests=str(len(runs)),
        failures=str(failures),
        errors=str(errors),
    )
    for run in runs:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=run.ref or "scenario",
            name=run.name,
            file=str(run.scenario),
        )
        if run.error is not None:
            ET.SubElement(case, "error", message=run.error)
        elif not run.passed:
            failed = [e for e in run.expectations if not e.ok]
            message = "; ".join(f"{e.what} ({e.detail})" if e.detail else e.what for e in failed)
            element = ET.SubElement(case, "failure", message=message)
            element.text = text_report(run)
        out = ET.SubElement(case, "system-out")
        out.text = text_report(run)
    ET.indent(suite)
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"


def collect(paths: Sequence[Path]) -> tuple[list[Path], bool, str | None]:
    """The scenario files to run, whether a folder was given, or an error."""
    files: list[Path] = []
    folder = False
    for path in paths:
        if path.is_dir():
            folder = True
            found = find_scenarios(path)
            if not found:
                return [], folder, f"no *.scenario.yaml files in {path}"
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            return [], folder, f"no such file or folder: {path}"
    return files, folder, None


def run_rehearse(paths: Sequence[Path], fmt: str, out: TextIO) -> int:
    """Run the scenarios and write the report; returns the exit code."""
    files, folder, problem = collect(paths)
    if problem is not None:
        print(f"attune-lsp: error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    runs = [rehearse_file(path) for path in files]
    sites = coverage(runs) if folder else []
    if fmt == "json":
        payload: dict[str, Any] = {"scenarios": [r.to_json() for r in runs]}
        if folder:
            payload["coverage"] = [s.to_json() for s in sites]
        json.dump(payload, out, indent=2, ensure_ascii=False)
        out.write("\n")
    elif fmt == "junit":
        out.write(junit_report(runs))
    else:
        for run in runs:
            out.write(text_report(run))
        out.write(coverage_text(sites))
        passed = sum(1 for r in runs if r.passed)
        out.write(f"{passed} of {len(runs)} scenario{'s' if len(runs) != 1 else ''} passed\n")
    return EXIT_PASSED if all(r.passed for r in runs) else EXIT_FAILED

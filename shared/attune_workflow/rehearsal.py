"""Rehearse a workflow: walk it as Attune's scheduler does, on mocked task results.

A scenario file names a workflow (by ref or path), its parameters, a mocked outcome
per task (per item for ``with_items``, per attempt for ``retry``) and what to expect.
The walk follows the scheduler (format §3.4, §3.7 and the errata):

- entry tasks are those with no inbound transition, in file order;
- after a task completes, its transitions are evaluated in order and every matching
  one fires; a ``when`` that cannot be evaluated fires as it would on success;
- a fired transition publishes into ``vars`` in order, then starts its ``do`` tasks;
- a task with ``join: N`` starts once N distinct predecessors have fired into it;
- a task is dispatched at most once; ``type: parallel`` tasks never run, task-level
  ``when`` and ``retry.on_error`` are never evaluated;
- ``output_map`` is rendered at the end; keys whose rendering fails are left out.
"""

from __future__ import annotations

import copy
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .expressions.evaluator import (
    MISSING,
    EvalError,
    Scope,
    evaluate_condition,
    render_json,
    result_view,
    to_json,
    values_equal,
)
from .normalize import normalize
from .packindex import ActionInfo, find_pack_root, read_pack, yaml_files
from .yamlsource import YamlDocument, parse_yaml

Status = Literal["succeeded", "failed", "timed_out"]
SCENARIO_SUFFIX = ".scenario.yaml"

__all__ = [
    "SCENARIO_SUFFIX",
    "Expectation",
    "Rehearsal",
    "ScenarioError",
    "Step",
    "TransitionSite",
    "TransitionTrace",
    "coverage",
    "find_scenarios",
    "load_scenario",
    "rehearse",
    "rehearse_file",
]


class ScenarioError(Exception):
    """A scenario that cannot be read or whose workflow cannot be found."""


# -- scenario files ---------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Attempt(_Strict):
    """One mocked execution: its status and result."""

    status: Status = "succeeded"
    result: Any = None


class ItemMock(Attempt):
    """The mock of one ``with_items`` element; ``attempts`` when it is retried."""

    attempts: list[Attempt] | None = None


class TaskMock(ItemMock):
    """The mock of a task: one outcome, one per item, or one per attempt."""

    items: list[ItemMock] | None = None


class Expect(_Strict):
    """What the rehearsal must show."""

    ran: list[str] = Field(default_factory=list, description="Tasks that ran.")
    not_ran: list[str] = Field(default_factory=list, description="Tasks that did not run.")
    order: list[str] = Field(default_factory=list, description="Tasks that ran in this order.")
    vars: dict[str, Any] | None = Field(None, description="Final values of these variables.")
    output: dict[str, Any] | None = Field(None, description="Values of these output keys.")
    status: Literal["succeeded", "failed"] | None = None


class Scenario(_Strict):
    """A scenario file."""

    name: str | None = None
    description: str | None = None
    workflow: str
    parameters: dict[str, Any] = Field(default_factory=dict)
    config: dict[str, Any] | None = None
    keystore: dict[str, Any] = Field(default_factory=dict)
    default: Attempt = Field(default_factory=Attempt)
    tasks: dict[str, TaskMock] = Field(default_factory=dict)
    expect: Expect = Field(default_factory=Expect)


def _error_text(exc: ValidationError) -> str:
    lines = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"]) or "(top level)"
        lines.append(f"{where}: {error['msg']}")
    return "; ".join(lines)


def load_scenario(path: Path, text: str | None = None) -> Scenario:
    """Read and validate a scenario file."""
    try:
        raw = path.read_text(encoding="utf-8") if text is None else text
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot read: {exc}") from None
    # The checker's YAML reader: the core schema, so values are JSON (no dates or sets).
    try:
        doc = parse_yaml(raw)
    except RecursionError:
        raise ScenarioError(f"{path}: nested too deeply") from None
    if doc.syntax_error is not None:
        message, span = doc.syntax_error
        raise ScenarioError(f"{path}:{span.line + 1}:{span.column + 1}: not valid YAML: {message}")
    data = doc.data
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: a scenario is a mapping with a `workflow` key")
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(f"{path}: {_error_text(exc)}") from None


def find_scenarios(folder: Path) -> list[Path]:
    """The scenario files of a pack (``tests/*.scenario.yaml``), or of any folder below it."""
    tests = folder / "tests"
    if (folder / "pack.yaml").is_file() and tests.is_dir():
        return sorted(tests.glob(f"*{SCENARIO_SUFFIX}"))
    return sorted(p for p in folder.rglob(f"*{SCENARIO_SUFFIX}") if p.is_file())


# -- workflow resolution ----------------------------------------------------------------------


@dataclass
class Target:
    """The workflow a scenario runs, with its pack context."""

    path: Path
    ref: str | None
    data: dict[str, Any]
    text: str
    action: ActionInfo | None
    pack_config: dict[str, Any]
    doc: YamlDocument | None = None


def _pack_config(manifest: dict[str, Any] | None) -> dict[str, Any]:
    if not isinstance(manifest, dict):
        return {}
    config: dict[str, Any] = {}
    schema = manifest.get("conf_schema") or manifest.get("config_schema")
    if isinstance(schema, dict):
        for key, spec in schema.items():
            if isinstance(spec, dict) and "default" in spec:
                config[str(key)] = copy.deepcopy(spec["default"])
    if isinstance(manifest.get("config"), dict):
        config.update(copy.deepcopy(manifest["config"]))
    return config


def _standalone_ref(path: Path) -> str | None:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    ref = data.get("ref") if isinstance(data, dict) else None
    return ref if isinstance(ref, str) else None


def resolve_workflow(scenario: Scenario, scenario_path: Path) -> Target:
    """Find the workflow file a scenario names (a path relative to it, or a ref)."""
    name = scenario.workflow
    base = scenario_path.resolve().parent
    pack_root = find_pack_root(base) or find_pack_root(base.parent)
    pack = read_pack(pack_root) if pack_root is not None else None
    action: ActionInfo | None = None
    path: Path | None = None
    looks_like_path = name.endswith((".yaml", ".yml")) or "/" in name
    if looks_like_path:
        candidate = (base / name).resolve()
        if not candidate.is_file():
            raise ScenarioError(f"{scenario_path}: workflow file not found: {name}")
        path = candidate
        other_root = find_pack_root(path)
        if other_root is not None and other_root != pack_root:
            pack_root, pack = other_root, read_pack(other_root)
        if pack is not None:
            action = next((a for a in pack.actions.values() if a.workflow_path == path), None)
    elif pack is not None:
        action = pack.actions.get(name)
        if action is not None and action.workflow_path is not None:
            path = action.workflow_path
        elif pack.root is not None:
            for candidate in yaml_files(pack.root / "workflows"):
                if _standalone_ref(candidate) == name:
                    path = candidate.resolve()
                    break
    if path is None:
        where = f"pack {pack.ref!r}" if pack is not None else "no pack around the scenario"
        raise ScenarioError(f"{scenario_path}: no workflow {name!r} ({where})")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot read: {exc}") from None
    doc = parse_yaml(text)
    if doc.syntax_error is not None or not isinstance(doc.data, dict):
        problem = doc.syntax_error[0] if doc.syntax_error else "not a mapping"
        raise ScenarioError(f"{path}: cannot rehearse a workflow that does not parse: {problem}")
    ref = action.ref if action is not None else doc.data.get("ref")
    return Target(
        path=path,
        ref=ref if isinstance(ref, str) and ref else None,
        data=doc.data,
        text=text,
        action=action,
        pack_config=_pack_config(pack.manifest if pack is not None else None),
        doc=doc,
    )


# -- the walk ---------------------------------------------------------------------------------


@dataclass
class TransitionTrace:
    """One transition of a completed task: whether it fired and why."""

    index: int
    when: str | None
    fired: bool
    reason: str
    targets: list[str]
    published: dict[str, Any] = field(default_factory=dict)
    started: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Plain data."""
        return {
            "index": self.index,
            "when": self.when,
            "fired": self.fired,
            "reason": self.reason,
            "do": self.targets,
            "published": self.published,
            "started": self.started,
            "notes": self.notes,
        }


@dataclass
class Step:
    """One task the walk ran."""

    order: int
    task: str
    status: Status
    attempts: int = 1
    items: int | None = None
    input: Any = None
    result: Any = None
    transitions: list[TransitionTrace] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def published(self) -> dict[str, Any]:
        """Everything this task's transitions published, in order."""
        out: dict[str, Any] = {}
        for transition in self.transitions:
            out.update(transition.published)
        return out

    def to_json(self) -> dict[str, Any]:
        """Plain data."""
        return {
            "order": self.order,
            "task": self.task,
            "status": self.status,
            "attempts": self.attempts,
            "items": self.items,
            "input": self.input,
            "result": self.result,
            "published": self.published,
            "transitions": [t.to_json() for t in self.transitions],
            "notes": self.notes,
        }


@dataclass
class Expectation:
    """One expectation and whether the rehearsal met it."""

    what: str
    ok: bool
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        """Plain data."""
        return {"what": self.what, "ok": self.ok, "detail": self.detail}


@dataclass
class Rehearsal:
    """The outcome of one scenario."""

    scenario: Path
    name: str
    workflow: Path | None = None
    ref: str | None = None
    steps: list[Step] = field(default_factory=list)
    not_run: dict[str, str] = field(default_factory=dict)
    vars: dict[str, Any] = field(default_factory=dict)
    output: dict[str, Any] = field(default_factory=dict)
    status: Literal["succeeded", "failed"] = "succeeded"
    expectations: list[Expectation] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    scope: Scope | None = field(default=None, repr=False)
    doc: YamlDocument | None = field(default=None, repr=False)

    @property
    def passed(self) -> bool:
        """Whether the scenario ran and every expectation held."""
        return self.error is None and all(e.ok for e in self.expectations)

    @property
    def ran(self) -> list[str]:
        """The tasks that ran, in order."""
        return [step.task for step in self.steps]

    def fired(self) -> set[tuple[str, int]]:
        """(task, transition index) of every transition that fired."""
        return {(s.task, t.index) for s in self.steps for t in s.transitions if t.fired}

    def to_json(self) -> dict[str, Any]:
        """Plain data."""
        return {
            "scenario": str(self.scenario),
            "name": self.name,
            "workflow": str(self.workflow) if self.workflow else None,
            "ref": self.ref,
            "passed": self.passed,
            "error": self.error,
            "status": self.status,
            "steps": [s.to_json() for s in self.steps],
            "not_run": self.not_run,
            "vars": self.vars,
            "output": self.output,
            "expectations": [e.to_json() for e in self.expectations],
            "notes": self.notes,
        }


def _parameters(scenario: Scenario, target: Target) -> dict[str, Any]:
    """The scenario's parameters over the declared defaults (format §4.1)."""
    params: dict[str, Any] = {}
    schema: Any = target.action.parameters if target.action is not None else None
    if schema is None:
        schema = target.data.get("parameters")
    if isinstance(schema, dict):
        for key, spec in schema.items():
            if isinstance(spec, dict) and "default" in spec:
                params[str(key)] = copy.deepcopy(spec["default"])
    params.update(copy.deepcopy(scenario.parameters))
    return params


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


class _Walk:
    def __init__(self, scenario: Scenario, target: Target, out: Rehearsal) -> None:
        self.scenario = scenario
        self.out = out
        definition = normalize(target.data)
        self.order: list[str] = []
        self.tasks: dict[str, dict[str, Any]] = {}
        for task in definition.get("tasks", []):
            name = task.get("name")
            if isinstance(name, str) and name not in self.tasks:
                self.tasks[name] = task
                self.order.append(name)
        self.output_map = definition.get("output_map")
        variables = definition.get("vars")
        config = copy.deepcopy(target.pack_config)
        if scenario.config is not None:
            config.update(copy.deepcopy(scenario.config))
        self.scope = Scope(
            parameters=_parameters(scenario, target),
            variables=copy.deepcopy(variables) if isinstance(variables, dict) else {},
            config=config,
            keystore=copy.deepcopy(scenario.keystore),
            system={"workflow_start": "1970-01-01T00:00:00Z"},
        )
        self.predecessors: dict[str, set[str]] = {name: set() for name in self.tasks}
        for name, task in self.tasks.items():
            for transition in self._transitions(task):
                for target_name in transition.get("do", []) or []:
                    if target_name in self.predecessors:
                        self.predecessors[target_name].add(name)

    @staticmethod
    def _transitions(task: dict[str, Any]) -> list[dict[str, Any]]:
        nxt = task.get("next")
        return [t for t in nxt if isinstance(t, dict)] if isinstance(nxt, list) else []

    def run(self) -> None:
        entries = [name for name in self.order if not self.predecessors[name]]
        if not entries:
            self.out.notes.append("no entry task: every task has an inbound transition")
        queue: deque[str] = deque(entries)
        dispatched = set(entries)
        arrivals: dict[str, set[str]] = {name: set() for name in self.tasks}
        unhandled: list[str] = []
        while queue:
            name = queue.popleft()
            task = self.tasks[name]
            if task.get("type") == "parallel":
                self.out.not_run[name] = (
                    "dispatched, but Attune's scheduler never runs parallel tasks"
                )
                continue
            step = self._execute(name, task)
            self.out.steps.append(step)
            self._advance(step, task)
            if step.status != "succeeded" and not any(t.fired for t in step.transitions):
                unhandled.append(name)
            for transition in step.transitions:
                if not transition.fired:
                    continue
                for target_name in transition.targets:
                    target = self.tasks.get(target_name)
                    if target is None:
                        transition.notes.append(f"no task named {target_name!r}")
                        continue
                    arrivals[target_name].add(name)
                    if target_name in dispatched:
                        transition.notes.append(
                            f"{target_name} already dispatched (a task runs at most once)"
                        )
                        continue
                    join = target.get("join")
                    have = len(arrivals[target_name])
                    if isinstance(join, int) and join > 0 and have < join:
                        transition.notes.append(
                            f"{target_name} waits at its join ({have} of {join})"
                        )
                        continue
                    dispatched.add(target_name)
                    transition.started.append(target_name)
                    queue.append(target_name)
        ran = set(self.out.ran)
        for name in self.order:
            if name in ran or name in self.out.not_run:
                continue
            join = self.tasks[name].get("join")
            have = len(arrivals[name])
            if isinstance(join, int) and join > 0 and have:
                self.out.not_run[name] = f"join never reached ({have} of {join})"
            else:
                self.out.not_run[name] = "no transition started it"
        if unhandled:
            self.out.status = "failed"
            self.out.notes.append(
                "failed: no transition handled the outcome of " + ", ".join(unhandled)
            )
        self.out.vars = dict(self.scope.variables)
        self._render_output()
        self.out.scope = self.scope

    # -- one task ---------------------------------------------------------------------------

    def _mock(self, name: str) -> TaskMock:
        mock = self.scenario.tasks.get(name)
        if mock is not None:
            return mock
        return TaskMock(status=self.scenario.default.status, result=self.scenario.default.result)

    def _attempts(self, mock: ItemMock, task: dict[str, Any], step: Step) -> tuple[Status, Any]:
        """Run the attempts of one execution; returns the last attempt's outcome."""
        retry = task.get("retry")
        count = retry.get("count") if isinstance(retry, dict) else None
        limit = 1 + (count if isinstance(count, int) and count > 0 else 0)
        attempts = mock.attempts or [Attempt(status=mock.status, result=mock.result)]
        tried = 0
        attempt = attempts[0]
        while tried < limit:
            attempt = attempts[min(tried, len(attempts) - 1)]
            tried += 1
            if attempt.status == "succeeded":
                break
        step.attempts = max(step.attempts, tried)
        if mock.attempts and len(mock.attempts) > limit:
            step.notes.append(
                f"{len(mock.attempts)} attempts mocked, but retry allows only {limit}"
            )
        return attempt.status, copy.deepcopy(attempt.result)

    def _render_input(self, task: dict[str, Any], step: Step) -> tuple[Any, str | None]:
        raw = task.get("input", {})
        try:
            return render_json(raw, self.scope), None
        except EvalError as exc:
            return None, str(exc)

    def _execute(self, name: str, task: dict[str, Any]) -> Step:
        step = Step(order=len(self.out.steps) + 1, task=name, status="succeeded")
        mock = self._mock(name)
        if task.get("when") is not None:
            step.notes.append("task-level `when` is not evaluated by Attune's scheduler")
        with_items = task.get("with_items")
        if isinstance(with_items, str) or task.get("iterate_cache") is not None:
            return self._execute_items(name, task, step, mock, with_items)
        rendered, problem = self._render_input(task, step)
        step.input = rendered
        if problem is not None:
            step.status = "failed"
            step.notes.append(f"input could not be rendered: {problem}")
            step.result = {"error": problem}
            return step
        step.status, step.result = self._attempts(mock, task, step)
        return step

    def _execute_items(
        self, name: str, task: dict[str, Any], step: Step, mock: TaskMock, with_items: Any
    ) -> Step:
        if isinstance(with_items, str):
            try:
                items = render_json(with_items, self.scope)
            except EvalError as exc:
                step.status = "failed"
                step.notes.append(f"with_items could not be evaluated: {exc}")
                step.result = {"error": str(exc)}
                return step
            if not isinstance(items, list):
                step.status = "failed"
                step.notes.append(f"with_items gave {to_json(items)}, not an array")
                step.result = {"error": "with_items must evaluate to an array"}
                return step
        else:
            items = [m.result for m in mock.items or []]
            step.notes.append("iterate_cache: the items are the mocked results")
        step.items = len(items)
        inputs: list[Any] = []
        results: list[Any] = []
        statuses: list[Status] = []
        for position, item in enumerate(items):
            self.scope.item, self.scope.index = item, position
            rendered, problem = self._render_input(task, step)
            inputs.append(rendered)
            if problem is not None:
                statuses.append("failed")
                results.append({"error": problem})
                step.notes.append(f"item {position}: input could not be rendered: {problem}")
                continue
            item_mock: ItemMock = mock
            if mock.items is not None and position < len(mock.items):
                item_mock = mock.items[position]
            status, result = self._attempts(item_mock, task, step)
            statuses.append(status)
            results.append(result)
            if status != "succeeded":
                step.notes.append(f"item {position} {status}")
        self.scope.item, self.scope.index = MISSING, MISSING
        if mock.items is not None and len(mock.items) != len(items):
            step.notes.append(f"{len(mock.items)} items mocked for {len(items)} items")
        step.input = inputs
        failed = [s for s in statuses if s != "succeeded"]
        step.status = (
            "succeeded"
            if not failed
            else ("timed_out" if set(failed) == {"timed_out"} else "failed")
        )
        step.result = {"succeeded": not failed, "items": results}
        return step

    # -- transitions ------------------------------------------------------------------------

    def _advance(self, step: Step, task: dict[str, Any]) -> None:
        view = result_view(step.result)
        self.scope.tasks[step.task] = view
        self.scope.last_result = view
        self.scope.last_outcome = step.status
        for index, transition in enumerate(self._transitions(task)):
            when = transition.get("when")
            targets = [t for t in transition.get("do", []) or [] if isinstance(t, str)]
            trace = TransitionTrace(index=index, when=when, fired=False, reason="", targets=targets)
            step.transitions.append(trace)
            if when is None:
                trace.fired, trace.reason = True, "no condition: fires on any completion"
            else:
                try:
                    trace.fired = evaluate_condition(str(when), self.scope)
                    trace.reason = f"condition is {'true' if trace.fired else 'false'}"
                except EvalError as exc:
                    trace.fired = step.status == "succeeded"
                    trace.reason = (
                        f"condition could not be evaluated ({exc}); Attune then fires it as on "
                        f"success, and the task {step.status}"
                    )
            if trace.fired:
                self._publish(transition.get("publish"), trace, view)

    def _publish(self, publish: Any, trace: TransitionTrace, result: Any) -> None:
        if not isinstance(publish, list):
            return
        for directive in publish:
            if isinstance(directive, str):
                self.scope.variables[directive] = copy.deepcopy(result)
                trace.published[directive] = copy.deepcopy(result)
                continue
            if not isinstance(directive, dict):
                continue
            for key, value in directive.items():
                try:
                    rendered = render_json(value, self.scope)
                except EvalError as exc:
                    trace.notes.append(f"publish {key} failed: {exc}")
                    continue
                self.scope.variables[str(key)] = rendered
                trace.published[str(key)] = rendered

    def _render_output(self) -> None:
        self.scope.last_result, self.scope.last_outcome = None, None
        if not isinstance(self.output_map, dict):
            return
        for key, value in self.output_map.items():
            try:
                self.out.output[str(key)] = render_json(value, self.scope)
            except EvalError as exc:
                self.out.notes.append(f"output {key} left out: {exc}")


def _check(expect: Expect, out: Rehearsal, known: set[str]) -> list[Expectation]:
    results: list[Expectation] = []
    ran = out.ran
    for name in expect.ran:
        if name in ran:
            detail = f"ran {_ordinal(ran.index(name) + 1)}"
        elif name not in known:
            detail = f"no task named {name!r}"
        else:
            detail = out.not_run.get(name, "")
        results.append(Expectation(f"{name} ran", name in ran, detail))
    for name in expect.not_ran:
        detail = (
            f"ran {_ordinal(ran.index(name) + 1)}" if name in ran else out.not_run.get(name, "")
        )
        results.append(Expectation(f"{name} did not run", name not in ran, detail))
    if expect.order:
        positions = [ran.index(name) if name in ran else -1 for name in expect.order]
        ok = -1 not in positions and positions == sorted(positions)
        results.append(
            Expectation("order " + " → ".join(expect.order), ok, "actual order: " + " → ".join(ran))
        )
    for section, expected, actual in (
        ("vars", expect.vars, out.vars),
        ("output", expect.output, out.output),
    ):
        for key, value in (expected or {}).items():
            if key not in actual:
                results.append(Expectation(f"{section}.{key} == {to_json(value)}", False, "absent"))
                continue
            ok = values_equal(actual[key], value)
            results.append(
                Expectation(
                    f"{section}.{key} == {to_json(value)}",
                    ok,
                    "" if ok else f"got {to_json(actual[key])}",
                )
            )
    if expect.status is not None:
        ok = out.status == expect.status
        results.append(Expectation(f"workflow {expect.status}", ok, "" if ok else out.status))
    return results


def rehearse(scenario: Scenario, scenario_path: Path) -> Rehearsal:
    """Run one loaded scenario."""
    name = scenario.name or scenario_path.name.removesuffix(SCENARIO_SUFFIX)
    out = Rehearsal(scenario=scenario_path, name=name)
    try:
        target = resolve_workflow(scenario, scenario_path)
    except ScenarioError as exc:
        out.error = str(exc)
        return out
    out.workflow, out.ref, out.doc = target.path, target.ref, target.doc
    try:
        walk = _Walk(scenario, target, out)
        unknown = sorted(set(scenario.tasks) - set(walk.tasks))
        if unknown:
            out.notes.append("mocks for tasks the workflow does not have: " + ", ".join(unknown))
        walk.run()
        out.expectations = _check(scenario.expect, out, set(walk.tasks))
    except RecursionError:
        # Values nested thousands deep: report it rather than fail the whole run.
        out.error = f"{scenario_path}: values nested too deeply to rehearse"
    return out


def rehearse_file(path: Path, text: str | None = None) -> Rehearsal:
    """Load and run one scenario file; a bad file gives a rehearsal with an error."""
    try:
        scenario = load_scenario(path, text)
    except ScenarioError as exc:
        return Rehearsal(
            scenario=path, name=path.name.removesuffix(SCENARIO_SUFFIX), error=str(exc)
        )
    return rehearse(scenario, path)


# -- coverage ---------------------------------------------------------------------------------


@dataclass
class TransitionSite:
    """A transition of a workflow and whether any scenario fired it."""

    workflow: Path
    task: str
    index: int
    label: str
    line: int | None
    fired: bool

    def to_json(self) -> dict[str, Any]:
        """Plain data."""
        return {
            "workflow": str(self.workflow),
            "task": self.task,
            "index": self.index,
            "label": self.label,
            "line": self.line,
            "fired": self.fired,
        }


def _transition_label(transition: dict[str, Any]) -> str:
    when = transition.get("when")
    targets = transition.get("do") or []
    head = f"when {when}" if when is not None else "always"
    return f"{head} → {', '.join(map(str, targets))}" if targets else f"{head} (publish only)"


def transition_sites(path: Path, doc: YamlDocument | None = None) -> list[TransitionSite]:
    """Every transition Attune keeps for the workflow file, with the line it starts on."""
    from .graph import effective_transitions
    from .view import build_view

    if doc is None:
        try:
            doc = parse_yaml(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            return []
    if not isinstance(doc.data, dict):
        return []
    view = build_view(doc.root)
    lines: dict[tuple[str, int], int] = {}
    if view is not None:
        for task_view in view.tasks:
            if task_view.name is None:
                continue
            for index, kept in enumerate(effective_transitions(task_view)):
                lines.setdefault((task_view.name, index), doc.span(kept.node).line + 1)
    sites: list[TransitionSite] = []
    seen: set[str] = set()
    for task in normalize(doc.data).get("tasks", []):
        name = task.get("name")
        if not isinstance(name, str) or name in seen:
            continue
        seen.add(name)
        for index, transition in enumerate(_Walk._transitions(task)):
            sites.append(
                TransitionSite(
                    path,
                    name,
                    index,
                    _transition_label(transition),
                    lines.get((name, index)),
                    False,
                )
            )
    return sites


def coverage(rehearsals: list[Rehearsal]) -> list[TransitionSite]:
    """The transitions of every rehearsed workflow, marked with whether a scenario fired them."""
    fired: dict[Path, set[tuple[str, int]]] = {}
    docs: dict[Path, YamlDocument | None] = {}
    for run in rehearsals:
        if run.workflow is not None:
            fired.setdefault(run.workflow, set()).update(run.fired())
            docs.setdefault(run.workflow, run.doc)
    sites: list[TransitionSite] = []
    for workflow in sorted(fired):
        for site in transition_sites(workflow, docs[workflow]):
            site.fired = (site.task, site.index) in fired[workflow]
            sites.append(site)
    return sites

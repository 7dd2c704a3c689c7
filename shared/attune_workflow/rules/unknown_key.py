"""A key that Attune's workflow model does not have.

## What it does
Reports keys of the workflow, of a task, of a transition, of `retry` and of a
legacy `decision` branch that Attune does not read, with "did you mean" and a
quick fix that renames a misspelt key. Keys that other tools use get a specific
message: a task `delay`, `output_schema`, a top-level `name`, `metadata` or
StackStorm's `input`. Under `wait_for` and `iterate_cache` an unknown key is an
error, because Attune rejects it there. In an action file it reports
`output_schema` and `param_schema`: Attune's pack loader reads only `output`
and `parameters`, so the action silently has no output (or parameter) schema.

## Why is this bad?
Attune drops unknown keys silently when it stores the workflow: an `actoin:`
typo leaves the task without an action, and a `delay: 5` never delays anything.
Under `wait_for` and `iterate_cache` the parse fails instead. An action's
`output_schema:` is dropped by the pack loader, so `task.X.field` paths and the
editor have no schema to go by.

## Example
```yaml
version: "1.0.0"
tasks:
  - name: pause
    action: core.noop
    delay: 5
    nxet:
      - do: [resume]
  - name: resume
    action: core.echo
```

## Use instead
```yaml
version: "1.0.0"
tasks:
  - name: pause
    action: core.sleep
    next:
      - do: [resume]
  - name: resume
    action: core.echo
```
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel

from ..context import Context, FileKind, Layout, StructuralError
from ..diagnostics import Diagnostic, Edit, Fix, Severity
from ..model import Decision, IterateCache, Retry, Task, Transition, WaitFor, WorkflowFile
from ..suggest import close_match, did_you_mean
from ..yamlsource import Node, SequenceNode, mapping_get, mapping_index
from .base import Scope
from .missing_key import DataPath, describe, locate_task

ID = "unknown-key"
SEVERITY = Severity.WARNING
KINDS = frozenset({FileKind.WORKFLOW, FileKind.ACTION})
SCOPE = Scope.TASK

# Action keys that other documents use, which Attune's pack loader does not read.
ACTION_ALIASES = {"output_schema": "output", "param_schema": "parameters"}

# Mappings whose unknown keys make Attune's parse fail.
_STRICT: frozenset[type[BaseModel]] = frozenset({WaitFor, IterateCache})


def _keys(model: type[BaseModel]) -> tuple[str, ...]:
    return tuple(info.alias or name for name, info in model.model_fields.items())


_KEYS: dict[type[BaseModel], tuple[str, ...]] = {
    model: _keys(model)
    for model in (WorkflowFile, Task, Transition, Decision, Retry, IterateCache, WaitFor)
}
_NESTED: dict[str, type[BaseModel]] = {
    "retry": Retry,
    "iterate_cache": IterateCache,
    "wait_for": WaitFor,
}


def _model_of(ctx: Context, parent: DataPath) -> type[BaseModel] | None:
    """The model of the mapping at a data path."""
    if not parent:
        return WorkflowFile
    task, rest = locate_task(ctx.view, parent)
    if task is None:
        return None
    if not rest:
        return Task
    if len(rest) == 2 and isinstance(rest[1], int):
        lists: dict[str, type[BaseModel]] = {"next": Transition, "decision": Decision}
        return lists.get(str(rest[0]))
    if len(rest) == 1:
        return _NESTED.get(str(rest[0]))
    return None


_TASK_SPECIAL = {
    "delay": "Attune has no task delay and ignores it; use 'retry.delay' or a 'core.sleep' task",
    "parameters": "Attune ignores it; pass the action's parameters in 'input'",
    "with": "Attune ignores it (Orquesta syntax); use 'with_items' with a template that yields "
    "the list",
    "output_schema": "Attune ignores it; declare the output as 'output' in the action file",
}
_DROPPED = "Attune ignores it and drops it when it stores the workflow"
# Top-level keys of other formats: (message for graph files, message for other files).
_TOP_SPECIAL = {
    "output_schema": (
        "Attune ignores it; declare the output as 'output' in the action file",
        "Attune ignores it; declare the output as 'output'",
    ),
    "name": (
        "Attune ignores it; the action that links this file gives the workflow its ref and label",
        "Attune ignores it; use 'ref' (pack.name) and 'label'",
    ),
    "metadata": (_DROPPED, _DROPPED),
    "examples": (_DROPPED, _DROPPED),
    "input": (
        "Attune ignores it (a StackStorm key); declare the inputs as 'parameters' in the "
        "action file",
        "Attune ignores it (a StackStorm key); declare the inputs as 'parameters'",
    ),
}


def _special(ctx: Context, model: type[BaseModel] | None, key: str) -> str | None:
    """What to say about keys other tools use, instead of a guess."""
    if key == "<<":
        return "Attune's YAML reader does not expand merge keys, so the merged keys are ignored"
    if model is Task:
        return _TASK_SPECIAL.get(key)
    if model is WorkflowFile and key in _TOP_SPECIAL:
        graph, other = _TOP_SPECIAL[key]
        return graph if ctx.layout is Layout.GRAPH else other
    return None


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Report keys the model forbids, with a did-you-mean rename."""
    if ctx.kind is FileKind.ACTION:
        yield from _action_keys(ctx)
        return
    view = ctx.view
    if view is None:
        return
    for error in ctx.structure:
        if error.kind != "extra" or error.key is None or error.key_node is None:
            continue
        yield _diagnostic(ctx, error, error.key)


def _action_keys(ctx: Context) -> Iterator[Diagnostic]:
    """``output_schema`` / ``param_schema`` in an action file: the loader never reads them."""
    fields = mapping_index(ctx.doc.root)
    for alias, key in ACTION_ALIASES.items():
        entry = fields.get(alias)
        if entry is None:
            continue
        kind = "output" if key == "output" else "parameter"
        message = (
            f"Attune's pack loader does not read '{alias}', only '{key}': the action has no "
            f"{kind} schema"
        )
        fixes: tuple[Fix, ...] = ()
        if key in fields:
            message += f"; this one is ignored beside '{key}'"
        else:
            message += f"; rename it to '{key}'"
            edit = Edit(ctx.span(entry[0]), key)
            fixes = (Fix(f"Rename to '{key}'", (edit,), preferred=True),)
        yield ctx.diagnostic(ID, SEVERITY, ctx.span(entry[0]), message, fixes=fixes)


def _diagnostic(ctx: Context, error: StructuralError, key: str) -> Diagnostic:
    assert error.key_node is not None
    parent = error.path[:-1]
    model = _model_of(ctx, parent)
    strict = model in _STRICT
    container = describe(ctx.view, parent)
    message = f"Unknown key '{key}' in {container}: "
    fixes: tuple[Fix, ...] = ()
    special = None if strict else _special(ctx, model, key)
    if special is not None:
        message += special
        if key == "parameters" and model is Task:
            fixes = _rename(ctx, error, "input")
    else:
        message += "Attune rejects the workflow" if strict else "Attune ignores it"
        home = _home(model, key)
        if home is not None:
            return ctx.diagnostic(
                ID, _severity(strict), ctx.span(error.key_node), f"{message}; {home}"
            )
        candidates = _KEYS.get(model, ()) if model is not None else ()
        if model is Task:
            # never suggest a task-level 'when': the scheduler does not evaluate it
            candidates = tuple(c for c in candidates if c != "when")
        match = close_match(key.lower(), candidates)
        if match is not None:
            message += did_you_mean(match)
            fixes = _rename(ctx, error, match)
        elif model is WaitFor:
            message += "; use one of 'inquiry', 'execution' or 'work_queue_item'"
    return ctx.diagnostic(ID, _severity(strict), ctx.span(error.key_node), message, fixes=fixes)


def _severity(strict: bool) -> Severity:
    return Severity.ERROR if strict else SEVERITY


def _home(model: type[BaseModel] | None, key: str) -> str | None:
    """Where a key that belongs to a neighbouring mapping goes."""
    if model is Task:
        for nested, home in (
            ("retry", Retry),
            ("iterate_cache", IterateCache),
            ("wait_for", WaitFor),
        ):
            if key in _KEYS[home]:
                return f"'{key}' belongs under '{nested}'"
        if key in _KEYS[Transition]:
            return f"'{key}' belongs in a 'next' transition"
    elif model in (Retry, IterateCache, WaitFor, Transition) and key in _KEYS[Task]:
        return f"'{key}' is a task key: move it to the task"
    return None


def _rename(ctx: Context, error: StructuralError, new: str) -> tuple[Fix, ...]:
    """Rename the key, unless the mapping already has the new one."""
    assert error.key_node is not None
    parent = _node_at(ctx.doc.root, error.path[:-1])
    if parent is not None and new in mapping_index(parent):
        return ()
    edit = Edit(ctx.span(error.key_node), new)
    return (Fix(f"Rename to '{new}'", (edit,), preferred=True),)


def _node_at(root: Node | None, path: DataPath) -> Node | None:
    node = root
    for part in path:
        if isinstance(part, str):
            entry = mapping_get(node, part)
            node = entry[1] if entry else None
        elif isinstance(node, SequenceNode) and part < len(node.value):
            node = node.value[part]
        else:
            return None
    return node

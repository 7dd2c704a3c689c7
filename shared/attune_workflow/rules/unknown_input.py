"""A task passes an input that the called action does not declare.

## What it does
Compares the keys of a task's `input` with the parameters of the action it
calls, when that action and its parameter schema are known (workspace, bundled
core pack or database index). An undeclared key is reported with a "did you
mean" among the parameters not given yet, and a quick fix renames it.

## Why is this bad?
Attune passes `input` to the action as it is: a misspelt key is simply never
read by the action, which then runs with its default (or fails because a
required parameter is missing). The mistake shows only at run time.

## Example
```yaml
- name: greet
  action: core.echo
  input:
    mesage: "Hello"
```

## Use instead
```yaml
- name: greet
  action: core.echo
  input:
    message: "Hello"
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..context import Context, FileKind
from ..diagnostics import Diagnostic, Fix, Severity
from ..suggest import close_match, did_you_mean
from ..yamlsource import MappingNode, Node, ScalarNode
from .base import Scope
from .invalid_ref import replace_edit
from .schema_format import accepts_any_field, schema_fields
from .unknown_action import called_actions

ID = "unknown-input"
SEVERITY = Severity.WARNING
KINDS = frozenset({FileKind.WORKFLOW})
SCOPE = Scope.TASK


def undeclared_inputs(
    schema: Any, input_node: Node | None
) -> list[tuple[str, ScalarNode, str | None]]:
    """(key, key node, likely meant parameter) for each input key the schema lacks."""
    fields = schema_fields(schema)
    if fields is None or not isinstance(input_node, MappingNode):
        return []
    unknown = [
        (str(key.value), key)
        for key, _value in input_node.value
        if key.value not in fields and isinstance(key, ScalarNode)
    ]
    if not unknown or accepts_any_field(schema):
        return []
    given = {key.value for key, _value in input_node.value}
    free = [str(name) for name in fields if name not in given]
    return [(name, key, close_match(name, free)) for name, key in unknown]


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Report input keys the called action does not declare."""
    for task, _node, action in called_actions(ctx):
        for name, key_node, suggestion in undeclared_inputs(action.parameters, task.value("input")):
            yield ctx.diagnostic(
                ID,
                SEVERITY,
                ctx.span(key_node),
                f"Input '{name}' is not a parameter of action '{action.ref}', so the action "
                "never reads it" + did_you_mean(suggestion),
                fixes=(
                    Fix(
                        f"Rename to '{suggestion}'",
                        (replace_edit(ctx, key_node, suggestion),),
                        True,
                    ),
                )
                if suggestion
                else (),
            )

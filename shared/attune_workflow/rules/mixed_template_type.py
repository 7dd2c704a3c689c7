"""A field that needs a list, number or object holds a mixed template.

## What it does
Reports `with_items`, `timeout` and the placement fields `worker_selector`,
`worker_tolerations` and `worker_affinity` when their value is a template with
text around its `{{ }}` block, or with several blocks. (`wait_for` and `join`
need non-string values too, but Attune already rejects a string there when it
parses the file: invalid-value and wrong-type report those.)

## Why is this bad?
Only a pure template — the whole value is one `{{ expression }}` — keeps the
expression's type. A mixed template is rendered piece by piece and joined into
a string, so `with_items` gets a string instead of a list, and `timeout` a
string instead of a number: the task fails.

## Example
```yaml
- name: deploy
  action: ops.deploy
  with_items: "{{ parameters.regions }}, {{ parameters.extra_regions }}"
  timeout: "{{ parameters.minutes * 60 }}s"
```

## Use instead
```yaml
- name: deploy
  action: ops.deploy
  with_items: "{{ parameters.regions + parameters.extra_regions }}"
  timeout: "{{ parameters.minutes * 60 }}"
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import Context, FileKind, Site
from ..diagnostics import Diagnostic, Severity
from ..expressions import is_mixed_template
from .base import Scope

ID = "mixed-template-type"
SEVERITY = Severity.WARNING
KINDS = frozenset({FileKind.WORKFLOW})
SCOPE = Scope.TASK

_NEEDS = {
    "with_items": "a list",
    "timeout": "a number of seconds",
    "worker_selector": "an object",
    "worker_tolerations": "a list",
    "worker_affinity": "an object",
}
_SITE_KEYS: dict[Site, tuple[str, ...]] = {
    Site.WITH_ITEMS: ("with_items",),
    Site.TIMEOUT: ("timeout",),
}
_OTHER_KEYS = ("worker_selector", "worker_tolerations", "worker_affinity")


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Report each typed field whose value is a mixed template."""
    seen: set[int] = set()
    for expr in ctx.expressions:
        task = expr.task
        if task is None:
            continue
        keys: tuple[str, ...] | None = _SITE_KEYS.get(expr.site)
        if keys is None:
            if expr.site is not Site.OTHER:
                continue
            keys = _OTHER_KEYS
        node = expr.node
        if id(node) in seen:
            continue
        seen.add(id(node))
        key = next((k for k in keys if task.value(k) is node), None)
        if key is None or not is_mixed_template(node.value):
            continue
        value = node.value
        start = len(value) - len(value.lstrip())
        end = len(value.rstrip())
        yield ctx.diagnostic(
            ID,
            SEVERITY,
            ctx.value_span(node, start, end),
            f"'{key}' needs {_NEEDS[key]}, but this template has text around or between its "
            "'{{ }}' blocks, so Attune renders it as a string; make the whole value one "
            "'{{ expression }}'",
        )

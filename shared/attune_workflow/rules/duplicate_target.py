"""The same task is listed twice in one `do` list.

## What it does
Reports the second (and every later) occurrence of a task name in one
transition's `do` list, with the first one as related information. The quick
fix removes the repeated entry.

## Why is this bad?
Attune does not check `do` lists for duplicates, so the task may be scheduled
twice; more often the repetition hides a typo for another task that was meant
to start.

## Example
```yaml
next:
  - when: "{{ succeeded() }}"
    do: [deploy, notify, deploy]
```

## Use instead
```yaml
next:
  - when: "{{ succeeded() }}"
    do: [deploy, notify]
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import Context, FileKind
from ..diagnostics import Diagnostic, Edit, Fix, Related, Severity
from ..positions import Span
from ..yamlsource import (
    ScalarNode,
    SequenceNode,
    end_position,
    node_end,
    node_start,
    start_position,
)
from .base import Scope, workflow_tasks

ID = "duplicate-target"
SEVERITY = Severity.WARNING
KINDS = frozenset({FileKind.WORKFLOW})
SCOPE = Scope.TASK
CITES_LINES = True


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Report repeated names in each ``do`` list."""
    for task in workflow_tasks(ctx):
        for transition in task.transitions:
            do = transition.do_node
            if transition.source != "next" or not isinstance(do, SequenceNode):
                continue
            if len(transition.targets) < 2:
                continue
            first: dict[str, ScalarNode] = {}
            for position, item in enumerate(do.value):
                if not isinstance(item, ScalarNode) or item.tag != "tag:yaml.org,2002:str":
                    continue
                earlier = first.setdefault(item.value, item)
                if earlier is item:
                    continue
                span = _removal(ctx, do, position)
                fixes = (
                    (Fix(f"Remove the repeated '{item.value}'", (Edit(span, ""),), preferred=True),)
                    if span is not None
                    else ()
                )
                yield ctx.diagnostic(
                    ID,
                    SEVERITY,
                    ctx.span(item),
                    f"Task '{item.value}' is already in this 'do' list (line "
                    f"{ctx.span(earlier).line + 1}): Attune does not remove duplicates, so "
                    "it may be started twice",
                    related=(Related(ctx.span(earlier), f"'{item.value}' is first listed here"),),
                    fixes=fixes,
                )


def _removal(ctx: Context, do: SequenceNode, position: int) -> Span | None:
    """The text to delete to drop item ``position`` (never the first) of a ``do`` list."""
    item = do.value[position]
    lines = ctx.doc.lines
    if do.flow_style:
        previous = do.value[position - 1]
        start, end = node_end(previous), node_end(item)
        if "#" in ctx.text[start : node_start(item)]:
            return None
        return lines.span(start, end)
    line = start_position(item, lines)[0]
    if end_position(item, lines)[0] != line:
        return None
    before = ctx.text[lines.offset(line, 0) : node_start(item)]
    after = ctx.text[node_end(item) : lines.line_end(line)].strip()
    if before.strip() != "-" or (after and not after.startswith("#")):
        return None
    if line + 1 < lines.line_count:
        return Span(line, 0, line + 1, 0)
    previous_line = line - 1
    return Span(
        previous_line, len(lines.line_text(previous_line)), line, len(lines.line_text(line))
    )

"""The document is empty, is not a mapping, or holds more than one YAML document.

## What it does
Reports workflow, action and pack files whose content is not exactly one YAML
mapping.

## Why is this bad?
Attune reads each file as one mapping: an empty file, a list at the top, or a
second `---` document makes the parse fail (or the extra document is ignored).

## Example
```yaml
- name: greet
  action: core.echo
```

## Use instead
```yaml
version: "1.0.0"
tasks:
  - name: greet
    action: core.echo
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import Context, FileKind
from ..diagnostics import Diagnostic, Severity
from ..positions import Span
from ..yamlsource import MappingNode, SequenceNode

ID = "not-a-workflow"
SEVERITY = Severity.ERROR
KINDS = frozenset({FileKind.WORKFLOW, FileKind.ACTION, FileKind.PACK})

_WHAT = {
    FileKind.WORKFLOW: "A workflow file",
    FileKind.ACTION: "An action file",
    FileKind.PACK: "pack.yaml",
}


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Report a document that is not one mapping."""
    doc = ctx.doc
    if doc.syntax_error is not None:
        return
    what = _WHAT.get(ctx.kind, "The file")
    if doc.root is None:
        end = doc.lines.full_span()
        yield ctx.diagnostic(
            ID,
            SEVERITY,
            Span(0, 0, end.end_line, end.end_column),
            f"{what} must be a YAML mapping, but the document is empty",
        )
        return
    if not isinstance(doc.root, MappingNode):
        kind = "a list" if isinstance(doc.root, SequenceNode) else "a single value"
        yield ctx.diagnostic(
            ID, SEVERITY, ctx.span(doc.root), f"{what} must be a YAML mapping, not {kind}"
        )
    if doc.extra_document is not None:
        yield ctx.diagnostic(
            ID,
            SEVERITY,
            doc.extra_document,
            f"{what} must hold exactly one YAML document; this second document is not read",
        )

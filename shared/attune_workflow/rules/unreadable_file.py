"""The file cannot be read safely, so it is not checked.

## What it does
Reports a file that is skipped instead of read: a loop of symbolic links, a
link to a file outside the pack folder, a FIFO, device or socket named like a
YAML file, a dangling link, a file or folder without read permission.

## Why is this bad?
Attune's pack loader reads every `.yaml` file of a pack's workflow and action
folders: such an entry makes the pack load fail or hang, or copies a file
from outside the pack into the database. The checker never follows such an
entry (reading a FIFO would block, a link could expose another file), so
nothing in it is checked either.

## Example
```
mypack/actions/workflows/deploy.yaml -> /etc/passwd
mypack/actions/workflows/loop.yaml -> loop.yaml
```

## Use instead
Keep every pack file a regular file inside the pack folder; copy a shared
workflow into the pack rather than linking to it.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import Context
from ..diagnostics import Diagnostic, Severity
from ..positions import Span
from .base import ALL_KINDS

ID = "unreadable-file"
SEVERITY = Severity.ERROR
KINDS = ALL_KINDS


def diagnostic(message: str, severity: Severity = SEVERITY) -> Diagnostic:
    """The finding for a file or folder that is not read."""
    return Diagnostic(Span(0, 0, 0, 0), severity, ID, message)


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Files are judged before they are read; a text that reached the rules was readable."""
    return iter(())

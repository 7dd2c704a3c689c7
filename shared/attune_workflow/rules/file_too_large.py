"""The file is bigger than the loader's size limit.

## What it does
Reports a file larger than the limit (1 MiB by default, as Attune's workflow
loader; `max_file_size` in `.attune-lsp.yaml` or `--max-file-size` changes it).

## Why is this bad?
Attune's loader refuses such a file with
`Workflow file exceeds maximum size of N bytes`; it is never registered.

## Example
A generated workflow of 20,000 tasks in one file (about 5 MiB).

## Use instead
Split the work into several workflows that call each other (`type: workflow`
tasks or workflow actions), each well under the limit.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..config import Config
from ..context import Context
from ..diagnostics import Diagnostic, Severity
from ..positions import Span
from .base import ALL_KINDS

ID = "file-too-large"
SEVERITY = Severity.ERROR
KINDS = ALL_KINDS


def check_bytes(path: Path, data: bytes, config: Config) -> Iterator[Diagnostic]:
    """Report a file over the limit."""
    if len(data) > config.max_file_size:
        yield diagnostic(len(data), config.max_file_size)


def diagnostic(size: int, limit: int) -> Diagnostic:
    """The finding for a file of ``size`` bytes (known from its stat, before any read)."""
    return Diagnostic(
        Span(0, 0, 0, 0),
        SEVERITY,
        ID,
        f"The file is {size:,} bytes; Attune's loader refuses files over {limit:,} bytes",
    )


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Size is checked on the bytes, before parsing."""
    return iter(())

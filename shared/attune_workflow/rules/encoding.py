"""The file is not valid UTF-8.

## What it does
Reports a file whose bytes do not decode as UTF-8, at the first bad byte.

## Why is this bad?
Attune reads pack files as UTF-8; a file saved in another encoding (Latin-1,
UTF-16) fails to load.

## Example
A workflow saved as Latin-1 with `description: "Café"`.

## Use instead
Save the file as UTF-8 (without a byte-order mark).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..config import Config
from ..context import Context
from ..diagnostics import Diagnostic, Severity
from ..positions import LineIndex
from .base import ALL_KINDS

ID = "encoding"
SEVERITY = Severity.ERROR
KINDS = ALL_KINDS


def check_bytes(path: Path, data: bytes, config: Config) -> Iterator[Diagnostic]:
    """Report bytes that are not UTF-8."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        good = data[: exc.start].decode("utf-8")
        lines = LineIndex(good + "?")
        span = lines.span(len(good), len(good) + 1)
        yield Diagnostic(
            span,
            SEVERITY,
            ID,
            f"The file is not valid UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start} "
            "cannot be decoded; save the file as UTF-8",
        )


def check(ctx: Context) -> Iterator[Diagnostic]:
    """Text that reached the parser is already valid."""
    return iter(())

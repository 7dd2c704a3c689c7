"""UTF-16 code-unit columns: the one place that counts them (standard library only, so the
start-up prelude can use it before the LSP libraries load; :mod:`attune_lsp.convert`
re-exports it)."""

from __future__ import annotations


def utf16_column(line_text: str, column: int) -> int:
    """Convert a code-point column in a line to a UTF-16 code-unit column."""
    prefix = line_text[:column]
    if prefix.isascii():
        return column
    return len(prefix.encode("utf-16-le")) // 2 + max(0, column - len(prefix))


def codepoint_column(line_text: str, utf16: int) -> int:
    """Convert a UTF-16 code-unit column in a line to a code-point column."""
    if line_text.isascii():
        return utf16
    units = 0
    for index, char in enumerate(line_text):
        if units >= utf16:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
    return len(line_text) + max(0, utf16 - units)

"""Folding ranges: tasks, mappings and lists over several lines, block scalars."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from lsprotocol import types as lsp

from attune_workflow.positions import LineIndex
from attune_workflow.query.navigation import node_extent
from attune_workflow.yamlsource import MappingNode, Node, ScalarNode, SequenceNode, start_position

if TYPE_CHECKING:
    from ..host import Host


def node_ranges(
    lines: LineIndex, node: Node, start_line: int | None = None
) -> Iterator[tuple[int, int]]:
    """(first line, last line) of every node spanning several lines."""
    first = start_position(node, lines)[0] if start_line is None else start_line
    last = node_extent(lines, node).end_line
    if last > first:
        yield first, last
    if isinstance(node, MappingNode):
        for key, value in node.value:
            if not isinstance(value, ScalarNode) or value.style in ("|", ">"):
                yield from node_ranges(lines, value, start_position(key, lines)[0])
    elif isinstance(node, SequenceNode):
        for item in node.value:
            yield from node_ranges(lines, item)


def document_ranges(lines: LineIndex, root: Node) -> Iterator[tuple[int, int]]:
    """The folding ranges of a document: every multi-line node below the root."""
    if isinstance(root, MappingNode):
        for key, value in root.value:
            yield from node_ranges(lines, value, start_position(key, lines)[0])
    elif isinstance(root, SequenceNode):
        for item in root.value:
            yield from node_ranges(lines, item)


def indentation_ranges(lines: list[str]) -> Iterator[tuple[int, int]]:
    """Ranges from indentation alone (for text that does not parse)."""
    stack: list[tuple[int, int]] = []  # (indent, line)
    last_text = -1
    for number, text in enumerate(lines):
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        indent = len(text) - len(text.lstrip(" "))
        if text.lstrip().startswith("- "):
            indent += 1
        while stack and stack[-1][0] >= indent:
            _, opened = stack.pop()
            if last_text > opened:
                yield opened, last_text
        stack.append((indent, number))
        last_text = number
    while stack:
        _, opened = stack.pop()
        if last_text > opened:
            yield opened, last_text


def register(server: Host) -> None:
    """Add the handler."""

    @server.feature(lsp.TEXT_DOCUMENT_FOLDING_RANGE)
    async def folding_range(
        ls: Host, params: lsp.FoldingRangeParams
    ) -> list[lsp.FoldingRange] | None:
        analysis = await ls.scheduler.analysis(params.text_document.uri)
        if analysis is None:
            return None
        root = analysis.ctx.doc.root if analysis.ctx is not None else None
        found = (
            document_ranges(analysis.lines, root)
            if root is not None
            else indentation_ranges(analysis.text.split("\n"))
        )
        best: dict[int, int] = {}
        for first, last in found:
            best[first] = max(best.get(first, first), last)
        return [
            lsp.FoldingRange(start_line=first, end_line=last)
            for first, last in sorted(best.items())
            if last > first
        ]

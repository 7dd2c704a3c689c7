"""YAML with exact positions: compose with libyaml, keep every node's marks.

PyYAML's composer (C loader when libyaml is there, the pure one otherwise)
gives nodes with start and end marks in code points. This module turns text
into a :class:`YamlDocument`: the root node, plain Python data built from it
(duplicate keys recorded, not hidden), the syntax error if any, and a way to
map offsets inside a scalar's value back to the source, for every scalar style.
Tags resolve as YAML 1.2's core schema does (``yes`` stays a string), which is
how Attune's serde-based parser reads the files.

A hostile document costs bounded work: before any data is built, the node graph
is measured once (linear in the written nodes) and refused as Attune's decoder
(serde_yaml_ng) refuses it: a recursive alias, collections nested deeper than
:data:`MAX_DEPTH`, or aliases that expand the document to more than
:data:`EXPANSION_FACTOR` times its written nodes. A scalar whose explicit tag
cannot be read (``!!int "soon"``, an integer of more than 4,300 digits) keeps
its text as value and is recorded in :attr:`YamlDocument.scalar_errors`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver

from .positions import LineIndex, Span

__all__ = [
    "Base",
    "ItemMark",
    "MappingNode",
    "Mark",
    "Node",
    "ScalarNode",
    "SequenceNode",
    "YamlDocument",
    "build_data",
    "compose_entry",
    "compose_region",
    "move_entries",
    "move_items",
    "move_node",
    "parse_yaml",
    "region_problems",
]

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"


_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"

# YAML 1.2 core schema: the first character picks the candidate patterns.
_BOOL_RE = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT_RE = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT_RE = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_NULL_RE = re.compile(r"^(?:~|null|Null|NULL)$")
_NUMBER = ((_INT, _INT_RE), (_FLOAT, _FLOAT_RE))
_BY_FIRST: dict[str, tuple[tuple[str, re.Pattern[str]], ...]] = {
    **{c: _NUMBER for c in "-+.0123456789"},
    **{c: ((_BOOL, _BOOL_RE),) for c in "tTfF"},
    **{c: ((_NULL, _NULL_RE),) for c in "~nN"},
}


class _CoreResolver(BaseResolver):
    """YAML 1.2 core schema implicit tags, resolved in one dictionary lookup.

    The composer asks for a tag on every node; PyYAML's general resolver walks
    path resolvers and a list of patterns each time, which costs more than the
    C parser itself on large files.
    """

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is ScalarNode:
            if implicit[0]:
                if not value:
                    return _NULL
                candidates = _BY_FIRST.get(value[0])
                if candidates:
                    for tag, pattern in candidates:
                        if pattern.match(value):
                            return tag
            return _STR
        if kind is SequenceNode:
            return _SEQ
        return _MAP


if yaml.__with_libyaml__:
    from yaml._yaml import CParser

    class _Loader(CParser, _CoreResolver):
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _CoreResolver.__init__(self)

else:  # pragma: no cover - exercised only where libyaml is missing
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Loader(Reader, Scanner, Parser, Composer, _CoreResolver):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)
            _CoreResolver.__init__(self)


@dataclass(frozen=True, slots=True)
class DuplicateKey:
    """A mapping key that repeats an earlier one in the same mapping."""

    key: str
    span: Span
    first: Span


@dataclass(slots=True)
class YamlDocument:
    """A parsed text: root node, plain data and the problems found on the way."""

    text: str
    lines: LineIndex
    root: Node | None = None
    data: Any = None
    syntax_error: tuple[str, Span] | None = None
    document_count: int = 0
    extra_document: Span | None = None
    duplicates: list[DuplicateKey] = field(default_factory=list)
    scalar_errors: list[tuple[str, Span]] = field(default_factory=list)
    _offsets: dict[int, list[int] | None] = field(default_factory=dict, repr=False)

    def span(self, node: Node) -> Span:
        """The span of a whole node, trimmed of the line break a block node ends with."""
        return node_span(node, self.lines)

    def value_span(self, node: ScalarNode, start: int, end: int) -> Span:
        """The source span of characters ``start:end`` of a scalar's value."""
        key = id(node)
        if key in self._offsets:
            offsets = self._offsets[key]
        else:
            offsets = self._offsets[key] = scalar_offsets(self.text, node)
        if offsets is None:
            return node_span(node, self.lines)
        start = max(0, min(start, len(offsets) - 1))
        end = max(start, min(end, len(offsets) - 1))
        first = offsets[start]
        last = offsets[end - 1] + 1 if end > start else first
        return self.lines.span(first, max(first, last))


def node_start(node: Node) -> int:
    """The character offset where a node starts.

    With :func:`node_end`, the only reading of the YAML library's marks: their line
    and column count U+0085 and U+2028 as line breaks, so positions are always
    taken from offsets through a :class:`LineIndex`.
    """
    mark = node.start_mark
    if mark.__class__ is ItemMark:  # read here rather than through its property: faster
        index: int = mark.offset + mark.base.index
    else:
        index = mark.index
    return index


def node_end(node: Node) -> int:
    """The character offset just past a node (a block node's includes its line break)."""
    mark = node.end_mark
    if mark.__class__ is ItemMark:
        index: int = mark.offset + mark.base.index
    else:
        index = mark.index
    return index


def start_position(node: Node, lines: LineIndex) -> tuple[int, int]:
    """The (line, column) where a node starts."""
    return lines.position(node_start(node))


def end_position(node: Node, lines: LineIndex) -> tuple[int, int]:
    """The (line, column) just past a node, untrimmed (see :func:`node_span`)."""
    return lines.position(node_end(node))


def node_span(node: Node, lines: LineIndex) -> Span:
    """The span of a node from its marks, without a trailing line break.

    Lines come from the character offsets, not from libyaml's line count, so
    that spans follow the LSP's idea of a line (libyaml also breaks on U+0085
    and U+2028).
    """
    start = node_start(node)
    end = max(start, node_end(node))
    text = lines.text
    # A block collection ends where the next token starts (often the next item's
    # "- " on a later line); a block scalar ends after its line break.
    trailing = "\r\n" if isinstance(node, ScalarNode) else " \t\r\n"
    while end > start and text[end - 1] in trailing:
        end -= 1
    return lines.span(start, end)


def parse_yaml(text: str) -> YamlDocument:
    """Parse text into a positioned document; never raises on bad YAML."""
    doc = YamlDocument(text=text, lines=LineIndex(text))
    loader = _Loader(text)
    try:
        if loader.check_node():
            doc.root = loader.get_node()
            doc.document_count = 1
            if loader.check_node():
                extra = loader.get_node()
                doc.document_count = 2
                if extra is not None:
                    doc.extra_document = node_span(extra, doc.lines)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem:
            message = f"{exc.problem} ({exc.context})"
        doc.syntax_error = (_sentence(message), _mark_span(doc.lines, mark))
    except yaml.YAMLError as exc:
        position = getattr(exc, "position", 0)
        message = str(getattr(exc, "reason", "") or exc)
        if getattr(exc, "character", None) is not None:
            message = f"character {exc.character!r} is not allowed: {message}"  # type: ignore[attr-defined]
        doc.syntax_error = (_sentence(message), doc.lines.span(position, position + 1))
    except RecursionError:
        doc.syntax_error = (
            f"Collections are nested deeper than {MAX_DEPTH} levels; Attune's parser stops "
            "at that depth (recursion limit exceeded)",
            Span(0, 0, 0, 0),
        )
        doc.root = None
    finally:
        loader.dispose()
    if doc.root is not None and doc.syntax_error is None:
        if "&" not in text and _build_tree(doc):
            return doc
        problem = _measure(doc.root, doc.lines, doc.scalar_errors)
        if problem is not None:
            doc.syntax_error = problem
            doc.root = None
            doc.scalar_errors.clear()
        else:
            doc.data = _Builder(doc.duplicates, doc.lines).build(doc.root)
    return doc


def _single_root(piece: str) -> Node | None:
    """The root node of a text of exactly one document, or None."""
    loader = _Loader(piece)
    try:
        if not loader.check_node():
            return None
        root: Node | None = loader.get_node()
        if loader.check_node():
            return None
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()
    return root


def _build_tree(doc: YamlDocument) -> bool:
    """Build the data of a document without anchors in the same walk that measures it.

    Without an anchor no node is shared, so nothing can recurse or expand: only
    the depth and the tagged scalars need looking at, and the builder sees every
    node. False (nothing kept) when the walk is not enough: the document is too
    deep, or it has complex or duplicate keys, whose values the builder skips.
    """
    assert doc.root is not None
    errors: list[tuple[str, Span]] = []
    duplicates: list[DuplicateKey] = []
    builder = _Builder(duplicates, doc.lines, errors)
    try:
        data = builder.build(doc.root)
    except _Incomplete:
        return False
    if duplicates:
        return False
    doc.data = data
    doc.scalar_errors.extend(errors)
    return True


def compose_region(piece: str, base: int, base_line: int, following: int = 0) -> Node | None:
    """The single item of a block sequence that is the whole of ``piece``, or None.

    ``piece`` starts at a line start, at offset ``base`` and line ``base_line``
    of the full text, and the next token of the full text comes ``following``
    spaces after it. The item's marks count from a :class:`Base` there, and end
    where a parse of the full text ends them. Anything else (a syntax error,
    several items or documents, another root) gives None.
    """
    root = _single_root(piece)
    if not isinstance(root, SequenceNode) or root.flow_style or len(root.value) != 1:
        return None
    item: Node = root.value[0]
    _placed([item], piece, Base(base, base_line), following)
    return item


def compose_entry(
    piece: str, base: int, base_line: int, following: int = 0
) -> tuple[Node, Node] | None:
    """The single entry of a block mapping that is the whole of ``piece``, or None.

    As :func:`compose_region`, for an entry of a mapping instead of a list item.
    """
    root = _single_root(piece)
    if not isinstance(root, MappingNode) or root.flow_style or len(root.value) != 1:
        return None
    key, value = root.value[0]
    _placed([key, value], piece, Base(base, base_line), following)
    return key, value


class Mark:
    """A node position after an edit moved it (libyaml's marks cannot be changed)."""

    __slots__ = ("column", "index", "line")
    name = "<unicode string>"
    buffer = None
    pointer = 0

    def __init__(self, index: int, line: int, column: int) -> None:
        self.index = index
        self.line = line
        self.column = column


class Base:
    """Where the nodes of one top-level item of a spliced tree count their marks from.

    Moving the item (a task, or an entry of the top-level mapping) after an edit
    moves its base, once for all of its nodes.
    """

    __slots__ = ("index", "line")

    def __init__(self, index: int, line: int) -> None:
        self.index = index
        self.line = line


class ItemMark:
    """A node position counted from its item's :class:`Base`: what the marks of an item
    that an edit moved or composed are.

    ``index`` and ``line`` read as those of a plain mark; ``offset`` and ``row``
    are counted from the base.
    """

    __slots__ = ("base", "column", "offset", "row")
    name = "<unicode string>"
    buffer = None
    pointer = 0

    def __init__(self, offset: int, row: int, column: int, base: Base) -> None:
        self.offset = offset
        self.row = row
        self.column = column
        self.base = base

    @property
    def index(self) -> int:
        """The character offset in the text."""
        return self.offset + self.base.index

    @property
    def line(self) -> int:
        """The line, as libyaml counts them."""
        return self.row + self.base.line


def _placed(nodes: list[Node], piece: str, base: Base, following: int) -> None:
    """Give the nodes of a composed ``piece`` marks counted from ``base``.

    A block collection of the piece that runs to its end (after a line break)
    ends, in the full text, where the next token starts: ``following`` spaces on.
    """
    stack = list(nodes)
    pop, push, extend = stack.pop, stack.append, stack.extend
    own = ItemMark
    end = len(piece) if following and piece[-1:] in ("\n", "\r") else -1
    while stack:
        node = pop()
        mark = node.start_mark
        node.start_mark = own(mark.index, mark.line, mark.column, base)
        mark = node.end_mark
        kind = node.__class__
        if mark.index == end and kind is not ScalarNode:
            node.end_mark = own(end + following, mark.line, following, base)
        else:
            node.end_mark = own(mark.index, mark.line, mark.column, base)
        if kind is MappingNode:
            for key, value in node.value:
                push(key)
                push(value)
        elif kind is SequenceNode:
            extend(node.value)


def _item_base(nodes: list[Node]) -> Base:
    """The base of an item's nodes, given the first time the item moves (one walk)."""
    mark = nodes[0].start_mark
    if mark.__class__ is ItemMark:
        base: Base = mark.base
        return base
    base = Base(0, 0)
    _placed(nodes, "", base, 0)
    return base


def move_items(items: list[Node], delta: int, line_delta: int) -> None:
    """Move every node of the items (of a list) by ``delta`` characters and ``line_delta`` lines.

    An item moved or composed before has its own :class:`Base` and moves in one
    step; the first move of an item gives its nodes marks counted from a base.
    """
    own = ItemMark
    for item in items:
        mark = item.start_mark
        base = mark.base if mark.__class__ is own else _item_base([item])
        base.index += delta
        base.line += line_delta


def move_entries(entries: list[tuple[Node, Node]], delta: int, line_delta: int) -> None:
    """As :func:`move_items`, for entries of a mapping: a key and its value move together."""
    for key, value in entries:
        base = _item_base([key, value])
        base.index += delta
        base.line += line_delta


def move_node(node: Node, at: int, delta: int, line_delta: int) -> None:
    """Move a node's own marks at or after offset ``at`` (not those of the nodes below it)."""
    mark = node.start_mark
    if mark.index >= at:
        node.start_mark = Mark(mark.index + delta, mark.line + line_delta, mark.column)
    mark = node.end_mark
    if mark.index >= at:
        node.end_mark = Mark(mark.index + delta, mark.line + line_delta, mark.column)


def region_problems(item: Node, lines: LineIndex, levels: int) -> list[tuple[str, Span]] | None:
    """The unreadable tagged scalars of a re-composed item ``levels`` deep in its document.

    None when the item could make the whole document refused (too deep, or
    anything :func:`parse_yaml` would refuse in it): the caller parses afresh.
    """
    errors: list[tuple[str, Span]] = []
    if _measure(item, lines, errors) is not None:
        return None
    deepest = 0
    stack: list[tuple[Node, int]] = [(item, 1)]
    while stack:
        node, depth = stack.pop()
        if node.__class__ is ScalarNode:
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in _children(node))
    if deepest + levels > MAX_DEPTH:
        return None
    return errors


def build_data(node: Node, duplicates: list[DuplicateKey], lines: LineIndex) -> Any:
    """The plain data of one node, its duplicate keys added to ``duplicates``."""
    return _Builder(duplicates, lines).build(node)


# Attune's decoder (serde_yaml_ng) stops at this nesting depth ("recursion limit exceeded").
MAX_DEPTH = 128
# ... and when alias jumps pass 100 times the document's events ("repetition limit exceeded").
# The expanded node count is held to the same multiple of the written node references.
EXPANSION_FACTOR = 100


def _measure(
    root: Node, lines: LineIndex, scalar_errors: list[tuple[str, Span]]
) -> tuple[str, Span] | None:
    """Refuse a graph whose expansion is recursive, too deep or too large.

    One iterative post-order walk over the distinct nodes: the expanded size and
    the nesting depth of each node are computed from its children's, so the cost
    is linear in the written document whatever the aliases multiply. Scalars
    whose tagged value cannot be read are recorded on the way.
    """
    size: dict[int, int] = {}  # collection id -> expanded node count
    depth: dict[int, int] = {}  # collection id -> nesting depth
    references: dict[int, int] = {}  # collection id -> references to it
    checked: set[int] = set()  # scalars with a number tag already looked at
    written = 1
    active: set[int] = set()
    if root.__class__ is ScalarNode:
        _check_scalar(root, lines, scalar_errors, checked)
        return None
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        children = _children(node)
        if done:
            active.discard(key)
            total = 1
            deepest = 0
            for child in children:
                if child.__class__ is ScalarNode:
                    total += 1
                else:
                    total += size[id(child)]
                    deepest = max(deepest, depth[id(child)])
            size[key] = total
            depth[key] = deepest + 1
            if deepest + 1 > MAX_DEPTH:
                return (
                    f"Collections are nested deeper than {MAX_DEPTH} levels; Attune's parser "
                    "stops at that depth (recursion limit exceeded)",
                    node_span(node, lines),
                )
            continue
        if key in size:
            continue
        if key in active:
            return (
                "An alias refers to the collection that contains it (a recursive alias); "
                "its value would be infinite",
                _first_line(node, lines),
            )
        active.add(key)
        stack.append((node, True))
        written += len(children)
        for child in children:
            if child.__class__ is ScalarNode:
                if child.tag in _CHECKED_TAGS:
                    _check_scalar(child, lines, scalar_errors, checked)
                continue
            child_key = id(child)
            references[child_key] = references.get(child_key, 0) + 1
            stack.append((child, False))
    expanded = size[id(root)]
    if expanded > EXPANSION_FACTOR * written:
        worst = max(
            (n for n in _distinct(root) if references.get(id(n), 0) > 1),
            key=lambda n: (references[id(n)] - 1) * size[id(n)],
            default=root,
        )
        return (
            f"Aliases expand this document to {expanded:,} values, more than "
            f"{EXPANSION_FACTOR} times the {written:,} it is written with; Attune's parser "
            "refuses such a document (repetition limit exceeded). Expand it by hand or "
            "use fewer nested aliases",
            _first_line(worst, lines),
        )
    return None


def _check_scalar(
    node: ScalarNode, lines: LineIndex, scalar_errors: list[tuple[str, Span]], checked: set[int]
) -> None:
    if node.tag not in _CHECKED_TAGS or id(node) in checked:
        return
    checked.add(id(node))
    problem = scalar_problem(node)
    if problem is not None:
        scalar_errors.append((problem, node_span(node, lines)))


def _children(node: Node) -> list[Node]:
    if node.__class__ is SequenceNode:
        return list(node.value)
    children: list[Node] = []
    for key_node, value_node in node.value:
        children.append(key_node)
        children.append(value_node)
    return children


def _distinct(root: Node) -> Iterator[Node]:
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        if node.__class__ is not ScalarNode:
            stack.extend(_children(node))


def _first_line(node: Node, lines: LineIndex) -> Span:
    """The span of a node cut to its first line (an anchored collection can be long)."""
    span = node_span(node, lines)
    if span.end_line == span.line:
        return span
    return Span(span.line, span.column, span.line, len(lines.line_text(span.line)))


def _sentence(message: str) -> str:
    message = " ".join(message.split())
    return message[:1].upper() + message[1:] if message else "Invalid YAML"


def _mark_span(lines: LineIndex, mark: Any) -> Span:
    if mark is None:
        return Span(0, 0, 0, 0)
    line, column = lines.position(mark.index)
    if column < len(lines.line_text(line)):
        return Span(line, column, line, column + 1)
    # At the end of a line or of the text: point at the last character before it.
    while line >= 0:
        length = len(lines.line_text(line))
        if length:
            column = min(column, length)
            return Span(line, column - 1, line, column)
        line -= 1
        column = 10**9
    return Span(0, 0, 0, 0)


class _Incomplete(Exception):
    """The tree walk of :func:`_build_tree` cannot stand for the full measure."""


class _Builder:
    """Turns nodes into plain data, recording duplicate keys on the way.

    Given ``scalar_errors`` it also measures a tree as it builds it (see
    :func:`_build_tree`): tagged scalars are checked, and a node deeper than
    :data:`MAX_DEPTH` or a complex key raises :class:`_Incomplete`.
    """

    __slots__ = ("_depth", "_duplicates", "_errors", "_lines", "_seen")

    def __init__(
        self,
        duplicates: list[DuplicateKey],
        lines: LineIndex,
        scalar_errors: list[tuple[str, Span]] | None = None,
    ) -> None:
        self._duplicates = duplicates
        self._lines = lines
        self._seen: dict[int, Any] = {}
        self._errors = scalar_errors
        self._depth = 0

    def _scalar(self, node: ScalarNode) -> Any:
        if self._errors is not None and node.tag in _CHECKED_TAGS:
            problem = scalar_problem(node)
            if problem is not None:
                self._errors.append((problem, node_span(node, self._lines)))
        return scalar_value(node)

    def build(self, node: Node) -> Any:
        # Hot path: string scalars (most of a workflow) skip the tag dispatch.
        if node.__class__ is ScalarNode:
            return node.value if node.tag == _STR else self._scalar(node)
        cached = self._seen.get(id(node))
        if cached is not None:
            return cached
        if self._errors is not None:
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise _Incomplete
            try:
                return self._collection(node)
            finally:
                self._depth -= 1
        return self._collection(node)

    def _collection(self, node: Node) -> Any:
        build = self.build
        scalar = self._scalar
        shared = self._errors is None  # only a document with anchors shares nodes
        if node.__class__ is SequenceNode:
            items: list[Any] = []
            if shared:
                self._seen[id(node)] = items
            for child in node.value:
                if child.__class__ is ScalarNode:
                    items.append(child.value if child.tag == _STR else scalar(child))
                else:
                    items.append(build(child))
            return items
        mapping: dict[Any, Any] = {}
        if shared:
            self._seen[id(node)] = mapping
        first_keys: dict[Any, Node] | None = None
        for key_node, value_node in node.value:
            if key_node.__class__ is ScalarNode:
                key = key_node.value if key_node.tag == _STR else scalar(key_node)
            else:
                if self._errors is not None:
                    raise _Incomplete
                key = key_node.value if isinstance(key_node.value, str) else repr(key_node.value)
            if key in mapping:
                if first_keys is None:
                    first_keys = {}
                    for k_node, _ in node.value:
                        if k_node.__class__ is ScalarNode:
                            first_keys.setdefault(scalar_value(k_node), k_node)
                first = first_keys.get(key, key_node)
                self._duplicates.append(
                    DuplicateKey(
                        str(key_node.value),
                        node_span(key_node, self._lines),
                        node_span(first, self._lines),
                    )
                )
                continue
            if value_node.__class__ is ScalarNode:
                mapping[key] = value_node.value if value_node.tag == _STR else scalar(value_node)
            else:
                mapping[key] = build(value_node)
        return mapping


_CHECKED_TAGS = frozenset({_INT, _FLOAT})


def scalar_problem(node: ScalarNode) -> str | None:
    """Why the value of a scalar tagged as a number cannot be read, if it cannot."""
    value: str = node.value
    if node.tag == _INT:
        if _INT_RE.match(value) is None:
            return f"{_shown(value)} is tagged !!int but is not an integer"
        digits = len(value.lstrip("+-"))
        if digits > _MAX_DIGITS and not value.startswith(("0x", "0o")):
            return (
                f"The integer has {digits:,} digits; more than {_MAX_DIGITS:,} cannot be read "
                "(and no Attune field takes such a number)"
            )
    elif node.tag == _FLOAT and _FLOAT_RE.match(value) is None:
        return f"{_shown(value)} is tagged !!float but is not a number"
    return None


# Python refuses to convert longer decimal strings (a guard against quadratic conversion).
_MAX_DIGITS = 4300


def _shown(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:37] + "...")


def scalar_value(node: ScalarNode) -> Any:
    """The Python value of a scalar under YAML 1.2's core schema.

    A scalar whose tag does not fit its text (``!!int "soon"``) keeps the text.
    """
    tag = node.tag
    value: str = node.value
    if tag == _STR:
        return value
    try:
        return _typed_value(tag, value)
    except ValueError:
        return value


def _typed_value(tag: str, value: str) -> Any:
    if tag == _INT:
        if value.startswith("0o"):
            return int(value[2:], 8)
        if value.startswith("0x"):
            return int(value[2:], 16)
        return int(value)
    if tag == _FLOAT:
        lowered = value.lower()
        if lowered.endswith("inf"):
            return -math.inf if lowered.startswith("-") else math.inf
        if lowered == ".nan":
            return math.nan
        return float(value)
    if tag == _BOOL:
        return value in ("true", "True", "TRUE")
    if tag == _NULL:
        return None
    return value


def mapping_items(node: Node | None) -> Iterator[tuple[str, ScalarNode, Node]]:
    """Yield (key, key node, value node) for the string keys of a mapping node."""
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode):
                yield str(key_node.value), key_node, value_node


def mapping_get(node: Node | None, key: str) -> tuple[ScalarNode, Node] | None:
    """The first (key node, value node) pair of a mapping for ``key``."""
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode) and key_node.value == key:
                return key_node, value_node
    return None


def mapping_index(node: Node | None) -> dict[str, tuple[ScalarNode, Node]]:
    """Key -> (key node, value node) for a mapping node; the first of duplicates wins."""
    result: dict[str, tuple[ScalarNode, Node]] = {}
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode):
                result.setdefault(str(key_node.value), (key_node, value_node))
    return result


def is_null(node: Node | None) -> bool:
    """Whether a node is absent or a null scalar."""
    return node is None or (isinstance(node, ScalarNode) and node.tag == _NULL)


def is_string(node: Node | None) -> bool:
    """Whether a node is a scalar that resolves to a string."""
    return isinstance(node, ScalarNode) and node.tag == _STR


# -- scalar content -> source offsets ------------------------------------------------------

_WHITE = " \t"
_BREAKS = "\r\n"


def scalar_offsets(text: str, node: ScalarNode) -> list[int] | None:
    """Source offset of each character of a scalar's value, plus one past the last.

    Returns None when the source cannot be followed (the caller then falls back
    to the whole node). The result is checked against the composed value, so a
    returned mapping is exact.
    """
    start, end = node.start_mark.index, node.end_mark.index
    value: str = node.value
    style = node.style
    if style in ('"', "'"):
        body_start, body_end = start + 1, end - 1
        raw = text[body_start:body_end]
        simple = "\n" not in raw and "\\" not in raw and (style == '"' or "''" not in raw)
        if simple and raw == value:
            return list(range(body_start, body_end + 1))
        chars = _follow_quoted(text, body_start, body_end, style == '"')
    elif style in ("|", ">"):
        chars = _follow_block(text, start, end, style == ">")
    else:
        raw = text[start:end]
        if raw == value:
            return list(range(start, end + 1))
        chars = _follow_quoted(text, start, end, False)
    if chars is None:
        return None
    content, offsets = chars
    if content != value:
        return None
    offsets.append(offsets[-1] + 1 if offsets else start)
    return offsets


_ESCAPE_WIDTH = {"x": 4, "u": 6, "U": 10}


def _follow_quoted(text: str, begin: int, stop: int, double: bool) -> tuple[str, list[int]] | None:
    """Follow a flow scalar (plain, single or double quoted) with line folding."""
    out: list[str] = []
    offsets: list[int] = []
    i = begin
    while i < stop:
        c = text[i]
        if double and c == "\\" and i + 1 < stop:
            n = text[i + 1]
            if n in _BREAKS:
                i += 2 if text.startswith("\r\n", i + 1) else 1
                i += 1
                while i < stop and text[i] in _WHITE:
                    i += 1
                continue
            width = _ESCAPE_WIDTH.get(n, 2)
            try:
                decoded = _decode_escape(text[i : i + width])
            except ValueError:
                return None
            out.append(decoded)
            offsets.append(i)
            i += width
            continue
        if not double and c == "'" and text.startswith("''", i):
            out.append("'")
            offsets.append(i)
            i += 2
            continue
        if c in _WHITE or c in _BREAKS:
            j = i
            breaks: list[int] = []
            while j < stop and (text[j] in _WHITE or text[j] in _BREAKS):
                if text[j] == "\n":
                    breaks.append(j)
                j += 1
            if not breaks:
                for k in range(i, j):
                    out.append(text[k])
                    offsets.append(k)
            elif len(breaks) == 1:
                out.append(" ")
                offsets.append(breaks[0])
            else:
                for k in breaks[1:]:
                    out.append("\n")
                    offsets.append(k)
            i = j
            continue
        out.append(c)
        offsets.append(i)
        i += 1
    return "".join(out), offsets


_SIMPLE_ESCAPES = {
    "0": "\0",
    "a": "\a",
    "b": "\b",
    "t": "\t",
    "\t": "\t",
    "n": "\n",
    "v": "\v",
    "f": "\f",
    "r": "\r",
    "e": "\x1b",
    " ": " ",
    '"': '"',
    "/": "/",
    "\\": "\\",
    "N": "\x85",
    "_": "\xa0",
    "L": "\u2028",
    "P": "\u2029",
}


def _decode_escape(escape: str) -> str:
    kind = escape[1]
    if kind in _ESCAPE_WIDTH:
        return chr(int(escape[2:], 16))
    if kind in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[kind]
    raise ValueError(escape)


def _follow_block(text: str, start: int, end: int, folded: bool) -> tuple[str, list[int]] | None:
    """Follow a literal or folded block scalar from its header to its end mark."""
    header_end = text.find("\n", start)
    if header_end == -1 or header_end >= end:
        return "", []
    header = text[start + 1 : header_end].split("#", 1)[0].strip()
    indent_hint = next((int(ch) for ch in header if ch.isdigit()), 0)
    lines: list[tuple[int, str]] = []
    pos = header_end + 1
    while pos < end:
        nl = text.find("\n", pos)
        line_end = end if nl == -1 or nl >= end else nl
        lines.append((pos, text[pos:line_end].rstrip("\r")))
        pos = line_end + 1
    if not lines:
        return "", []
    if indent_hint:
        parent = _parent_indent(text, start)
        indent = parent + indent_hint
    else:
        indent = 0
        for _, line in lines:
            if line.strip(" "):
                indent = len(line) - len(line.lstrip(" "))
                break
        if indent == 0:
            indent = max(len(line) for _, line in lines)
    # content lines: (offset of first content char, content text, offset of line break)
    content: list[tuple[int, str, int]] = []
    for line_start, line in lines:
        body = line[indent:] if len(line) > indent else ""
        content.append((line_start + min(indent, len(line)), body, line_start + len(line)))
    out: list[str] = []
    offsets: list[int] = []
    count = len(content)
    for k, (body_start, body, break_at) in enumerate(content):
        out.append(body)
        offsets.extend(range(body_start, body_start + len(body)))
        if k + 1 < count:
            if folded and body and body[0] not in _WHITE:
                j = k + 1
                while j < count and not content[j][1]:
                    j += 1
                if j < count and content[j][1][0] not in _WHITE:
                    if j == k + 1:
                        out.append(" ")
                        offsets.append(break_at)
                    # empty lines between two text lines each give one line break
                    continue
            out.append("\n")
            offsets.append(break_at)
        else:
            out.append("\n")
            offsets.append(break_at)
    joined = "".join(out)
    offsets = offsets[: len(joined)]
    return _chomp(joined, offsets, header)


def _parent_indent(text: str, start: int) -> int:
    line_start = text.rfind("\n", 0, start) + 1
    line = text[line_start:start]
    return len(line) - len(line.lstrip(" "))


def _chomp(joined: str, offsets: list[int], header: str) -> tuple[str, list[int]]:
    stripped = joined.rstrip("\n")
    if "-" in header:
        keep = len(stripped)
    elif "+" in header:
        keep = len(joined)
    else:
        keep = len(stripped) + (1 if len(stripped) < len(joined) else 0)
    return joined[:keep], offsets[:keep]

"""What a rule sees: one file, parsed once, with lazily built views.

The context holds the positioned YAML document, the kind and layout of the
file, its pack and (for graph files) the action that links it, and computes on
first use the workflow view, the structural errors from the pydantic models and
the parsed ``{{ }}`` templates. Rules only read it.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from .config import Config
from .diagnostics import Diagnostic, Fix, Related, Severity
from .expressions import Block, ParseResult, find_blocks, parse_expression
from .expressions.memo import file_memoized
from .frozen import quick_init
from .model.proof import valid_checker
from .packindex import ActionInfo, PackIndex, PackInfo
from .positions import Span
from .view import TaskView, WorkflowView, build_view
from .yamlsource import MappingNode, Node, ScalarNode, SequenceNode, YamlDocument, is_string

if TYPE_CHECKING:
    from .exprcheck import References


class FileKind(enum.StrEnum):
    """What a file is to Attune."""

    WORKFLOW = "workflow"
    ACTION = "action"
    PACK = "pack"
    OTHER = "other"


class Layout(enum.StrEnum):
    """Where a workflow file lives."""

    GRAPH = "graph"  # actions/workflows/, linked from an action
    STANDALONE = "standalone"  # workflows/ (legacy)
    LOOSE = "loose"  # not inside a pack folder


# The top-level keys of an Attune workflow file (`WorkflowFile` in the model).
WORKFLOW_KEYS = frozenset(
    {
        "ref",
        "label",
        "description",
        "version",
        "parameters",
        "output",
        "vars",
        "tasks",
        "output_map",
        "tags",
        "cancellation_policy",
    }
)


def _has_workflow_keys(data: Any) -> bool:
    return isinstance(data, dict) and any(key in WORKFLOW_KEYS for key in data)


def _in_pack(path: Path) -> bool:
    """Whether a file lies in a pack: a ``pack.yaml`` above it, or an ``actions`` folder
    beside the ``workflows`` folder that holds it."""
    folder = path.parent
    if (folder.parent / "actions").is_dir():
        return True
    return any((above / "pack.yaml").is_file() for above in (folder, *folder.parents))


def classify(path: Path, data: Any) -> tuple[FileKind, Layout]:
    """The kind and layout of a file from its place and content."""
    parts = path.parts
    if ".github" in parts:
        return FileKind.OTHER, Layout.LOOSE
    if path.name == "pack.yaml":
        return FileKind.PACK, Layout.LOOSE
    if len(parts) >= 3 and parts[-3:-1] == ("actions", "workflows"):
        return FileKind.WORKFLOW, Layout.GRAPH
    if len(parts) >= 2 and parts[-2] == "workflows":
        if isinstance(data, dict) and "tasks" not in data and ("jobs" in data or "on" in data):
            return FileKind.OTHER, Layout.LOOSE  # a CI workflow, not an Attune one
        if not _has_workflow_keys(data) and not _in_pack(path):
            return FileKind.OTHER, Layout.LOOSE  # e.g. an Argo manifest under k8s/workflows/
        return FileKind.WORKFLOW, Layout.STANDALONE
    if len(parts) >= 2 and parts[-2] == "actions":
        if isinstance(data, dict) and "tasks" in data and "ref" not in data:
            return FileKind.WORKFLOW, Layout.LOOSE
        return FileKind.ACTION, Layout.LOOSE
    if isinstance(data, dict):
        if "tasks" in data:
            return FileKind.WORKFLOW, Layout.LOOSE
        if "workflow_file" in data or "runner_type" in data or "entry_point" in data:
            return FileKind.ACTION, Layout.LOOSE
    if path.name.endswith((".workflow.yaml", ".workflow.yml")):
        return FileKind.WORKFLOW, Layout.LOOSE
    return FileKind.OTHER, Layout.LOOSE


# -- structural errors from the pydantic models --------------------------------------------


@quick_init
@dataclass(frozen=True, slots=True)
class StructuralError:
    """A model validation error placed on a node."""

    kind: str  # missing, type, value, extra
    node: Node  # the node the error is about (the mapping for a missing key)
    key_node: ScalarNode | None  # the key node, when the error is about a key
    key: str | None  # the key concerned
    path: tuple[str | int, ...]  # the data path of the node
    message: str
    error_type: str
    context: dict[str, Any]


_TYPE_WORDS = {
    "string_type": "a string",
    "int_type": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "bool_type": "a boolean",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "none_required": "null",
}


def node_type_word(node: Node) -> str:
    """How messages name the YAML type of a node."""
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    tag = node.tag.rsplit(":", 1)[-1]
    return {
        "str": "a string",
        "int": "an integer",
        "float": "a float",
        "bool": "a boolean",
        "null": "null",
    }.get(tag, f"a value tagged '{node.tag}'")


# An explicit tag (``!foo``, ``!!int``); ``!=`` is an expression's operator.
_TAG = re.compile(r"!(?!=)")


def proved_as_decoded(model: type[BaseModel], text: str, data: Any) -> bool:
    """Whether the plain data of ``text`` is, beyond doubt, valid and its own decoding.

    Without an explicit tag every string of the data is a string scalar of the text.
    Data the strict model accepts then holds strings in every string field, mappings
    and lists (not nulls) in the others and string keys in string-keyed maps: the
    decoder would change nothing and record no text (see :mod:`.model.decode`).
    """
    if _TAG.search(text) is not None:
        return False
    proof = valid_checker(model)
    return proof is not None and proof(data)


def structural_errors(model: type[BaseModel], data: Any, root: Node) -> list[StructuralError]:
    """Validate data against a model and place each error on its node."""
    proof = valid_checker(model)
    if proof is not None and proof(data):
        return []  # valid beyond doubt: pydantic would find nothing
    try:
        model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
    else:
        return []
    result: list[StructuralError] = []
    seen: dict[tuple[Any, ...], int] = {}
    for error in errors:
        node, key_node, path, rest = _locate(root, error["loc"])
        etype = error["type"]
        kind = (
            "missing"
            if etype == "missing"
            else "extra"
            if etype == "extra_forbidden"
            else "type"
            if etype in _TYPE_WORDS or etype.endswith("_type")
            else "value"
        )
        key = str(path[-1]) if path and isinstance(path[-1], str) else None
        if kind == "missing":
            key = str(rest[0]) if rest else key
        where = (kind, tuple(path), key)
        ctx = dict(error.get("ctx") or {})
        if where in seen and kind == "type":
            # a union: several alternatives failed for one value
            previous = result[seen[where]]
            expected = _TYPE_WORDS.get(etype, etype)
            merged = dict(previous.context)
            merged.setdefault("expected", [_TYPE_WORDS.get(previous.error_type, "")])
            merged["expected"] = [*merged["expected"], expected]
            result[seen[where]] = StructuralError(
                previous.kind,
                previous.node,
                previous.key_node,
                previous.key,
                previous.path,
                previous.message,
                previous.error_type,
                merged,
            )
            continue
        if where in seen:
            continue
        seen[where] = len(result)
        result.append(
            StructuralError(kind, node, key_node, key, tuple(path), error["msg"], etype, ctx)
        )
    return result


def _locate(
    root: Node, loc: tuple[int | str, ...]
) -> tuple[Node, ScalarNode | None, list[str | int], list[int | str]]:
    """Follow a pydantic error location through the nodes as far as the data goes."""
    node: Node = root
    key_node: ScalarNode | None = None
    path: list[str | int] = []
    for i, part in enumerate(loc):
        if isinstance(node, MappingNode) and isinstance(part, str):
            for k, v in node.value:
                if isinstance(k, ScalarNode) and k.value == part:
                    node, key_node = v, k
                    path.append(part)
                    break
            else:
                return node, key_node, path, list(loc[i:])
        elif isinstance(node, SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return node, key_node, path, list(loc[i:])
            node, key_node = node.value[part], None
            path.append(part)
        else:
            # a union member tag such as 'constrained-int' or 'str'
            continue
    return node, key_node, path, []


def expected_words(error: StructuralError) -> str:
    """'a string' / 'an integer or a string' for a type error."""
    words = error.context.get("expected") or [_TYPE_WORDS.get(error.error_type, "another type")]
    unique = list(dict.fromkeys(w for w in words if w))
    return " or ".join(unique) if unique else "another type"


# -- templates ----------------------------------------------------------------------------


class Site(enum.StrEnum):
    """Which field a template sits in (it decides what is allowed there)."""

    TRANSITION_WHEN = "transition-when"
    PUBLISH = "publish"
    TASK_WHEN = "task-when"
    INPUT = "input"
    WITH_ITEMS = "with_items"
    ITERATE_CACHE = "iterate_cache"
    WAIT_FOR = "wait_for"
    TIMEOUT = "timeout"
    OUTPUT_MAP = "output_map"
    OTHER = "other"


class Expression:
    """One ``{{ }}`` block of a templated scalar, parsed.

    A plain class with slots rather than a frozen dataclass: a file has thousands
    and building one costs a fifth as much. Treat it as immutable (equality and
    hash follow the fields, as a frozen value's do); ``known_references`` is the
    one slot filled in later, once.
    """

    __slots__ = ("block", "known_references", "location", "node", "parsed", "site", "task")

    node: ScalarNode
    block: Block
    parsed: ParseResult
    site: Site
    location: str
    task: TaskView | None
    # its calls, names and paths (exprcheck.references): most rules ask, it is found once
    known_references: References | None

    def __init__(
        self,
        node: ScalarNode,
        block: Block,
        parsed: ParseResult,
        site: Site,
        location: str,
        task: TaskView | None,
        known_references: References | None = None,
    ) -> None:
        self.node = node
        self.block = block
        self.parsed = parsed
        self.site = site
        self.location = location
        self.task = task
        self.known_references = known_references

    def _key(self) -> tuple[Any, ...]:
        return (self.node, self.block, self.parsed, self.site, self.location, self.task)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not Expression:
            return NotImplemented
        assert isinstance(other, Expression)
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"Expression(node={self.node!r}, block={self.block!r}, parsed={self.parsed!r}, "
            f"site={self.site!r}, location={self.location!r}, task={self.task!r})"
        )


class Templated:
    """A string of a templated field holding a ``{``, with where it sits.

    A plain class with slots (see :class:`Expression`); treat it as immutable.
    """

    __slots__ = ("location", "node", "site", "task")

    node: ScalarNode
    site: Site
    location: str
    task: TaskView | None

    def __init__(self, node: ScalarNode, site: Site, location: str, task: TaskView | None) -> None:
        self.node = node
        self.site = site
        self.location = location
        self.task = task

    def _key(self) -> tuple[Any, ...]:
        return (self.node, self.site, self.location, self.task)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not Templated:
            return NotImplemented
        assert isinstance(other, Templated)
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"Templated(node={self.node!r}, site={self.site!r}, "
            f"location={self.location!r}, task={self.task!r})"
        )


TASK_TEMPLATE_KEYS: dict[str, Site] = {
    "when": Site.TASK_WHEN,
    "input": Site.INPUT,
    "with_items": Site.WITH_ITEMS,
    "iterate_cache": Site.ITERATE_CACHE,
    "wait_for": Site.WAIT_FOR,
    "timeout": Site.TIMEOUT,
    "publish": Site.PUBLISH,
    "permission_set_refs": Site.OTHER,
    "permission_set_ref": Site.OTHER,
    "trace_tag_template": Site.OTHER,
    "worker_selector": Site.OTHER,
    "worker_tolerations": Site.OTHER,
    "worker_affinity": Site.OTHER,
}


def _string_leaves(node: Node, where: str) -> list[tuple[ScalarNode, str]]:
    """The strings holding a ``{`` at or under ``node``, each with its location."""
    found: list[tuple[ScalarNode, str]] = []
    _collect_leaves(node, where, found)
    return found


def _collect_leaves(node: Node, where: str, found: list[tuple[ScalarNode, str]]) -> None:
    kind = node.__class__
    if kind is ScalarNode:
        if node.tag == _STR_TAG and "{" in node.value:
            found.append((node, where))  # type: ignore[arg-type]
    elif kind is SequenceNode:
        for i, item in enumerate(node.value):
            if item.__class__ is not ScalarNode or (item.tag == _STR_TAG and "{" in item.value):
                _collect_leaves(item, f"{where}[{i}]", found)
    elif kind is MappingNode:
        for key, value in node.value:
            if value.__class__ is not ScalarNode or (value.tag == _STR_TAG and "{" in value.value):
                name = key.value if key.__class__ is ScalarNode else "?"
                _collect_leaves(value, f"{where}.{name}" if where else str(name), found)


_STR_TAG = "tag:yaml.org,2002:str"


def templated_of_task(task: TaskView) -> list[Templated]:
    """The templated strings of one task's own fields and transitions (not its sub-tasks)."""
    result: list[Templated] = []
    add = result.append
    label = task.label
    sites = TASK_TEMPLATE_KEYS
    for key, (_, value) in task.fields.items():
        site = sites.get(key)
        if site is None:
            continue
        if value.__class__ is ScalarNode:
            if value.tag == _STR_TAG and "{" in value.value:
                add(Templated(value, site, f"{label} {key}", task))
            continue
        for node, where in _string_leaves(value, key):
            add(Templated(node, site, f"{label} {where}", task))
    for transition in task.transitions:
        when = transition.when
        if when is not None and when.tag == _STR_TAG and "{" in when.value:
            kind = "next" if transition.source == "next" else "decision"
            where = f"{label} {kind}[{transition.index}].when"
            add(Templated(when, Site.TRANSITION_WHEN, where, task))
        if transition.publish is not None:
            for node, where in _string_leaves(
                transition.publish, f"next[{transition.index}].publish"
            ):
                add(Templated(node, Site.PUBLISH, f"{label} {where}", task))
    return result


def templated_of_output(view: WorkflowView) -> list[Templated]:
    """The templated strings of a workflow's ``output_map``."""
    output_map = view.value("output_map")
    if output_map is None:
        return []
    return [
        Templated(node, Site.OUTPUT_MAP, where, None)
        for node, where in _string_leaves(output_map, "output_map")
    ]


@file_memoized(4096)
def _parsed_blocks(text: str) -> tuple[tuple[Block, ParseResult], ...]:
    """The non-empty ``{{ }}`` blocks of a string, each with its parse (once per text)."""
    return tuple(
        (block, parse_expression(block.expr)) for block in find_blocks(text) if block.expr.strip()
    )


def expressions_of(templated: Templated) -> list[Expression]:
    """The parsed ``{{ }}`` blocks of one templated string."""
    t = templated
    node, site, location, task = t.node, t.site, t.location, t.task
    return [
        Expression(node, block, parsed, site, location, task)
        for block, parsed in _parsed_blocks(node.value)
    ]


# -- the context ----------------------------------------------------------------------------


class Context:
    """One file under analysis."""

    def __init__(
        self,
        path: Path,
        text: str,
        doc: YamlDocument,
        *,
        index: PackIndex,
        config: Config,
        kind: FileKind | None = None,
        layout: Layout | None = None,
    ) -> None:
        self.path = path
        self.text = text
        self.doc = doc
        self.index = index
        self.config = config
        detected_kind, detected_layout = classify(path, doc.data)
        self.kind = kind or detected_kind
        self.layout = layout or detected_layout
        self.pack: PackInfo | None = index.pack_for(path)

    # -- positions --------------------------------------------------------------------------

    def span(self, node: Node) -> Span:
        """The span of a node."""
        return self.doc.span(node)

    def value_span(self, node: ScalarNode, start: int, end: int) -> Span:
        """The span of characters ``start:end`` of a scalar's value."""
        return self.doc.value_span(node, start, end)

    def expression_span(self, expr: Expression, start: int, end: int) -> Span:
        """The span of characters ``start:end`` of an expression (offsets in the block)."""
        base = expr.block.expr_start
        return self.doc.value_span(expr.node, base + start, base + max(start, end))

    def diagnostic(
        self,
        rule: str,
        severity: Severity,
        span: Span,
        message: str,
        *,
        related: tuple[Related, ...] = (),
        fixes: tuple[Fix, ...] = (),
        data: dict[str, Any] | None = None,
    ) -> Diagnostic:
        """Make a diagnostic of this file."""
        return Diagnostic(span, severity, rule, message, related, fixes, data or {})

    # -- derived views ----------------------------------------------------------------------

    @cached_property
    def data(self) -> Any:
        """The plain data of the document."""
        return self.doc.data

    @cached_property
    def view(self) -> WorkflowView | None:
        """The workflow view (None unless this is a workflow with a mapping root)."""
        if self.kind is not FileKind.WORKFLOW:
            return None
        return build_view(self.doc.root)

    @cached_property
    def linked_action(self) -> ActionInfo | None:
        """The action whose ``workflow_file`` names this graph file."""
        return self.index.linked_action(self.path)

    @cached_property
    def _decoding(self) -> tuple[Any, list[tuple[ScalarNode, tuple[str | int, ...]]]]:
        root = self.doc.root
        if self.kind is not FileKind.WORKFLOW or not isinstance(root, MappingNode):
            return self.data, []
        from .model import WorkflowFile

        if proved_as_decoded(WorkflowFile, self.text, self.data):
            self._proved_valid = True
            return self.data, []
        from .model.decode import decode_with_texts

        # without an anchor no node is shared, and the decoder need not remember any
        return decode_with_texts(WorkflowFile, root, self.data, shared="&" in self.text)

    @property
    def decoded(self) -> Any:
        """The data as Attune's decoder reads a workflow (scalars in string fields as text)."""
        return self._decoding[0]

    @property
    def scalar_texts(self) -> list[tuple[ScalarNode, tuple[str | int, ...]]]:
        """Non-string scalars that string fields of a workflow take as their text."""
        return self._decoding[1]

    @cached_property
    def structure(self) -> list[StructuralError]:
        """Errors of the file against its pydantic model."""
        if self.doc.root is None or not isinstance(self.doc.root, MappingNode):
            return []
        from .model import ActionFile, WorkflowFile

        if self.kind is FileKind.WORKFLOW:
            decoded = self.decoded
            if self.__dict__.get("_proved_valid"):
                return []  # the decoding found the data valid
            return structural_errors(WorkflowFile, decoded, self.doc.root)
        if self.kind is FileKind.ACTION:
            return structural_errors(ActionFile, self.data, self.doc.root)
        return []  # pack.yaml: pack-manifest checks it

    @cached_property
    def parameter_names(self) -> set[str] | None:
        """Declared workflow parameters (workflow file and linked action); None if unknown."""
        names: set[str] = set()
        known = False
        data = self.data if isinstance(self.data, dict) else {}
        params = data.get("parameters")
        if isinstance(params, dict):
            known = True
            if isinstance(params.get("properties"), dict) and params.get("type") == "object":
                names.update(map(str, params["properties"]))
            else:
                names.update(map(str, params))
        action = self.linked_action
        if action is not None and action.parameters is not None:
            known = True
            names.update(map(str, action.parameters))
        elif action is not None and self.layout is Layout.GRAPH:
            known = True
        return names if known else None

    @cached_property
    def variables(self) -> set[str]:
        """Names in ``vars`` plus every name published anywhere in the workflow."""
        names: set[str] = set()
        data = self.data if isinstance(self.data, dict) else {}
        if isinstance(data.get("vars"), dict):
            names.update(map(str, data["vars"]))
        view = self.view
        if view is None:
            return names
        for task in view.all_tasks():
            publishes = [t.publish for t in task.transitions if t.publish is not None]
            legacy = task.value("publish")
            if legacy is not None:
                publishes.append(legacy)
            for node in publishes:
                if isinstance(node, SequenceNode):
                    for item in node.value:
                        if isinstance(item, MappingNode):
                            names.update(str(k.value) for k, _ in item.value)
                        elif is_string(item):
                            names.add(str(item.value))
        return names

    @cached_property
    def templated(self) -> list[Templated]:
        """Every string of a templated field that holds a ``{``, blocks or not."""
        view = self.view
        if view is None:
            return []
        result: list[Templated] = []
        for task in view.all_tasks():
            result.extend(templated_of_task(task))
        result.extend(templated_of_output(view))
        return result

    @cached_property
    def expressions(self) -> list[Expression]:
        """Every ``{{ }}`` block of every templated field, parsed."""
        return [expr for t in self.templated for expr in expressions_of(t)]

"""The root names an expression can start from, and the literal keywords."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class NamespaceInfo:
    """One root name of the expression context."""

    name: str
    doc: str
    canonical: str
    task_keyed: bool = False

    @property
    def is_alias(self) -> bool:
        """Whether this name is an alias of another namespace."""
        return self.canonical != self.name


_WORKFLOW_DOC = "Workflow variables from `vars` plus everything published."
_TASK_DOC = "`task.<name>` is the result view of a completed task (its `data` is flattened)."

_NAMESPACE_LIST = (
    NamespaceInfo("parameters", "Workflow input parameters (read-only).", "parameters"),
    NamespaceInfo("workflow", _WORKFLOW_DOC, "workflow"),
    NamespaceInfo("vars", _WORKFLOW_DOC, "workflow"),
    NamespaceInfo("variables", _WORKFLOW_DOC, "workflow"),
    NamespaceInfo("task", _TASK_DOC, "task", task_keyed=True),
    NamespaceInfo("tasks", _TASK_DOC, "task", task_keyed=True),
    NamespaceInfo(
        "inquiry",
        "`inquiry.<task>` is the inquiry the task waited on with `wait_for.inquiry`.",
        "inquiry",
        task_keyed=True,
    ),
    NamespaceInfo(
        "execution",
        "`execution.<task>` is the execution the task waited on with `wait_for.execution`.",
        "execution",
        task_keyed=True,
    ),
    NamespaceInfo(
        "work_queue_item",
        "`work_queue_item.<task>` is the work-queue item the task waited on with "
        "`wait_for.work_queue_item`.",
        "work_queue_item",
        task_keyed=True,
    ),
    NamespaceInfo("config", "Pack configuration (`config.x`).", "config"),
    NamespaceInfo(
        "keystore",
        'Decrypted key-store values, read as `keystore["key.ref"]`.',
        "keystore",
    ),
    NamespaceInfo(
        "item",
        "Current `with_items` element (or cache entry, or batch when `batch_size` > 1).",
        "item",
    ),
    NamespaceInfo("index", "0-based index of the current `with_items` element or batch.", "index"),
    NamespaceInfo("system", "System values, e.g. `system.workflow_start`.", "system"),
)

NAMESPACES: Mapping[str, NamespaceInfo] = MappingProxyType({n.name: n for n in _NAMESPACE_LIST})
"""Every namespace root name, aliases included."""

LITERAL_NAMES: frozenset[str] = frozenset({"true", "false", "null"})
"""Names that are literals, not variables."""

KEYWORDS: frozenset[str] = LITERAL_NAMES | {"and", "or", "not", "in"}
"""Reserved words of the expression language."""

"""Pydantic models of Attune's workflow, action and pack files."""

from .action import ActionFile
from .pack import PackManifest
from .schema import FLAT_TYPES, ParamSpec
from .workflow import Decision, IterateCache, Retry, Task, Transition, WaitFor, WorkflowFile

__all__ = [
    "FLAT_TYPES",
    "ActionFile",
    "Decision",
    "IterateCache",
    "PackManifest",
    "ParamSpec",
    "Retry",
    "Task",
    "Transition",
    "WaitFor",
    "WorkflowFile",
]

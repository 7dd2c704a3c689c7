"""The registrar: the only part of attune-lsp that talks to PostgreSQL.

Every function is handed a psycopg connection (see `connect`); writes run in one
transaction of their own. The data types live in `attune_workflow.registrar.types`
and import no database driver; the functions below are loaded on first use so that
importing the types stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import types as _types
from .errors import (
    EmbeddedServerError,
    ForeignSchemaError,
    MigrationError,
    RegistrarError,
    redact_url,
)
from .types import *  # noqa: F403 (the data types: `types.__all__`)

if TYPE_CHECKING:
    from .core import (
        action_index,
        list_workflows,
        register,
        registration_state,
        show_workflow,
        unregister,
    )
    from .db import Connection, connect
    from .embedded import DatabaseTarget, resolve_database

_LAZY = {
    "action_index": "core",
    "list_workflows": "core",
    "register": "core",
    "registration_state": "core",
    "show_workflow": "core",
    "unregister": "core",
    "Connection": "db",
    "connect": "db",
    "DatabaseTarget": "embedded",
    "resolve_database": "embedded",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    *_types.__all__,
    "Connection",
    "DatabaseTarget",
    "EmbeddedServerError",
    "ForeignSchemaError",
    "MigrationError",
    "RegistrarError",
    "action_index",
    "connect",
    "list_workflows",
    "redact_url",
    "register",
    "registration_state",
    "resolve_database",
    "show_workflow",
    "unregister",
]

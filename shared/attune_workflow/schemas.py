"""JSON Schemas of the three file kinds, from the pydantic models.

yaml-language-server users can point ``yaml.schemas`` at these to get key
completion and basic validation without this project's language server.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from .model import ActionFile, PackManifest, WorkflowFile

_MODELS: dict[str, tuple[type[BaseModel], str]] = {
    "workflow": (WorkflowFile, "Attune workflow file"),
    "action": (ActionFile, "Attune action file"),
    "pack": (PackManifest, "Attune pack manifest (pack.yaml)"),
}


def json_schema(which: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``workflow``, ``action`` or ``pack`` files."""
    model, title = _MODELS[which]
    schema = model.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://attune-lsp.dev/schemas/{which}.schema.json"
    schema["title"] = title
    return schema

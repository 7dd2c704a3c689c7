"""The flat parameter / output schema (a map from field name to field spec)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

FLAT_TYPES = ("string", "integer", "number", "boolean", "object", "array")


class ParamSpec(BaseModel):
    """One field of a flat schema."""

    model_config = ConfigDict(extra="allow")

    type: str | None = None
    required: bool = False
    default: Any = None
    description: str | None = None
    enum: list[Any] | None = None
    secret: bool = False

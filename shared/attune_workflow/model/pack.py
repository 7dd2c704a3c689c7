"""``pack.yaml``."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class PackManifest(BaseModel):
    """The keys of a pack manifest."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    ref: str = Field(description="Pack identifier, lowercase, no dots.")
    label: str | None = None
    description: str | None = None
    version: str = Field(description="Semantic version.")
    author: str | None = None
    email: str | None = None
    system: bool = False
    enabled: bool = True
    conf_schema: dict[str, Any] | None = None
    config: dict[str, Any] | None = None
    meta: dict[str, Any] | None = None
    tags: list[str] | None = None
    runtime_deps: list[str] | None = None
    dependencies: list[Any] | None = None

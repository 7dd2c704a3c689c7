"""An action YAML file (``actions/<name>.yaml``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ActionFile(BaseModel):
    """The keys of an action file that the pack loader reads."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    ref: str = Field(description="`pack.name`, lowercase.")
    name: str | None = None
    label: str | None = None
    description: str | None = None
    enabled: bool = True
    workflow_file: str | None = Field(None, description="Makes it a workflow action.")
    runner_type: str | None = None
    entry_point: str | None = None
    runtime_version: str | None = None
    parameter_delivery: Literal["stdin", "file"] = "stdin"
    parameter_format: Literal["json", "dotenv", "yaml"] = "json"
    output_format: Literal["text", "json", "yaml", "jsonl"] = "text"
    parameters: dict[str, Any] | None = None
    output: dict[str, Any] | None = None
    timeout_seconds: int | None = Field(None, gt=0)
    tags: list[str] | None = None

"""An action YAML file (``actions/<name>.yaml``).

Types are strict where the pack loader or the ``action`` table would refuse a
value (a CHECK constraint, an enum, a typed column); keys it does not read are
allowed. The loader lower-cases enum values before it stores them.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictInt, StrictStr


def _lower(value: Any) -> Any:
    """The loader lower-cases enum values (``STDIN`` is ``stdin``)."""
    return value.lower() if isinstance(value, str) else value


Lowered = BeforeValidator(_lower)


class ActionFile(BaseModel):
    """The keys of an action file that the pack loader reads."""

    model_config = ConfigDict(extra="allow", strict=True)

    ref: StrictStr = Field(description="`pack.name`, lowercase.")
    name: StrictStr | None = None
    label: StrictStr | None = Field(None, description="Shown in the UI; from the ref when absent.")
    description: StrictStr | None = None
    enabled: StrictBool = True
    workflow_file: StrictStr | None = Field(
        None, description="Makes it a workflow action: `workflows/<name>.workflow.yaml`."
    )
    runner_type: StrictStr | None = Field(None, description="shell, python, native, java, ...")
    entry_point: StrictStr | None = Field(None, description="Script file relative to actions/.")
    runtime_version: StrictStr | None = Field(None, description='Constraint, e.g. ">=3.11".')
    parameter_delivery: Annotated[Literal["stdin", "file"], Lowered] = Field(
        "stdin", description="How parameters reach the script."
    )
    parameter_format: Annotated[Literal["json", "dotenv", "yaml"], Lowered] = "json"
    output_format: Annotated[Literal["text", "json", "yaml", "jsonl"], Lowered] = "text"
    parameters: dict[str, Any] | None = Field(None, description="Flat parameter schema.")
    output: dict[str, Any] | None = Field(None, description="Flat output schema.")
    timeout_seconds: StrictInt | None = Field(None, gt=0, description="Seconds, > 0.")
    accesses_mcp: StrictBool = False
    default_execution_permission_set_refs: list[StrictStr] = Field(default_factory=list)
    reference_visibility: Annotated[Literal["public", "private", "restricted"], Lowered] = "public"
    reference_allowed_pack_refs: list[StrictStr] = Field(default_factory=list)
    log_retention_limit: StrictInt | None = Field(None, gt=0)
    artifact_retention_limit: StrictInt | None = Field(None, gt=0)
    tags: list[StrictStr] | None = None

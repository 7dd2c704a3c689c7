"""The workflow file as Attune's parser reads it (``parse_workflow_yaml``).

Types are strict, as serde's are: a scalar ``do:`` is not a list, a quoted
number is not an integer. The model validates the document as
:mod:`.decode` hands it over, where string fields already hold the text of any
scalar (``version: 1.0`` is "1.0") and empty values are empty collections, as
serde_yaml_ng gives them. Keys Attune does not know are forbidden here so that
they can be reported (``unknown-key``); Attune itself drops them.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

U32 = Annotated[StrictInt, Field(ge=0, le=4_294_967_295)]
PublishDirective = dict[str, Any] | StrictStr


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class Retry(_Strict):
    """``retry``: how often and how fast a failed task is tried again."""

    count: Annotated[
        StrictInt, Field(ge=1, le=100, description="Attempts after the first, 1..100.")
    ]
    delay: Annotated[U32, Field(description="Seconds between attempts.")]
    backoff: Literal["constant", "linear", "exponential"] = Field(
        "constant", description="How the delay grows."
    )
    max_delay: U32 | None = Field(None, description="Upper bound of the delay; >= delay.")
    on_error: StrictStr | None = Field(None, description="Never evaluated by the scheduler.")


class IterateCache(_Strict):
    """``iterate_cache``: iterate over the entries of a cache namespace."""

    owner_type: StrictStr | None = Field(
        None, description="system, identity, pack, action or sensor (template allowed)."
    )
    owner_ref: StrictStr | None = Field(None, description="The owner's ref (template allowed).")
    namespace: StrictStr = Field(description="Cache namespace; must not be blank.")
    generation: StrictStr = Field("active", description="`active`, a generation id or a template.")
    page_size: Annotated[StrictInt, Field(ge=1, le=1000)] = Field(
        100, description="Internal scan page size, 1..1000."
    )
    require_fresh: bool = Field(False, description="Fail when the cache is stale.")


WaitValue = Annotated[StrictInt, Field(gt=0)] | StrictStr


class WaitFor(_Strict):
    """``wait_for``: pause the task until exactly one external thing happens."""

    inquiry: WaitValue | None = Field(
        None, description="Wait for an inquiry (positive id or template)."
    )
    execution: WaitValue | None = Field(None, description="Wait for an execution.")
    work_queue_item: WaitValue | None = Field(None, description="Wait for a work-queue item.")


class Transition(_Strict):
    """One entry of ``next``: when it fires, what it publishes, which tasks it starts."""

    when: StrictStr | None = Field(None, description="Condition; absent means always.")
    publish: list[PublishDirective] = Field(
        default_factory=list, description="Variables written into the workflow namespace."
    )
    do: list[StrictStr] = Field(default_factory=list, description="Task names to start.")
    chart_meta: Any = Field(None, alias="__chart_meta__", description="Visual-builder metadata.")


class Decision(_Strict):
    """A legacy ``decision`` branch."""

    when: StrictStr | None = None
    next: StrictStr
    default: bool = False


class Task(_Strict):
    """A task of a workflow."""

    name: StrictStr = Field(description="Unique task name.")
    type: Literal["action", "parallel", "workflow"] = Field("action", description="Task kind.")
    action: StrictStr | None = Field(None, description="Action ref `pack.name`.")
    input: dict[str, Any] = Field(default_factory=dict, description="The action's parameters.")
    permission_set_refs: Any = Field(None, description="Execution permission sets.")
    permission_set_ref: Any = Field(None, description="Alias of permission_set_refs.")
    trace_tag_template: StrictStr | None = None
    worker_selector: Any = None
    worker_tolerations: Any = None
    worker_affinity: Any = None
    when: StrictStr | None = Field(
        None, description="Never evaluated by the scheduler: the task always runs."
    )
    wait_for: WaitFor | None = None
    with_items: StrictStr | None = Field(None, description="Template that yields a list.")
    iterate_cache: IterateCache | None = None
    batch_size: U32 | None = Field(None, description="Items per batch when iterating, 1..1000.")
    concurrency: U32 | None = Field(None, description="Parallel batches when iterating, 1..100.")
    retry: Retry | None = None
    timeout: Annotated[StrictInt, Field(gt=0)] | StrictStr | None = Field(
        None, description="Seconds (or a template)."
    )
    next: list[Transition] = Field(default_factory=list, description="Transitions.")
    on_success: StrictStr | None = None
    on_failure: StrictStr | None = None
    on_complete: StrictStr | None = None
    on_timeout: StrictStr | None = None
    decision: list[Decision] = Field(default_factory=list)
    publish: list[PublishDirective] = Field(default_factory=list)
    join: U32 | None = Field(None, description="Wait for this many inbound completions.")
    tasks: list[Task] | None = Field(None, description="Sub-tasks of a parallel task.")
    chart_meta: Any = Field(None, alias="__chart_meta__")


class WorkflowFile(_Strict):
    """A workflow file: a graph file under ``actions/workflows/`` or a standalone one."""

    ref: Annotated[StrictStr, Field(max_length=255)] = Field("", description="`pack.name`.")
    label: Annotated[StrictStr, Field(max_length=255)] = ""
    description: StrictStr | None = None
    version: Annotated[StrictStr, Field(min_length=1, max_length=50)] = Field(
        description='Workflow version, read as text (1.0 is "1.0"); quote values like "1.10".'
    )
    parameters: Any = Field(None, description="Input schema (flat).")
    output: Any = Field(None, description="Output schema (flat).")
    vars: dict[str, Any] = Field(default_factory=dict, description="Initial workflow variables.")
    tasks: list[Task] = Field(description="The tasks.")
    output_map: dict[str, StrictStr] | None = Field(None, description="Result templates.")
    tags: list[StrictStr] = Field(default_factory=list)
    cancellation_policy: Literal["allow_finish", "cancel_running"] = "allow_finish"

"""Expected edges of the corpus workflows, shared by the engine's and the editor's graph tests.

Keys are paths under ``tests/data/corpus``; an edge is (source, target, condition, publishes).
"""

from __future__ import annotations

CORPUS_EDGES: dict[str, list[tuple[str, str, str, list[str]]]] = {
    "packs/mattermost/actions/workflows/post_thread.workflow.yaml": [
        ("create_root", "create_replies", "succeeded", [])
    ],
    "packs/deployments/actions/workflows/deploy_app.workflow.yaml": [
        ("validate", "maybe_approve", "succeeded", ["validation_summary"]),
        ("validate", "fail_validation", "failed", []),
        ("maybe_approve", "ask_for_approval", "parameters.environment == 'production'", []),
        ("maybe_approve", "deploy_regions", "parameters.environment != 'production'", ["approved"]),
        (
            "ask_for_approval",
            "deploy_regions",
            "succeeded() and result().response.approved == true",
            ["approved"],
        ),
        ("ask_for_approval", "cancelled", "succeeded() and result().response.approved != true", []),
        ("ask_for_approval", "approval_timeout", "timed_out", []),
        ("deploy_regions", "summarize", "succeeded", ["deployed_regions"]),
        ("deploy_regions", "rollback", "failed", []),
        ("rollback", "failed_after_rollback", "succeeded", []),
        ("rollback", "failed_after_rollback", "failed", []),
    ],
}

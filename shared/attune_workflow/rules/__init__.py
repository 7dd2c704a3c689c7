"""The rule registry: every rule, listed explicitly, in catalogue order."""

from __future__ import annotations

from . import (
    duplicate_key,
    duplicate_target,
    duplicate_task,
    encoding,
    expression_syntax,
    file_too_large,
    input_type,
    invalid_ref,
    invalid_value,
    iteration_conflict,
    join_count,
    keystore_access,
    legacy_ignored,
    legacy_location,
    legacy_transition,
    missing_input,
    missing_key,
    mixed_template_type,
    no_tasks,
    not_a_workflow,
    orphan_workflow_file,
    pack_manifest,
    ref_mismatch,
    reserved_task_name,
    result_path,
    schema_format,
    transition_function_scope,
    unknown_action,
    unknown_function,
    unknown_input,
    unknown_key,
    unknown_parameter,
    unknown_task,
    unknown_task_reference,
    unknown_variable,
    unknown_workflow_variable,
    unreachable_task,
    unsupported_syntax,
    unused_ignore,
    unverified_action,
    wait_for_misuse,
    workflow_file,
    wrong_arity,
    wrong_type,
    yaml_syntax,
)
from .base import Rule

RULES: tuple[Rule, ...] = (
    # File and YAML
    Rule.from_module(yaml_syntax),
    Rule.from_module(duplicate_key),
    Rule.from_module(file_too_large),
    Rule.from_module(not_a_workflow),
    Rule.from_module(encoding),
    # Structure and types
    Rule.from_module(missing_key),
    Rule.from_module(wrong_type),
    Rule.from_module(invalid_value),
    Rule.from_module(no_tasks),
    Rule.from_module(unknown_key),
    Rule.from_module(iteration_conflict),
    Rule.from_module(wait_for_misuse),
    # Task graph
    Rule.from_module(unknown_task),
    Rule.from_module(duplicate_task),
    Rule.from_module(reserved_task_name),
    Rule.from_module(unreachable_task),
    Rule.from_module(join_count),
    Rule.from_module(duplicate_target),
    Rule.from_module(legacy_transition),
    Rule.from_module(legacy_ignored),
    # Expressions
    Rule.from_module(expression_syntax),
    Rule.from_module(unsupported_syntax),
    Rule.from_module(unknown_function),
    Rule.from_module(wrong_arity),
    Rule.from_module(unknown_variable),
    Rule.from_module(unknown_task_reference),
    Rule.from_module(unknown_parameter),
    Rule.from_module(unknown_workflow_variable),
    Rule.from_module(keystore_access),
    Rule.from_module(transition_function_scope),
    Rule.from_module(result_path),
    Rule.from_module(mixed_template_type),
    # Pack and cross-file
    Rule.from_module(invalid_ref),
    Rule.from_module(ref_mismatch),
    Rule.from_module(unknown_action),
    Rule.from_module(unverified_action),
    Rule.from_module(missing_input),
    Rule.from_module(unknown_input),
    Rule.from_module(input_type),
    Rule.from_module(workflow_file),
    Rule.from_module(orphan_workflow_file),
    Rule.from_module(legacy_location),
    Rule.from_module(schema_format),
    Rule.from_module(pack_manifest),
    # Suppressions
    Rule.from_module(unused_ignore),
)

RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}

GROUPS: dict[str, tuple[str, ...]] = {
    'File and YAML': ('yaml-syntax', 'duplicate-key', 'file-too-large', 'not-a-workflow', 'encoding',),
    'Structure and types': ('missing-key', 'wrong-type', 'invalid-value', 'no-tasks', 'unknown-key', 'iteration-conflict', 'wait-for-misuse',),
    'Task graph': ('unknown-task', 'duplicate-task', 'reserved-task-name', 'unreachable-task', 'join-count', 'duplicate-target', 'legacy-transition', 'legacy-ignored',),
    'Expressions': ('expression-syntax', 'unsupported-syntax', 'unknown-function', 'wrong-arity', 'unknown-variable', 'unknown-task-reference', 'unknown-parameter', 'unknown-workflow-variable', 'keystore-access', 'transition-function-scope', 'result-path', 'mixed-template-type',),
    'Pack and cross-file': ('invalid-ref', 'ref-mismatch', 'unknown-action', 'unverified-action', 'missing-input', 'unknown-input', 'input-type', 'workflow-file', 'orphan-workflow-file', 'legacy-location', 'schema-format', 'pack-manifest',),
    'Suppressions': ('unused-ignore',),
}

__all__ = ["GROUPS", "RULES", "RULES_BY_ID", "Rule"]

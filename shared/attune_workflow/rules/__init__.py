"""The rule registry: every rule, listed explicitly, in catalogue order."""

from __future__ import annotations

from types import ModuleType

from . import (
    duplicate_key,
    duplicate_ref,
    duplicate_target,
    duplicate_task,
    encoding,
    expression_syntax,
    file_too_large,
    ignored_file,
    input_type,
    invalid_ref,
    invalid_value,
    iteration_conflict,
    join_count,
    keystore_access,
    legacy_ignored,
    legacy_location,
    legacy_transition,
    missing_entry_point,
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
    skipped_by_scheduler,
    transition_function_scope,
    unbound_context,
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
    unreadable_file,
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

# The rules by group, in catalogue order: each rule module is named once, here.
CATALOGUE: tuple[tuple[str, tuple[ModuleType, ...]], ...] = (
    (
        "File and YAML",
        (
            yaml_syntax,
            duplicate_key,
            file_too_large,
            not_a_workflow,
            encoding,
            unreadable_file,
        ),
    ),
    (
        "Structure and types",
        (
            missing_key,
            wrong_type,
            invalid_value,
            no_tasks,
            unknown_key,
            iteration_conflict,
            wait_for_misuse,
        ),
    ),
    (
        "Task graph",
        (
            unknown_task,
            duplicate_task,
            reserved_task_name,
            unreachable_task,
            join_count,
            duplicate_target,
            legacy_transition,
            legacy_ignored,
            skipped_by_scheduler,
        ),
    ),
    (
        "Expressions",
        (
            expression_syntax,
            unsupported_syntax,
            unknown_function,
            wrong_arity,
            unknown_variable,
            unknown_task_reference,
            unknown_parameter,
            unknown_workflow_variable,
            keystore_access,
            transition_function_scope,
            result_path,
            mixed_template_type,
            unbound_context,
        ),
    ),
    (
        "Pack and cross-file",
        (
            invalid_ref,
            ref_mismatch,
            unknown_action,
            unverified_action,
            missing_input,
            unknown_input,
            input_type,
            workflow_file,
            orphan_workflow_file,
            legacy_location,
            schema_format,
            pack_manifest,
            missing_entry_point,
            duplicate_ref,
            ignored_file,
        ),
    ),
    (
        "Suppressions",
        (unused_ignore,),
    ),
)

RULES: tuple[Rule, ...] = tuple(
    Rule.from_module(module) for _, modules in CATALOGUE for module in modules
)

RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}

GROUPS: dict[str, tuple[str, ...]] = {
    group: tuple(module.ID for module in modules) for group, modules in CATALOGUE
}

__all__ = ["GROUPS", "RULES", "RULES_BY_ID", "Rule"]

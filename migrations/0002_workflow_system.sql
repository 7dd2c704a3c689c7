-- Attune's workflow tables: `workflow_definition`, `workflow_execution`, the workflow
-- columns of `action`, and the two workflow views (Attune migration 20250101000006).
--
-- Deleting a workflow_definition removes its linked action (action.workflow_def) and
-- its workflow_execution rows (ON DELETE CASCADE). Attune's `execution` and
-- `workflow_task_dispatch` tables are not part of this schema.
--
-- Forward-only: never edit this file once released; add a new numbered file.

CREATE TABLE attune.workflow_definition (
    id BIGSERIAL PRIMARY KEY,
    ref VARCHAR(255) NOT NULL UNIQUE,
    pack BIGINT NOT NULL REFERENCES attune.pack(id) ON DELETE CASCADE,
    pack_ref VARCHAR(255) NOT NULL,
    label VARCHAR(255) NOT NULL,
    description TEXT,
    version VARCHAR(50) NOT NULL,
    param_schema JSONB,
    out_schema JSONB,
    definition JSONB NOT NULL,
    tags TEXT[] DEFAULT '{}',
    created TIMESTAMPTZ DEFAULT NOW() NOT NULL,
    updated TIMESTAMPTZ DEFAULT NOW() NOT NULL
);

CREATE INDEX idx_workflow_def_pack ON attune.workflow_definition(pack);
CREATE INDEX idx_workflow_def_ref ON attune.workflow_definition(ref);
CREATE INDEX idx_workflow_def_tags ON attune.workflow_definition USING gin(tags);

CREATE TRIGGER update_workflow_definition_updated
    BEFORE UPDATE ON attune.workflow_definition
    FOR EACH ROW
    EXECUTE FUNCTION attune.update_updated_column();

CREATE TABLE attune.workflow_execution (
    id BIGSERIAL PRIMARY KEY,
    -- Executions are retained independently of workflow state: no foreign key.
    execution BIGINT NOT NULL,
    workflow_def BIGINT NOT NULL REFERENCES attune.workflow_definition(id) ON DELETE CASCADE,
    current_tasks TEXT[] DEFAULT '{}',
    completed_tasks TEXT[] DEFAULT '{}',
    failed_tasks TEXT[] DEFAULT '{}',
    skipped_tasks TEXT[] DEFAULT '{}',
    variables JSONB DEFAULT '{}',
    task_graph JSONB NOT NULL,
    status attune.execution_status_enum NOT NULL DEFAULT 'requested',
    error_message TEXT,
    paused BOOLEAN DEFAULT false NOT NULL,
    pause_reason TEXT,
    created TIMESTAMPTZ DEFAULT NOW() NOT NULL,
    updated TIMESTAMPTZ DEFAULT NOW() NOT NULL,
    CONSTRAINT uq_workflow_execution_execution UNIQUE (execution)
);

CREATE INDEX idx_workflow_exec_workflow_def ON attune.workflow_execution(workflow_def);
CREATE INDEX idx_workflow_exec_status ON attune.workflow_execution(status);
CREATE INDEX idx_workflow_exec_paused ON attune.workflow_execution(paused) WHERE paused = true;

CREATE TRIGGER update_workflow_execution_updated
    BEFORE UPDATE ON attune.workflow_execution
    FOR EACH ROW
    EXECUTE FUNCTION attune.update_updated_column();

ALTER TABLE attune.action
    ADD COLUMN workflow_def BIGINT REFERENCES attune.workflow_definition(id) ON DELETE CASCADE,
    ADD COLUMN required_worker_runtimes JSONB NOT NULL DEFAULT '{}'::jsonb,
    ADD COLUMN worker_selector JSONB NOT NULL DEFAULT '{}'::jsonb,
    ADD COLUMN worker_tolerations JSONB NOT NULL DEFAULT '[]'::jsonb,
    ADD COLUMN worker_affinity JSONB NOT NULL DEFAULT '{}'::jsonb;

CREATE INDEX idx_action_workflow_def ON attune.action(workflow_def);

CREATE VIEW attune.workflow_execution_summary AS
SELECT
    we.id,
    we.execution,
    wd.ref AS workflow_ref,
    wd.label AS workflow_label,
    wd.version AS workflow_version,
    we.status,
    we.paused,
    array_length(we.current_tasks, 1) AS current_task_count,
    array_length(we.completed_tasks, 1) AS completed_task_count,
    array_length(we.failed_tasks, 1) AS failed_task_count,
    array_length(we.skipped_tasks, 1) AS skipped_task_count,
    we.error_message,
    we.created,
    we.updated
FROM attune.workflow_execution we
JOIN attune.workflow_definition wd ON we.workflow_def = wd.id;

CREATE VIEW attune.workflow_action_link AS
SELECT
    wd.id AS workflow_def_id,
    wd.ref AS workflow_ref,
    wd.label,
    wd.version,
    a.id AS action_id,
    a.ref AS action_ref,
    a.pack AS pack_id,
    a.pack_ref
FROM attune.workflow_definition wd
LEFT JOIN attune.action a ON a.workflow_def = wd.id;

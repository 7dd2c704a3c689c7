-- Attune's base schema as far as workflow registration needs it: schema `attune`, the
-- enum types, the `updated` trigger function, and the `pack`, `runtime` and `action`
-- tables.
--
-- Names, types, defaults, constraints and indexes are Attune's (migrations
-- 20250101000001 and 20250101000004). Attune's base DDL for `pack` and `runtime` is
-- not known; their columns follow Attune's data models, with a non-optional field
-- as NOT NULL and inferred SQL types (JSON -> JSONB, list -> TEXT[]).
--
-- Forward-only: never edit this file once released; add a new numbered file.

CREATE SCHEMA attune;

CREATE TYPE attune.action_reference_visibility_enum AS ENUM (
    'public',
    'private',
    'restricted'
);

CREATE TYPE attune.artifact_retention_enum AS ENUM (
    'versions',
    'days',
    'hours',
    'minutes'
);

CREATE TYPE attune.execution_status_enum AS ENUM (
    'requested',
    'scheduling',
    'scheduled',
    'running',
    'completed',
    'failed',
    'canceling',
    'cancelled',
    'timeout',
    'abandoned'
);

CREATE FUNCTION attune.update_updated_column()
RETURNS TRIGGER AS $$
BEGIN
    NEW.updated = NOW();
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

-- ============================================================================
-- PACK
-- ============================================================================

CREATE TABLE attune.pack (
    id BIGSERIAL PRIMARY KEY,
    ref TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    description TEXT,
    version TEXT NOT NULL,
    conf_schema JSONB NOT NULL DEFAULT '{}'::jsonb,
    config JSONB NOT NULL DEFAULT '{}'::jsonb,
    meta JSONB NOT NULL DEFAULT '{}'::jsonb,
    tags TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    runtime_deps TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    dependencies TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    is_standard BOOLEAN NOT NULL DEFAULT FALSE,
    installers JSONB NOT NULL DEFAULT '{}'::jsonb,
    worker_selector JSONB NOT NULL DEFAULT '{}'::jsonb,
    worker_tolerations JSONB NOT NULL DEFAULT '[]'::jsonb,
    worker_affinity JSONB NOT NULL DEFAULT '{}'::jsonb,
    source_type TEXT,
    source_url TEXT,
    source_ref TEXT,
    checksum TEXT,
    checksum_verified BOOLEAN,
    installed_at TIMESTAMPTZ,
    installed_by BIGINT,
    installation_method TEXT,
    storage_path TEXT,
    install_status TEXT NOT NULL DEFAULT 'installed',
    active_release BIGINT,
    created TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated TIMESTAMPTZ NOT NULL DEFAULT NOW(),

    CONSTRAINT pack_ref_format CHECK (ref ~ '^[^.]+$'),
    CONSTRAINT pack_install_status_check
        CHECK (install_status IN ('pending', 'installed', 'install_failed'))
);

CREATE TRIGGER update_pack_updated
    BEFORE UPDATE ON attune.pack
    FOR EACH ROW
    EXECUTE FUNCTION attune.update_updated_column();

-- ============================================================================
-- RUNTIME
-- ============================================================================

CREATE TABLE attune.runtime (
    id BIGSERIAL PRIMARY KEY,
    ref TEXT NOT NULL UNIQUE,
    -- Attune's ON DELETE rule for runtime.pack is not known; pack-owned rows cascade
    -- everywhere else, so they do here too.
    pack BIGINT REFERENCES attune.pack(id) ON DELETE CASCADE,
    pack_ref TEXT,
    description TEXT,
    name TEXT NOT NULL,
    aliases TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    distributions JSONB NOT NULL DEFAULT '{}'::jsonb,
    installation JSONB,
    installers JSONB NOT NULL DEFAULT '{}'::jsonb,
    execution_config JSONB NOT NULL DEFAULT '{}'::jsonb,
    auto_detected BOOLEAN NOT NULL DEFAULT FALSE,
    detection_config JSONB NOT NULL DEFAULT '{}'::jsonb,
    created TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

CREATE INDEX idx_runtime_pack ON attune.runtime(pack);

CREATE TRIGGER update_runtime_updated
    BEFORE UPDATE ON attune.runtime
    FOR EACH ROW
    EXECUTE FUNCTION attune.update_updated_column();

-- ============================================================================
-- ACTION
-- ============================================================================

CREATE TABLE attune.action (
    id BIGSERIAL PRIMARY KEY,
    ref TEXT NOT NULL UNIQUE,
    pack BIGINT NOT NULL REFERENCES attune.pack(id) ON DELETE CASCADE,
    pack_ref TEXT NOT NULL,
    label TEXT NOT NULL,
    description TEXT,
    entrypoint TEXT NOT NULL,
    runtime BIGINT REFERENCES attune.runtime(id),
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    param_schema JSONB,
    out_schema JSONB,
    parameter_delivery TEXT NOT NULL DEFAULT 'stdin'
        CHECK (parameter_delivery IN ('stdin', 'file')),
    parameter_format TEXT NOT NULL DEFAULT 'json'
        CHECK (parameter_format IN ('dotenv', 'json', 'yaml')),
    output_format TEXT NOT NULL DEFAULT 'text'
        CHECK (output_format IN ('text', 'json', 'yaml', 'jsonl')),
    is_adhoc BOOLEAN NOT NULL DEFAULT FALSE,
    timeout_seconds INTEGER,
    max_retries INTEGER DEFAULT 0,
    runtime_version_constraint TEXT,
    accesses_mcp BOOLEAN NOT NULL DEFAULT FALSE,
    default_execution_permission_set_refs TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    reference_visibility attune.action_reference_visibility_enum NOT NULL DEFAULT 'public',
    reference_allowed_pack_refs TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    log_retention_policy attune.artifact_retention_enum,
    log_retention_limit INTEGER,
    artifact_retention_policy attune.artifact_retention_enum,
    artifact_retention_limit INTEGER,
    created TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated TIMESTAMPTZ NOT NULL DEFAULT NOW(),

    CONSTRAINT action_ref_lowercase CHECK (ref = LOWER(ref)),
    CONSTRAINT action_ref_format CHECK (ref ~ '^[^.]+\.[^.]+$'),
    CONSTRAINT action_log_retention_limit_positive
        CHECK (log_retention_limit IS NULL OR log_retention_limit > 0),
    CONSTRAINT action_artifact_retention_limit_positive
        CHECK (artifact_retention_limit IS NULL OR artifact_retention_limit > 0),
    CONSTRAINT action_timeout_seconds_positive
        CHECK (timeout_seconds IS NULL OR timeout_seconds > 0),
    CONSTRAINT action_reference_allowed_pack_refs_non_null
        CHECK (array_position(reference_allowed_pack_refs, NULL) IS NULL),
    CONSTRAINT action_reference_allowed_pack_refs_restricted_only
        CHECK (reference_visibility = 'restricted' OR cardinality(reference_allowed_pack_refs) = 0)
);

CREATE INDEX idx_action_ref ON attune.action(ref);
CREATE INDEX idx_action_pack ON attune.action(pack);
CREATE INDEX idx_action_runtime ON attune.action(runtime);
CREATE INDEX idx_action_enabled ON attune.action(enabled);
CREATE INDEX idx_action_parameter_delivery ON attune.action(parameter_delivery);
CREATE INDEX idx_action_parameter_format ON attune.action(parameter_format);
CREATE INDEX idx_action_output_format ON attune.action(output_format);
CREATE INDEX idx_action_is_adhoc ON attune.action(is_adhoc) WHERE is_adhoc = true;
CREATE INDEX idx_action_accesses_mcp ON attune.action(accesses_mcp) WHERE accesses_mcp = true;
CREATE INDEX idx_action_default_execution_permission_set_refs
    ON attune.action USING GIN (default_execution_permission_set_refs);
CREATE INDEX idx_action_reference_visibility ON attune.action(reference_visibility);
CREATE INDEX idx_action_reference_allowed_pack_refs
    ON attune.action USING GIN (reference_allowed_pack_refs);
CREATE INDEX idx_action_created ON attune.action(created DESC);

CREATE TRIGGER update_action_updated
    BEFORE UPDATE ON attune.action
    FOR EACH ROW
    EXECUTE FUNCTION attune.update_updated_column();

-- Brings the tables the registrar writes to Attune's current shape, so that what
-- registers on this schema registers on a database built by Attune's own migrations:
--
-- * `pack`: Attune's base CHECKs (`pack_ref_lowercase`, `pack_ref_format`,
--   `pack_version_semver`, `valid_pack_install_status`) and column defaults
--   (migrations 20250101000002, 20260818000002);
-- * `pack_release` and `pack.active_release` (20260909000001);
-- * the platform-catalog columns, CHECKs and triggers of `runtime`, `action` and
--   `workflow_definition` (20260916000001/2);
-- * the component lifecycle: `retired_at`, and on `action` `enabled_override`,
--   `omission_disabled` and the generated `effective_enabled`
--   (20260916000003, 20260919000002);
-- * `workflow_log_outbox`, whose undelivered rows block deleting a workflow
--   execution (20260912000006, 20260913000002).
--
-- Objects are schema-qualified here; Attune's own files rely on
-- `search_path = attune, public`, which the registrar sets on every connection.
--
-- Forward-only: never edit this file once released; add a new numbered file.

-- ============================================================================
-- PACK
-- ============================================================================

-- Added NOT VALID, then validated where the existing rows pass (always, on a new
-- database): a pack an earlier attune-lsp created with a ref or version Attune refuses
-- does not stop the upgrade; new and updated rows must pass either way.
ALTER TABLE attune.pack
    DROP CONSTRAINT pack_ref_format,
    DROP CONSTRAINT pack_install_status_check,
    ADD CONSTRAINT pack_ref_lowercase CHECK (ref = LOWER(ref)) NOT VALID,
    ADD CONSTRAINT pack_ref_format CHECK (ref ~ '^[a-z][a-z0-9_-]+$') NOT VALID,
    ADD CONSTRAINT pack_version_semver CHECK (
        version ~ '^\d+\.\d+\.\d+(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$'
    ) NOT VALID,
    ADD CONSTRAINT valid_pack_install_status
        CHECK (install_status IN ('pending', 'installed', 'install_failed'));

ALTER TABLE attune.pack
    ALTER COLUMN installers DROP NOT NULL,
    ALTER COLUMN installers SET DEFAULT '[]'::jsonb,
    ALTER COLUMN checksum_verified SET DEFAULT FALSE;

CREATE INDEX idx_pack_created ON attune.pack(created DESC);
CREATE INDEX idx_pack_is_standard ON attune.pack(is_standard) WHERE is_standard = TRUE;

CREATE TABLE attune.pack_release (
    id BIGSERIAL PRIMARY KEY,
    pack BIGINT NOT NULL REFERENCES attune.pack(id) ON DELETE CASCADE,
    pack_ref TEXT NOT NULL,
    version TEXT NOT NULL,
    digest TEXT NOT NULL,
    archive_path TEXT NOT NULL,
    content_path TEXT NOT NULL,
    archive_size BIGINT NOT NULL CHECK (archive_size >= 0),
    manifest JSONB NOT NULL,
    created TIMESTAMPTZ NOT NULL DEFAULT NOW(),

    CONSTRAINT pack_release_pack_version_unique UNIQUE (pack, version),
    CONSTRAINT pack_release_pack_id_unique UNIQUE (pack, id),
    CONSTRAINT pack_release_digest_sha256 CHECK (digest ~ '^[0-9a-f]{64}$'),
    CONSTRAINT pack_release_manifest_object CHECK (jsonb_typeof(manifest) = 'object')
);

ALTER TABLE attune.pack
    ADD CONSTRAINT pack_active_release_same_pack
        FOREIGN KEY (id, active_release) REFERENCES attune.pack_release(pack, id)
        DEFERRABLE INITIALLY DEFERRED;

-- ============================================================================
-- RUNTIME
-- ============================================================================

ALTER TABLE attune.runtime
    ALTER COLUMN aliases SET DEFAULT '{}'::text[],
    ALTER COLUMN distributions DROP DEFAULT,
    ALTER COLUMN installers DROP NOT NULL,
    ALTER COLUMN installers SET DEFAULT '[]'::jsonb,
    ADD CONSTRAINT runtime_ref_lowercase CHECK (ref = LOWER(ref)) NOT VALID;

DO $$
DECLARE
    item TEXT[];
BEGIN
    FOREACH item SLICE 1 IN ARRAY ARRAY[
        ['pack', 'pack_ref_lowercase'],
        ['pack', 'pack_ref_format'],
        ['pack', 'pack_version_semver'],
        ['runtime', 'runtime_ref_lowercase']
    ] LOOP
        BEGIN
            EXECUTE format('ALTER TABLE attune.%I VALIDATE CONSTRAINT %I', item[1], item[2]);
        EXCEPTION WHEN check_violation THEN
            RAISE NOTICE 'attune.%: existing rows break %, left NOT VALID', item[1], item[2];
        END;
    END LOOP;
END $$;

-- ============================================================================
-- PLATFORM CATALOG AND LIFECYCLE (runtime, action, workflow_definition)
-- ============================================================================

CREATE TYPE attune.management_origin AS ENUM ('platform', 'pack', 'ad_hoc');

ALTER TABLE attune.runtime
    ADD COLUMN catalog_revision INTEGER CHECK (catalog_revision > 0),
    ADD COLUMN managed_release BIGINT,
    ADD COLUMN management_origin attune.management_origin GENERATED ALWAYS AS (
        CASE WHEN catalog_revision IS NOT NULL THEN 'platform'::attune.management_origin
             WHEN pack IS NULL THEN 'ad_hoc'::attune.management_origin
             ELSE 'pack'::attune.management_origin END
    ) STORED,
    ADD CONSTRAINT runtime_platform_owner
        CHECK (catalog_revision IS NULL OR (pack IS NULL AND NOT FALSE)),
    ADD CONSTRAINT runtime_managed_release_owner
        FOREIGN KEY (pack, managed_release) REFERENCES attune.pack_release(pack, id)
        DEFERRABLE INITIALLY DEFERRED,
    ADD CONSTRAINT runtime_managed_release_origin
        CHECK (management_origin = 'pack' OR managed_release IS NULL),
    ADD COLUMN retired_at TIMESTAMPTZ;

ALTER TABLE attune.action
    ADD COLUMN catalog_revision INTEGER CHECK (catalog_revision > 0),
    ADD COLUMN managed_release BIGINT,
    ADD COLUMN management_origin attune.management_origin GENERATED ALWAYS AS (
        CASE WHEN catalog_revision IS NOT NULL THEN 'platform'::attune.management_origin
             WHEN is_adhoc OR pack IS NULL THEN 'ad_hoc'::attune.management_origin
             ELSE 'pack'::attune.management_origin END
    ) STORED,
    ADD CONSTRAINT action_platform_owner
        CHECK (catalog_revision IS NULL OR (pack IS NULL AND NOT (is_adhoc OR FALSE))),
    ADD CONSTRAINT action_managed_release_owner
        FOREIGN KEY (pack, managed_release) REFERENCES attune.pack_release(pack, id)
        DEFERRABLE INITIALLY DEFERRED,
    ADD CONSTRAINT action_managed_release_origin
        CHECK (management_origin = 'pack' OR managed_release IS NULL),
    ADD COLUMN retired_at TIMESTAMPTZ,
    ADD COLUMN enabled_override BOOLEAN,
    ADD COLUMN omission_disabled BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN effective_enabled BOOLEAN GENERATED ALWAYS AS (
        NOT omission_disabled AND COALESCE(enabled_override, enabled)
    ) STORED;

ALTER TABLE attune.workflow_definition
    ADD COLUMN catalog_revision INTEGER CHECK (catalog_revision > 0),
    ADD COLUMN managed_release BIGINT,
    ADD COLUMN management_origin attune.management_origin GENERATED ALWAYS AS (
        CASE WHEN catalog_revision IS NOT NULL THEN 'platform'::attune.management_origin
             WHEN pack IS NULL THEN 'ad_hoc'::attune.management_origin
             ELSE 'pack'::attune.management_origin END
    ) STORED,
    ADD CONSTRAINT workflow_definition_platform_owner
        CHECK (catalog_revision IS NULL OR (pack IS NULL AND NOT FALSE)),
    ADD CONSTRAINT workflow_definition_managed_release_owner
        FOREIGN KEY (pack, managed_release) REFERENCES attune.pack_release(pack, id)
        DEFERRABLE INITIALLY DEFERRED,
    ADD CONSTRAINT workflow_definition_managed_release_origin
        CHECK (management_origin = 'pack' OR managed_release IS NULL),
    ADD COLUMN retired_at TIMESTAMPTZ;

CREATE INDEX idx_runtime_active ON attune.runtime (retired_at) WHERE retired_at IS NULL;
CREATE INDEX idx_action_active ON attune.action (retired_at) WHERE retired_at IS NULL;
CREATE INDEX idx_workflow_definition_active
    ON attune.workflow_definition (retired_at) WHERE retired_at IS NULL;

-- A pack-owned row records the pack's active release when it is written.
CREATE FUNCTION attune.set_component_managed_release() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE owner_id BIGINT;
BEGIN
    owner_id := (to_jsonb(NEW)->>TG_ARGV[0])::BIGINT;
    IF NEW.catalog_revision IS NOT NULL OR owner_id IS NULL OR
       COALESCE((to_jsonb(NEW)->>'is_adhoc')::BOOLEAN, FALSE) THEN
        NEW.managed_release := NULL;
    ELSIF TG_OP = 'INSERT' OR
          (to_jsonb(NEW)->TG_ARGV[0]) IS DISTINCT FROM (to_jsonb(OLD)->TG_ARGV[0]) THEN
        SELECT active_release INTO NEW.managed_release FROM attune.pack
            WHERE id = owner_id FOR SHARE;
    END IF;
    RETURN NEW;
END $$;

-- Platform-owned rows change only inside Attune's catalog reconciliation.
CREATE FUNCTION attune.guard_platform_component() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.catalog_revision IS NOT NULL THEN
            RAISE EXCEPTION 'platform-owned % cannot be deleted', TG_TABLE_NAME;
        END IF;
        RETURN OLD;
    END IF;
    IF NEW.catalog_revision IS NOT NULL OR
       (TG_OP = 'UPDATE' AND OLD.catalog_revision IS NOT NULL) THEN
        IF current_setting('attune.catalog_write', true) IS DISTINCT FROM 'on' THEN
            RAISE EXCEPTION 'platform-owned % may only be changed by catalog reconciliation', TG_TABLE_NAME;
        END IF;
        IF TG_OP = 'UPDATE' AND OLD.catalog_revision IS NOT NULL AND
           (NEW.catalog_revision IS NULL OR NEW.catalog_revision < OLD.catalog_revision OR
            (to_jsonb(NEW)->'ref') IS DISTINCT FROM (to_jsonb(OLD)->'ref')) THEN
            RAISE EXCEPTION 'platform ownership and revision cannot be downgraded';
        END IF;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER set_component_managed_release BEFORE INSERT OR UPDATE ON attune.runtime
    FOR EACH ROW EXECUTE FUNCTION attune.set_component_managed_release('pack');
CREATE TRIGGER set_component_managed_release BEFORE INSERT OR UPDATE ON attune.action
    FOR EACH ROW EXECUTE FUNCTION attune.set_component_managed_release('pack');
CREATE TRIGGER set_component_managed_release BEFORE INSERT OR UPDATE ON attune.workflow_definition
    FOR EACH ROW EXECUTE FUNCTION attune.set_component_managed_release('pack');

CREATE TRIGGER guard_platform_component BEFORE INSERT OR UPDATE OR DELETE ON attune.runtime
    FOR EACH ROW EXECUTE FUNCTION attune.guard_platform_component();
CREATE TRIGGER guard_platform_component BEFORE INSERT OR UPDATE OR DELETE ON attune.action
    FOR EACH ROW EXECUTE FUNCTION attune.guard_platform_component();
CREATE TRIGGER guard_platform_component
    BEFORE INSERT OR UPDATE OR DELETE ON attune.workflow_definition
    FOR EACH ROW EXECUTE FUNCTION attune.guard_platform_component();

-- ============================================================================
-- WORKFLOW LOG OUTBOX
-- ============================================================================

CREATE TABLE attune.workflow_log_outbox (
    id BIGSERIAL PRIMARY KEY,
    workflow_execution BIGINT NOT NULL,
    sequence BIGINT NOT NULL CHECK (sequence >= 0),
    kind TEXT NOT NULL CHECK (kind IN ('append', 'seal')),
    payload BYTEA,
    available_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    claimed_by UUID,
    claim_expires_at TIMESTAMPTZ,
    attempt_count INTEGER NOT NULL DEFAULT 0 CHECK (attempt_count >= 0),
    last_error TEXT,
    delivered_at TIMESTAMPTZ,
    created TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    delivery_sequence BIGINT CHECK (delivery_sequence >= 0),
    failed_at TIMESTAMPTZ,
    is_head BOOLEAN NOT NULL DEFAULT FALSE,
    CONSTRAINT workflow_log_outbox_workflow_execution_fkey
        FOREIGN KEY (workflow_execution) REFERENCES attune.workflow_execution(id)
        ON DELETE RESTRICT,
    CONSTRAINT workflow_log_outbox_stream_sequence_unique UNIQUE (workflow_execution, sequence),
    CONSTRAINT workflow_log_outbox_payload_shape CHECK (
        (kind = 'append' AND (
            (delivered_at IS NULL AND payload IS NOT NULL AND OCTET_LENGTH(payload) > 0)
            OR (delivered_at IS NOT NULL AND payload IS NULL)
        ))
        OR (kind = 'seal' AND payload IS NULL)
    ),
    CONSTRAINT workflow_log_outbox_claim_shape CHECK (
        (claimed_by IS NULL AND claim_expires_at IS NULL)
        OR (claimed_by IS NOT NULL AND claim_expires_at IS NOT NULL)
    )
);

-- Delivered rows go with their execution; undelivered ones block its deletion.
CREATE FUNCTION attune.delete_delivered_workflow_log_outbox() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM attune.workflow_log_outbox
    WHERE workflow_execution = OLD.id AND delivered_at IS NOT NULL;
    RETURN OLD;
END;
$$;

CREATE TRIGGER workflow_execution_delete_delivered_log_outbox
    BEFORE DELETE ON attune.workflow_execution
    FOR EACH ROW EXECUTE FUNCTION attune.delete_delivered_workflow_log_outbox();

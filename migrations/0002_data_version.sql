-- 0002: a data version, bumped by any change to the plan data, so that a
-- server can keep plans, districts and layers in memory and check one
-- small row per request instead of reading them all again.

CREATE TABLE data_version (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    version    bigint NOT NULL DEFAULT 1 CHECK (version > 0),
    changed_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO data_version DEFAULT VALUES;

CREATE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE data_version SET version = version + 1, changed_at = now();
    RETURN NULL;
END $$;

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['districts', 'zones', 'plans', 'categories', 'agencies', 'projects',
                             'metrics', 'schedules', 'milestones', 'allocations', 'layers', 'sites'] LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I
                        FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()', t || '_bump_version', t);
    END LOOP;
END $$;

---- create above / drop below ----

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['districts', 'zones', 'plans', 'categories', 'agencies', 'projects',
                             'metrics', 'schedules', 'milestones', 'allocations', 'layers', 'sites'] LOOP
        EXECUTE format('DROP TRIGGER %I ON %I', t || '_bump_version', t);
    END LOOP;
END $$;
DROP FUNCTION bump_data_version();
DROP TABLE data_version;

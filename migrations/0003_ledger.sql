-- 0003: the ledger (工作台账). Reported progress beside the plan: reports,
-- their retractions, the tokens that file them and the audit of every
-- write, all append-only; and what the store needs to compute a site's
-- tracking status next to the data.
--
-- The planned side of a status is never re-derived from schedules in SQL:
-- the domain computes each site's planned curve (Project.SiteCurve) and the
-- schedule whose reports speak for it (Project.InheritsFrom) at import, and
-- the store keeps them on the site. NULL curves (sites imported before this
-- migration) are filled in by Migrate, in Go, right after it runs.

ALTER TABLE plans ADD COLUMN time_zone text NOT NULL DEFAULT 'Asia/Shanghai' CHECK (time_zone <> '');

ALTER TABLE sites
    ADD COLUMN planned_dates     date[],
    ADD COLUMN planned_fractions double precision[],
    ADD COLUMN inherits          text,
    ADD CONSTRAINT sites_curve_check CHECK (
        (planned_dates IS NULL) = (planned_fractions IS NULL)
        AND cardinality(planned_dates) = cardinality(planned_fractions)
        AND array_position(planned_dates, NULL) IS NULL
        AND 0 <= ALL (planned_fractions) AND 1 >= ALL (planned_fractions)),
    ADD CONSTRAINT sites_inherits_check CHECK (inherits IS NULL OR project IS NOT NULL);
-- Site ids are unique across a plan's layers: a report names a site by id.
CREATE UNIQUE INDEX sites_plan_site_idx ON sites (plan_id, id);

-- planned_at is a curve's planned fraction on asof: the fraction of its last
-- point dated on or before asof, 0 before the first (domain.Curve.At).
-- width_bucket is a binary search over the sorted dates; the body is one
-- expression, so the planner inlines it.
CREATE FUNCTION planned_at(dates date[], fractions double precision[], asof date) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN COALESCE(fractions[width_bucket(asof, dates)], 0);

-- progress_reports of 0001 was never written to: the ledger replaces it.
DROP TABLE progress_reports;

-- A report targets a project, one of its schedules, or one site. The
-- foreign keys are deferred like those of 0001, so that an import that
-- deletes and re-inserts the plan data in one transaction keeps every
-- report valid (sites keep their ids; a site that is gone for good fails
-- the import at commit).
CREATE TABLE reports (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id        text NOT NULL,
    project        integer NOT NULL,
    schedule       text,
    layer_id       text,
    site_id        text,
    reported_on    date NOT NULL,
    quantity       double precision CHECK (quantity >= 0 AND quantity < 'Infinity'),
    metric         text,
    milestone      integer CHECK (milestone >= 0),
    fraction       double precision CHECK (fraction BETWEEN 0 AND 1),
    progress       double precision NOT NULL CHECK (progress BETWEEN 0 AND 1),
    status         text NOT NULL CHECK (status IN ('not_started', 'in_progress', 'completed', 'suspended')),
    exceeds_target boolean NOT NULL DEFAULT false,
    source         text NOT NULL CHECK (source <> ''),
    evidence_url   text NOT NULL DEFAULT '' CHECK (evidence_url = '' OR evidence_url ~ '^https?://'),
    note           text NOT NULL DEFAULT '',
    reported_by    text NOT NULL CHECK (reported_by <> ''),
    token_id       text NOT NULL DEFAULT '',
    filed_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT reports_project_fkey FOREIGN KEY (plan_id, project)
        REFERENCES projects (plan_id, number) DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT reports_schedule_fkey FOREIGN KEY (plan_id, project, schedule)
        REFERENCES schedules (plan_id, project, id) DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT reports_site_fkey FOREIGN KEY (plan_id, layer_id, site_id)
        REFERENCES sites (plan_id, layer_id, id) DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT reports_target_check CHECK ((layer_id IS NULL) = (site_id IS NULL) AND (site_id IS NULL OR schedule IS NULL)),
    CONSTRAINT reports_measure_check CHECK (num_nonnulls(quantity, milestone, fraction) <= 1 AND (quantity IS NULL) = (metric IS NULL)),
    CONSTRAINT reports_exceeds_check CHECK (NOT exceeds_target OR quantity IS NOT NULL)
);
-- The latest report of a site on or before a date, and of a project or
-- schedule without a site. These are probed once per site when a status
-- is computed, so their text keys compare bytewise (COLLATE "C"): the
-- database's collation would call strcoll at every step of every descent,
-- and the queries (sql.go, effectiveReport) compare with "C" to match.
-- Site ids are unique in a plan, so a site's reports need no layer key.
CREATE INDEX reports_site_idx ON reports (site_id COLLATE "C", plan_id COLLATE "C", reported_on DESC, id DESC)
    WHERE site_id IS NOT NULL;
CREATE INDEX reports_schedule_idx ON reports (project, schedule COLLATE "C", plan_id COLLATE "C", reported_on DESC, id DESC)
    WHERE site_id IS NULL;
-- Feeds and lists: newest filed first, newest dated first, by project.
CREATE INDEX reports_filed_idx ON reports (plan_id, id DESC);
CREATE INDEX reports_dated_idx ON reports (plan_id, reported_on DESC, id DESC);
CREATE INDEX reports_project_idx ON reports (plan_id, project, reported_on DESC, id DESC);

-- A retraction withdraws a report; both stay.
CREATE TABLE retractions (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    report_id    bigint NOT NULL UNIQUE REFERENCES reports (id),
    reason       text NOT NULL CHECK (reason <> ''),
    retracted_by text NOT NULL CHECK (retracted_by <> ''),
    token_id     text NOT NULL DEFAULT '',
    retracted_at timestamptz NOT NULL DEFAULT now()
);

-- Bearer tokens: only the SHA-256 of the secret is kept.
CREATE TABLE tokens (
    id         text PRIMARY KEY CHECK (id <> ''),
    name       text NOT NULL CHECK (name <> ''),
    role       text NOT NULL CHECK (role IN ('reporter', 'editor', 'admin')),
    projects   integer[] NOT NULL DEFAULT '{}' CHECK (array_position(projects, NULL) IS NULL),
    hash       bytea NOT NULL UNIQUE CHECK (length(hash) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz,
    CONSTRAINT tokens_role_projects_check CHECK ((role = 'reporter') = (cardinality(projects) > 0))
);

-- Every write: who, when, from where, what.
CREATE TABLE audit_log (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    actor      text NOT NULL CHECK (actor <> ''),
    token_id   text NOT NULL DEFAULT '',
    action     text NOT NULL CHECK (action <> ''),
    target     text NOT NULL DEFAULT '',
    remote     text NOT NULL DEFAULT '',
    request_id text NOT NULL DEFAULT ''
);

-- An Idempotency-Key, per token, and what the write it came with stored.
-- The row is inserted first in the write's transaction, so a second writer
-- with the same key waits for the first and then finds its result.
CREATE TABLE idempotency_keys (
    token_id      text NOT NULL,
    key           text NOT NULL CHECK (key <> ''),
    digest        text NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('reports', 'retraction')),
    report_ids    bigint[] NOT NULL DEFAULT '{}',
    retraction_id bigint REFERENCES retractions (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (token_id, key)
);

CREATE TRIGGER reports_append_only BEFORE UPDATE OR DELETE ON reports
    FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER retractions_append_only BEFORE UPDATE OR DELETE ON retractions
    FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER reports_no_truncate BEFORE TRUNCATE ON reports
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();
CREATE TRIGGER retractions_no_truncate BEFORE TRUNCATE ON retractions
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();

-- A token is never deleted, and changes once: when it is revoked.
CREATE FUNCTION tokens_revoke_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL
       AND (NEW.id, NEW.name, NEW.role, NEW.projects, NEW.hash, NEW.created_at)
           IS NOT DISTINCT FROM (OLD.id, OLD.name, OLD.role, OLD.projects, OLD.hash, OLD.created_at) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'tokens are only ever revoked, once: token % cannot be changed or deleted', OLD.id
        USING ERRCODE = 'insufficient_privilege';
END
$fn$;
CREATE TRIGGER tokens_revoke_only BEFORE UPDATE OR DELETE ON tokens
    FOR EACH ROW EXECUTE FUNCTION tokens_revoke_only();
CREATE TRIGGER tokens_no_truncate BEFORE TRUNCATE ON tokens
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();

-- A ledger version, advanced by every write of reports, retractions,
-- tokens and sites, and announced on channel projectmap_ledger when the write
-- commits: replicas keep what reports change in memory until they hear of
-- a write. It is a sequence, not a counter row: a row would be locked by
-- each write until it commits, so that writers would wait for each
-- other's commit (measured: 16 clients filed fewer reports a second than
-- one). Versions are unique and grow, but commits may announce them out
-- of order; a listener drops what it keeps on every announcement.
CREATE SEQUENCE ledger_version;

CREATE FUNCTION bump_ledger_version() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM pg_notify('projectmap_ledger', nextval('ledger_version')::text);
    RETURN NULL;
END
$fn$;
CREATE TRIGGER reports_bump_ledger AFTER INSERT ON reports
    FOR EACH STATEMENT EXECUTE FUNCTION bump_ledger_version();
CREATE TRIGGER retractions_bump_ledger AFTER INSERT ON retractions
    FOR EACH STATEMENT EXECUTE FUNCTION bump_ledger_version();
CREATE TRIGGER tokens_bump_ledger AFTER INSERT OR UPDATE ON tokens
    FOR EACH STATEMENT EXECUTE FUNCTION bump_ledger_version();
-- An import rewrites the sites, and with them their curves: the statuses
-- reports come to change too.
CREATE TRIGGER sites_bump_ledger AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON sites
    FOR EACH STATEMENT EXECUTE FUNCTION bump_ledger_version();

---- create above / drop below ----

DROP TRIGGER sites_bump_ledger ON sites;
DROP TABLE idempotency_keys, audit_log, tokens, retractions, reports;
DROP SEQUENCE ledger_version;
DROP FUNCTION bump_ledger_version(), tokens_revoke_only(), planned_at(date[], double precision[], date);
DROP INDEX sites_plan_site_idx;
ALTER TABLE sites DROP CONSTRAINT sites_inherits_check, DROP CONSTRAINT sites_curve_check,
    DROP COLUMN inherits, DROP COLUMN planned_fractions, DROP COLUMN planned_dates;
ALTER TABLE plans DROP COLUMN time_zone;

CREATE TABLE progress_reports (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id     text NOT NULL,
    project     integer NOT NULL,
    layer_id    text,
    site_id     text,
    schedule    text,
    reported_on date NOT NULL,
    actual      double precision NOT NULL CHECK (actual >= 0 AND actual <= 1),
    status      text CHECK (status IN ('not_started', 'in_progress', 'completed', 'delayed')),
    source      text NOT NULL CHECK (source <> ''),
    reported_by text NOT NULL CHECK (reported_by <> ''),
    note        text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (plan_id, project) REFERENCES projects (plan_id, number) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (plan_id, layer_id, site_id) REFERENCES sites (plan_id, layer_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (plan_id, project, schedule) REFERENCES schedules (plan_id, project, id) DEFERRABLE INITIALLY DEFERRED,
    CHECK ((layer_id IS NULL) = (site_id IS NULL))
);
CREATE INDEX progress_reports_project_idx ON progress_reports (plan_id, project, reported_on DESC, id DESC);
CREATE INDEX progress_reports_site_idx ON progress_reports (plan_id, layer_id, site_id, reported_on DESC, id DESC)
    WHERE site_id IS NOT NULL;
CREATE TRIGGER progress_reports_append_only BEFORE UPDATE OR DELETE ON progress_reports
    FOR EACH ROW EXECUTE FUNCTION append_only();

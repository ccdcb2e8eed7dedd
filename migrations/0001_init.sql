-- 0001: the plan data and its places. Mirrors internal/domain: plans with
-- their categories, agencies, projects, metrics, schedules, milestones and
-- allocations; the city's districts and zones; layers and their sites.
--
-- Every order the data has is kept in an "ord" column, so the store answers
-- in exactly the order of geodata/. Foreign keys between data that an
-- import replaces are DEFERRABLE INITIALLY DEFERRED: the import deletes and
-- re-inserts inside one transaction and they are checked at its commit.

CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE districts (
    adcode     text PRIMARY KEY CHECK (adcode ~ '^[0-9]{6}$'),
    ord        integer NOT NULL CHECK (ord >= 0),
    name       text NOT NULL CHECK (name <> ''),
    name_en    text NOT NULL,
    population integer NOT NULL CHECK (population > 0),
    source     text NOT NULL,
    geom       geometry(Geometry, 4326) NOT NULL
               CHECK (ST_GeometryType(geom) IN ('ST_Polygon', 'ST_MultiPolygon') AND NOT ST_IsEmpty(geom))
);
CREATE INDEX districts_geom_idx ON districts USING gist (geom);

CREATE TABLE zones (
    id       text PRIMARY KEY CHECK (id <> ''),
    ord      integer NOT NULL CHECK (ord >= 0),
    name     text NOT NULL CHECK (name <> ''),
    name_en  text NOT NULL,
    district text NOT NULL REFERENCES districts (adcode) DEFERRABLE INITIALLY DEFERRED,
    source   text NOT NULL,
    geom     geometry(Point, 4326) NOT NULL CHECK (NOT ST_IsEmpty(geom))
);

CREATE TABLE plans (
    id           text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]*$'),
    city         text NOT NULL CHECK (city <> ''),
    city_en      text NOT NULL,
    year         integer NOT NULL CHECK (year BETWEEN 1949 AND 2200),
    title        text NOT NULL CHECK (title <> ''),
    title_en     text NOT NULL,
    issued_by    text NOT NULL,
    issued_by_en text NOT NULL,
    issued_on    date NOT NULL,
    source       text NOT NULL
);

CREATE TABLE categories (
    plan_id text NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    number  integer NOT NULL CHECK (number >= 1),
    ord     integer NOT NULL CHECK (ord >= 0),
    name    text NOT NULL CHECK (name <> ''),
    name_en text NOT NULL,
    PRIMARY KEY (plan_id, number)
);

-- Recipients of allocations that are neither districts nor zones.
CREATE TABLE agencies (
    plan_id text NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    id      text NOT NULL CHECK (id <> ''),
    ord     integer NOT NULL CHECK (ord >= 0),
    kind    text NOT NULL CHECK (kind IN ('agency', 'company')),
    name    text NOT NULL CHECK (name <> ''),
    name_en text NOT NULL,
    PRIMARY KEY (plan_id, id)
);

CREATE TABLE projects (
    plan_id   text NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    number    integer NOT NULL CHECK (number >= 1),
    category  integer NOT NULL,
    title     text NOT NULL CHECK (title <> ''),
    title_en  text NOT NULL CHECK (title_en <> ''),
    agencies  text[] NOT NULL CHECK (cardinality(agencies) > 0),
    target    text NOT NULL CHECK (target <> ''),
    target_en text NOT NULL,
    funding   text NOT NULL,
    measures  text[] NOT NULL,
    notes     text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (plan_id, number),
    FOREIGN KEY (plan_id, category) REFERENCES categories (plan_id, number) DEFERRABLE INITIALLY DEFERRED
);

-- A plan's projects are numbered 1..n without gaps; checked at commit.
CREATE FUNCTION projects_numbered() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    p text := COALESCE(NEW.plan_id, OLD.plan_id);
    n integer;
    top integer;
BEGIN
    SELECT count(*), COALESCE(max(number), 0) INTO n, top FROM projects WHERE plan_id = p;
    IF n <> top THEN
        RAISE EXCEPTION 'projects of plan % must be numbered 1..n: % projects, highest number %', p, n, top
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$fn$;
CREATE CONSTRAINT TRIGGER projects_numbered AFTER INSERT OR UPDATE OR DELETE ON projects
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION projects_numbered();

CREATE TABLE metrics (
    plan_id text NOT NULL,
    project integer NOT NULL,
    key     text NOT NULL CHECK (key ~ '^[a-z0-9_]+$'),
    ord     integer NOT NULL CHECK (ord >= 0),
    name    text NOT NULL CHECK (name <> ''),
    name_en text NOT NULL,
    unit    text NOT NULL,
    target  double precision NOT NULL CHECK (target >= 0),
    note    text NOT NULL DEFAULT '',
    PRIMARY KEY (plan_id, project, key),
    FOREIGN KEY (plan_id, project) REFERENCES projects (plan_id, number) ON DELETE CASCADE
);

CREATE TABLE schedules (
    plan_id text NOT NULL,
    project integer NOT NULL,
    id      text NOT NULL CHECK (id <> ''),
    ord     integer NOT NULL CHECK (ord >= 0),
    name    text NOT NULL CHECK (name <> ''),
    name_en text NOT NULL,
    metric  text, -- NULL: progress counts the milestones reached
    PRIMARY KEY (plan_id, project, id),
    FOREIGN KEY (plan_id, project) REFERENCES projects (plan_id, number) ON DELETE CASCADE,
    FOREIGN KEY (plan_id, project, metric) REFERENCES metrics (plan_id, project, key) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE milestones (
    plan_id    text NOT NULL,
    project    integer NOT NULL,
    schedule   text NOT NULL,
    ord        integer NOT NULL CHECK (ord >= 0),
    start      date,
    due        date NOT NULL,
    quantities jsonb CHECK (jsonb_typeof(quantities) = 'object'
                            AND NOT jsonb_path_exists(quantities, '$.* ? (@.type() != "number" || @ < 0)')),
    text       text NOT NULL DEFAULT '',
    text_en    text NOT NULL DEFAULT '',
    PRIMARY KEY (plan_id, project, schedule, ord),
    FOREIGN KEY (plan_id, project, schedule) REFERENCES schedules (plan_id, project, id) ON DELETE CASCADE,
    CHECK (start IS NULL OR start <= due),
    CHECK (text <> '' OR quantities IS NOT NULL)
);

-- Milestones fall in their plan's year and never go back in time.
CREATE FUNCTION milestones_dated() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    y integer;
    prev date;
BEGIN
    SELECT year INTO y FROM plans WHERE id = NEW.plan_id;
    IF extract(year FROM NEW.due) <> y OR (NEW.start IS NOT NULL AND extract(year FROM NEW.start) <> y) THEN
        RAISE EXCEPTION 'milestone % of schedule % is dated outside the plan''s year %', NEW.ord, NEW.schedule, y
            USING ERRCODE = 'check_violation';
    END IF;
    SELECT max(due) INTO prev FROM milestones
     WHERE plan_id = NEW.plan_id AND project = NEW.project AND schedule = NEW.schedule AND ord < NEW.ord;
    IF prev > NEW.due THEN
        RAISE EXCEPTION 'milestone % of schedule % is due % , before an earlier milestone (%)', NEW.ord, NEW.schedule, NEW.due, prev
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$fn$;
CREATE CONSTRAINT TRIGGER milestones_dated AFTER INSERT OR UPDATE ON milestones
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION milestones_dated();

-- Allocations nest (阎良区 500 "含航空基地200"): path {3} is a project's third
-- allocation, {3,1} the first quota it includes.
CREATE TABLE allocations (
    plan_id    text NOT NULL,
    project    integer NOT NULL,
    path       integer[] NOT NULL CHECK (cardinality(path) >= 1 AND array_position(path, NULL) IS NULL),
    parent     integer[] GENERATED ALWAYS AS (CASE WHEN cardinality(path) > 1 THEN trim_array(path, 1) END) STORED,
    metric     text NOT NULL,
    recipient  text NOT NULL CHECK (recipient <> ''),
    as_written text NOT NULL CHECK (as_written <> ''),
    quantity   double precision NOT NULL CHECK (quantity > 0),
    note       text NOT NULL DEFAULT '',
    PRIMARY KEY (plan_id, project, path),
    FOREIGN KEY (plan_id, project) REFERENCES projects (plan_id, number) ON DELETE CASCADE,
    FOREIGN KEY (plan_id, project, metric) REFERENCES metrics (plan_id, project, key) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (plan_id, project, parent) REFERENCES allocations (plan_id, project, path) ON DELETE CASCADE
);

-- A recipient is a district, a zone or one of the plan's agencies.
CREATE FUNCTION allocations_recipient() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM districts WHERE adcode = NEW.recipient)
       AND NOT EXISTS (SELECT 1 FROM zones WHERE id = NEW.recipient)
       AND NOT EXISTS (SELECT 1 FROM agencies WHERE plan_id = NEW.plan_id AND id = NEW.recipient) THEN
        RAISE EXCEPTION 'allocation % of project % goes to %, which is not a district, zone or agency',
            NEW.path, NEW.project, NEW.recipient USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END
$fn$;
CREATE CONSTRAINT TRIGGER allocations_recipient AFTER INSERT OR UPDATE ON allocations
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION allocations_recipient();

-- A layer comes from geodata/ ('geodata', replaced by every import) or is a
-- collection imported from an external GeoJSON file ('collection', kept).
CREATE TABLE layers (
    plan_id        text NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    id             text NOT NULL CHECK (id ~ '^[a-z0-9][a-z0-9_-]*$'),
    ord            integer NOT NULL CHECK (ord >= 0),
    origin         text NOT NULL DEFAULT 'geodata' CHECK (origin IN ('geodata', 'collection')),
    project        integer, -- NULL for base layers such as districts
    category       integer,
    title          text NOT NULL CHECK (title <> ''),
    title_en       text NOT NULL,
    description    text NOT NULL,
    derived_metric text,
    imported_from  text, -- a collection's file name
    imported_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (plan_id, id),
    FOREIGN KEY (plan_id, project) REFERENCES projects (plan_id, number) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (plan_id, category) REFERENCES categories (plan_id, number) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (plan_id, project, derived_metric) REFERENCES metrics (plan_id, project, key) DEFERRABLE INITIALLY DEFERRED,
    CHECK (derived_metric IS NULL OR project IS NOT NULL)
);

CREATE TABLE sites (
    plan_id    text NOT NULL,
    layer_id   text NOT NULL,
    id         text NOT NULL CHECK (id <> ''),
    ord        integer NOT NULL CHECK (ord >= 0),
    project    integer,
    name       text NOT NULL CHECK (name <> ''),
    name_en    text NOT NULL,
    district   text REFERENCES districts (adcode) DEFERRABLE INITIALLY DEFERRED,
    zone       text REFERENCES zones (id) DEFERRABLE INITIALLY DEFERRED,
    precision  text NOT NULL CHECK (precision IN ('exact', 'street', 'approximate', 'town', 'district', 'zone')),
    source     text NOT NULL CHECK (source <> ''),
    schedule   text,
    milestones jsonb CHECK (jsonb_typeof(milestones) = 'array'),
    attrs      jsonb CHECK (jsonb_typeof(attrs) = 'object'),
    -- NULL only for a site the plan names without saying where it is,
    -- which says so in attrs.location_unknown (never an invented point).
    geom       geometry(Geometry, 4326)
               CHECK (NOT ST_IsEmpty(geom) AND ST_XMin(geom) >= -180 AND ST_XMax(geom) <= 180
                      AND ST_YMin(geom) >= -90 AND ST_YMax(geom) <= 90),
    PRIMARY KEY (plan_id, layer_id, id),
    UNIQUE (plan_id, layer_id, ord),
    FOREIGN KEY (plan_id, layer_id) REFERENCES layers (plan_id, id) ON DELETE CASCADE,
    FOREIGN KEY (plan_id, project) REFERENCES projects (plan_id, number) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (plan_id, project, schedule) REFERENCES schedules (plan_id, project, id) DEFERRABLE INITIALLY DEFERRED,
    CHECK (geom IS NOT NULL OR attrs @> '{"location_unknown": true}')
);
CREATE INDEX sites_geom_idx ON sites USING gist (geom);
CREATE INDEX sites_project_idx ON sites (plan_id, layer_id, project, ord);
CREATE INDEX sites_district_idx ON sites (plan_id, layer_id, district, ord);
CREATE INDEX sites_zone_idx ON sites (plan_id, layer_id, zone, ord) WHERE zone IS NOT NULL;

-- Every import of geodata/, newest last. The checksum makes imports
-- idempotent: the same data is never written twice.
CREATE TABLE dataset_imports (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    checksum    text NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),
    stats       jsonb NOT NULL,
    imported_at timestamptz NOT NULL DEFAULT now()
);

-- Reported progress, for the next step. History is kept: a report is
-- never updated or deleted, a newer one supersedes it.
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

CREATE FUNCTION append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    RAISE EXCEPTION '% is append-only: history is never changed', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$fn$;
CREATE TRIGGER progress_reports_append_only BEFORE UPDATE OR DELETE ON progress_reports
    FOR EACH ROW EXECUTE FUNCTION append_only();

-- Edits by authorised staff: who changed what, with the row before and after.
CREATE TABLE edits (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    table_name  text NOT NULL CHECK (table_name <> ''),
    row_key     jsonb NOT NULL CHECK (jsonb_typeof(row_key) = 'object'),
    action      text NOT NULL CHECK (action IN ('insert', 'update', 'delete')),
    before      jsonb,
    after       jsonb,
    edited_by   text NOT NULL CHECK (edited_by <> ''),
    reason      text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK ((action = 'insert') = (before IS NULL) AND (action = 'delete') = (after IS NULL))
);
CREATE INDEX edits_row_idx ON edits (table_name, row_key);
CREATE TRIGGER edits_append_only BEFORE UPDATE OR DELETE ON edits
    FOR EACH ROW EXECUTE FUNCTION append_only();

---- create above / drop below ----

DROP TABLE edits, progress_reports, dataset_imports, sites, layers, allocations, milestones,
    schedules, metrics, projects, agencies, categories, plans, zones, districts;
DROP FUNCTION append_only(), allocations_recipient(), milestones_dated(), projects_numbered();

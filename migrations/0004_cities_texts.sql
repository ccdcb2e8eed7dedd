-- 0004: a plan belongs to a city, and every text has its English beside it.
--
-- Cities (geodata/cities/<id>/city.json) own their districts and zones; a
-- plan names its city, and its allocations go to that city's districts
-- and zones only. Adcodes and zone ids stay unique across cities, as the
-- data check requires, so sites and allocations keep naming them alone.
--
-- Sources, notes and layer descriptions are Chinese; their English sits in
-- the *_en columns ('' when the data has none). A layer split by geometry
-- type names, in layer_group, the layer it was split from.

CREATE TABLE cities (
    id      text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]*$'),
    ord     integer NOT NULL CHECK (ord >= 0),
    name    text NOT NULL CHECK (name <> ''),
    name_en text NOT NULL,
    adcode  text NOT NULL
);

-- Before 0004 the data knew one city, Xi'an: a database that holds
-- districts or plans holds Xi'an's. The next import rewrites all of it.
INSERT INTO cities (id, ord, name, name_en, adcode)
    SELECT 'xian', 0, '西安市', 'Xi''an', '610100'
    WHERE EXISTS (SELECT 1 FROM districts) OR EXISTS (SELECT 1 FROM plans);

ALTER TABLE districts
    ADD COLUMN city      text,
    ADD COLUMN source_en text NOT NULL DEFAULT '';
UPDATE districts SET city = 'xian';
ALTER TABLE districts
    ALTER COLUMN city SET NOT NULL,
    ADD CONSTRAINT districts_city_fkey FOREIGN KEY (city) REFERENCES cities (id) DEFERRABLE INITIALLY DEFERRED,
    ADD CONSTRAINT districts_adcode_city_key UNIQUE (adcode, city);
CREATE INDEX districts_city_idx ON districts (city, ord);

-- A zone lies in a district of its own city, or in none of them (西咸新区's
-- seat lies outside Xi'an's 13 district polygons).
ALTER TABLE zones
    ALTER COLUMN district DROP NOT NULL,
    ADD COLUMN city      text,
    ADD COLUMN source_en text NOT NULL DEFAULT '';
UPDATE zones SET city = 'xian';
ALTER TABLE zones
    ALTER COLUMN city SET NOT NULL,
    DROP CONSTRAINT zones_district_fkey,
    ADD CONSTRAINT zones_district_city_fkey FOREIGN KEY (district, city) REFERENCES districts (adcode, city)
        DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE plans ADD COLUMN city_id text;
UPDATE plans SET city_id = 'xian';
ALTER TABLE plans
    ALTER COLUMN city_id SET NOT NULL,
    ADD CONSTRAINT plans_city_id_fkey FOREIGN KEY (city_id) REFERENCES cities (id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE sites ADD COLUMN source_en text NOT NULL DEFAULT '';
-- Item by item the English of notes: as many as there are notes, or none.
ALTER TABLE projects
    ADD COLUMN notes_en text[] NOT NULL DEFAULT '{}',
    ADD CONSTRAINT projects_notes_en_check CHECK (cardinality(notes_en) IN (0, cardinality(notes)));
ALTER TABLE metrics ADD COLUMN note_en text NOT NULL DEFAULT '';
ALTER TABLE allocations ADD COLUMN note_en text NOT NULL DEFAULT '';
ALTER TABLE layers
    ADD COLUMN description_en text NOT NULL DEFAULT '',
    ADD COLUMN layer_group    text CHECK (layer_group ~ '^[a-z0-9][a-z0-9_-]*$');

-- A recipient is a district or zone of the plan's city, or one of the
-- plan's agencies.
CREATE OR REPLACE FUNCTION allocations_recipient() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM districts d JOIN plans p ON p.city_id = d.city
                   WHERE p.id = NEW.plan_id AND d.adcode = NEW.recipient)
       AND NOT EXISTS (SELECT 1 FROM zones z JOIN plans p ON p.city_id = z.city
                       WHERE p.id = NEW.plan_id AND z.id = NEW.recipient)
       AND NOT EXISTS (SELECT 1 FROM agencies WHERE plan_id = NEW.plan_id AND id = NEW.recipient) THEN
        RAISE EXCEPTION 'allocation % of project % goes to %, which is not a district or zone of the plan''s city, nor an agency',
            NEW.path, NEW.project, NEW.recipient USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END
$fn$;

CREATE TRIGGER cities_bump_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cities
    FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();

---- create above / drop below ----

DROP TRIGGER cities_bump_version ON cities;
CREATE OR REPLACE FUNCTION allocations_recipient() RETURNS trigger LANGUAGE plpgsql AS $fn$
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
ALTER TABLE layers DROP COLUMN layer_group, DROP COLUMN description_en;
ALTER TABLE allocations DROP COLUMN note_en;
ALTER TABLE metrics DROP COLUMN note_en;
ALTER TABLE projects DROP CONSTRAINT projects_notes_en_check, DROP COLUMN notes_en;
ALTER TABLE sites DROP COLUMN source_en;
ALTER TABLE plans DROP CONSTRAINT plans_city_id_fkey, DROP COLUMN city_id;
ALTER TABLE zones DROP CONSTRAINT zones_district_city_fkey,
    ADD CONSTRAINT zones_district_fkey FOREIGN KEY (district) REFERENCES districts (adcode) DEFERRABLE INITIALLY DEFERRED,
    DROP COLUMN source_en, DROP COLUMN city;
DROP INDEX districts_city_idx;
ALTER TABLE districts DROP CONSTRAINT districts_adcode_city_key, DROP CONSTRAINT districts_city_fkey,
    DROP COLUMN source_en, DROP COLUMN city;
DROP TABLE cities;

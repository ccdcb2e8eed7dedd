-- 0005: every change of the plan data is announced on projectmap_ledger
-- when it commits, as the ledger's writes are (0003): a server that keeps
-- the data version in memory while it listens (internal/postgis,
-- StateVersion) hears of an import that touched only plans or layers, not
-- only of one that rewrote sites. The payload is 'd' and the new version:
-- a listener tells it from the ledger's bare numbers.

CREATE FUNCTION notify_data_version() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM pg_notify('projectmap_ledger', 'd' || NEW.version::text);
    RETURN NULL;
END
$fn$;
CREATE TRIGGER data_version_notify AFTER UPDATE ON data_version
    FOR EACH ROW EXECUTE FUNCTION notify_data_version();

---- create above / drop below ----

DROP TRIGGER data_version_notify ON data_version;
DROP FUNCTION notify_data_version();

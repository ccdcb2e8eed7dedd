package postgis

// Every statement the store runs lives in this file. Values are always $n
// parameters; the few identifiers that vary (scratch database names) are
// quoted with pgx.Identifier.Sanitize.

import (
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"projectmap/internal/domain"
)

// siteColumns are the columns every site query returns, in the order
// scanSite reads them.
const siteColumns = `s.id, COALESCE(s.project, 0), s.name, s.name_en, COALESCE(s.district, ''), COALESCE(s.zone, ''),
	s.precision, s.source, COALESCE(s.schedule, ''), s.milestones, s.attrs, ST_AsBinary(s.geom)`

// args collects $n parameters while a query is built.
type args []any

func (a *args) add(v any) string {
	*a = append(*a, v)
	return fmt.Sprintf("$%d", len(*a))
}

// sitesWhere builds the WHERE clause of a site query. The bbox test is
// ST_Intersects against ST_MakeEnvelope, which the GiST index on geom
// serves; a degenerate box (a point or a line, which ST_MakeEnvelope turns
// into an empty-area polygon that intersects nothing) is sent as what it is.
func sitesWhere(q domain.SiteQuery, a *args) string {
	conds := []string{"s.plan_id = " + a.add(q.Plan), "s.layer_id = " + a.add(q.Layer)}
	if b := q.BBox; b != nil {
		var box string
		switch {
		case b.Min == b.Max:
			box = fmt.Sprintf("ST_SetSRID(ST_MakePoint(%s, %s), 4326)", a.add(b.Min[0]), a.add(b.Min[1]))
		case b.Min[0] == b.Max[0] || b.Min[1] == b.Max[1]:
			box = fmt.Sprintf("ST_SetSRID(ST_MakeLine(ST_MakePoint(%s, %s), ST_MakePoint(%s, %s)), 4326)",
				a.add(b.Min[0]), a.add(b.Min[1]), a.add(b.Max[0]), a.add(b.Max[1]))
		default:
			box = fmt.Sprintf("ST_MakeEnvelope(%s, %s, %s, %s, 4326)", a.add(b.Min[0]), a.add(b.Min[1]), a.add(b.Max[0]), a.add(b.Max[1]))
		}
		conds = append(conds, "ST_Intersects(s.geom, "+box+")")
	}
	if q.Project != 0 {
		conds = append(conds, "s.project = "+a.add(q.Project))
	}
	if q.District != "" {
		// A zone id matches the site's zone, anything else its district.
		p := a.add(q.District)
		conds = append(conds, fmt.Sprintf(
			"((s.zone = %[1]s AND EXISTS (SELECT 1 FROM zones z WHERE z.id = %[1]s)) OR (s.district = %[1]s AND NOT EXISTS (SELECT 1 FROM zones z WHERE z.id = %[1]s)))", p))
	}
	return strings.Join(conds, " AND ")
}

// sitesPageSQL selects one page of a query in the layer's order, each row
// with the number the query matched in all. The matching ords are
// materialized first, so the planner finds them the cheap way (the GiST
// index for a box) instead of walking the ord index in hope of 100 early
// matches, which at a million sites can mean reading them all; the page's
// rows are then fetched by (plan_id, layer_id, ord).
func sitesPageSQL(q domain.SiteQuery) (string, []any) {
	var a args
	where := sitesWhere(q, &a)
	page := "SELECT ord, matched FROM m ORDER BY ord"
	if q.Limit > 0 {
		page += " LIMIT " + a.add(q.Limit)
	}
	if q.Offset > 0 {
		page += " OFFSET " + a.add(q.Offset)
	}
	return `WITH m AS MATERIALIZED (SELECT s.ord, count(*) OVER () AS matched FROM sites s WHERE ` + where + `)
		SELECT p.matched, ` + siteColumns + `
		FROM (` + page + `) p JOIN sites s ON s.plan_id = $1 AND s.layer_id = $2 AND s.ord = p.ord
		ORDER BY s.ord`, a
}

// sitesCountSQL counts what a query matches: needed only when a page
// past the end leaves sitesPageSQL without a row to carry the count.
func sitesCountSQL(q domain.SiteQuery) (string, []any) {
	var a args
	return `SELECT count(*) FROM sites s WHERE ` + sitesWhere(q, &a), a
}

const siteSQL = `SELECT ` + siteColumns + ` FROM sites s WHERE s.plan_id = $1 AND s.layer_id = $2 AND s.id = $3`

const layerExistsSQL = `SELECT EXISTS (SELECT 1 FROM plans WHERE id = $1), EXISTS (SELECT 1 FROM layers WHERE plan_id = $1 AND id = $2)`

// Layers in the plan's order (imported collections after the plan's own),
// each with its count and exact extent.
const layersSQL = `SELECT l.id, COALESCE(l.project, 0), COALESCE(l.category, 0), l.title, l.title_en, l.description,
	COALESCE(l.derived_metric, ''), count(s.id), ST_XMin(ST_Extent(s.geom)), ST_YMin(ST_Extent(s.geom)),
	ST_XMax(ST_Extent(s.geom)), ST_YMax(ST_Extent(s.geom))
FROM layers l LEFT JOIN sites s ON s.plan_id = l.plan_id AND s.layer_id = l.id
WHERE l.plan_id = $1
GROUP BY l.plan_id, l.id
ORDER BY l.origin <> 'geodata', l.ord, l.id`

const planExistsSQL = `SELECT EXISTS (SELECT 1 FROM plans WHERE id = $1)`

const districtsSQL = `SELECT adcode, name, name_en, population, source, ST_AsBinary(geom) FROM districts ORDER BY ord, adcode`

const zonesSQL = `SELECT id, name, name_en, district, source, ST_AsBinary(geom) FROM zones ORDER BY ord, id`

// The queries Plans runs, in one batch inside one read-only snapshot.
const (
	plansSQL = `SELECT id, city, city_en, year, title, title_en, issued_by, issued_by_en, issued_on, source
		FROM plans ORDER BY year, issued_on, id`
	categoriesSQL  = `SELECT plan_id, number, name, name_en FROM categories ORDER BY plan_id, ord`
	agenciesSQL    = `SELECT plan_id, id, kind, name, name_en FROM agencies ORDER BY plan_id, ord`
	planLayersSQL  = `SELECT plan_id, id, COALESCE(project, 0), COALESCE(category, 0), title, title_en, description, COALESCE(derived_metric, '') FROM layers ORDER BY plan_id, origin <> 'geodata', ord, id`
	projectsSQL    = `SELECT plan_id, number, category, title, title_en, agencies, target, target_en, funding, measures, notes FROM projects ORDER BY plan_id, number`
	metricsSQL     = `SELECT plan_id, project, key, name, name_en, unit, target, note FROM metrics ORDER BY plan_id, project, ord`
	schedulesSQL   = `SELECT plan_id, project, id, name, name_en, COALESCE(metric, '') FROM schedules ORDER BY plan_id, project, ord`
	milestonesSQL  = `SELECT plan_id, project, schedule, start, due, quantities, text, text_en FROM milestones ORDER BY plan_id, project, schedule, ord`
	allocationsSQL = `SELECT plan_id, project, path, metric, recipient, as_written, quantity, note FROM allocations ORDER BY plan_id, project, path`
)

// Import statements.
const (
	importLockSQL     = `SELECT pg_advisory_xact_lock(hashtext('projectmap import'))`
	lastChecksumSQL   = `SELECT checksum FROM dataset_imports ORDER BY id DESC LIMIT 1`
	recordImportSQL   = `INSERT INTO dataset_imports (checksum, stats) VALUES ($1, $2)`
	deleteZonesSQL    = `DELETE FROM zones`
	deleteDistrictSQL = `DELETE FROM districts`
	insertDistrictSQL = `INSERT INTO districts (adcode, ord, name, name_en, population, source, geom) VALUES ($1, $2, $3, $4, $5, $6, ST_GeomFromEWKB($7))`
	insertZoneSQL     = `INSERT INTO zones (id, ord, name, name_en, district, source, geom) VALUES ($1, $2, $3, $4, $5, $6, ST_GeomFromEWKB($7))`
	upsertPlanSQL     = `INSERT INTO plans (id, city, city_en, year, title, title_en, issued_by, issued_by_en, issued_on, source)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (id) DO UPDATE SET city = $2, city_en = $3, year = $4, title = $5, title_en = $6,
			issued_by = $7, issued_by_en = $8, issued_on = $9, source = $10`
	deletePlanLayersSQL     = `DELETE FROM layers WHERE plan_id = $1 AND origin = 'geodata'`
	deletePlanProjectsSQL   = `DELETE FROM projects WHERE plan_id = $1`
	deletePlanCategoriesSQL = `DELETE FROM categories WHERE plan_id = $1`
	deletePlanAgenciesSQL   = `DELETE FROM agencies WHERE plan_id = $1`
	insertCategorySQL       = `INSERT INTO categories (plan_id, number, ord, name, name_en) VALUES ($1, $2, $3, $4, $5)`
	insertAgencySQL         = `INSERT INTO agencies (plan_id, id, ord, kind, name, name_en) VALUES ($1, $2, $3, $4, $5, $6)`
	insertProjectSQL        = `INSERT INTO projects (plan_id, number, category, title, title_en, agencies, target, target_en, funding, measures, notes)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`
	insertMetricSQL    = `INSERT INTO metrics (plan_id, project, key, ord, name, name_en, unit, target, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`
	insertScheduleSQL  = `INSERT INTO schedules (plan_id, project, id, ord, name, name_en, metric) VALUES ($1, $2, $3, $4, $5, $6, NULLIF($7, ''))`
	insertMilestoneSQL = `INSERT INTO milestones (plan_id, project, schedule, ord, start, due, quantities, text, text_en) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`
	insertAllocSQL     = `INSERT INTO allocations (plan_id, project, path, metric, recipient, as_written, quantity, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`
	insertLayerSQL     = `INSERT INTO layers (plan_id, id, ord, origin, project, category, title, title_en, description, derived_metric, imported_from)
		VALUES ($1, $2, $3, $4, NULLIF($5, 0), NULLIF($6, 0), $7, $8, $9, NULLIF($10, ''), NULLIF($11, ''))`
)

// siteCopyColumns are the columns COPY fills, in the order of siteRow.
var siteCopyColumns = []string{"plan_id", "layer_id", "id", "ord", "project", "name", "name_en", "district", "zone",
	"precision", "source", "schedule", "milestones", "attrs", "geom"}

// Collection import statements.
const (
	collectionLayerSQL = `SELECT origin FROM layers WHERE plan_id = $1 AND id = $2 FOR UPDATE`
	deleteLayerSQL     = `DELETE FROM layers WHERE plan_id = $1 AND id = $2`
	nextLayerOrdSQL    = `SELECT COALESCE(max(ord) + 1, 0) FROM layers WHERE plan_id = $1`
	latestPlanSQL      = `SELECT id FROM plans ORDER BY year DESC, issued_on DESC, id DESC LIMIT 1`
	knownIDsSQL        = `SELECT 'district', adcode FROM districts UNION ALL SELECT 'zone', id FROM zones
		UNION ALL SELECT 'project', number::text FROM projects WHERE plan_id = $1
		UNION ALL SELECT 'schedule', project::text || '/' || id FROM schedules WHERE plan_id = $1`
	// A collection's points and areas without a district get the one their
	// point (or an area's centroid) lies in, as the loader does for geodata.
	deriveDistrictsSQL = `WITH found AS (
			SELECT s.id, (SELECT d.adcode FROM districts d
				WHERE ST_Intersects(d.geom, CASE WHEN GeometryType(s.geom) = 'POINT' THEN s.geom ELSE ST_Centroid(s.geom) END)
				ORDER BY d.ord LIMIT 1) AS adcode
			FROM sites s
			WHERE s.plan_id = $1 AND s.layer_id = $2 AND s.district IS NULL
			  AND GeometryType(s.geom) IN ('POINT', 'POLYGON', 'MULTIPOLYGON'))
		UPDATE sites s SET district = f.adcode, attrs = COALESCE(s.attrs, '{}'::jsonb) || '{"district_from": "geometry"}'::jsonb
		FROM found f
		WHERE s.plan_id = $1 AND s.layer_id = $2 AND s.id = f.id AND f.adcode IS NOT NULL`
)

// Scratch databases, for tests and the synthetic benchmark.
func createDatabaseSQL(name string) string {
	return "CREATE DATABASE " + pgx.Identifier{name}.Sanitize()
}

func dropDatabaseSQL(name string) string {
	return "DROP DATABASE IF EXISTS " + pgx.Identifier{name}.Sanitize() + " WITH (FORCE)"
}

const (
	createPostGISSQL = `CREATE EXTENSION IF NOT EXISTS postgis`
	versionTableSQL  = `SELECT to_regclass('public.schema_version') IS NOT NULL`
	schemaVersionSQL = `SELECT version FROM public.schema_version`
	countPlansSQL    = `SELECT count(*) FROM plans`
	listDatabasesSQL = `SELECT datname FROM pg_database WHERE datname LIKE $1 ORDER BY datname`
)

// versionTable is where tern keeps the schema version.
const versionTable = "public.schema_version"

// The scale run rebuilds the GiST index of 0001_init.sql after its bulk load.
const (
	dropSitesGeomIndexSQL   = `DROP INDEX IF EXISTS sites_geom_idx`
	createSitesGeomIndexSQL = `CREATE INDEX sites_geom_idx ON sites USING gist (geom)`
	analyzeSitesSQL         = `ANALYZE sites`
	clusterSitesSQL         = `CLUSTER sites USING sites_geom_idx`
	// Deferred foreign keys checked now: an index cannot be built on a
	// table with checks pending.
	constraintsNowSQL = `SET CONSTRAINTS ALL IMMEDIATE`
)

// lengthsSQL measures the lines of a layer on the spheroid, in km.
const lengthsSQL = `SELECT s.id, ST_Length(s.geom::geography) / 1000 FROM sites s
	WHERE s.plan_id = $1 AND s.layer_id = $2 AND GeometryType(s.geom) IN ('LINESTRING', 'MULTILINESTRING')
	ORDER BY s.ord`

// dataVersion is bumped by triggers on every change to the plan data.
const dataVersionSQL = `SELECT version FROM data_version`

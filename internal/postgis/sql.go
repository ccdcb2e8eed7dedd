package postgis

// Every statement the store runs lives in this file, and those of the
// ledger in sql_ledger.go. Values are always $n parameters; the few
// identifiers that vary (scratch database names) are quoted with
// pgx.Identifier.Sanitize.

import (
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"projectmap/internal/domain"
)

// siteColumns are the columns every site query returns, in the order
// scanSite reads them.
const siteColumns = `s.id, COALESCE(s.project, 0), s.name, s.name_en, COALESCE(s.district, ''), COALESCE(s.zone, ''),
	s.precision, s.source, s.source_en, COALESCE(s.schedule, ''), s.milestones, s.attrs, ST_AsBinary(s.geom)`

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
		// A zone id matches the site's zone, anything else its district or,
		// for a line or area crossing borders, one of attrs.districts.
		p := a.add(q.District)
		conds = append(conds, fmt.Sprintf(
			"((s.zone = %[1]s AND EXISTS (SELECT 1 FROM zones z WHERE z.id = %[1]s)) OR ((s.district = %[1]s OR s.attrs->'districts' ? %[1]s) AND NOT EXISTS (SELECT 1 FROM zones z WHERE z.id = %[1]s)))", p))
	}
	return strings.Join(conds, " AND ")
}

// The tracking status of a site, computed where the data is.
//
// A site's planned fraction on a date is planned_at over the curve the
// domain computed for it at import (Project.SiteCurve). The report that
// speaks for it is effectiveReport's: its own latest report on or before
// the date that is not retracted, else the latest such report of the
// schedule it inherits from (Project.InheritsFrom). trackingStatus sets
// one against the other exactly as domain.Track does; TestStatusIsTrack
// holds the two to the same answers.

// behindBeyond is how far the planned fraction must exceed the reported
// one for a site to be behind: domain.Track's Tolerance, with its epsilon,
// evaluated in Go so that SQL compares against the very same float64.
const behindBeyond = domain.Tolerance + 1e-9

// trackingStatus is THE status rule in SQL, for site alias s and effective
// report alias e (id, progress, status), on the date asof and with the
// threshold beyond ($n placeholders). Sites of no project have none (NULL).
func trackingStatus(asof, beyond string) string {
	return `CASE
		WHEN s.project IS NULL THEN NULL
		WHEN e.id IS NULL THEN 'unreported'
		WHEN e.status = 'suspended' THEN 'suspended'
		WHEN e.status = 'completed' THEN 'completed'
		WHEN planned_at(s.planned_dates, s.planned_fractions, ` + asof + `) - e.progress > ` + beyond + ` THEN 'behind'
		WHEN e.status = 'not_started' THEN 'not_started'
		ELSE 'on_track' END`
}

// effectiveReport is a LATERAL subquery giving, as e, the report that
// speaks for site s on asof: the site's own latest, else (UNION ALL stops
// at the first row) its inherited schedule's latest. "Latest" is the
// greatest reported_on, then the greatest id; a retracted report never
// counts. Both branches walk an index in that order (bytewise keys, as
// migration 0003 explains). A site's own reports are found by plan and
// site id alone: site ids are unique in a plan.
func effectiveReport(asof string) string {
	return `LATERAL (
		(SELECT r.id, r.progress, r.status FROM reports r
		 WHERE r.site_id COLLATE "C" = s.id AND r.plan_id COLLATE "C" = s.plan_id AND r.reported_on <= ` + asof + `
		   AND r.site_id IS NOT NULL
		   AND NOT EXISTS (SELECT 1 FROM retractions x WHERE x.report_id = r.id)
		 ORDER BY r.reported_on DESC, r.id DESC LIMIT 1)
		UNION ALL
		(SELECT r.id, r.progress, r.status FROM reports r
		 WHERE s.inherits IS NOT NULL AND r.project = s.project AND r.schedule COLLATE "C" = s.inherits
		   AND r.plan_id COLLATE "C" = s.plan_id AND r.site_id IS NULL AND r.reported_on <= ` + asof + `
		   AND NOT EXISTS (SELECT 1 FROM retractions x WHERE x.report_id = r.id)
		 ORDER BY r.reported_on DESC, r.id DESC LIMIT 1)
		LIMIT 1) e`
}

// latestReports is the set form of effectiveReport, for the status of
// many sites at once (a whole layer, the tallies): the latest report of
// every site of the plan (of layer, unless "") and of every schedule, on
// or before asof, each found in one pass over the reports, to be joined to
// the sites by hash (joinLatest) instead of probed site by site. At a
// million sites that is 2.3 s instead of 8 (measured).
func latestReports(plan, layer, asof string) string {
	ofLayer := ""
	if layer != "" {
		ofLayer = ` AND r.layer_id = ` + layer
	}
	return `own AS (
		SELECT DISTINCT ON (r.site_id COLLATE "C") r.site_id, r.id, r.progress, r.status FROM reports r
		WHERE r.site_id IS NOT NULL AND r.plan_id = ` + plan + ofLayer + ` AND r.reported_on <= ` + asof + `
		  AND NOT EXISTS (SELECT 1 FROM retractions x WHERE x.report_id = r.id)
		ORDER BY r.site_id COLLATE "C", r.reported_on DESC, r.id DESC),
	inherited AS (
		SELECT DISTINCT ON (r.project, r.schedule) r.project, r.schedule, r.id, r.progress, r.status FROM reports r
		WHERE r.site_id IS NULL AND r.schedule IS NOT NULL AND r.plan_id = ` + plan + ` AND r.reported_on <= ` + asof + `
		  AND NOT EXISTS (SELECT 1 FROM retractions x WHERE x.report_id = r.id)
		ORDER BY r.project, r.schedule, r.reported_on DESC, r.id DESC)`
}

// joinLatest joins latestReports to the sites s as e, the report that
// speaks for each (its own, else its inherited schedule's), with the
// columns effectiveReport gives.
const joinLatest = `LEFT JOIN own o ON o.site_id = s.id
	LEFT JOIN inherited i ON s.inherits IS NOT NULL AND i.project = s.project AND i.schedule = s.inherits
	CROSS JOIN LATERAL (SELECT COALESCE(o.id, i.id) AS id,
		CASE WHEN o.id IS NOT NULL THEN o.progress ELSE i.progress END AS progress,
		CASE WHEN o.id IS NOT NULL THEN o.status ELSE i.status END AS status) e`

// narrowed reports whether a query's box or district leaves few enough
// sites to probe each one's report (effectiveReport); else the reports of
// the whole layer are found at once (latestReports).
func narrowed(q domain.SiteQuery) bool { return q.BBox != nil || q.District != "" }

// statusFilter is the FROM and WHERE of the sites of query q whose status
// is q.Status, with their effective report as e, and what must precede
// the query in its WITH, if anything.
func statusFilter(q domain.SiteQuery, a *args) (with, from string) {
	where := sitesWhere(q, a) // $1 and $2 are the plan and the layer
	asof := a.add(q.AsOf.Time()) + "::date"
	status := trackingStatus(asof, a.add(behindBeyond)+"::float8") + ` = ` + a.add(string(q.Status))
	if narrowed(q) {
		return "", `sites s LEFT JOIN ` + effectiveReport(asof) + ` ON true WHERE ` + where + ` AND ` + status
	}
	return latestReports("$1", "$2", asof) + ", ", `sites s ` + joinLatest + ` WHERE ` + where + ` AND ` + status
}

// sitesPageSQL selects one page of a query in the layer's order, each row
// with the number the query matched in all. The matching ords are
// materialized first, so the planner finds them the cheap way (the GiST
// index for a box) instead of walking the ord index in hope of 100 early
// matches, which at a million sites can mean reading them all; the page's
// rows are then fetched by (plan_id, layer_id, ord).
//
// With a Status, the status is computed in that first step for the sites
// the other filters leave, and filtered there: only the page leaves the
// database. With an AsOf, each row also carries the columns of the report
// that speaks for the site (NULLs for none); without one, the query is the
// same as before there were reports.
func sitesPageSQL(q domain.SiteQuery) (string, []any) {
	return pageSQL(q, nil, 0)
}

// sitesPageByOrdSQL is sitesPageSQL for a page whose sites a point index
// found (pointindex.go): the rows of ords, in order, each with matched.
func sitesPageByOrdSQL(q domain.SiteQuery, ords []int32, matched int) (string, []any) {
	if ords == nil {
		ords = []int32{}
	}
	return pageSQL(q, ords, matched)
}

// pageSQL builds sitesPageSQL, or with ords (not nil) sitesPageByOrdSQL.
func pageSQL(q domain.SiteQuery, ords []int32, matched int) (string, []any) {
	var a args
	with, m := "", ""
	page := "SELECT ord, matched FROM m ORDER BY ord"
	columns, report := siteColumns, ""
	if ords != nil {
		// The page is ords, already cut; $1 and $2 are the plan and the
		// layer, as the page's join expects.
		a.add(q.Plan)
		a.add(q.Layer)
		m = `SELECT u.ord, ` + a.add(int64(matched)) + `::bigint AS matched FROM unnest(` + a.add(ords) + `::integer[]) AS u(ord)`
		q.Limit, q.Offset = 0, 0
		if !q.AsOf.IsZero() {
			columns = siteColumns + ", " + reportColumns
			report = `LEFT JOIN ` + effectiveReport(a.add(q.AsOf.Time())+"::date") + ` ON true LEFT JOIN reports r ON r.id = e.id`
		}
	} else if q.Status != "" {
		var from string
		with, from = statusFilter(q, &a)
		m = `SELECT s.ord, e.id AS report_id, count(*) OVER () AS matched FROM ` + from
		page = "SELECT ord, report_id, matched FROM m ORDER BY ord"
		columns, report = siteColumns+", "+reportColumns, `LEFT JOIN reports r ON r.id = p.report_id`
	} else {
		m = `SELECT s.ord, count(*) OVER () AS matched FROM sites s WHERE ` + sitesWhere(q, &a)
		switch {
		case q.AsOf.IsZero():
		case q.Limit == 0 && !narrowed(q): // the whole layer: its reports at once
			asof := a.add(q.AsOf.Time()) + "::date"
			with = latestReports("$1", "$2", asof) + ", "
			columns = siteColumns + ", " + reportColumns
			report = joinLatest + ` LEFT JOIN reports r ON r.id = e.id`
		default: // a page: the report of each of its sites
			columns = siteColumns + ", " + reportColumns
			report = `LEFT JOIN ` + effectiveReport(a.add(q.AsOf.Time())+"::date") + ` ON true LEFT JOIN reports r ON r.id = e.id`
		}
	}
	if q.Limit > 0 {
		page += " LIMIT " + a.add(q.Limit)
	}
	if q.Offset > 0 {
		page += " OFFSET " + a.add(q.Offset)
	}
	return `WITH ` + with + `m AS MATERIALIZED (` + m + `)
		SELECT p.matched, ` + columns + `
		FROM (` + page + `) p JOIN sites s ON s.plan_id = $1 AND s.layer_id = $2 AND s.ord = p.ord ` + report + `
		ORDER BY s.ord`, a
}

// sitesCountSQL counts what a query matches: needed only when a page
// past the end leaves sitesPageSQL without a row to carry the count.
func sitesCountSQL(q domain.SiteQuery) (string, []any) {
	var a args
	if q.Status == "" {
		return `SELECT count(*) FROM sites s WHERE ` + sitesWhere(q, &a), a
	}
	with, from := statusFilter(q, &a)
	if with != "" {
		with = "WITH " + strings.TrimSuffix(with, ", ") + " "
	}
	return with + `SELECT count(*) FROM ` + from, a
}

// siteReportSQL is the report that speaks for one site on a date ($4):
// no row for no such site, NULL report columns for no report.
func siteReportSQL() string {
	return `SELECT ` + reportColumns + ` FROM sites s LEFT JOIN ` + effectiveReport("$4::date") + ` ON true
		LEFT JOIN reports r ON r.id = e.id
		WHERE s.plan_id = $1 AND s.layer_id = $2 AND s.id = $3`
}

// siteByIDSQL finds a site of a plan by its id alone (unique in a plan).
const siteByIDSQL = `SELECT s.layer_id, ` + siteColumns + ` FROM sites s WHERE s.plan_id = $1 AND s.id = $2`

const siteSQL = `SELECT ` + siteColumns + ` FROM sites s WHERE s.plan_id = $1 AND s.layer_id = $2 AND s.id = $3`

const layerExistsSQL = `SELECT EXISTS (SELECT 1 FROM plans WHERE id = $1), EXISTS (SELECT 1 FROM layers WHERE plan_id = $1 AND id = $2)`

// Layers in the plan's order (imported collections after the plan's own),
// each with its count, exact extent and geometry type (as GeoJSON names
// it: ST_GeometryType less its "ST_"; see domain.LayerInfo).
const layersSQL = `SELECT l.id, COALESCE(l.project, 0), COALESCE(l.category, 0), l.title, l.title_en, l.description,
	l.description_en, COALESCE(l.derived_metric, ''), COALESCE(l.layer_group, ''), count(s.id), ST_XMin(ST_Extent(s.geom)), ST_YMin(ST_Extent(s.geom)),
	ST_XMax(ST_Extent(s.geom)), ST_YMax(ST_Extent(s.geom)),
	CASE count(DISTINCT ST_GeometryType(s.geom)) WHEN 0 THEN '' WHEN 1 THEN substr(min(ST_GeometryType(s.geom)), 4) ELSE 'Geometry' END
FROM layers l LEFT JOIN sites s ON s.plan_id = l.plan_id AND s.layer_id = l.id
WHERE l.plan_id = $1
GROUP BY l.plan_id, l.id
ORDER BY l.origin <> 'geodata', l.ord, l.id`

const planExistsSQL = `SELECT EXISTS (SELECT 1 FROM plans WHERE id = $1)`

// Districts and zones of every city, in the order of geodata/ (cities in
// order, each city's as its files list them).
const districtsSQL = `SELECT d.adcode, d.name, d.name_en, d.population, d.city, d.source, d.source_en, ST_AsBinary(d.geom)
	FROM districts d JOIN cities c ON c.id = d.city ORDER BY c.ord, d.ord, d.adcode`

const zonesSQL = `SELECT z.id, z.name, z.name_en, COALESCE(z.district, ''), z.city, z.source, z.source_en, ST_AsBinary(z.geom)
	FROM zones z JOIN cities c ON c.id = z.city ORDER BY c.ord, z.ord, z.id`

// The queries Plans runs, in one batch inside one read-only snapshot.
const (
	plansSQL = `SELECT id, city_id, city, city_en, year, title, title_en, issued_by, issued_by_en, issued_on, time_zone, source
		FROM plans ORDER BY year, issued_on, id`
	categoriesSQL = `SELECT plan_id, number, name, name_en FROM categories ORDER BY plan_id, ord`
	agenciesSQL   = `SELECT plan_id, id, kind, name, name_en FROM agencies ORDER BY plan_id, ord`
	planLayersSQL = `SELECT plan_id, id, COALESCE(project, 0), COALESCE(category, 0), title, title_en, description, description_en,
		COALESCE(derived_metric, ''), COALESCE(layer_group, '') FROM layers ORDER BY plan_id, origin <> 'geodata', ord, id`
	projectsSQL = `SELECT plan_id, number, category, title, title_en, agencies, target, target_en, funding, measures, notes, notes_en
		FROM projects ORDER BY plan_id, number`
	metricsSQL     = `SELECT plan_id, project, key, name, name_en, unit, target, note, note_en FROM metrics ORDER BY plan_id, project, ord`
	schedulesSQL   = `SELECT plan_id, project, id, name, name_en, COALESCE(metric, '') FROM schedules ORDER BY plan_id, project, ord`
	milestonesSQL  = `SELECT plan_id, project, schedule, start, due, quantities, text, text_en FROM milestones ORDER BY plan_id, project, schedule, ord`
	allocationsSQL = `SELECT plan_id, project, path, metric, recipient, as_written, quantity, note, note_en FROM allocations ORDER BY plan_id, project, path`
)

// Import statements.
const (
	importLockSQL     = `SELECT pg_advisory_xact_lock(hashtext('projectmap import'))`
	lastChecksumSQL   = `SELECT checksum FROM dataset_imports ORDER BY id DESC LIMIT 1`
	recordImportSQL   = `INSERT INTO dataset_imports (checksum, stats) VALUES ($1, $2)`
	deleteZonesSQL    = `DELETE FROM zones`
	deleteDistrictSQL = `DELETE FROM districts`
	deleteCitiesSQL   = `DELETE FROM cities`
	insertCitySQL     = `INSERT INTO cities (id, ord, name, name_en, adcode) VALUES ($1, $2, $3, $4, $5)`
	insertDistrictSQL = `INSERT INTO districts (adcode, ord, name, name_en, population, city, source, source_en, geom)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, ST_GeomFromEWKB($9))`
	insertZoneSQL = `INSERT INTO zones (id, ord, name, name_en, district, city, source, source_en, geom)
		VALUES ($1, $2, $3, $4, NULLIF($5, ''), $6, $7, $8, ST_GeomFromEWKB($9))`
	upsertPlanSQL = `INSERT INTO plans (id, city, city_en, year, title, title_en, issued_by, issued_by_en, issued_on, source, time_zone, city_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
		ON CONFLICT (id) DO UPDATE SET city = $2, city_en = $3, year = $4, title = $5, title_en = $6,
			issued_by = $7, issued_by_en = $8, issued_on = $9, source = $10, time_zone = $11, city_id = $12`
	deletePlanLayersSQL     = `DELETE FROM layers WHERE plan_id = $1 AND origin = 'geodata'`
	deletePlanProjectsSQL   = `DELETE FROM projects WHERE plan_id = $1`
	deletePlanCategoriesSQL = `DELETE FROM categories WHERE plan_id = $1`
	deletePlanAgenciesSQL   = `DELETE FROM agencies WHERE plan_id = $1`
	insertCategorySQL       = `INSERT INTO categories (plan_id, number, ord, name, name_en) VALUES ($1, $2, $3, $4, $5)`
	insertAgencySQL         = `INSERT INTO agencies (plan_id, id, ord, kind, name, name_en) VALUES ($1, $2, $3, $4, $5, $6)`
	insertProjectSQL        = `INSERT INTO projects (plan_id, number, category, title, title_en, agencies, target, target_en, funding, measures, notes, notes_en)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`
	insertMetricSQL = `INSERT INTO metrics (plan_id, project, key, ord, name, name_en, unit, target, note, note_en)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`
	insertScheduleSQL  = `INSERT INTO schedules (plan_id, project, id, ord, name, name_en, metric) VALUES ($1, $2, $3, $4, $5, $6, NULLIF($7, ''))`
	insertMilestoneSQL = `INSERT INTO milestones (plan_id, project, schedule, ord, start, due, quantities, text, text_en) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`
	insertAllocSQL     = `INSERT INTO allocations (plan_id, project, path, metric, recipient, as_written, quantity, note, note_en)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`
	insertLayerSQL = `INSERT INTO layers (plan_id, id, ord, origin, project, category, title, title_en, description, derived_metric, imported_from,
			description_en, layer_group)
		VALUES ($1, $2, $3, $4, NULLIF($5, 0), NULLIF($6, 0), $7, $8, $9, NULLIF($10, ''), NULLIF($11, ''), $12, NULLIF($13, ''))`
)

// siteCopyColumns are the columns COPY fills, in the order of siteRow.
var siteCopyColumns = []string{"plan_id", "layer_id", "id", "ord", "project", "name", "name_en", "district", "zone",
	"precision", "source", "source_en", "schedule", "milestones", "attrs", "geom", "planned_dates", "planned_fractions", "inherits"}

// Collection import statements.
const (
	collectionLayerSQL = `SELECT origin FROM layers WHERE plan_id = $1 AND id = $2 FOR UPDATE`
	deleteLayerSQL     = `DELETE FROM layers WHERE plan_id = $1 AND id = $2`
	nextLayerOrdSQL    = `SELECT COALESCE(max(ord) + 1, 0) FROM layers WHERE plan_id = $1`
	latestPlanSQL      = `SELECT id FROM plans ORDER BY year DESC, issued_on DESC, id DESC LIMIT 1`
	// Only the districts and zones of the plan's city.
	knownIDsSQL = `SELECT 'district', d.adcode FROM districts d JOIN plans p ON p.city_id = d.city WHERE p.id = $1
		UNION ALL SELECT 'zone', z.id FROM zones z JOIN plans p ON p.city_id = z.city WHERE p.id = $1
		UNION ALL SELECT 'project', number::text FROM projects WHERE plan_id = $1
		UNION ALL SELECT 'schedule', project::text || '/' || id FROM schedules WHERE plan_id = $1`
	// A collection's points and areas without a district get the one their
	// point (or an area's centroid) lies in, as the loader does for geodata.
	deriveDistrictsSQL = `WITH found AS (
			SELECT s.id, (SELECT d.adcode FROM districts d JOIN plans p ON p.city_id = d.city AND p.id = $1
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
	analyzeReportsSQL       = `ANALYZE reports, retractions`
	// One synthetic report in fifty retracted, as mistakes are.
	synthRetractSQL = `INSERT INTO retractions (report_id, reason, retracted_by)
		SELECT id, 'synthetic: filed in error', 'synthetic' FROM reports WHERE plan_id = $1 AND layer_id = $2 AND id % 50 = 0`
	clusterSitesSQL = `CLUSTER sites USING sites_geom_idx`
	// Deferred foreign keys checked now: an index cannot be built on a
	// table with checks pending.
	constraintsNowSQL = `SET CONSTRAINTS ALL IMMEDIATE`
)

// lengthsSQL measures the lines of a layer on the spheroid, in km.
const lengthsSQL = `SELECT s.id, ST_Length(s.geom::geography) / 1000 FROM sites s
	WHERE s.plan_id = $1 AND s.layer_id = $2 AND GeometryType(s.geom) IN ('LINESTRING', 'MULTILINESTRING')
	ORDER BY s.ord`

// layerPointsSQL counts a layer's sites and says whether every one is a
// single, non-empty point (which a point index can hold).
const layerPointsSQL = `SELECT count(*), COALESCE(bool_and(GeometryType(geom) = 'POINT' AND NOT ST_IsEmpty(geom)), false)
	FROM sites WHERE plan_id = $1 AND layer_id = $2`

// layerPointIndexSQL reads a layer of points for its index, sorted by x.
const layerPointIndexSQL = `SELECT ord, ST_X(geom), ST_Y(geom), COALESCE(project, 0), id FROM sites
	WHERE plan_id = $1 AND layer_id = $2 ORDER BY ST_X(geom), ord`

// reportedSQL names the layers of a plan with reports on their sites, and
// says whether any schedule of it has reports (reportless).
const reportedSQL = `SELECT ARRAY(SELECT DISTINCT layer_id FROM reports WHERE plan_id = $1 AND site_id IS NOT NULL),
	EXISTS (SELECT 1 FROM reports WHERE plan_id = $1 AND site_id IS NULL AND schedule IS NOT NULL)`

// inheritingSQL names the layers of a plan with sites that take the
// reports of a schedule.
const inheritingSQL = `SELECT ARRAY(SELECT DISTINCT layer_id FROM sites WHERE plan_id = $1 AND inherits IS NOT NULL)`

// dataVersion is bumped by triggers on every change to the plan data.
const dataVersionSQL = `SELECT version FROM data_version`

// readySQL is the readiness check: a real read of the table every request
// needs, which a lock on it blocks.
const readySQL = `SELECT 1 FROM sites LIMIT 1`

// unboundedSQL lifts the serving statement_timeout for the rest of a
// transaction that imports or migrates: its statements may take long.
const unboundedSQL = `SET LOCAL statement_timeout = 0`

// tileSQL selects the sites of a layer in a tile (domain.TileQuery), in
// the layer's order, each with its geometry in tile coordinates as WKB
// after siteColumns and, with an AsOf, the columns of the report that
// speaks for it. The && test against the buffered tile, taken back to
// lon/lat, is what the GiST index on geom serves; ST_AsMVTGeom then
// clips to the same buffered tile, and a site it leaves nothing of (a
// line passing by its box's corner) is dropped.
func tileSQL(q domain.TileQuery) (string, []any) {
	var a args
	plan, layer := a.add(q.Plan), a.add(q.Layer)
	z, x, y := a.add(q.Z)+"::integer", a.add(q.X)+"::integer", a.add(q.Y)+"::integer"
	env := fmt.Sprintf("ST_TileEnvelope(%s, %s, %s)", z, x, y)
	grown := fmt.Sprintf("ST_TileEnvelope(%s, %s, %s, margin => %s::float8)", z, x, y, a.add(float64(q.Buffer)/float64(q.Extent)))
	extent, buffer := a.add(q.Extent)+"::integer", a.add(q.Buffer)+"::integer"
	columns, report := siteColumns+", ST_AsBinary(t.g)", ""
	if !q.AsOf.IsZero() {
		columns += ", " + reportColumns
		report = `LEFT JOIN ` + effectiveReport(a.add(q.AsOf.Time())+"::date") + ` ON true LEFT JOIN reports r ON r.id = e.id`
	}
	return `SELECT ` + columns + `
		FROM sites s CROSS JOIN LATERAL (SELECT ST_AsMVTGeom(ST_Transform(s.geom, 3857), ` + env + `, ` + extent + `, ` + buffer + `, true) AS g) t
		` + report + `
		WHERE s.plan_id = ` + plan + ` AND s.layer_id = ` + layer + ` AND s.geom && ST_Transform(` + grown + `, 4326)
		  AND t.g IS NOT NULL
		ORDER BY s.ord`, a
}

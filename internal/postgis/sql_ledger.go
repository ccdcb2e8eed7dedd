package postgis

// The statements of the ledger: reports, retractions, tokens, the audit
// log and idempotency keys (migrations/0003_ledger.sql).

import (
	"strings"

	"projectmap/internal/domain"
)

// reportColumns are the columns of a report (alias r), in the order
// scanReport reads them; all may be NULL when r is outer-joined.
const reportColumns = `r.id, r.plan_id, r.project, r.schedule, r.layer_id, r.site_id, r.reported_on, r.quantity, r.metric,
	r.milestone, r.fraction, r.progress, r.status, r.exceeds_target, r.source, r.evidence_url, r.note, r.reported_by,
	r.token_id, r.filed_at`

// retractionColumns are those of its retraction (alias x), after them.
const retractionColumns = `x.id, x.report_id, x.reason, x.retracted_by, x.token_id, x.retracted_at`

// Writes take the import lock shared: an import (which holds it
// exclusively) deletes and re-inserts the sites and schedules reports
// refer to, and a report checked against rows about to be replaced would
// fail for no fault of its own. Writes do not wait for each other.
const (
	writeLockSQL = `SELECT pg_advisory_xact_lock_shared(hashtext('projectmap import'))`
	// A write is acknowledged once durable, whatever the server's default.
	syncCommitSQL = `SET LOCAL synchronous_commit TO on`
	// Foreign keys checked at each statement, not at commit, so that a
	// violation names the statement (and the field) it came from.
	immediateSQL = `SET CONSTRAINTS ALL IMMEDIATE`
)

// Idempotency keys. claimKeySQL inserts the key or, if a writer holds it
// already, waits for that writer to commit and returns nothing.
const (
	claimKeySQL = `INSERT INTO idempotency_keys (token_id, key, digest, kind) VALUES ($1, $2, $3, $4)
		ON CONFLICT (token_id, key) DO NOTHING RETURNING true`
	storedKeySQL = `SELECT digest, kind, report_ids, retraction_id FROM idempotency_keys WHERE token_id = $1 AND key = $2`
)

// fileReportsSQL inserts a filing's reports from parallel arrays, with ids
// drawn in the order given and the filing time given ($28, NULL: now), its
// audit entry (target "reports 12,13" unless given) and the ids on its
// idempotency key ($26, $27; none when ""). It returns each report's
// position, id and filing time.
const fileReportsSQL = `WITH u AS MATERIALIZED (
		SELECT nextval(pg_get_serial_sequence('reports', 'id')) AS id, u.*
		FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::date[], $7::float8[], $8::text[],
			$9::int[], $10::float8[], $11::float8[], $12::text[], $13::bool[], $14::text[], $15::text[], $16::text[],
			$17::text[], $18::text[], $28::timestamptz[])
			WITH ORDINALITY AS u(plan_id, project, schedule, layer_id, site_id, reported_on, quantity, metric,
			milestone, fraction, progress, status, exceeds_target, source, evidence_url, note, reported_by, token_id,
			filed_at, ord)),
	ins AS (INSERT INTO reports (id, plan_id, project, schedule, layer_id, site_id, reported_on, quantity, metric,
			milestone, fraction, progress, status, exceeds_target, source, evidence_url, note, reported_by, token_id, filed_at)
		OVERRIDING SYSTEM VALUE
		SELECT id, plan_id, project, NULLIF(schedule, ''), NULLIF(layer_id, ''), NULLIF(site_id, ''), reported_on, quantity,
			NULLIF(metric, ''), milestone, fraction, progress, status, exceeds_target, source, evidence_url, note, reported_by, token_id,
			COALESCE(filed_at, now())
		FROM u
		RETURNING id, filed_at),
	audit AS (INSERT INTO audit_log (at, actor, token_id, action, target, remote, request_id)
		SELECT COALESCE($19, now()), $20, $21, $22,
			COALESCE(NULLIF($23, ''), 'reports ' || (SELECT string_agg(id::text, ',' ORDER BY ord) FROM u)), $24, $25),
	keyed AS (UPDATE idempotency_keys SET report_ids = (SELECT array_agg(id ORDER BY ord) FROM u)
		WHERE $26 <> '' AND token_id = $27 AND key = $26)
	SELECT u.ord, ins.id, ins.filed_at FROM u JOIN ins USING (id) ORDER BY u.ord`

// ledgerVersionSQL reads the ledger version: the last one any write took
// (committed or not).
const ledgerVersionSQL = `SELECT last_value FROM ledger_version`

// Retractions.
const (
	reportExistsSQL = `SELECT EXISTS (SELECT 1 FROM reports WHERE id = $1)`
	// The plan of a report query, and its site when it names one.
	reportQueryTargetSQL = `SELECT EXISTS (SELECT 1 FROM plans WHERE id = $1),
		$2 = '' OR EXISTS (SELECT 1 FROM sites WHERE plan_id = $1 AND id = $2)`
	insertRetractSQL = `WITH x AS (INSERT INTO retractions (report_id, reason, retracted_by, token_id, retracted_at)
			VALUES ($1, $2, $3, $4, COALESCE($14, now()))
			ON CONFLICT (report_id) DO NOTHING RETURNING id, retracted_at),
		audit AS (INSERT INTO audit_log (at, actor, token_id, action, target, remote, request_id)
			SELECT COALESCE($5, now()), $6, $7, $8, $9, $10, $11 FROM x),
		keyed AS (UPDATE idempotency_keys k SET retraction_id = x.id FROM x WHERE $12 <> '' AND k.token_id = $13 AND k.key = $12)
		SELECT id, retracted_at FROM x`
	retractionSQL = `SELECT ` + retractionColumns + ` FROM retractions x WHERE x.id = $1`
)

// Reading reports, each with its retraction if any.
const (
	reportSQL = `SELECT ` + reportColumns + `, ` + retractionColumns + `
		FROM reports r LEFT JOIN retractions x ON x.report_id = r.id WHERE r.plan_id = $1 AND r.id = $2`
	reportsByIDSQL = `SELECT ` + reportColumns + `, ` + retractionColumns + `
		FROM reports r LEFT JOIN retractions x ON x.report_id = r.id WHERE r.id = ANY ($1) ORDER BY array_position($1, r.id)`
	// The latest report of each project and schedule reported on without
	// a site, on or before $2, never a retracted one.
	latestReportsSQL = `SELECT DISTINCT ON (r.project, r.schedule) ` + reportColumns + `
		FROM reports r
		WHERE r.plan_id = $1 AND r.site_id IS NULL AND r.reported_on <= $2::date
		  AND NOT EXISTS (SELECT 1 FROM retractions x WHERE x.report_id = r.id)
		ORDER BY r.project, r.schedule NULLS FIRST, r.reported_on DESC, r.id DESC`
)

// reportsWhere builds the WHERE clause of a report query. A site's
// reports are its own and those of the schedule it inherits from.
func reportsWhere(q domain.ReportQuery, a *args) string {
	conds := []string{"r.plan_id = " + a.add(q.Plan)}
	if q.Project != 0 {
		conds = append(conds, "r.project = "+a.add(q.Project))
	}
	if q.Schedule != "" {
		conds = append(conds, "r.schedule = "+a.add(q.Schedule))
	}
	if q.Site != "" {
		site := a.add(q.Site)
		// Bytewise, to use the indexes effectiveReport uses.
		conds = append(conds, `(r.site_id COLLATE "C" = `+site+` OR (r.site_id IS NULL AND (r.project, r.schedule COLLATE "C") =
			(SELECT s.project, s.inherits FROM sites s WHERE s.plan_id = `+a.add(q.Plan)+` AND s.id = `+site+`)))`)
	}
	if !q.Since.IsZero() {
		conds = append(conds, "r.reported_on >= "+a.add(q.Since.Time())+"::date")
	}
	if !q.Until.IsZero() {
		conds = append(conds, "r.reported_on <= "+a.add(q.Until.Time())+"::date")
	}
	return strings.Join(conds, " AND ")
}

// reportsPageSQL selects one page of a report query, newest first, and
// reportsCountSQL counts all it matches (an index-only count, where a
// window count would sort every match to return a page).
func reportsPageSQL(q domain.ReportQuery) (string, []any) {
	var a args
	order := "r.reported_on DESC, r.id DESC"
	if q.ByFiling {
		order = "r.id DESC"
	}
	sql := `SELECT ` + reportColumns + `, ` + retractionColumns + `
		FROM reports r LEFT JOIN retractions x ON x.report_id = r.id
		WHERE ` + reportsWhere(q, &a) + ` ORDER BY ` + order
	if q.Limit > 0 {
		sql += " LIMIT " + a.add(q.Limit)
	}
	if q.Offset > 0 {
		sql += " OFFSET " + a.add(q.Offset)
	}
	return sql, a
}

func reportsCountSQL(q domain.ReportQuery) (string, []any) {
	var a args
	return `SELECT count(*) FROM reports r WHERE ` + reportsWhere(q, &a), a
}

// siteTalliesSQL counts a plan's sites by project and tracking status on
// $2, with the sum of the progress their reports give: every site of the
// plan, so the reports are found for all at once (latestReports).
func siteTalliesSQL() string {
	return `WITH ` + latestReports("$1", "", "$2::date") + `
		SELECT s.project, st.status, count(*), COALESCE(sum(e.progress), 0)
		FROM sites s ` + joinLatest + `
		CROSS JOIN LATERAL (SELECT ` + trackingStatus("$2::date", "$3::float8") + ` AS status) st
		WHERE s.plan_id = $1 AND s.project IS NOT NULL
		GROUP BY s.project, st.status`
}

// Tokens and the audit log.
const (
	tokenColumns   = `id, name, role, projects, hash, created_at, revoked_at`
	insertTokenSQL = `WITH t AS (INSERT INTO tokens (id, name, role, projects, hash, created_at)
			VALUES ($1, $2, $3, $4::int[], $5, COALESCE($6, now())) RETURNING id)
		INSERT INTO audit_log (at, actor, token_id, action, target, remote, request_id)
		SELECT COALESCE($7, now()), $8, $9, $10, $11, $12, $13 FROM t`
	revokeTokenSQL = `WITH t AS (UPDATE tokens SET revoked_at = COALESCE($2, now()) WHERE id = $1 AND revoked_at IS NULL RETURNING id)
		INSERT INTO audit_log (at, actor, token_id, action, target, remote, request_id)
		SELECT COALESCE($3, now()), $4, $5, $6, $7, $8, $9 FROM t
		RETURNING true`
	tokenRevokedSQL = `SELECT revoked_at FROM tokens WHERE id = $1`
	tokenByHashSQL  = `SELECT ` + tokenColumns + ` FROM tokens WHERE hash = $1`
	tokensSQL       = `SELECT ` + tokenColumns + ` FROM tokens ORDER BY created_at, id`
	auditSQL        = `SELECT id, at, actor, token_id, action, target, remote, request_id FROM audit_log ORDER BY id DESC`
	auditLimitSQL   = auditSQL + ` LIMIT $1`
)

package postgis

import (
	"context"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"projectmap/internal/domain"
)

// constraintField names the report or token field a constraint of the
// ledger guards: a write that breaks one is the client's mistake (422
// naming the field), never an internal error. "" for other constraints.
func constraintField(name string) string {
	switch name {
	case "reports_project_fkey":
		return "project"
	case "reports_schedule_fkey":
		return "schedule"
	case "reports_site_fkey", "reports_target_check":
		return "site"
	case "reports_measure_check", "reports_quantity_check":
		return "quantity"
	case "reports_exceeds_check":
		return "exceeds_target"
	case "reports_milestone_check":
		return "milestone"
	case "reports_fraction_check":
		return "fraction"
	case "reports_progress_check":
		return "progress"
	case "reports_status_check":
		return "status"
	case "reports_source_check":
		return "source"
	case "reports_evidence_url_check":
		return "evidence_url"
	case "reports_reported_by_check":
		return "reported_by"
	case "retractions_reason_check":
		return "reason"
	case "retractions_retracted_by_check":
		return "retracted_by"
	case "retractions_report_id_fkey":
		return "report"
	case "tokens_id_check":
		return "id"
	case "tokens_name_check":
		return "name"
	case "tokens_role_check":
		return "role"
	case "tokens_projects_check", "tokens_role_projects_check":
		return "projects"
	case "tokens_hash_check":
		return "hash"
	}
	return ""
}

// mapWriteErr maps the error of a ledger write: a broken constraint of
// the ledger's tables to ErrUnprocessable naming the field (a repeated
// token id or secret to ErrConflict), anything else as mapErr does.
func mapWriteErr(ctx context.Context, err error) error {
	var pgErr *pgconn.PgError
	if err == nil || ctx.Err() != nil || !errors.As(err, &pgErr) {
		return mapErr(ctx, err)
	}
	switch pgErr.Code {
	case "23505": // unique_violation
		switch pgErr.ConstraintName {
		case "tokens_pkey":
			return &domain.Error{Kind: domain.ErrConflict, Param: "id", Message: "a token with this id exists", Err: err}
		case "tokens_hash_key":
			return &domain.Error{Kind: domain.ErrConflict, Param: "hash", Message: "a token with this secret exists", Err: err}
		}
	case "23503", "23514", "23502": // foreign key, check, not null
		field := constraintField(pgErr.ConstraintName)
		if pgErr.Code == "23502" && pgErr.TableName != "audit_log" && pgErr.TableName != "idempotency_keys" {
			field = pgErr.ColumnName
		}
		if field != "" {
			return &domain.Error{Kind: domain.ErrUnprocessable, Param: field, Message: violation(pgErr), Err: err}
		}
	case "22P02", "22003", "22007", "22008": // bad text, out of range, bad date or time
		return &domain.Error{Kind: domain.ErrUnprocessable, Message: "a value is out of range: " + pgErr.Message, Err: err}
	}
	return mapErr(ctx, err)
}

// violation says in words what a constraint refused, without SQL.
func violation(e *pgconn.PgError) string {
	switch e.Code {
	case "23503":
		if strings.HasPrefix(e.ConstraintName, "reports_") {
			return "names a " + constraintField(e.ConstraintName) + " the plan does not have"
		}
		return "names something that does not exist"
	case "23502":
		return "is required"
	}
	return "breaks the rule " + e.ConstraintName
}

// mapImportErr maps the error of an import: one that would leave reports
// without the site, schedule or project they are about is ErrConflict
// (the import keeps every report, and reports are never deleted); a
// collection feature whose id another layer's site has is ErrInvalid.
func mapImportErr(ctx context.Context, err error) error {
	var pgErr *pgconn.PgError
	if err != nil && ctx.Err() == nil && errors.As(err, &pgErr) {
		switch {
		case pgErr.Code == "23503" && pgErr.TableName == "reports":
			return &domain.Error{Kind: domain.ErrConflict,
				Message: "the import would remove what reports are about (" + pgErr.Detail + "); reports are kept for good, so keep their sites, schedules and projects",
				Err:     err}
		case pgErr.Code == "23505" && pgErr.ConstraintName == "sites_plan_site_idx":
			return &domain.Error{Kind: domain.ErrInvalid, Param: "features",
				Message: "a feature id is already the id of a site in another layer; site ids are unique in a plan (" + pgErr.Detail + ")",
				Err:     err}
		}
	}
	return mapErr(ctx, err)
}

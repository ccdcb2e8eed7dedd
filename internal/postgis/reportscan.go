package postgis

import (
	"time"

	"github.com/jackc/pgx/v5"

	"projectmap/internal/domain"
)

// reportScan receives the reportColumns of a row, every one nullable so
// that an outer-joined absent report scans too (report is then nil).
type reportScan struct {
	id                                  *int64
	plan, schedule, layer, site, metric *string
	project, milestone                  *int
	reportedOn, filedAt                 *time.Time
	quantity, fraction, progress        *float64
	status, source, url, note, by, tok  *string
	exceeds                             *bool
}

func (x *reportScan) dest() []any {
	return []any{&x.id, &x.plan, &x.project, &x.schedule, &x.layer, &x.site, &x.reportedOn, &x.quantity, &x.metric,
		&x.milestone, &x.fraction, &x.progress, &x.status, &x.exceeds, &x.source, &x.url, &x.note, &x.by, &x.tok, &x.filedAt}
}

func (x *reportScan) report() *domain.Report {
	if x.id == nil {
		return nil
	}
	r := &domain.Report{
		ID: *x.id, Plan: str(x.plan), Project: deref(x.project), Schedule: str(x.schedule), Layer: str(x.layer), Site: str(x.site),
		Quantity: x.quantity, Metric: str(x.metric), Milestone: x.milestone, Fraction: x.fraction, Progress: deref(x.progress),
		Status: domain.ReportStatus(str(x.status)), ExceedsTarget: deref(x.exceeds),
		Source: str(x.source), EvidenceURL: str(x.url), Note: str(x.note), ReportedBy: str(x.by), TokenID: str(x.tok),
	}
	if x.reportedOn != nil {
		r.ReportedOn = domain.DateOf(*x.reportedOn)
	}
	if x.filedAt != nil {
		r.FiledAt = x.filedAt.UTC()
	}
	return r
}

// retractionScan receives the retractionColumns.
type retractionScan struct {
	id, report      *int64
	reason, by, tok *string
	at              *time.Time
}

func (x *retractionScan) dest() []any {
	return []any{&x.id, &x.report, &x.reason, &x.by, &x.tok, &x.at}
}

func (x *retractionScan) retraction() *domain.Retraction {
	if x.id == nil {
		return nil
	}
	t := &domain.Retraction{ID: *x.id, Report: deref(x.report), Reason: str(x.reason), RetractedBy: str(x.by), TokenID: str(x.tok)}
	if x.at != nil {
		t.RetractedAt = x.at.UTC()
	}
	return t
}

// scanReported reads rows of reportColumns and retractionColumns.
func scanReported(rows pgx.Rows) ([]domain.Report, error) {
	out := []domain.Report{}
	var r reportScan
	var x retractionScan
	dest := append(r.dest(), x.dest()...)
	_, err := pgx.ForEachRow(rows, dest, func() error {
		rep := r.report()
		rep.Retraction = x.retraction()
		out = append(out, *rep)
		return nil
	})
	return out, err
}

// scanReports reads rows of reportColumns alone.
func scanReports(rows pgx.Rows) ([]domain.Report, error) {
	out := []domain.Report{}
	var r reportScan
	_, err := pgx.ForEachRow(rows, r.dest(), func() error {
		out = append(out, *r.report())
		return nil
	})
	return out, err
}

func str(s *string) string { return deref(s) }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

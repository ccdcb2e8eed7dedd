package postgis

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"projectmap/internal/domain"
)

// Idempotency key kinds: what a key's write filed.
const (
	keyReports    = "reports"
	keyRetraction = "retraction"
)

// FileReports stores the filing's reports in one transaction with its
// audit entry and its idempotency key, and returns them with their ids
// and filing time once committed (durably: synchronous_commit is on for
// the transaction whatever the server's default).
//
// With a Key, the key is claimed first in the transaction: a concurrent
// filing with the same token and key waits on it and, once the first
// commits, finds the key taken and answers with what the first filed
// (Replayed), if its Digest is the same, or ErrUnprocessable naming
// Idempotency-Key if not. Nothing is filed twice.
func (s *Store) FileReports(ctx context.Context, f domain.Filing) (domain.FilingResult, error) {
	if err := ctx.Err(); err != nil {
		return domain.FilingResult{}, err
	}
	if len(f.Reports) == 0 {
		return domain.FilingResult{}, domain.Reject("reports", "nothing to file: give at least one report")
	}
	token := f.Reports[0].TokenID
	var res domain.FilingResult
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		res = domain.FilingResult{}
		claimed, err := beginWrite(ctx, tx, token, f.Key, f.Digest, keyReports)
		if err != nil {
			return err
		}
		if !claimed {
			ids, _, err := storedKey(ctx, tx, token, f.Key, f.Digest, keyReports)
			if err != nil {
				return err
			}
			res.Reports, err = reportsByID(ctx, tx, ids)
			res.Replayed = true
			return err
		}
		res.Reports, err = insertReports(ctx, tx, f, token)
		return err
	})
	if err != nil {
		return domain.FilingResult{}, mapWriteErr(ctx, err)
	}
	if !res.Replayed {
		s.ledger.heard()
	}
	return res, nil
}

// beginWrite sets a ledger write's transaction up and claims its
// idempotency key, if it has one: false when another write holds it.
func beginWrite(ctx context.Context, tx pgx.Tx, token, key, digest, kind string) (bool, error) {
	b := &pgx.Batch{}
	b.Queue(syncCommitSQL)
	b.Queue(immediateSQL)
	b.Queue(writeLockSQL)
	claimed := true
	if key != "" {
		b.Queue(claimKeySQL, token, key, digest, kind).QueryRow(func(row pgx.Row) error {
			err := row.Scan(&claimed)
			if errors.Is(err, pgx.ErrNoRows) {
				claimed, err = false, nil
			}
			return err
		})
	}
	return claimed, tx.SendBatch(ctx, b).Close()
}

// storedKey returns what the first write with a key stored, after
// checking that it was the same request.
func storedKey(ctx context.Context, tx pgx.Tx, token, key, digest, kind string) ([]int64, *int64, error) {
	var stored, storedKind string
	var ids []int64
	var retraction *int64
	if err := tx.QueryRow(ctx, storedKeySQL, token, key).Scan(&stored, &storedKind, &ids, &retraction); err != nil {
		return nil, nil, err
	}
	if stored != digest || storedKind != kind {
		return nil, nil, domain.Reject("Idempotency-Key", "this key was used for another request; use a new key for a new request")
	}
	return ids, retraction, nil
}

// insertReports files the reports, their audit entry and the ids on the
// key in one statement (fileReportsSQL).
func insertReports(ctx context.Context, tx pgx.Tx, f domain.Filing, token string) ([]domain.Report, error) {
	n := len(f.Reports)
	cols := struct {
		plan, schedule, layer, site, metric, status, source, url, note, by, tok []string
		project                                                                 []int32
		milestone                                                               []*int32
		reportedOn                                                              []time.Time
		quantity, fraction                                                      []*float64
		progress                                                                []float64
		exceeds                                                                 []bool
		filedAt                                                                 []*time.Time
	}{}
	for i := range f.Reports {
		r := &f.Reports[i]
		if r.Plan == "" || r.Project == 0 || r.ReportedOn.IsZero() {
			return nil, domain.Reject(fmt.Sprintf("[%d]", i), "a report needs its plan, project and date")
		}
		cols.plan = append(cols.plan, r.Plan)
		cols.project = append(cols.project, int32(r.Project))
		cols.schedule = append(cols.schedule, r.Schedule)
		cols.layer = append(cols.layer, r.Layer)
		cols.site = append(cols.site, r.Site)
		cols.reportedOn = append(cols.reportedOn, r.ReportedOn.Time())
		cols.quantity = append(cols.quantity, r.Quantity)
		cols.metric = append(cols.metric, r.Metric)
		var m *int32
		if r.Milestone != nil {
			v := int32(*r.Milestone)
			m = &v
		}
		cols.milestone = append(cols.milestone, m)
		cols.fraction = append(cols.fraction, r.Fraction)
		cols.progress = append(cols.progress, r.Progress)
		cols.status = append(cols.status, string(r.Status))
		cols.exceeds = append(cols.exceeds, r.ExceedsTarget)
		cols.source = append(cols.source, r.Source)
		cols.url = append(cols.url, r.EvidenceURL)
		cols.note = append(cols.note, r.Note)
		cols.by = append(cols.by, r.ReportedBy)
		cols.tok = append(cols.tok, r.TokenID)
		cols.filedAt = append(cols.filedAt, auditTime(r.FiledAt))
	}
	a := f.Audit
	rows, err := tx.Query(ctx, fileReportsSQL,
		cols.plan, cols.project, cols.schedule, cols.layer, cols.site, cols.reportedOn, cols.quantity, cols.metric,
		cols.milestone, cols.fraction, cols.progress, cols.status, cols.exceeds, cols.source, cols.url, cols.note,
		cols.by, cols.tok,
		auditTime(a.At), a.Actor, a.TokenID, orDefault(a.Action, "report.file"), a.Target, a.Remote, a.RequestID,
		f.Key, token, cols.filedAt)
	if err != nil {
		return nil, err
	}
	out := make([]domain.Report, n)
	copy(out, f.Reports)
	var ord int
	var id int64
	var filed time.Time
	_, err = pgx.ForEachRow(rows, []any{&ord, &id, &filed}, func() error {
		if ord < 1 || ord > n {
			return fmt.Errorf("filing returned position %d of %d", ord, n)
		}
		out[ord-1].ID, out[ord-1].FiledAt, out[ord-1].Retraction = id, filed.UTC(), nil
		return nil
	})
	return out, err
}

// reportsByID reads reports, with their retractions, in the order of ids.
func reportsByID(ctx context.Context, q querier, ids []int64) ([]domain.Report, error) {
	rows, err := q.Query(ctx, reportsByIDSQL, ids)
	if err != nil {
		return nil, err
	}
	return scanReported(rows)
}

// querier is a pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Retract stores a retraction of a report, with its audit entry and
// idempotency key, in one transaction: ErrNotFound for an unknown report,
// ErrConflict for one already retracted (nothing is then written). A
// retry with the same key and digest returns the stored retraction and
// true.
func (s *Store) Retract(ctx context.Context, f domain.RetractionFiling) (domain.Retraction, bool, error) {
	if err := ctx.Err(); err != nil {
		return domain.Retraction{}, false, err
	}
	t := f.Retraction
	var out domain.Retraction
	var replayed bool
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		out, replayed = t, false
		claimed, err := beginWrite(ctx, tx, t.TokenID, f.Key, f.Digest, keyRetraction)
		if err != nil {
			return err
		}
		if !claimed {
			_, id, err := storedKey(ctx, tx, t.TokenID, f.Key, f.Digest, keyRetraction)
			if err != nil {
				return err
			}
			if id == nil {
				return fmt.Errorf("idempotency key %q names no retraction", f.Key)
			}
			var x retractionScan
			if err := tx.QueryRow(ctx, retractionSQL, *id).Scan(x.dest()...); err != nil {
				return err
			}
			out, replayed = *x.retraction(), true
			return nil
		}
		var exists bool
		if err := tx.QueryRow(ctx, reportExistsSQL, t.Report).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return domain.Errorf(domain.ErrNotFound, "no report %d", t.Report)
		}
		a := f.Audit
		err = tx.QueryRow(ctx, insertRetractSQL, t.Report, t.Reason, t.RetractedBy, t.TokenID,
			auditTime(a.At), a.Actor, a.TokenID, orDefault(a.Action, "report.retract"), orDefault(a.Target, fmt.Sprintf("report %d", t.Report)),
			a.Remote, a.RequestID, f.Key, t.TokenID, auditTime(t.RetractedAt)).Scan(&out.ID, &out.RetractedAt)
		if errors.Is(err, pgx.ErrNoRows) {
			return domain.Errorf(domain.ErrConflict, "report %d is already retracted", t.Report)
		}
		if err != nil {
			return err
		}
		out.RetractedAt = out.RetractedAt.UTC()
		return nil
	})
	if err != nil {
		return domain.Retraction{}, false, mapWriteErr(ctx, err)
	}
	if !replayed {
		s.ledger.heard()
	}
	return out, replayed, nil
}

// auditTime is a time given for a write (an audit entry's, a filing's),
// nil for none: the database then uses the transaction's.
func auditTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

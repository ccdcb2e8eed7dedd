package postgis

import (
	"context"
	"slices"
	"sort"

	"github.com/jackc/pgx/v5"

	"projectmap/internal/domain"
)

// Report returns one report of a plan with its retraction, if any.
func (s *Store) Report(ctx context.Context, plan string, id int64) (domain.Report, error) {
	if err := ctx.Err(); err != nil {
		return domain.Report{}, err
	}
	rows, err := s.pool.Query(ctx, reportSQL, plan, id)
	if err != nil {
		return domain.Report{}, mapErr(ctx, err)
	}
	got, err := scanReported(rows)
	if err != nil {
		return domain.Report{}, mapErr(ctx, err)
	}
	if len(got) == 0 {
		return domain.Report{}, domain.Errorf(domain.ErrNotFound, "plan %s has no report %d", plan, id)
	}
	return got[0], nil
}

// Reports runs a query: one page, newest first, retracted reports
// included and marked, and the exact number matched, in one round trip.
func (s *Store) Reports(ctx context.Context, q domain.ReportQuery) (domain.ReportPage, error) {
	if err := ctx.Err(); err != nil {
		return domain.ReportPage{}, err
	}
	switch {
	case q.Limit < 0:
		return domain.ReportPage{}, domain.Invalid("limit", "must be 0 or more")
	case q.Offset < 0:
		return domain.ReportPage{}, domain.Invalid("offset", "must be 0 or more")
	}
	if !q.Since.IsZero() && !q.Until.IsZero() && q.Until.Before(q.Since) {
		return domain.ReportPage{}, domain.Invalid("until", "until %s is before since %s", q.Until, q.Since)
	}
	return cachedLedger(s, ledgerKey{what: "reports", plan: q.Plan, query: q},
		func() (domain.ReportPage, error) { return s.loadReports(ctx, q) },
		func(p domain.ReportPage) domain.ReportPage {
			p.Reports = slices.Clone(p.Reports)
			return p
		})
}

// loadReports reads a page of reports. A plan the store does not hold
// gives an empty page; a site the plan does not have is ErrInvalid, as
// for the embedded store.
func (s *Store) loadReports(ctx context.Context, q domain.ReportQuery) (domain.ReportPage, error) {
	page := domain.ReportPage{Reports: []domain.Report{}}
	var planExists, siteExists bool
	b := &pgx.Batch{}
	b.Queue(reportQueryTargetSQL, q.Plan, q.Site).QueryRow(func(row pgx.Row) error { return row.Scan(&planExists, &siteExists) })
	countSQL, countArgs := reportsCountSQL(q)
	b.Queue(countSQL, countArgs...).QueryRow(func(row pgx.Row) error { return row.Scan(&page.Matched) })
	pageSQL, pageArgs := reportsPageSQL(q)
	b.Queue(pageSQL, pageArgs...).Query(func(rows pgx.Rows) error {
		var err error
		page.Reports, err = scanReported(rows)
		return err
	})
	if err := s.readOnly(ctx, b); err != nil {
		return domain.ReportPage{}, mapErr(ctx, err)
	}
	if planExists && !siteExists {
		return domain.ReportPage{Reports: []domain.Report{}}, domain.Invalid("site", "plan %s has no site %q", q.Plan, q.Site)
	}
	return page, nil
}

// readOnly sends a batch in one read-only snapshot, so that a count and
// the page it counts agree.
func (s *Store) readOnly(ctx context.Context, b *pgx.Batch) error {
	return pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		return tx.SendBatch(ctx, b).Close()
	})
}

// LatestReports returns, for each project and schedule of the plan
// reported on without a site, its latest report on or before asof that is
// not retracted, by project, the whole project first.
func (s *Store) LatestReports(ctx context.Context, plan string, asof domain.Date) ([]domain.Report, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if asof.IsZero() {
		return nil, domain.Invalid("asof", "latest reports need the date they are latest on")
	}
	return cachedLedger(s, ledgerKey{what: "latest", plan: plan, asof: asof.String()},
		func() ([]domain.Report, error) {
			rows, err := s.pool.Query(ctx, latestReportsSQL, plan, asof.Time())
			if err != nil {
				return nil, mapErr(ctx, err)
			}
			got, err := scanReports(rows)
			return got, mapErr(ctx, err)
		},
		slices.Clone[[]domain.Report])
}

// SiteTallies counts the plan's sites of a project by tracking status on
// asof, computed in SQL with the same rule as the status filter, ordered
// by project and then as domain.TrackingStatuses lists the statuses.
func (s *Store) SiteTallies(ctx context.Context, plan string, asof domain.Date) ([]domain.SiteTally, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if asof.IsZero() {
		return nil, domain.Invalid("asof", "give the date to count the sites' statuses on")
	}
	return cachedLedger(s, ledgerKey{what: "tallies", plan: plan, asof: asof.String()},
		func() ([]domain.SiteTally, error) {
			var exists bool
			if err := s.pool.QueryRow(ctx, planExistsSQL, plan).Scan(&exists); err != nil {
				return nil, mapErr(ctx, err)
			}
			if !exists {
				return nil, domain.Errorf(domain.ErrNotFound, "no plan %q", plan)
			}
			rows, err := s.pool.Query(ctx, siteTalliesSQL(), plan, asof.Time(), behindBeyond)
			if err != nil {
				return nil, mapErr(ctx, err)
			}
			tallies := []domain.SiteTally{}
			var t domain.SiteTally
			var status string
			_, err = pgx.ForEachRow(rows, []any{&t.Project, &status, &t.Sites, &t.Progress}, func() error {
				t.Status = domain.TrackingStatus(status)
				tallies = append(tallies, t)
				return nil
			})
			if err != nil {
				return nil, mapErr(ctx, err)
			}
			rank := map[domain.TrackingStatus]int{}
			for i, st := range domain.TrackingStatuses() {
				rank[st] = i
			}
			sort.Slice(tallies, func(i, j int) bool {
				a, b := tallies[i], tallies[j]
				if a.Project != b.Project {
					return a.Project < b.Project
				}
				return rank[a.Status] < rank[b.Status]
			})
			return tallies, nil
		},
		slices.Clone[[]domain.SiteTally])
}

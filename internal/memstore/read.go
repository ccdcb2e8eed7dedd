package memstore

import (
	"context"
	"sort"

	"projectmap/internal/domain"
)

// rlock brings the ledger up to date with other processes' writes and
// read-locks it; the caller calls the returned unlock.
func (s *Store) rlock(ctx context.Context) (func(), error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := s.follow(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	return s.mu.RUnlock, nil
}

func (s *Store) Report(ctx context.Context, plan string, id int64) (domain.Report, error) {
	unlock, err := s.rlock(ctx)
	if err != nil {
		return domain.Report{}, err
	}
	defer unlock()
	r := s.led.reports[id]
	if r == nil || r.Plan != plan {
		return domain.Report{}, domain.Errorf(domain.ErrNotFound, "plan %s has no report %d", plan, id)
	}
	return *s.led.view(r), nil
}

// Reports runs a query. A plan with no reports, or none the store knows,
// gives an empty page; a site the plan does not have is ErrInvalid.
func (s *Store) Reports(ctx context.Context, q domain.ReportQuery) (domain.ReportPage, error) {
	page := domain.ReportPage{Reports: []domain.Report{}}
	switch {
	case q.Limit < 0:
		return page, domain.Invalid("limit", "must be 0 or more")
	case q.Offset < 0:
		return page, domain.Invalid("offset", "must be 0 or more")
	}
	var site *siteRef
	if q.Site != "" && s.byID[q.Plan] != nil {
		ref, ok := s.byID[q.Plan][q.Site]
		if !ok {
			return page, domain.Invalid("site", "plan %s has no site %q", q.Plan, q.Site)
		}
		site = &ref
	}
	unlock, err := s.rlock(ctx)
	if err != nil {
		return page, err
	}
	defer unlock()
	pl := s.led.plans[q.Plan]
	if pl == nil || (q.Site != "" && site == nil) {
		return page, nil
	}
	// Candidates in ascending order, walked from the newest.
	list := pl.byDate
	if q.ByFiling {
		list = pl.byFiling
	}
	if site != nil {
		list = s.siteHistory(pl, site, q.ByFiling)
	}
	for i := len(list) - 1; i >= 0; i-- {
		r := list[i]
		switch {
		case q.Project != 0 && r.Project != q.Project,
			q.Schedule != "" && r.Schedule != q.Schedule,
			!q.Since.IsZero() && r.ReportedOn.Before(q.Since),
			!q.Until.IsZero() && r.ReportedOn.After(q.Until):
			continue
		}
		if page.Matched >= q.Offset && (q.Limit == 0 || len(page.Reports) < q.Limit) {
			page.Reports = append(page.Reports, *s.led.view(r))
		}
		page.Matched++
	}
	return page, nil
}

// siteHistory lists the reports bearing on a site, oldest first: its own
// and those of the schedule it inherits from.
func (s *Store) siteHistory(pl *planLedger, ref *siteRef, byFiling bool) []*domain.Report {
	own := pl.bySite[ref.layer.sites[ref.i].ID]
	t := ref.layer.track[ref.i]
	if t.project == nil || t.inherits == "" {
		if !byFiling {
			return own
		}
	}
	list := append([]*domain.Report(nil), own...)
	if t.project != nil && t.inherits != "" {
		list = append(list, pl.bySchedule[schedKey{t.project.Number, t.inherits}]...)
	}
	sort.Slice(list, func(i, j int) bool {
		if byFiling {
			return list[i].ID < list[j].ID
		}
		return after(list[j], list[i])
	})
	return list
}

// LatestReports returns, for each project and schedule reported on
// without a site, its latest report on or before asof that is not
// retracted, ordered by project and schedule ("" for the whole project
// first).
func (s *Store) LatestReports(ctx context.Context, plan string, asof domain.Date) ([]domain.Report, error) {
	if asof.IsZero() {
		return nil, domain.Invalid("asof", "latest reports need the date they are latest on")
	}
	unlock, err := s.rlock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	out := []domain.Report{}
	pl := s.led.plans[plan]
	if pl == nil {
		return out, nil
	}
	keys := make([]schedKey, 0, len(pl.bySchedule))
	for k := range pl.bySchedule {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].project != keys[j].project {
			return keys[i].project < keys[j].project
		}
		return keys[i].schedule < keys[j].schedule
	})
	for _, k := range keys {
		if r := s.led.latest(pl.bySchedule[k], asof); r != nil {
			out = append(out, *s.led.view(r))
		}
	}
	return out, nil
}

func (s *Store) TokenByHash(ctx context.Context, hash []byte) (domain.Token, error) {
	unlock, err := s.rlock(ctx)
	if err != nil {
		return domain.Token{}, err
	}
	defer unlock()
	t := s.led.tokenByHash[string(hash)]
	if t == nil {
		return domain.Token{}, domain.Errorf(domain.ErrNotFound, "no token has this secret")
	}
	return cloneToken(t), nil
}

func (s *Store) Tokens(ctx context.Context) ([]domain.Token, error) {
	unlock, err := s.rlock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	out := make([]domain.Token, len(s.led.tokens))
	for i, t := range s.led.tokens {
		out[i] = cloneToken(t)
	}
	return out, nil
}

func (s *Store) Audit(ctx context.Context, limit int) ([]domain.AuditEntry, error) {
	if limit < 0 {
		return nil, domain.Invalid("limit", "must be 0 or more")
	}
	unlock, err := s.rlock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	n := len(s.led.audit)
	if limit > 0 && limit < n {
		n = limit
	}
	out := make([]domain.AuditEntry, 0, n)
	for i := len(s.led.audit) - 1; i >= 0 && len(out) < n; i-- {
		out = append(out, s.led.audit[i])
	}
	return out, nil
}

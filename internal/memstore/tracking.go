package memstore

import (
	"context"
	"fmt"

	"projectmap/internal/domain"
)

// siteTrack is what the tracking status of a site needs besides its
// reports, worked out once when the store is built.
type siteTrack struct {
	project  *domain.Project // nil for base features, which have no status
	curve    domain.Curve    // planned fraction by date
	inherits string          // the schedule whose reports speak for the site, or ""
}

// curveCache shares the curve of sites that follow a project schedule
// (or the whole project) rather than milestones of their own.
type curveCache map[string]domain.Curve

func trackOf(plan domain.Plan, l domain.Layer, site domain.Site, cache curveCache) siteTrack {
	pr, ok := plan.Project(site.Project)
	if site.Project == 0 || !ok {
		return siteTrack{}
	}
	t := siteTrack{project: pr, inherits: pr.InheritsFrom(l, site)}
	if len(site.Milestones) > 0 {
		t.curve = pr.SiteCurve(site)
		return t
	}
	key := fmt.Sprintf("%d/%s", pr.Number, site.Schedule)
	c, ok := cache[key]
	if !ok {
		c = pr.SiteCurve(site)
		cache[key] = c
	}
	t.curve = c
	return t
}

// effective returns the report that speaks for a site on asof: its own
// latest that is not retracted, else that of the schedule it inherits
// from; nil if none. The caller holds mu.
func (l *ledger) effective(pl *planLedger, site *domain.Site, t *siteTrack, asof domain.Date) *domain.Report {
	if pl == nil || t.project == nil {
		return nil
	}
	if r := l.latest(pl.bySite[site.ID], asof); r != nil {
		return r
	}
	if t.inherits == "" {
		return nil
	}
	return l.latest(pl.bySchedule[schedKey{t.project.Number, t.inherits}], asof)
}

// siteStatus is a site's tracking status on asof and the report it rests
// on; ok is false for a site of no project.
func (l *ledger) siteStatus(pl *planLedger, site *domain.Site, t *siteTrack, asof domain.Date) (domain.TrackingStatus, *domain.Report, bool) {
	if t.project == nil {
		return "", nil, false
	}
	r := l.effective(pl, site, t, asof)
	return domain.Track(t.curve.At(asof), domain.ReportedOf(r)), r, true
}

func (s *Store) SiteByID(ctx context.Context, plan, id string) (domain.Site, error) {
	if err := ctx.Err(); err != nil {
		return domain.Site{}, err
	}
	byID, ok := s.byID[plan]
	if !ok {
		return domain.Site{}, domain.Errorf(domain.ErrNotFound, "no plan %q", plan)
	}
	ref, ok := byID[id]
	if !ok {
		return domain.Site{}, domain.Errorf(domain.ErrNotFound, "plan %s has no site %q", plan, id)
	}
	return ref.layer.sites[ref.i], nil
}

// SiteReport returns the report that speaks for a site on asof, as
// SitePage.Reports does; a zero asof, like a query without AsOf, carries
// none.
func (s *Store) SiteReport(ctx context.Context, plan, layerID, id string, asof domain.Date) (*domain.Report, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	l, err := s.layer(plan, layerID)
	if err != nil {
		return nil, err
	}
	i, ok := l.ids[id]
	if !ok {
		return nil, domain.Errorf(domain.ErrNotFound, "no feature %q in collection %q", id, layerID)
	}
	if asof.IsZero() {
		return nil, nil
	}
	if err := s.follow(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.led.view(s.led.effective(s.led.plans[plan], &l.sites[i], &l.track[i], asof)), nil
}

// SiteTallies counts the plan's sites of every project by tracking status
// on asof, in project order, then in the order of domain.TrackingStatuses;
// only counts above zero are listed.
func (s *Store) SiteTallies(ctx context.Context, plan string, asof domain.Date) ([]domain.SiteTally, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	layers, ok := s.order[plan]
	if !ok {
		return nil, domain.Errorf(domain.ErrNotFound, "no plan %q", plan)
	}
	if asof.IsZero() {
		return nil, domain.Invalid("asof", "tallies need the date they are counted on")
	}
	if err := s.follow(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	pl := s.led.plans[plan]
	type key struct {
		project int
		status  domain.TrackingStatus
	}
	tallies := map[key]*domain.SiteTally{}
	projects := map[int]bool{}
	for _, l := range layers {
		for i := range l.sites {
			st, r, ok := s.led.siteStatus(pl, &l.sites[i], &l.track[i], asof)
			if !ok {
				continue
			}
			n := l.track[i].project.Number
			projects[n] = true
			t := tallies[key{n, st}]
			if t == nil {
				t = &domain.SiteTally{Project: n, Status: st}
				tallies[key{n, st}] = t
			}
			t.Sites++
			if r != nil {
				t.Progress += r.Progress
			}
		}
	}
	out := []domain.SiteTally{}
	for _, p := range s.planByID(plan).Projects {
		if !projects[p.Number] {
			continue
		}
		for _, st := range domain.TrackingStatuses() {
			if t := tallies[key{p.Number, st}]; t != nil {
				out = append(out, *t)
			}
		}
	}
	return out, nil
}

func (s *Store) planByID(id string) *domain.Plan {
	for i := range s.plans {
		if s.plans[i].ID == id {
			return &s.plans[i]
		}
	}
	return nil
}

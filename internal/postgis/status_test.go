package postgis_test

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"projectmap/internal/dataset"
	"projectmap/internal/domain"
	"projectmap/internal/storetest"
)

// randomLedger files random reports on a share of the plan's project
// sites and on the schedules sites inherit from, with some progress set
// exactly at the tolerance's edge, and retracts some. It returns what it
// filed and the ids retracted.
func randomLedger(t *testing.T, s domain.Ledger, p *dataset.Plan, seed uint64) ([]domain.Report, map[int64]bool) {
	t.Helper()
	ctx := context.Background()
	r := rand.New(rand.NewPCG(seed, 7))
	first := p.FirstDay()
	day := func() domain.Date { return first.AddDays(r.IntN(420)) } // some after the plan's year
	status := func(progress float64) domain.ReportStatus {
		switch u := r.Float64(); {
		case u < 0.1:
			return domain.ReportSuspended
		case u < 0.2:
			return domain.ReportCompleted
		case progress == 0:
			return domain.ReportNotStarted
		}
		return domain.ReportInProgress
	}
	progressNear := func(planned float64) float64 {
		switch u := r.Float64(); {
		case u < 0.15:
			return 0
		case u < 0.25:
			return math.Max(0, planned-domain.Tolerance)
		case u < 0.35:
			// Within Track's epsilon of the edge: on track, not behind.
			return math.Max(0, planned-domain.Tolerance-5e-10)
		case u < 0.40:
			return math.Max(0, planned-domain.Tolerance-2e-9)
		}
		return math.Round(r.Float64()*1000) / 1000
	}
	var drafts []domain.Report
	schedules := map[[2]any]bool{}
	for _, site := range p.Sites {
		pr := p.Project(site.Project)
		if pr == nil {
			continue
		}
		layer := p.Layer(site.Layer)
		if in := pr.InheritsFrom(*layer, site); in != "" && !schedules[[2]any{pr.Number, in}] && r.Float64() < 0.7 {
			schedules[[2]any{pr.Number, in}] = true
			for k := 0; k < 1+r.IntN(3); k++ {
				on := day()
				progress := progressNear(pr.SiteProgress(site, on).Planned)
				drafts = append(drafts, scheduleReport(p.ID, pr.Number, in, on, progress, status(progress)))
			}
		}
		if r.Float64() < 0.4 {
			continue
		}
		for k := 0; k < 1+r.IntN(3); k++ {
			on := day()
			progress := progressNear(pr.SiteProgress(site, on).Planned)
			drafts = append(drafts, report(site, on, progress, status(progress)))
		}
	}
	// Filed in batches, as ledgers are.
	var filed []domain.Report
	for len(drafts) > 0 {
		n := min(len(drafts), 1+r.IntN(40))
		res, err := s.FileReports(ctx, domain.Filing{Reports: drafts[:n], Audit: domain.AuditEntry{Actor: "测试单位"}})
		if err != nil {
			t.Fatal(err)
		}
		filed = append(filed, res.Reports...)
		drafts = drafts[n:]
	}
	retracted := map[int64]bool{}
	for _, rep := range filed {
		if r.Float64() < 0.1 {
			if _, _, err := s.Retract(ctx, domain.RetractionFiling{Retraction: domain.Retraction{Report: rep.ID, Reason: "填错", RetractedBy: "测试单位"},
				Audit: domain.AuditEntry{Actor: "测试单位"}}); err != nil {
				t.Fatal(err)
			}
			retracted[rep.ID] = true
		}
	}
	return filed, retracted
}

// TestStatusIsTrack is the guarantee that the status rule in SQL is the
// domain's: over random reports and many dates, every layer's sites of
// each status, their reports, and the tallies are what Go computes with
// domain.Track.
func TestStatusIsTrack(t *testing.T) {
	ctx := context.Background()
	s := storetest.PostGIS(t)
	p := storetest.Dataset(t).Latest()
	reports, retracted := randomLedger(t, s, p, 1)
	if len(reports) < 200 {
		t.Fatalf("only %d random reports", len(reports))
	}
	var dates []domain.Date
	for d := p.FirstDay().AddDays(-1); d.Before(p.LastDay().AddDays(60)); d = d.AddDays(23) {
		dates = append(dates, d)
	}
	dates = append(dates, p.LastDay())
	seen := map[domain.TrackingStatus]int{}
	for _, asof := range dates {
		for _, l := range p.Layers {
			var sites []domain.Site
			for _, site := range p.Sites {
				if site.Layer == l.ID {
					sites = append(sites, site)
				}
			}
			// With a date and no status, every site carries its report:
			// the whole layer (found at once), and a page (probed).
			for _, limit := range []int{0, 7} {
				page, err := s.Sites(ctx, domain.SiteQuery{Plan: p.ID, Layer: l.ID, AsOf: asof, Limit: limit, Offset: limit / 2})
				if err != nil {
					t.Fatal(err)
				}
				if len(page.Reports) != len(page.Sites) || page.Matched != len(sites) {
					t.Fatalf("%s on %s: %d reports for %d sites of %d", l.ID, asof, len(page.Reports), len(page.Sites), page.Matched)
				}
				for i, site := range page.Sites {
					_, w := storetest.ExpectedStatus(p, site, reports, retracted, asof)
					if r := page.Reports[i]; (r == nil) != (w == nil) || r != nil && (r.ID != w.ID || r.Progress != w.Progress || r.Source != w.Source) {
						t.Errorf("%s on %s (limit %d): %s carries %v, want %v", l.ID, asof, limit, site.ID, r, w)
					}
				}
			}
			for _, st := range domain.TrackingStatuses() {
				var want []string
				var wantReports []*domain.Report
				for _, site := range sites {
					if got, r := storetest.ExpectedStatus(p, site, reports, retracted, asof); got == st {
						want = append(want, site.ID)
						wantReports = append(wantReports, r)
					}
				}
				seen[st] += len(want)
				page, err := s.Sites(ctx, domain.SiteQuery{Plan: p.ID, Layer: l.ID, Status: st, AsOf: asof})
				if err != nil {
					t.Fatal(err)
				}
				got := []string{}
				for _, site := range page.Sites {
					got = append(got, site.ID)
				}
				if want == nil {
					want = []string{}
				}
				if !slices.Equal(got, want) || page.Matched != len(want) {
					t.Errorf("%s on %s, %s: %v (matched %d), want %v", l.ID, asof, st, got, page.Matched, want)
					continue
				}
				for i, r := range page.Reports {
					w := wantReports[i]
					if (r == nil) != (w == nil) || r != nil && r.ID != w.ID {
						t.Errorf("%s on %s: %s carries %v, want %v", l.ID, asof, got[i], r, w)
					}
				}
			}
		}
		checkTallies(t, s, p, reports, retracted, asof)
	}
	for _, st := range domain.TrackingStatuses() {
		if seen[st] == 0 {
			t.Errorf("no site was ever %s: the random ledger does not test that status", st)
		}
	}
}

func checkTallies(t *testing.T, s domain.Ledger, p *dataset.Plan, reports []domain.Report, retracted map[int64]bool, asof domain.Date) {
	t.Helper()
	want := storetest.ExpectedTallies(p, reports, retracted, asof)
	got, err := s.SiteTallies(context.Background(), p.ID, asof)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Errorf("tallies on %s: %d, want %d", asof, len(got), len(want))
	}
	for _, g := range got {
		w := want[storetest.TallyKey{Project: g.Project, Status: g.Status}]
		if g.Sites != w.Sites || math.Abs(g.Progress-w.Progress) > 1e-9 {
			t.Errorf("tally on %s of project %d %s: %+v, want %+v", asof, g.Project, g.Status, g, w)
		}
	}
	if !sort.SliceIsSorted(got, func(i, j int) bool { return got[i].Project < got[j].Project }) {
		t.Errorf("tallies on %s are not in project order", asof)
	}
}

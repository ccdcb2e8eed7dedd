package storetest

import (
	"context"
	"fmt"
	"math"
	"sort"
	"testing"

	"github.com/paulmach/orb"

	"projectmap/internal/dataset"
	"projectmap/internal/domain"
	"projectmap/internal/geomutil"
)

func sortReports(rs []domain.Report) []domain.Report {
	out := append([]domain.Report(nil), rs...)
	sort.Slice(out, func(i, j int) bool {
		if out[i].Project != out[j].Project {
			return out[i].Project < out[j].Project
		}
		return out[i].Schedule < out[j].Schedule
	})
	return out
}

// statusFixture files reports on sites of several kinds and returns them
// with the ids of those it retracted.
func statusFixture(t *testing.T, ds *dataset.Dataset, s domain.Store) ([]domain.Report, map[int64]bool) {
	t.Helper()
	drafts := []domain.ReportDraft{
		{Site: "old-community-lintong-renhan", ReportedOn: "2024-11-15", Status: "completed"},
		{Site: "old-community-baqiao-dianchangyiqu", ReportedOn: "2024-06-30", Fraction: f64(0.5)},
		{Site: "old-community-baqiao-dianchangyiqu", ReportedOn: "2024-09-30", Fraction: f64(0.55)},
		{Site: "old-community-gaoling-minying", ReportedOn: "2024-07-31", Status: "suspended"},
		{Site: "old-community-gaoling-minying", ReportedOn: "2024-08-31", Fraction: f64(0.9)},
		{Project: 1, Schedule: "line-8", ReportedOn: "2024-06-30", Milestone: i64(2)},
		{Project: 1, Schedule: "line-8", ReportedOn: "2024-12-20", Milestone: i64(11)},
		{Site: "metro-station-beichen-east-rd", ReportedOn: "2024-10-31", Status: "not_started"},
		{Project: 3, Schedule: "intersections", ReportedOn: "2024-09-30", Quantity: f64(16)},
		{Site: "charging-piles-610102", ReportedOn: "2024-09-30", Quantity: f64(120)},
	}
	var reports []domain.Report
	for _, d := range drafts {
		reports = append(reports, draft(t, ds, d))
	}
	got := file(t, s, reports...)
	// The gaoling community's 90% was filed in error.
	retracted := map[int64]bool{got[4].ID: true}
	if _, _, err := s.Retract(context.Background(), domain.RetractionFiling{Retraction: domain.Retraction{Report: got[4].ID, Reason: "填错小区", RetractedBy: "x", RetractedAt: filedAt}, Audit: audit("report.retract")}); err != nil {
		t.Fatal(err)
	}
	return got, retracted
}

// effective is the report that speaks for a site on asof, computed from
// the reports the suite filed: the site's own latest, else its inherited
// schedule's latest, never a retracted one.
func effective(p *dataset.Plan, site domain.Site, reports []domain.Report, retracted map[int64]bool, asof domain.Date) *domain.Report {
	layer := p.Layer(site.Layer)
	inherits := ""
	if pr := p.Project(site.Project); pr != nil && layer != nil {
		inherits = pr.InheritsFrom(*layer, site)
	}
	latest := func(match func(r domain.Report) bool) *domain.Report {
		var best *domain.Report
		for i := range reports {
			r := &reports[i]
			if retracted[r.ID] || r.ReportedOn.After(asof) || !match(*r) {
				continue
			}
			if best == nil || r.ReportedOn.After(best.ReportedOn) || (r.ReportedOn == best.ReportedOn && r.ID > best.ID) {
				best = r
			}
		}
		return best
	}
	if r := latest(func(r domain.Report) bool { return r.Site == site.ID }); r != nil {
		return r
	}
	if inherits == "" {
		return nil
	}
	return latest(func(r domain.Report) bool {
		return r.Site == "" && r.Project == site.Project && r.Schedule == inherits
	})
}

// ExpectedStatus is the tracking status of a site on asof and the report
// that speaks for it, computed in Go with the domain from the reports a
// test filed (and the ids it retracted): what every store must answer.
// Sites of no project have no status ("").
func ExpectedStatus(p *dataset.Plan, site domain.Site, reports []domain.Report, retracted map[int64]bool, asof domain.Date) (domain.TrackingStatus, *domain.Report) {
	pr := p.Project(site.Project)
	if pr == nil {
		return "", nil
	}
	r := effective(p, site, reports, retracted, asof)
	return domain.Track(pr.SiteProgress(site, asof).Planned, domain.ReportedOf(r)), r
}

// TallyKey names one tally: a project and a tracking status.
type TallyKey struct {
	Project int
	Status  domain.TrackingStatus
}

// ExpectedTallies is what SiteTallies must answer on asof, computed in Go
// with ExpectedStatus.
func ExpectedTallies(p *dataset.Plan, reports []domain.Report, retracted map[int64]bool, asof domain.Date) map[TallyKey]domain.SiteTally {
	want := map[TallyKey]domain.SiteTally{}
	for _, site := range p.Sites {
		st, r := ExpectedStatus(p, site, reports, retracted, asof)
		if st == "" {
			continue
		}
		k := TallyKey{site.Project, st}
		tally := want[k]
		tally.Project, tally.Status = site.Project, st
		tally.Sites++
		if r != nil {
			tally.Progress += r.Progress
		}
		want[k] = tally
	}
	return want
}

var statusLayers = []string{"old-communities", "metro-stations", "metro-lines", "intersections", "charging-piles", "housing-delivery"}

var statusDates = []domain.Date{
	domain.NewDate(2024, 5, 1), domain.NewDate(2024, 7, 31), domain.NewDate(2024, 8, 31),
	domain.NewDate(2024, 11, 15), domain.NewDate(2024, 12, 31), domain.NewDate(2025, 3, 1),
}

func testStatusFilter(t *testing.T, ds *dataset.Dataset, s domain.Store) {
	reports, retracted := statusFixture(t, ds, s)
	p := ds.Latest()
	box := orb.Bound{Min: orb.Point{108.7, 34.0}, Max: orb.Point{109.3, 34.5}}
	for _, layer := range statusLayers {
		sites := layerSites(p, layer)
		for _, asof := range statusDates {
			counted := 0
			for _, st := range domain.TrackingStatuses() {
				var want []domain.Site
				var wantReports []*domain.Report
				for _, site := range sites {
					if got, r := ExpectedStatus(p, site, reports, retracted, asof); got == st {
						want = append(want, site)
						wantReports = append(wantReports, r)
					}
				}
				counted += len(want)
				name := fmt.Sprintf("%s/%s/%s", layer, asof, st)
				q := domain.SiteQuery{Plan: p.ID, Layer: layer, Status: st, AsOf: asof}
				checkStatusPage(t, s, name, q, want, wantReports)
				paged := q
				paged.Limit, paged.Offset = 2, 1
				lo, hi := min(1, len(want)), min(3, len(want))
				checkStatusPage(t, s, name+"/page", paged, want[lo:hi], wantReports[lo:hi])
				boxed := q
				boxed.BBox = &box
				var inBox []domain.Site
				var inBoxReports []*domain.Report
				for i, site := range want {
					if site.Geometry != nil && geomutil.Intersects(site.Geometry, box) {
						inBox, inBoxReports = append(inBox, site), append(inBoxReports, wantReports[i])
					}
				}
				checkStatusPage(t, s, name+"/bbox", boxed, inBox, inBoxReports)
			}
			if counted != len(sites) {
				t.Errorf("%s on %s: statuses cover %d of %d sites", layer, asof, counted, len(sites))
			}
		}
	}
	_, err := s.Sites(context.Background(), domain.SiteQuery{Plan: p.ID, Layer: "old-communities", Status: "done", AsOf: statusDates[0]})
	wantKind(t, "an unknown status", err, domain.ErrInvalid)
}

func checkStatusPage(t *testing.T, s domain.Store, name string, q domain.SiteQuery, want []domain.Site, wantReports []*domain.Report) {
	t.Helper()
	page, err := s.Sites(context.Background(), q)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if q.Limit == 0 && page.Matched != len(want) {
		t.Errorf("%s: matched %d, want %d", name, page.Matched, len(want))
	}
	if d := jsonDiff(siteIDs(want), siteIDs(page.Sites)); d != "" {
		t.Errorf("%s: sites (-want +got):\n%s", name, d)
		return
	}
	if len(page.Reports) != len(page.Sites) {
		t.Errorf("%s: %d reports for %d sites", name, len(page.Reports), len(page.Sites))
		return
	}
	for i, r := range page.Reports {
		w := wantReports[i]
		switch {
		case (r == nil) != (w == nil):
			t.Errorf("%s: %s carries report %v, want %v", name, page.Sites[i].ID, r, w)
		case r != nil && (r.ID != w.ID || math.Abs(r.Progress-w.Progress) > 1e-12 || r.Status != w.Status || r.ReportedBy != w.ReportedBy):
			t.Errorf("%s: %s carries report %+v, want %+v", name, page.Sites[i].ID, *r, *w)
		}
	}
}

func testInheritance(t *testing.T, ds *dataset.Dataset, s domain.Store) {
	ctx := context.Background()
	reports, _ := statusFixture(t, ds, s)
	line8Open := reports[6]
	own := reports[7]
	asof := domain.NewDate(2024, 12, 31)
	tests := []struct {
		layer, site string
		want        int64 // 0: none
	}{
		{"metro-stations", "metro-station-beichen-east-rd", own.ID}, // its own report wins
		{"metro-lines", "metro-line-8", line8Open.ID},
		{"intersections", "intersection-weiyang-rd-fengcheng-10th-rd", 0}, // a count of 16 says nothing of one
		{"charging-piles", "charging-piles-610103", 0},                    // nor does a quota layer inherit
	}
	p := ds.Latest()
	for _, site := range layerSites(p, "metro-stations") {
		if site.Schedule == "line-8" && site.ID != own.Site {
			tests = append(tests, struct {
				layer, site string
				want        int64
			}{"metro-stations", site.ID, line8Open.ID})
			break
		}
	}
	for _, tt := range tests {
		if !hasSite(p, tt.layer, tt.site) {
			t.Fatalf("the data has no site %s/%s", tt.layer, tt.site)
		}
		r, err := s.SiteReport(ctx, p.ID, tt.layer, tt.site, asof)
		if err != nil {
			t.Fatal(err)
		}
		got := int64(0)
		if r != nil {
			got = r.ID
		}
		if got != tt.want {
			t.Errorf("SiteReport(%s) = report %d, want %d", tt.site, got, tt.want)
		}
		page, err := s.Reports(ctx, domain.ReportQuery{Plan: p.ID, Site: tt.site})
		if err != nil {
			t.Fatal(err)
		}
		if tt.want != 0 && !containsReport(page.Reports, tt.want) {
			t.Errorf("Reports(site %s) lacks report %d: %v", tt.site, tt.want, page.Reports)
		}
	}
	_, err := s.SiteByID(ctx, p.ID, "metro-station-beichen-east-rd")
	if err != nil {
		t.Errorf("SiteByID: %v", err)
	}
	_, err = s.SiteByID(ctx, p.ID, "no-such-site")
	wantKind(t, "SiteByID(unknown)", err, domain.ErrNotFound)
}

func hasSite(p *dataset.Plan, layer, id string) bool {
	for _, s := range layerSites(p, layer) {
		if s.ID == id {
			return true
		}
	}
	return false
}

func containsReport(rs []domain.Report, id int64) bool {
	for _, r := range rs {
		if r.ID == id {
			return true
		}
	}
	return false
}

func testSiteTallies(t *testing.T, ds *dataset.Dataset, s domain.Store) {
	reports, retracted := statusFixture(t, ds, s)
	p := ds.Latest()
	for _, asof := range statusDates {
		want := ExpectedTallies(p, reports, retracted, asof)
		got, err := s.SiteTallies(context.Background(), p.ID, asof)
		if err != nil {
			t.Fatal(err)
		}
		gotMap := map[TallyKey]domain.SiteTally{}
		for _, tally := range got {
			gotMap[TallyKey{tally.Project, tally.Status}] = tally
		}
		for k, w := range want {
			g := gotMap[k]
			if g.Sites != w.Sites || math.Abs(g.Progress-w.Progress) > 1e-9 {
				t.Errorf("on %s project %d %s: %d sites (progress %v), want %d (%v)", asof, k.Project, k.Status, g.Sites, g.Progress, w.Sites, w.Progress)
			}
		}
		for k, g := range gotMap {
			if _, ok := want[k]; !ok && g.Sites > 0 {
				t.Errorf("on %s: unexpected tally %+v", asof, g)
			}
		}
	}
}

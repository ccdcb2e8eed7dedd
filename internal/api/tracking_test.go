package api_test

import (
	"encoding/csv"
	"net/http/httptest"
	"strings"
	"testing"

	"projectmap/internal/domain"
)

type projectsResponse struct {
	AsOf      string           `json:"asof"`
	Scorecard domain.Scorecard `json:"scorecard"`
	Projects  []struct {
		Number    int                   `json:"number"`
		Status    string                `json:"status"`
		Planned   domain.Progress       `json:"planned"`
		Due       *string               `json:"due"`
		Reported  *domain.ReportedState `json:"reported"`
		Sites     *domain.SiteBreakdown `json:"sites"`
		Progress  any                   `json:"progress"`
		Schedules []struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"schedules"`
	} `json:"projects"`
}

// TestHonestyRule: with no report filed, nothing anywhere is completed,
// on any date, whatever the plan says should be done by then.
func TestHonestyRule(t *testing.T) {
	forEachStore(t, func(t *testing.T, srv *httptest.Server) {
		colls := decode[struct {
			Collections []struct{ ID string } `json:"collections"`
		}](t, get(t, srv, "/ogc/collections"))
		for _, asof := range []string{"", "2024-03-31", "2024-07-15", "2024-12-31", "2025-06-01"} {
			q := "?asof=" + asof
			if asof == "" {
				q = "?"
			}
			for _, c := range colls.Collections {
				base := "/ogc/collections/" + c.ID + "/items" + q
				it := decode[items](t, get(t, srv, base+"&limit=10000"))
				for _, f := range it.Features {
					if st := f.Properties["status"]; st != nil && st != "unreported" {
						t.Errorf("%s %s: status %v with no report", asof, f.ID, st)
					}
					if f.Properties["reported"] != nil || f.Properties["report_id"] != nil {
						t.Errorf("%s %s carries a report that was never filed", asof, f.ID)
					}
				}
				if done := decode[items](t, get(t, srv, base+"&status=completed")); done.NumberMatched != 0 {
					t.Errorf("%s %s: %d features completed", asof, c.ID, done.NumberMatched)
				}
				r := get(t, srv, base+"&f=csv")
				rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(r.body), "\ufeff"))).ReadAll()
				if err != nil || len(rows) != len(it.Features)+1 {
					t.Fatalf("%s %s CSV: %d rows, %v", asof, c.ID, len(rows), err)
				}
				col := indexOf(rows[0], "status")
				for _, row := range rows[1:] {
					if row[col] != "" && row[col] != "unreported" {
						t.Errorf("%s %s CSV row %s: status %s", asof, c.ID, row[0], row[col])
					}
				}
			}
			doc := decode[projectsResponse](t, get(t, srv, "/api/projects"+q))
			if len(doc.Projects) != 30 || doc.Scorecard.Total != 30 || doc.Scorecard.Counts[domain.TrackUnreported] != 30 ||
				doc.Scorecard.Counts[domain.TrackCompleted] != 0 || doc.Scorecard.Kept != 0 || doc.Scorecard.Unknown != 30 {
				t.Errorf("%s: %d projects, scorecard %+v", asof, len(doc.Projects), doc.Scorecard)
			}
			for _, p := range doc.Projects {
				if p.Status != "unreported" || p.Reported != nil || p.Progress != nil {
					t.Errorf("%s: project %d status %s reported %v progress %v", asof, p.Number, p.Status, p.Reported, p.Progress)
				}
				for _, s := range p.Schedules {
					if s.Status != "unreported" {
						t.Errorf("%s: project %d schedule %s: %s", asof, p.Number, s.ID, s.Status)
					}
				}
			}
			if got := decode[projectsResponse](t, get(t, srv, "/api/projects"+q+"&status=completed")); len(got.Projects) != 0 {
				t.Errorf("%s: %d projects completed", asof, len(got.Projects))
			}
		}
		// The map opens on the city's today (the plan's year lasts).
		if doc := decode[projectsResponse](t, get(t, srv, "/api/projects")); doc.AsOf != "2024-07-15" {
			t.Errorf("default asof %s", doc.AsOf)
		}
	})
}

func indexOf(row []string, name string) int {
	for i, h := range row {
		if h == name {
			return i
		}
	}
	return -1
}

// intersectionIDs are the ids of the 16 intersections, in layer order.
func intersectionIDs(t *testing.T, ls *ledgerServer) []string {
	it := decode[items](t, get(t, ls.Server, "/ogc/collections/intersections/items"))
	if len(it.Features) != 16 {
		t.Fatalf("%d intersections", len(it.Features))
	}
	return it.ids()
}

// TestStatusFilterAfterFiling: the store filters by tracking status; the
// counts add up to the layer, and every feature shows the status it was
// filtered by.
func TestStatusFilterAfterFiling(t *testing.T) {
	forEachWritable(t, func(t *testing.T, ls *ledgerServer) {
		ids := intersectionIDs(t, ls)
		var drafts []map[string]any
		site := func(i int, extra map[string]any) {
			d := map[string]any{"site": ids[i], "reported_on": "2024-10-15", "source": "市住建局 十月通报"}
			for k, v := range extra {
				d[k] = v
			}
			drafts = append(drafts, d)
		}
		for i := 0; i < 3; i++ {
			site(i, map[string]any{"status": "completed"})
		}
		for i := 3; i < 7; i++ {
			site(i, map[string]any{"fraction": 0.45})
		}
		for i := 7; i < 9; i++ {
			site(i, map[string]any{"fraction": 0.2})
		}
		site(9, map[string]any{"status": "not_started"})
		site(10, map[string]any{"status": "suspended"})
		site(11, map[string]any{"status": "not_started", "reported_on": "2024-07-01"})
		ls.mustFile(t, "reporter3", drafts...)

		tests := []struct {
			asof   string
			counts map[string]int
		}{
			// On 31 October the plan expects half of the 16 done: a report
			// of no work is behind.
			{"2024-10-31", map[string]int{"completed": 3, "on_track": 4, "behind": 4, "not_started": 0, "suspended": 1, "unreported": 4}},
			// On 20 October it expects a quarter.
			{"2024-10-20", map[string]int{"completed": 3, "on_track": 6, "behind": 2, "not_started": 0, "suspended": 1, "unreported": 4}},
			// Before the October reports, only July's counts.
			{"2024-10-14", map[string]int{"completed": 0, "on_track": 0, "behind": 1, "not_started": 0, "suspended": 0, "unreported": 15}},
			// In July no figure is due yet: not started is no failure.
			{"2024-07-10", map[string]int{"completed": 0, "on_track": 0, "behind": 0, "not_started": 1, "suspended": 0, "unreported": 15}},
		}
		for _, tt := range tests {
			total := 0
			for status, want := range tt.counts {
				it := decode[items](t, get(t, ls.Server, "/ogc/collections/intersections/items?asof="+tt.asof+"&status="+status))
				if it.NumberMatched != want || len(it.Features) != want {
					t.Errorf("%s status=%s: matched %d, returned %d, want %d", tt.asof, status, it.NumberMatched, len(it.Features), want)
				}
				for _, f := range it.Features {
					if f.Properties["status"] != status {
						t.Errorf("%s status=%s gave %s with status %v", tt.asof, status, f.ID, f.Properties["status"])
					}
				}
				total += it.NumberMatched
			}
			if total != 16 {
				t.Errorf("%s: the statuses count %d sites, want the layer's 16", tt.asof, total)
			}
		}
		// Paging over a filter: two pages of two on_track sites.
		p1 := decode[items](t, get(t, ls.Server, "/ogc/collections/intersections/items?asof=2024-10-31&status=on_track&limit=2"))
		if p1.NumberMatched != 4 || len(p1.Features) != 2 || p1.link("next") == "" {
			t.Errorf("first page: %+v", p1)
		}
		p2 := decode[items](t, get(t, ls.Server, "/ogc/collections/intersections/items?asof=2024-10-31&status=on_track&limit=2&offset=2"))
		if len(p2.Features) != 2 || p2.link("next") != "" || p2.Features[0].ID == p1.Features[0].ID {
			t.Errorf("second page: %v after %v", p2.ids(), p1.ids())
		}
		// A feature carries its report beside the plan.
		one := decode[struct {
			Properties map[string]any `json:"properties"`
		}](t, get(t, ls.Server, "/ogc/collections/intersections/items/"+ids[7]+"?asof=2024-10-31"))
		p := one.Properties
		if p["status"] != "behind" || p["planned"] != 0.5 || p["planned_status"] != "under_way" || p["reported"] != 0.2 ||
			p["reported_status"] != "in_progress" || p["reported_on"] != "2024-10-15" || p["reported_by"] != "reporter3" ||
			p["report_source"] != "市住建局 十月通报" || p["report_id"] == nil || p["report_schedule"] != nil || p["due"] != "2024-12-31" {
			t.Errorf("feature properties %v", p)
		}
		// The CSV carries the same columns.
		r := get(t, ls.Server, "/ogc/collections/intersections/items?f=csv&asof=2024-10-31&status=completed")
		rows, _ := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(r.body), "\ufeff"))).ReadAll()
		if len(rows) != 4 || rows[1][indexOf(rows[0], "status")] != "completed" || rows[1][indexOf(rows[0], "reported_status")] != "completed" || rows[1][indexOf(rows[0], "reported_by")] != "reporter3" {
			t.Errorf("CSV %v", rows)
		}
	})
}

// TestInheritedReports: a metro line's report speaks for its stations.
func TestInheritedReports(t *testing.T) {
	forEachWritable(t, func(t *testing.T, ls *ledgerServer) {
		rep := ls.mustFile(t, "reporter3", map[string]any{"project": 1, "schedule": "line-8", "reported_on": "2024-11-01", "status": "completed", "source": "市轨道集团 开通公告"})[0]
		it := decode[items](t, get(t, ls.Server, "/ogc/collections/metro-stations/items?asof=2024-11-10&limit=1000"))
		onLine8, completed := 0, 0
		for _, f := range it.Features {
			if f.Properties["schedule"] == "line-8" {
				onLine8++
				if f.Properties["status"] != "completed" || f.Properties["report_schedule"] != "line-8" || f.Properties["report_id"] != float64(rep.ID) {
					t.Errorf("station %s: %v", f.ID, f.Properties)
				}
			}
			if f.Properties["status"] == "completed" {
				completed++
			}
		}
		if onLine8 == 0 || completed != onLine8 {
			t.Errorf("%d line-8 stations, %d completed", onLine8, completed)
		}
		filtered := decode[items](t, get(t, ls.Server, "/ogc/collections/metro-stations/items?asof=2024-11-10&status=completed&limit=1000"))
		if filtered.NumberMatched != onLine8 {
			t.Errorf("status=completed matched %d, want the %d line-8 stations", filtered.NumberMatched, onLine8)
		}
	})
}

// TestRollUpFromSites: a project whose sites carry the reports is as far
// along as they say, never more: "31 of 74 communities".
func TestRollUpFromSites(t *testing.T) {
	forEachWritable(t, func(t *testing.T, ls *ledgerServer) {
		it := decode[items](t, get(t, ls.Server, "/ogc/collections/old-communities/items?limit=100"))
		if len(it.Features) != 74 {
			t.Fatalf("%d communities", len(it.Features))
		}
		var drafts []map[string]any
		for _, id := range it.ids()[:31] {
			drafts = append(drafts, map[string]any{"site": id, "reported_on": "2024-11-01", "status": "completed", "source": "区住建局 竣工验收"})
		}
		ls.mustFile(t, "reporter15", drafts...)
		doc := decode[projectResponseFull](t, get(t, ls.Server, "/api/projects/15?asof=2024-11-15"))
		p := doc.Project
		if p.Sites == nil || p.Sites.Total != 74 || p.Sites.Counts[domain.TrackCompleted] != 31 || p.Sites.Counts[domain.TrackUnreported] != 43 {
			t.Fatalf("sites %+v", p.Sites)
		}
		if p.Reported == nil || p.Reported.Basis != "sites" || abs(p.Reported.Progress-31.0/74) > 1e-4 || p.Reported.Status != "in_progress" {
			t.Errorf("reported %+v, want 31/74 from the sites", p.Reported)
		}
		want := domain.Track(p.Planned.Planned, &domain.Reported{Progress: 31.0 / 74, Status: domain.ReportInProgress})
		if p.Status == "completed" || p.Status != string(want) {
			t.Errorf("status %s, want %s", p.Status, want)
		}
		list := decode[projectsResponse](t, get(t, ls.Server, "/api/projects?asof=2024-11-15&status="+string(want)))
		found := false
		for _, q := range list.Projects {
			found = found || q.Number == 15
		}
		if !found {
			t.Errorf("status=%s does not list project 15", want)
		}
	})
}

type projectResponseFull struct {
	Project struct {
		Status   string                `json:"status"`
		Planned  domain.Progress       `json:"planned"`
		Reported *domain.ReportedState `json:"reported"`
		Sites    *domain.SiteBreakdown `json:"sites"`
	} `json:"project"`
}

// TestScorecardFollowsFilings: the scorecard counts what was reported.
func TestScorecardFollowsFilings(t *testing.T) {
	forEachWritable(t, func(t *testing.T, ls *ledgerServer) {
		before := decode[projectsResponse](t, get(t, ls.Server, "/api/projects?asof=2024-10-31")).Scorecard
		if before.Counts[domain.TrackUnreported] != 30 || before.Final {
			t.Fatalf("before: %+v", before)
		}
		ls.mustFile(t, "reporter3",
			map[string]any{"project": 23, "reported_on": "2024-09-30", "status": "completed", "source": "市文旅局 通报"},
			map[string]any{"project": 3, "schedule": "intersections", "reported_on": "2024-10-01", "fraction": 0.1, "source": "市住建局"},
		)
		after := decode[projectsResponse](t, get(t, ls.Server, "/api/projects?asof=2024-10-31"))
		sc := after.Scorecard
		if sc.Total != 30 || sc.Counts[domain.TrackCompleted] != 1 || sc.Counts[domain.TrackUnreported] != 28 || sc.Counts[domain.TrackBehind] != 1 {
			t.Errorf("after: %+v", sc)
		}
		for _, p := range after.Projects {
			if p.Number == 23 && (p.Status != "completed" || p.Reported == nil || p.Reported.Basis != "report") {
				t.Errorf("project 23: %s %+v", p.Status, p.Reported)
			}
		}
		// At the year's end the scorecard reads as kept, not kept, unknown.
		final := decode[projectsResponse](t, get(t, ls.Server, "/api/projects?asof=2024-12-31")).Scorecard
		if !final.Final || final.Kept != 1 || final.NotKept != 1 || final.Unknown != 28 {
			t.Errorf("final: %+v", final)
		}
		only := decode[projectsResponse](t, get(t, ls.Server, "/api/projects?asof=2024-10-31&status=completed"))
		if len(only.Projects) != 1 || only.Projects[0].Number != 23 || only.Scorecard.Total != 30 {
			t.Errorf("status=completed: %d projects, scorecard total %d", len(only.Projects), only.Scorecard.Total)
		}
		// /api/config stretches the slider to no report beyond the year.
		cfg := decode[struct {
			Range struct{ From, To string } `json:"range"`
		}](t, get(t, ls.Server, "/api/config"))
		if cfg.Range.From != "2024-01-01" || cfg.Range.To != "2024-12-31" {
			t.Errorf("range %+v", cfg.Range)
		}
	})
}

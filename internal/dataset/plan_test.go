package dataset_test

import (
	"math"
	"strings"
	"sync"
	"testing"

	"projectmap/geodata"
	"projectmap/internal/dataset"
	"projectmap/internal/domain"
)

var (
	loadOnce sync.Once
	loaded   *dataset.Dataset
	loadErr  error
)

// xian2024 loads the embedded data once for all tests in this file.
func xian2024(t *testing.T) (*dataset.Dataset, *dataset.Plan) {
	t.Helper()
	loadOnce.Do(func() { loaded, loadErr = dataset.Load(geodata.Files) })
	if loadErr != nil {
		t.Fatalf("geodata does not load: %v", loadErr)
	}
	p := loaded.Plan("xian-2024")
	if p == nil {
		t.Fatal("no plan xian-2024")
	}
	return loaded, p
}

// TestPlanFigures asserts the plan's own numbers against the data: these
// tests are the proof that the data is faithful to the plan.
func TestPlanFigures(t *testing.T) {
	ds, p := xian2024(t)
	s := dataset.Summarize(p)
	counts := []struct {
		what string
		got  int
		want int
	}{
		{"districts", len(ds.Districts), 13},
		{"development zones", len(ds.Zones), 7},
		{"projects", s.Projects, 30},
		{"categories", s.Categories, 10},
		{"intersections", s.Features["intersections"], 16},
		{"ring-road nodes and sections", s.Features["ring-road-nodes"] + s.Features["ring-road-nodes-lines"], 11},
		{"water pipelines", s.Features["water-pipelines"], 6},
		{"water connection points", s.Features["water-sources"], 6},
		{"metro lines", s.Features["metro-lines"], 4},
		{"old communities", s.Features["old-communities"], 74},
		{"保交楼 developments", s.Features["housing-delivery"], 14},
		{"school partnerships", s.Features["school-partnerships"], 21},
		{"service-circle features (districts and zones)", s.Features["service-circles"] + s.Features["service-circles-zones"], 19},
	}
	for _, c := range counts {
		if c.got != c.want {
			t.Errorf("%s: got %d, want %d", c.what, c.got, c.want)
		}
	}
	for n := 1; n <= 30; n++ {
		if p.Project(n) == nil {
			t.Errorf("project %d missing", n)
		}
	}
}

func TestAllocationsAddUp(t *testing.T) {
	_, p := xian2024(t)
	s := dataset.Summarize(p)
	want := []struct {
		project   int
		metric    string
		stated    float64
		allocated float64
	}{
		{4, "charging_piles", 4700, 4700},
		{4, "parking_spaces", 15000, 15200}, // the plan's own lists disagree: kept and flagged
		{5, "public_childcare", 7, 7},
		{6, "kindergartens", 8, 8},
		{7, "schools", 14, 14},
		{13, "resettlement_projects", 66, 66},
		{21, "rehab_centres", 8, 8},
		{26, "model_villages", 400, 400},
		{28, "service_circles", 42, 42},
	}
	for _, w := range want {
		var found *dataset.AllocationCheck
		for i, a := range s.Allocations {
			if a.Project == w.project && a.Metric == w.metric {
				found = &s.Allocations[i]
			}
		}
		if found == nil {
			t.Errorf("project %d: no allocations of %s", w.project, w.metric)
			continue
		}
		if found.Stated != w.stated || found.Allocated != w.allocated {
			t.Errorf("project %d %s: stated %g allocated %g, want %g and %g", w.project, w.metric, found.Stated, found.Allocated, w.stated, w.allocated)
		}
		if found.Match != (w.stated == w.allocated) {
			t.Errorf("project %d %s: match = %v", w.project, w.metric, found.Match)
		}
		if !found.Match && found.Note == "" {
			t.Errorf("project %d %s: the mismatch is not flagged with a note", w.project, w.metric)
		}
	}
}

func TestNestedQuotaKept(t *testing.T) {
	_, p := xian2024(t)
	for _, a := range p.Project(4).Allocations {
		if a.Metric == "parking_spaces" && a.Recipient == "610114" {
			if a.Quantity != 500 || len(a.Includes) != 1 || a.Includes[0].Recipient != "hangkong" || a.Includes[0].Quantity != 200 {
				t.Errorf("阎良区 parking = %+v, want 500 including 航空基地 200", a)
			}
			return
		}
	}
	t.Error("no parking allocation for 阎良区")
}

func TestHousingDeliveries(t *testing.T) {
	_, p := xian2024(t)
	s := dataset.Summarize(p)
	var units float64
	for _, d := range s.Deliveries {
		units += d.Units
		if !d.Match {
			t.Errorf("%s: %g units but deliveries add up to %g", d.Name, d.Units, d.Delivered)
		}
	}
	if len(s.Deliveries) != 14 || units != 7661 {
		t.Errorf("保交楼: %d developments with %g units, want 14 and 7661", len(s.Deliveries), units)
	}
}

func TestChargingPileSchedule(t *testing.T) {
	_, p := xian2024(t)
	for _, sc := range p.Project(4).Schedules {
		if sc.Metric != "charging_piles" {
			continue
		}
		var got []float64
		for _, m := range sc.Milestones {
			got = append(got, m.Quantities["charging_piles"])
		}
		want := []float64{1150, 2400, 3600, 4700}
		if len(got) != len(want) {
			t.Fatalf("charging piles milestones %v, want %v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("charging piles milestones %v, want %v", got, want)
				break
			}
		}
		return
	}
	t.Error("project 4 has no charging-pile schedule")
}

func TestMetroLength(t *testing.T) {
	_, p := xian2024(t)
	m := dataset.Summarize(p).Metro
	if m.StatedKM != 91.7 {
		t.Errorf("stated metro length %g km, want the plan's 91.7", m.StatedKM)
	}
	// Straight lines between stations run shorter than the real track, but
	// not by much: a ratio outside this band means misplaced stations.
	if m.Ratio < 0.75 || m.Ratio > 1.1 {
		t.Errorf("drawn metro length %g km is %.2f of the stated 91.7 km", m.GeometryKM, m.Ratio)
	}
}

func TestEverySiteIsHonest(t *testing.T) {
	_, p := xian2024(t)
	for _, s := range p.Sites {
		if s.Source == "" || !s.Precision.Valid() {
			t.Errorf("%s: source %q precision %q", s.ID, s.Source, s.Precision)
		}
	}
}

// TestProgressFollowsThePlansOwnFigures pins schedules whose progress the
// plan states outright, and the schedules derived layers follow.
func TestProgressFollowsThePlansOwnFigures(t *testing.T) {
	_, p := xian2024(t)
	schedule := func(project int, id string) domain.Schedule {
		for _, s := range p.Project(project).Schedules {
			if s.ID == id {
				return s
			}
		}
		t.Fatalf("project %d has no schedule %s", project, id)
		return domain.Schedule{}
	}
	tests := []struct {
		project  int
		schedule string
		asof     string
		planned  float64
		status   domain.PlanStatus
	}{
		{27, "sewage", "2024-06-30", 0.30, domain.PlanUnderWay},
		{27, "sewage", "2024-09-30", 0.60, domain.PlanUnderWay},
		{27, "sewage", "2024-12-31", 1, domain.PlanDue},
		{23, "opera-shows", "2024-10-15", 1, domain.PlanUnderWay}, // 1,000 shows by Q3, the year's task closes in Q4
		{4, "charging-piles", "2024-06-30", 2400.0 / 4700, domain.PlanUnderWay},
		{28, "service-circles", "2024-07-31", 0, domain.PlanNotDue},
	}
	for _, tt := range tests {
		asof, _ := domain.ParseDate(tt.asof)
		got := schedule(tt.project, tt.schedule).Progress(asof)
		if got.Status != tt.status || math.Abs(got.Planned-tt.planned) > 1e-9 {
			t.Errorf("project %d %s on %s: %+v, want %s %.3f", tt.project, tt.schedule, tt.asof, got, tt.status, tt.planned)
		}
	}
	site := func(id string) domain.Site {
		for _, s := range p.Sites {
			if s.ID == id {
				return s
			}
		}
		t.Fatalf("no site %s", id)
		return domain.Site{}
	}
	// Q3 renovates 40 of 高陵's 41 communities; the rest of the 74 close in Q4.
	sites := []struct {
		id      string
		asof    string
		planned float64
		status  domain.PlanStatus
	}{
		{"old-community-gaoling-minying", "2024-09-30", 40.0 / 41, domain.PlanUnderWay},
		{"old-community-gaoling-minying", "2024-12-31", 1, domain.PlanDue},
		{"old-community-lintong-renhan", "2024-09-30", 2.0 / 3, domain.PlanUnderWay},
		{"old-community-lintong-renhan", "2024-12-31", 1, domain.PlanDue},
	}
	for _, tt := range sites {
		asof, _ := domain.ParseDate(tt.asof)
		got := p.Project(15).SiteProgress(site(tt.id), asof)
		if got.Status != tt.status || math.Abs(got.Planned-tt.planned) > 1e-9 {
			t.Errorf("%s on %s: %+v, want %s %.3f", tt.id, tt.asof, got, tt.status, tt.planned)
		}
	}
	for _, s := range p.Sites {
		layer, _ := strings.CutSuffix(s.Layer, "-zones") // a layer's zones follow its schedule
		want := map[string]string{"parking": "parking", "model-villages": "model-villages", "charging-piles": "charging-piles", "service-circles": "service-circles"}[layer]
		if want != "" && s.Schedule != want {
			t.Errorf("%s follows schedule %q, want %q", s.ID, s.Schedule, want)
		}
	}
}

// The planned curve a store keeps for each site gives the planned fraction
// of every day, for every site of the plan.
func TestSiteCurvesMatchProgress(t *testing.T) {
	_, p := xian2024(t)
	for _, s := range p.Sites {
		pr := p.Project(s.Project)
		if pr == nil {
			continue
		}
		c := pr.SiteCurve(s)
		for day := domain.NewDate(p.Year-1, 12, 1); day.Before(domain.NewDate(p.Year+1, 2, 1)); day = day.AddDays(1) {
			if got, want := c.At(day), pr.SiteProgress(s, day).Planned; got != want {
				t.Fatalf("%s on %s: curve %v, progress %v", s.ID, day, got, want)
			}
		}
	}
}

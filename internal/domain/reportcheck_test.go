package domain

import (
	"math"
	"strings"
	"testing"
	"time"
)

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

func fp(f float64) *float64 { return &f }
func ip(n int) *int         { return &n }

// testPlan has a project with one metric schedule (piles), one with two
// schedules, and sites of three kinds.
func testPlan() (Plan, SiteLookup) {
	p := Plan{ID: "xian-2024", City: "西安市", Year: 2024, TimeZone: "Asia/Shanghai", Projects: []Project{
		{Number: 1, Schedules: []Schedule{piles}},
		{Number: 2, Schedules: []Schedule{circles, shows}},
	}}
	sites := map[string]*Site{
		"quota":   {ID: "quota", Project: 1, Layer: "charging-piles", Schedule: "charging-piles", Attrs: map[string]any{"metric": "charging_piles", "quantity": 200.0}},
		"station": {ID: "station", Project: 2, Layer: "stations", Schedule: "circles"},
		"housing": {ID: "housing", Project: 2, Layer: "housing", Milestones: []Milestone{
			{Date: d("2024-04-30"), Quantities: map[string]float64{"housing_units": 154}},
			{Date: d("2024-06-30"), Quantities: map[string]float64{"housing_units": 354}},
		}},
		"district": {ID: "district", Layer: "districts"},
	}
	return p, func(id string) (*Site, error) { return sites[id], nil }
}

func TestCheckReportAccepts(t *testing.T) {
	p, sites := testPlan()
	today := d("2024-08-01")
	base := ReportDraft{ReportedOn: "2024-07-31", Source: " 市发改委月报 2024年7月 "}
	tests := []struct {
		name     string
		edit     func(*ReportDraft)
		progress float64
		status   ReportStatus
		check    func(t *testing.T, r Report)
	}{
		{"a quantity of the only schedule", func(d *ReportDraft) { d.Project, d.Quantity = 1, fp(2350) }, 2350.0 / 4700, ReportInProgress,
			func(t *testing.T, r Report) {
				if r.Schedule != "charging-piles" || r.Metric != "charging_piles" || r.Source != "市发改委月报 2024年7月" {
					t.Errorf("report %+v", r)
				}
			}},
		{"above the target: kept, flagged, done", func(d *ReportDraft) { d.Project, d.Quantity = 1, fp(4800) }, 1, ReportCompleted,
			func(t *testing.T, r Report) {
				if !r.ExceedsTarget || *r.Quantity != 4800 {
					t.Errorf("report %+v", r)
				}
			}},
		{"milestones reached of a step schedule", func(d *ReportDraft) { d.Project, d.Schedule, d.Milestone = 2, "circles", ip(2) }, 0.5, ReportInProgress, nil},
		{"milestones of a metric schedule count its figure", func(d *ReportDraft) { d.Project, d.Schedule, d.Milestone = 2, "opera-shows", ip(2) }, 0.65, ReportInProgress, nil},
		{"a fraction of a whole project", func(d *ReportDraft) { d.Project, d.Fraction = 2, fp(0.3) }, 0.3, ReportInProgress,
			func(t *testing.T, r Report) {
				if r.Schedule != "" {
					t.Errorf("a project of two schedules got schedule %q", r.Schedule)
				}
			}},
		{"status alone", func(d *ReportDraft) { d.Project, d.Status = 2, "suspended" }, 0, ReportSuspended, nil},
		{"completed alone", func(d *ReportDraft) { d.Project, d.Status = 1, "completed" }, 1, ReportCompleted, nil},
		{"zero is not started", func(d *ReportDraft) { d.Project, d.Fraction = 1, fp(0) }, 0, ReportNotStarted, nil},
		{"a quota site counts against its quota", func(d *ReportDraft) { d.Site, d.Quantity = "quota", fp(50) }, 0.25, ReportInProgress,
			func(t *testing.T, r Report) {
				if r.Project != 1 || r.Layer != "charging-piles" || r.Site != "quota" || r.Schedule != "" {
					t.Errorf("report %+v", r)
				}
			}},
		{"a site with its own deliveries", func(d *ReportDraft) { d.Site, d.Quantity = "housing", fp(177) }, 0.5, ReportInProgress, nil},
		{"a site's steps", func(d *ReportDraft) { d.Project, d.Site, d.Milestone = 2, "station", ip(4) }, 1, ReportCompleted, nil},
		{"the plan's first day", func(d *ReportDraft) { d.Project, d.ReportedOn, d.Fraction = 1, "2024-01-01", fp(0.1) }, 0.1, ReportInProgress, nil},
		{"today", func(d *ReportDraft) { d.Project, d.ReportedOn, d.Fraction = 1, "2024-08-01", fp(0.1) }, 0.1, ReportInProgress, nil},
		{"an evidence link", func(d *ReportDraft) { d.Project, d.Fraction, d.EvidenceURL = 1, fp(0.1), "https://www.xa.gov.cn/a?b=1" }, 0.1, ReportInProgress, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dr := base
			tt.edit(&dr)
			r, err := CheckReport(p, dr, today, sites)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(r.Progress-tt.progress) > 1e-12 || r.Status != tt.status {
				t.Errorf("progress %v status %s, want %v %s", r.Progress, r.Status, tt.progress, tt.status)
			}
			if tt.check != nil {
				tt.check(t, r)
			}
		})
	}
}

func TestCheckReportRefuses(t *testing.T) {
	p, sites := testPlan()
	today := d("2024-08-01")
	ok := ReportDraft{Project: 1, ReportedOn: "2024-07-31", Quantity: fp(100), Source: "月报"}
	tests := []struct {
		name  string
		edit  func(*ReportDraft)
		field string
		want  string
	}{
		{"no project", func(d *ReportDraft) { d.Project = 0 }, "project", "give the project"},
		{"unknown project", func(d *ReportDraft) { d.Project = 31 }, "project", "no project 31"},
		{"unknown schedule", func(d *ReportDraft) { d.Schedule = "nope" }, "schedule", "no schedule"},
		{"unknown site", func(d *ReportDraft) { d.Site = "nope" }, "site", "no site"},
		{"a base feature", func(d *ReportDraft) { d.Project, d.Site = 0, "district" }, "site", "base feature"},
		{"a site of another project", func(d *ReportDraft) { d.Site = "station" }, "site", "belongs to project 2"},
		{"site and schedule", func(d *ReportDraft) {
			d.Project, d.Site, d.Schedule, d.Quantity, d.Fraction = 2, "station", "circles", nil, fp(0.5)
		}, "schedule", "not both"},
		{"no date", func(d *ReportDraft) { d.ReportedOn = "" }, "reported_on", "give the date"},
		{"a bad date", func(d *ReportDraft) { d.ReportedOn = "2024-02-30" }, "reported_on", "YYYY-MM-DD"},
		{"the future", func(d *ReportDraft) { d.ReportedOn = "2024-08-02" }, "reported_on", "future"},
		{"before the plan's year", func(d *ReportDraft) { d.ReportedOn = "2023-12-31" }, "reported_on", "before the plan's year"},
		{"no measure nor status", func(d *ReportDraft) { d.Quantity = nil }, "quantity", "give a measure"},
		{"two measures", func(d *ReportDraft) { d.Fraction = fp(0.5) }, "quantity", "one measure"},
		{"a negative quantity", func(d *ReportDraft) { d.Quantity = fp(-1) }, "quantity", "≥ 0"},
		{"a NaN quantity", func(d *ReportDraft) { d.Quantity = fp(math.NaN()) }, "quantity", "≥ 0"},
		{"a quantity with no figure to count", func(d *ReportDraft) { d.Project, d.Schedule = 2, "circles" }, "quantity", "no figure"},
		{"a quantity of a project of two schedules", func(d *ReportDraft) { d.Project = 2 }, "quantity", "no figure"},
		{"milestones past the last", func(d *ReportDraft) { d.Quantity, d.Milestone = nil, ip(5) }, "milestone", "0 to 4"},
		{"negative milestones", func(d *ReportDraft) { d.Quantity, d.Milestone = nil, ip(-1) }, "milestone", "0 to 4"},
		{"milestones of a whole project", func(d *ReportDraft) { d.Project, d.Quantity, d.Milestone = 2, nil, ip(1) }, "milestone", "no milestones"},
		{"a fraction above 1", func(d *ReportDraft) { d.Quantity, d.Fraction = nil, fp(1.2) }, "fraction", "0..1"},
		{"a negative fraction", func(d *ReportDraft) { d.Quantity, d.Fraction = nil, fp(-0.1) }, "fraction", "0..1"},
		{"an unknown status", func(d *ReportDraft) { d.Status = "done" }, "status", "not one of"},
		{"completed contradicting the measure", func(d *ReportDraft) { d.Status = "completed" }, "status", "contradicts"},
		{"not started contradicting the measure", func(d *ReportDraft) { d.Status = "not_started" }, "status", "contradicts"},
		{"in progress at the target", func(d *ReportDraft) { d.Quantity, d.Status = fp(4700), "in_progress" }, "status", "say completed"},
		{"in progress without a measure", func(d *ReportDraft) { d.Quantity, d.Status = nil, "in_progress" }, "status", "needs a measure"},
		{"no source", func(d *ReportDraft) { d.Source = "  " }, "source", "required"},
		{"a source too long", func(d *ReportDraft) { d.Source = strings.Repeat("文", MaxSourceLen+1) }, "source", "longer"},
		{"a control character", func(d *ReportDraft) { d.Source = "a\x00b" }, "source", "control"},
		{"broken UTF-8", func(d *ReportDraft) { d.Note = "a\xffb" }, "note", "UTF-8"},
		{"a note too long", func(d *ReportDraft) { d.Note = strings.Repeat("x", MaxNoteLen+1) }, "note", "longer"},
		{"a relative evidence URL", func(d *ReportDraft) { d.EvidenceURL = "/report.pdf" }, "evidence_url", "absolute"},
		{"a javascript: URL", func(d *ReportDraft) { d.EvidenceURL = "javascript:alert(1)" }, "evidence_url", "http"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dr := ok
			tt.edit(&dr)
			_, err := CheckReport(p, dr, today, sites)
			e, isErr := err.(*Error)
			if !isErr || e.Kind != ErrUnprocessable {
				t.Fatalf("error %v, want an ErrUnprocessable", err)
			}
			if e.Param != tt.field || !strings.Contains(e.Message, tt.want) {
				t.Errorf("error %q on %q, want %q on %q", e.Message, e.Param, tt.want, tt.field)
			}
		})
	}
}

func TestCheckToken(t *testing.T) {
	p, _ := testPlan()
	tests := []struct {
		tok   Token
		field string
	}{
		{Token{Name: "市轨道集团", Role: RoleReporter, Projects: []int{1}}, ""},
		{Token{Name: "市住建局", Role: RoleEditor}, ""},
		{Token{Name: "", Role: RoleEditor}, "name"},
		{Token{Name: "x", Role: "root"}, "role"},
		{Token{Name: "x", Role: RoleReporter}, "projects"},
		{Token{Name: "x", Role: RoleAdmin, Projects: []int{1}}, "projects"},
		{Token{Name: "x", Role: RoleReporter, Projects: []int{9}}, "projects"},
	}
	for _, tt := range tests {
		err := CheckToken(tt.tok, p)
		got := ""
		if e, ok := err.(*Error); ok {
			got = e.Param
		}
		if got != tt.field {
			t.Errorf("CheckToken(%+v) = %v, want a fault in %q", tt.tok, err, tt.field)
		}
	}
	reporter := Token{Role: RoleReporter, Projects: []int{1, 3}}
	if !reporter.MayFile(3) || reporter.MayFile(2) || reporter.MayManageTokens() {
		t.Error("reporter scope wrong")
	}
	if !(Token{Role: RoleEditor}).MayFile(30) || (Token{Role: RoleEditor}).MayManageTokens() || !(Token{Role: RoleAdmin}).MayManageTokens() {
		t.Error("editor/admin scope wrong")
	}
}

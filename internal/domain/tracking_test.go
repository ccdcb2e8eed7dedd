package domain

import (
	"testing"
)

func TestTrack(t *testing.T) {
	rep := func(progress float64, st ReportStatus) *Reported { return &Reported{Progress: progress, Status: st} }
	tests := []struct {
		name    string
		planned float64
		r       *Reported
		want    TrackingStatus
	}{
		{"no report, plan due", 1, nil, TrackUnreported},
		{"no report, plan not begun", 0, nil, TrackUnreported},
		{"reported done", 0.5, rep(1, ReportCompleted), TrackCompleted},
		{"reported done before the plan expects anything", 0, rep(1, ReportCompleted), TrackCompleted},
		{"suspended wins over behind", 0.9, rep(0.2, ReportSuspended), TrackSuspended},
		{"keeping up exactly", 0.5, rep(0.5, ReportInProgress), TrackOnTrack},
		{"ahead", 0.25, rep(0.6, ReportInProgress), TrackOnTrack},
		{"within the tolerance", 0.5, rep(0.41, ReportInProgress), TrackOnTrack},
		{"exactly at the tolerance", 0.5, rep(0.4, ReportInProgress), TrackOnTrack},
		{"just past the tolerance", 0.5, rep(0.399, ReportInProgress), TrackBehind},
		{"not started while the plan expects little", 0.05, rep(0, ReportNotStarted), TrackNotStarted},
		{"not started while the plan expects much", 0.5, rep(0, ReportNotStarted), TrackBehind},
		{"not started, plan not begun", 0, rep(0, ReportNotStarted), TrackNotStarted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Track(tt.planned, tt.r); got != tt.want {
				t.Errorf("Track(%v, %+v) = %s, want %s", tt.planned, tt.r, got, tt.want)
			}
		})
	}
}

func TestTrackingStatusValid(t *testing.T) {
	for _, s := range TrackingStatuses() {
		if !s.Valid() {
			t.Errorf("%s not valid", s)
		}
	}
	for _, bad := range []TrackingStatus{"", "done", "delayed", "in_progress"} {
		if bad.Valid() {
			t.Errorf("%q valid", bad)
		}
	}
}

// The curve a store keeps must give the planned fraction of every day.
func TestSiteCurveEqualsProgress(t *testing.T) {
	p := Project{Number: 4, Schedules: []Schedule{piles, circles, shows}}
	sites := []Site{
		{ID: "follows-piles", Schedule: "charging-piles"},
		{ID: "follows-circles", Schedule: "circles"},
		{ID: "inherits-project"},
		{ID: "own", Milestones: []Milestone{
			{Date: d("2024-04-30"), Quantities: map[string]float64{"housing_units": 154}},
			{Date: d("2024-05-31"), Quantities: map[string]float64{"housing_units": 204}},
			{Date: d("2024-12-31"), Quantities: map[string]float64{"housing_units": 500}},
		}},
	}
	for _, s := range sites {
		c := p.SiteCurve(s)
		for day := d("2023-12-01"); day.Before(d("2025-02-01")); day = day.AddDays(1) {
			if got, want := c.At(day), p.SiteProgress(s, day).Planned; got != want {
				t.Fatalf("%s on %s: curve %v, progress %v", s.ID, day, got, want)
			}
		}
	}
}

func TestInheritsFrom(t *testing.T) {
	p := Project{Number: 1, Schedules: []Schedule{circles, piles}}
	plain := Layer{ID: "metro-stations", Project: 1}
	quota := Layer{ID: "service-circles", Project: 1, DerivedMetric: "service_circles"}
	tests := []struct {
		name  string
		layer Layer
		site  Site
		want  string
	}{
		{"a station of a line's steps", plain, Site{Schedule: "circles"}, "circles"},
		{"a quota of a district", quota, Site{Schedule: "circles"}, ""},
		{"one of many counted places", plain, Site{Schedule: "charging-piles"}, ""},
		{"its own milestones", plain, Site{Schedule: "circles", Milestones: circles.Milestones}, ""},
		{"no schedule named", plain, Site{}, ""},
		{"an unknown schedule", plain, Site{Schedule: "nope"}, ""},
	}
	for _, tt := range tests {
		if got := p.InheritsFrom(tt.layer, tt.site); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestDefaultDate(t *testing.T) {
	p := Plan{Year: 2024, TimeZone: "Asia/Shanghai"}
	tests := []struct {
		now  string
		want string
	}{
		{"2024-07-15T10:00:00Z", "2024-07-15"},
		{"2024-07-15T17:00:00Z", "2024-07-16"}, // 01:00 next day in Xi'an
		{"2024-12-31T16:30:00Z", "2024-12-31"}, // already 2025 in Xi'an: the plan's last day
		{"2026-12-01T12:00:00Z", "2024-12-31"},
		{"2023-05-01T00:00:00Z", "2024-12-31"},
	}
	for _, tt := range tests {
		now := mustTime(t, tt.now)
		if got := p.DefaultDate(now).String(); got != tt.want {
			t.Errorf("DefaultDate(%s) = %s, want %s", tt.now, got, tt.want)
		}
	}
	if got := p.Today(mustTime(t, "2024-07-15T17:00:00Z")).String(); got != "2024-07-16" {
		t.Errorf("Today = %s, want the city's date 2024-07-16", got)
	}
}

package domain

import (
	"math"
	"testing"
)

func TestTrackProject(t *testing.T) {
	one := Project{Number: 1, Schedules: []Schedule{piles}}
	two := Project{Number: 2, Schedules: []Schedule{circles, piles}}
	asof := d("2024-12-31")
	rep := func(project int, schedule, on string, progress float64, st ReportStatus) Report {
		return Report{Project: project, Schedule: schedule, ReportedOn: d(on), Progress: progress, Status: st}
	}
	tests := []struct {
		name     string
		p        Project
		latest   []Report
		tallies  []SiteTally
		status   TrackingStatus
		basis    string // "" for no reported state
		progress float64
	}{
		{"nothing reported", one, nil, nil, TrackUnreported, "", 0},
		{"another project's report", one, []Report{rep(2, "circles", "2024-12-01", 1, ReportCompleted)}, nil, TrackUnreported, "", 0},
		{"its only schedule done", one, []Report{rep(1, "charging-piles", "2024-12-20", 1, ReportCompleted)}, nil, TrackCompleted, BasisReport, 1},
		{"its only schedule behind", one, []Report{rep(1, "charging-piles", "2024-12-20", 0.6, ReportInProgress)}, nil, TrackBehind, BasisReport, 0.6},
		{"one of two schedules done: half, behind", two, []Report{rep(2, "circles", "2024-12-20", 1, ReportCompleted)}, nil, TrackBehind, BasisSchedules, 0.5},
		{"both schedules done", two, []Report{rep(2, "circles", "2024-12-20", 1, ReportCompleted), rep(2, "charging-piles", "2024-11-20", 1, ReportCompleted)}, nil, TrackCompleted, BasisSchedules, 1},
		{"a newer whole-project report wins", two, []Report{rep(2, "circles", "2024-10-01", 0.2, ReportInProgress), rep(2, "", "2024-12-30", 1, ReportCompleted)}, nil, TrackCompleted, BasisReport, 1},
		{"newer schedule reports win over an older whole one", two, []Report{rep(2, "", "2024-06-01", 1, ReportCompleted), rep(2, "circles", "2024-12-01", 0.5, ReportInProgress)}, nil, TrackBehind, BasisSchedules, 0.25},
		{"sites roll up, unreported counted as nothing done", one, nil, []SiteTally{
			{Project: 1, Status: TrackCompleted, Sites: 31, Progress: 31},
			{Project: 1, Status: TrackUnreported, Sites: 43},
		}, TrackBehind, BasisSites, 31.0 / 74},
		{"every site reported done", one, nil, []SiteTally{{Project: 1, Status: TrackCompleted, Sites: 74, Progress: 74}}, TrackCompleted, BasisSites, 1},
		{"sites all unreported", one, nil, []SiteTally{{Project: 1, Status: TrackUnreported, Sites: 74}}, TrackUnreported, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := TrackProject(tt.p, asof, tt.latest, tt.tallies)
			if got.Status != tt.status {
				t.Errorf("status %s, want %s", got.Status, tt.status)
			}
			if got.Planned.Status != PlanDue || got.Due != d("2024-12-31") {
				t.Errorf("planned %+v due %s", got.Planned, got.Due)
			}
			switch {
			case tt.basis == "" && got.Reported != nil:
				t.Errorf("reported %+v, want none", got.Reported)
			case tt.basis != "" && got.Reported == nil:
				t.Errorf("no reported state, want basis %s", tt.basis)
			case tt.basis != "" && (got.Reported.Basis != tt.basis || math.Abs(got.Reported.Progress-tt.progress) > 1e-12):
				t.Errorf("reported %+v, want basis %s progress %v", got.Reported, tt.basis, tt.progress)
			}
			if len(got.Schedules) != len(tt.p.Schedules) {
				t.Errorf("%d schedules tracked, want %d", len(got.Schedules), len(tt.p.Schedules))
			}
		})
	}
}

func TestTrackProjectSiteBreakdown(t *testing.T) {
	p := Project{Number: 15, Schedules: []Schedule{piles}}
	got := TrackProject(p, d("2024-12-31"), nil, []SiteTally{
		{Project: 15, Status: TrackCompleted, Sites: 31, Progress: 31},
		{Project: 15, Status: TrackUnreported, Sites: 43},
		{Project: 16, Status: TrackCompleted, Sites: 5, Progress: 5},
	})
	if got.Sites == nil || got.Sites.Total != 74 || got.Sites.Counts[TrackCompleted] != 31 || got.Sites.Counts[TrackUnreported] != 43 {
		t.Fatalf("sites %+v, want 31 of 74 completed, 43 unreported", got.Sites)
	}
	if got.Status == TrackCompleted || got.Reported.Status == ReportCompleted {
		t.Errorf("31 of 74 reads as completed: %+v", got)
	}
}

func TestScorecard(t *testing.T) {
	p := Plan{Year: 2024}
	statuses := []TrackingStatus{TrackCompleted, TrackCompleted, TrackBehind, TrackUnreported, TrackSuspended, TrackOnTrack}
	mid := NewScorecard(p, d("2024-07-01"), statuses)
	if mid.Final || mid.Total != 6 || mid.Counts[TrackCompleted] != 2 || mid.Counts[TrackNotStarted] != 0 {
		t.Errorf("mid-year scorecard %+v", mid)
	}
	end := NewScorecard(p, d("2024-12-31"), statuses)
	if !end.Final || end.Kept != 2 || end.NotKept != 3 || end.Unknown != 1 {
		t.Errorf("year-end scorecard %+v, want 2 kept, 3 not kept, 1 unknown", end)
	}
	for _, s := range TrackingStatuses() {
		if _, ok := end.Counts[s]; !ok {
			t.Errorf("scorecard lacks %s", s)
		}
	}
}

package domain

import (
	"math"
	"testing"
	"time"
)

func d(s string) Date {
	t, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return t
}

func dp(s string) *Date { t := d(s); return &t }

// piles is project 4's pile schedule: per-quarter figures made cumulative.
var piles = Schedule{ID: "charging-piles", Metric: "charging_piles", Milestones: []Milestone{
	{Start: dp("2024-01-01"), Date: d("2024-03-31"), Quantities: map[string]float64{"charging_piles": 1150}},
	{Start: dp("2024-04-01"), Date: d("2024-06-30"), Quantities: map[string]float64{"charging_piles": 2400}},
	{Start: dp("2024-07-01"), Date: d("2024-09-30"), Quantities: map[string]float64{"charging_piles": 3600}},
	{Start: dp("2024-10-01"), Date: d("2024-12-31"), Quantities: map[string]float64{"charging_piles": 4700}},
}}

// circles is project 28's schedule: steps without figures, from August.
var circles = Schedule{ID: "circles", Milestones: []Milestone{
	{Date: d("2024-08-31"), Text: "8月,组织区县、开发区申报"},
	{Start: dp("2024-09-01"), Date: d("2024-10-31"), Text: "9—10月,初审"},
	{Date: d("2024-11-30"), Text: "11月,核查验收"},
	{Date: d("2024-12-31"), Text: "12月,公示并公布"},
}}

// shows is project 23's: the figures reach the target a quarter early.
var shows = Schedule{ID: "opera-shows", Metric: "opera_shows", Milestones: []Milestone{
	{Date: d("2024-03-31"), Quantities: map[string]float64{"opera_shows": 300}},
	{Date: d("2024-06-30"), Quantities: map[string]float64{"opera_shows": 650}},
	{Date: d("2024-09-30"), Quantities: map[string]float64{"opera_shows": 1000}},
	{Date: d("2024-12-31"), Quantities: map[string]float64{"opera_shows": 1000}, Text: "四季度,完成年度演出任务"},
}}

func TestScheduleProgress(t *testing.T) {
	tests := []struct {
		name     string
		schedule Schedule
		asof     string
		want     Progress
	}{
		{"piles before the year", piles, "2023-12-31", Progress{Status: PlanNotDue}},
		{"piles on the first day", piles, "2024-01-01", Progress{Status: PlanUnderWay, Planned: 0}},
		{"piles on the Q1 due date", piles, "2024-03-31", Progress{Status: PlanUnderWay, Planned: 1150.0 / 4700}},
		{"piles mid Q3", piles, "2024-08-15", Progress{Status: PlanUnderWay, Planned: 2400.0 / 4700}},
		{"piles at year end", piles, "2024-12-31", Progress{Status: PlanDue, Planned: 1}},
		{"piles a year later", piles, "2025-06-01", Progress{Status: PlanDue, Planned: 1}},
		{"circles in July", circles, "2024-07-31", Progress{Status: PlanNotDue}},
		{"circles on 1 August", circles, "2024-08-01", Progress{Status: PlanUnderWay, Planned: 0}},
		{"circles after two steps", circles, "2024-11-01", Progress{Status: PlanUnderWay, Planned: 0.5}},
		{"circles done", circles, "2024-12-31", Progress{Status: PlanDue, Planned: 1}},
		{"empty schedule", Schedule{}, "2024-06-01", Progress{Status: PlanNotDue}},
		{"figures reached, a step to come", shows, "2024-10-01", Progress{Status: PlanUnderWay, Planned: 1}},
		{"figures reached and last step due", shows, "2024-12-31", Progress{Status: PlanDue, Planned: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.schedule.Progress(d(tt.asof))
			if got.Status != tt.want.Status || math.Abs(got.Planned-tt.want.Planned) > 1e-12 {
				t.Errorf("Progress(%s) = %+v, want %+v", tt.asof, got, tt.want)
			}
		})
	}
}

func TestScheduleStart(t *testing.T) {
	if got := circles.Start(); got != d("2024-08-01") {
		t.Errorf("circles start %s, want 2024-08-01", got)
	}
	if got := piles.Start(); got != d("2024-01-01") {
		t.Errorf("piles start %s, want 2024-01-01", got)
	}
}

func TestProjectAndSiteProgress(t *testing.T) {
	p := Project{Number: 4, Schedules: []Schedule{piles, circles}}
	own := Site{ID: "housing-x", Milestones: []Milestone{
		{Date: d("2024-01-31"), Quantities: map[string]float64{"housing_units": 200}},
		{Date: d("2024-06-30"), Quantities: map[string]float64{"housing_units": 450}},
	}}
	stepsThenFigures := Site{ID: "gaoling-x", Milestones: []Milestone{
		{Date: d("2024-06-30"), Text: "二季度,招投标"},
		{Date: d("2024-09-30"), Quantities: map[string]float64{"gaoling": 40}},
		{Date: d("2024-12-31"), Quantities: map[string]float64{"gaoling": 41}},
	}}
	tests := []struct {
		name string
		got  Progress
		want Progress
	}{
		{"site measured by the one figure its steps give", p.SiteProgress(stepsThenFigures, d("2024-10-01")), Progress{Status: PlanUnderWay, Planned: 40.0 / 41}},
		{"project in July: one track started", p.Progress(d("2024-07-31")), Progress{Status: PlanUnderWay, Planned: (2400.0 / 4700) / 2}},
		{"project before the year", p.Progress(d("2023-06-01")), Progress{Status: PlanNotDue}},
		{"project done", p.Progress(d("2024-12-31")), Progress{Status: PlanDue, Planned: 1}},
		{"site following a named schedule", p.SiteProgress(Site{Schedule: "circles"}, d("2024-07-31")), Progress{Status: PlanNotDue}},
		{"site inheriting the project", p.SiteProgress(Site{}, d("2024-07-31")), Progress{Status: PlanUnderWay, Planned: (2400.0 / 4700) / 2}},
		{"site with its own deliveries", p.SiteProgress(own, d("2024-02-01")), Progress{Status: PlanUnderWay, Planned: 200.0 / 450}},
		{"site deliveries complete", p.SiteProgress(own, d("2024-06-30")), Progress{Status: PlanDue, Planned: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got.Status != tt.want.Status || math.Abs(tt.got.Planned-tt.want.Planned) > 1e-12 {
				t.Errorf("got %+v, want %+v", tt.got, tt.want)
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	for _, bad := range []string{"", "2024-13-01", "2024/01/01", "24-01-01", "2024-02-30"} {
		if _, err := ParseDate(bad); err == nil {
			t.Errorf("ParseDate(%q) accepted", bad)
		}
	}
	got, err := ParseDate("2024-02-29")
	if err != nil || got.Time() != time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC) {
		t.Errorf("ParseDate(2024-02-29) = %v, %v", got, err)
	}
}

package domain

// ProjectTracking is a project's planned and reported state on a date,
// kept apart: Planned is the schedule's expectation, Reported what the
// reports say (nil: no report yet), Status the one set against the other.
type ProjectTracking struct {
	Status    TrackingStatus     `json:"status"`
	Planned   Progress           `json:"planned"`
	Due       Date               `json:"due"` // the day the plan says it should be finished by
	Reported  *ReportedState     `json:"reported"`
	Schedules []ScheduleTracking `json:"schedules"`
	Sites     *SiteBreakdown     `json:"sites,omitempty"`
}

// ScheduleTracking is one schedule's planned and reported state.
type ScheduleTracking struct {
	ID       string         `json:"id"`
	Status   TrackingStatus `json:"status"`
	Planned  Progress       `json:"planned"`
	Due      Date           `json:"due"`
	Reported *Report        `json:"reported"`
}

// Bases of a project's reported state.
const (
	BasisReport    = "report"    // one report on the project (or its only schedule)
	BasisSchedules = "schedules" // its schedules' latest reports combined; unreported ones count as nothing done
	BasisSites     = "sites"     // rolled up from its sites' reports; unreported sites count as nothing done
)

// ReportedState is what a project's reports come to.
type ReportedState struct {
	Progress   float64      `json:"progress"`
	Status     ReportStatus `json:"status"`
	Basis      string       `json:"basis"`
	ReportedOn Date         `json:"reported_on,omitempty"` // the newest report it rests on; zero for sites
	Report     *Report      `json:"report,omitempty"`      // with basis report
}

// SiteBreakdown counts a project's sites by tracking status.
type SiteBreakdown struct {
	Total  int                    `json:"total"`
	Counts map[TrackingStatus]int `json:"counts"`
}

// TrackProject sets project p's reports against its plan on asof. latest
// holds the latest report on or before asof of each of the plan's projects
// and schedules (Ledger.LatestReports; other projects' are ignored),
// tallies the counts of its sites (Ledger.SiteTallies).
//
// The reported state rests on the newest of: a report on the whole
// project, or its schedules' reports combined. Only when neither exists
// is it rolled up from the sites, and then never beyond what they say:
// "31 of 74 reported completed, 43 unreported" is 31/74 done, not 100%.
func TrackProject(p Project, asof Date, latest []Report, tallies []SiteTally) ProjectTracking {
	t := ProjectTracking{Planned: p.Progress(asof), Due: p.End(), Schedules: []ScheduleTracking{}}
	var whole *Report
	bySchedule := map[string]*Report{}
	for i := range latest {
		r := &latest[i]
		if r.Project != p.Number || r.Site != "" {
			continue
		}
		if r.Schedule == "" {
			whole = r
		} else {
			bySchedule[r.Schedule] = r
		}
	}
	var combined *ReportedState
	if len(bySchedule) > 0 {
		combined = &ReportedState{Basis: BasisSchedules}
		done := 0
		for _, sc := range p.Schedules {
			r := bySchedule[sc.ID]
			st := ScheduleTracking{ID: sc.ID, Planned: sc.Progress(asof), Due: sc.End(), Reported: r}
			st.Status = Track(st.Planned.Planned, ReportedOf(r))
			t.Schedules = append(t.Schedules, st)
			if r == nil {
				continue
			}
			combined.Progress += r.Progress / float64(len(p.Schedules))
			if r.Status == ReportCompleted {
				done++
			}
			if r.ReportedOn.After(combined.ReportedOn) {
				combined.ReportedOn = r.ReportedOn
			}
		}
		combined.Status = statusOfProgress(combined.Progress, done == len(p.Schedules))
		if len(p.Schedules) == 1 {
			r := bySchedule[p.Schedules[0].ID]
			combined = &ReportedState{Progress: r.Progress, Status: r.Status, Basis: BasisReport, ReportedOn: r.ReportedOn, Report: r}
		}
	} else {
		for _, sc := range p.Schedules {
			st := ScheduleTracking{ID: sc.ID, Planned: sc.Progress(asof), Due: sc.End(), Status: TrackUnreported}
			t.Schedules = append(t.Schedules, st)
		}
	}
	t.Sites = breakdown(p.Number, tallies)
	switch {
	case whole != nil && (combined == nil || !combined.ReportedOn.After(whole.ReportedOn)):
		t.Reported = &ReportedState{Progress: whole.Progress, Status: whole.Status, Basis: BasisReport, ReportedOn: whole.ReportedOn, Report: whole}
	case combined != nil:
		t.Reported = combined
	case t.Sites != nil && t.Sites.Counts[TrackUnreported] < t.Sites.Total:
		t.Reported = rollUp(p.Number, tallies, t.Sites)
	}
	if t.Reported != nil {
		t.Status = Track(t.Planned.Planned, &Reported{Progress: t.Reported.Progress, Status: t.Reported.Status})
	} else {
		t.Status = TrackUnreported
	}
	return t
}

func statusOfProgress(progress float64, allDone bool) ReportStatus {
	switch {
	case allDone:
		return ReportCompleted
	case progress <= 0:
		return ReportNotStarted
	}
	return ReportInProgress
}

func breakdown(project int, tallies []SiteTally) *SiteBreakdown {
	var b *SiteBreakdown
	for _, t := range tallies {
		if t.Project != project || t.Sites == 0 {
			continue
		}
		if b == nil {
			b = &SiteBreakdown{Counts: map[TrackingStatus]int{}}
		}
		b.Total += t.Sites
		b.Counts[t.Status] += t.Sites
	}
	return b
}

func rollUp(project int, tallies []SiteTally, b *SiteBreakdown) *ReportedState {
	var sum float64
	for _, t := range tallies {
		if t.Project == project {
			sum += t.Progress
		}
	}
	progress := min(1, sum/float64(b.Total))
	return &ReportedState{Progress: progress, Status: statusOfProgress(progress, b.Counts[TrackCompleted] == b.Total), Basis: BasisSites}
}

// Scorecard counts a plan's projects by tracking status on a date. Once
// the plan's year is over (Final), it also reads as promises kept (reported
// completed), not kept (reported, but not completed) and unknown (never
// reported).
type Scorecard struct {
	AsOf    Date                   `json:"asof"`
	Total   int                    `json:"total"`
	Counts  map[TrackingStatus]int `json:"counts"`
	Final   bool                   `json:"final"`
	Kept    int                    `json:"kept"`
	NotKept int                    `json:"not_kept"`
	Unknown int                    `json:"unknown"`
}

// NewScorecard counts statuses for plan p on asof.
func NewScorecard(p Plan, asof Date, statuses []TrackingStatus) Scorecard {
	sc := Scorecard{AsOf: asof, Total: len(statuses), Counts: map[TrackingStatus]int{}}
	for _, s := range TrackingStatuses() {
		sc.Counts[s] = 0
	}
	for _, s := range statuses {
		sc.Counts[s]++
		switch s {
		case TrackCompleted:
			sc.Kept++
		case TrackUnreported:
			sc.Unknown++
		default:
			sc.NotKept++
		}
	}
	sc.Final = !asof.Before(p.LastDay())
	return sc
}

// LastDay is the last day of the plan's year.
func (p Plan) LastDay() Date { return NewDate(p.Year, 12, 31) }

// FirstDay is the first day of the plan's year.
func (p Plan) FirstDay() Date { return NewDate(p.Year, 1, 1) }

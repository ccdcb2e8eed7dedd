package domain

import "sort"

// TrackingStatus is what colours a marker and what status= filters on: the
// plan's expectation set against what the latest report says. Only a
// report can make anything "completed"; with no report it is "unreported".
type TrackingStatus string

const (
	TrackCompleted  TrackingStatus = "completed"   // a report says it is done
	TrackOnTrack    TrackingStatus = "on_track"    // reported progress keeps up with the plan (within Tolerance)
	TrackBehind     TrackingStatus = "behind"      // reported progress trails the plan by more than Tolerance
	TrackNotStarted TrackingStatus = "not_started" // a report says work has not started, and the plan expects little yet
	TrackSuspended  TrackingStatus = "suspended"   // a report says work is suspended
	TrackUnreported TrackingStatus = "unreported"  // no report on or before the date
)

// TrackingStatuses lists every tracking status in the order the map's
// legend and the scorecard show them.
func TrackingStatuses() []TrackingStatus {
	return []TrackingStatus{TrackCompleted, TrackOnTrack, TrackBehind, TrackNotStarted, TrackSuspended, TrackUnreported}
}

// Valid reports whether s is a known tracking status.
func (s TrackingStatus) Valid() bool {
	for _, t := range TrackingStatuses() {
		if s == t {
			return true
		}
	}
	return false
}

// Tolerance is how far, as a fraction of the whole, reported progress may
// trail the planned fraction and still count as on track. Ten percentage
// points: the plan's steps are quarterly, and a report filed a few weeks
// before a quarter's figure is due should not read as a failure.
const Tolerance = 0.10

// Track sets a reported state against the planned fraction on the same
// date. r is nil when nothing was reported on or before the date.
//
// Suspended and completed come from the report alone. A report that
// trails the plan by more than Tolerance is behind, even one that says
// work has not started; otherwise a report of no work is not started and
// any other is on track.
func Track(planned float64, r *Reported) TrackingStatus {
	switch {
	case r == nil:
		return TrackUnreported
	case r.Status == ReportSuspended:
		return TrackSuspended
	case r.Status == ReportCompleted:
		return TrackCompleted
	case planned-r.Progress > Tolerance+1e-9:
		return TrackBehind
	case r.Status == ReportNotStarted:
		return TrackNotStarted
	}
	return TrackOnTrack
}

// Reported is what the latest report on a date says, reduced to what
// Track needs: the fraction done and the report's status.
type Reported struct {
	Progress float64      `json:"progress"`
	Status   ReportStatus `json:"status"`
}

// ReportedOf reduces a report to its reported state; nil for nil.
func ReportedOf(r *Report) *Reported {
	if r == nil {
		return nil
	}
	return &Reported{Progress: r.Progress, Status: r.Status}
}

// Curve is a planned fraction as a step function of the date: At(d) is the
// Fraction of the last point dated on or before d, 0 before the first.
// Stores that compute tracking status next to the data (PostGIS) keep a
// site's curve instead of re-deriving its schedule in SQL.
type Curve struct {
	Dates     []Date    `json:"dates"`
	Fractions []float64 `json:"fractions"`
}

// At returns the planned fraction on d.
func (c Curve) At(d Date) float64 {
	i := sort.Search(len(c.Dates), func(i int) bool { return c.Dates[i].After(d) })
	if i == 0 {
		return 0
	}
	return c.Fractions[i-1]
}

// curveOf samples progress at every date it can change: each milestone's
// due date and the first day of its span. Planned fractions only change on
// those days, so the curve equals progress on every day.
func curveOf(schedules []Schedule, progress func(Date) Progress) Curve {
	seen := map[Date]bool{}
	var dates []Date
	for _, s := range schedules {
		for _, m := range s.Milestones {
			for _, d := range []Date{m.Date, m.begins()} {
				if !seen[d] {
					seen[d] = true
					dates = append(dates, d)
				}
			}
		}
	}
	sort.Slice(dates, func(i, j int) bool { return dates[i].Before(dates[j]) })
	var c Curve
	last := -1.0
	for _, d := range dates {
		f := progress(d).Planned
		if f != last {
			c.Dates = append(c.Dates, d)
			c.Fractions = append(c.Fractions, f)
			last = f
		}
	}
	return c
}

// SiteCurve is the planned curve of site s of project p.
func (p Project) SiteCurve(s Site) Curve {
	if sc, ok := p.ScheduleFor(s); ok {
		return curveOf([]Schedule{sc}, sc.Progress)
	}
	return curveOf(p.Schedules, p.Progress)
}

// End is the due date of a schedule's last milestone: the day the plan
// says it should be finished by.
func (s Schedule) End() Date {
	var end Date
	for _, m := range s.Milestones {
		if m.Date.After(end) {
			end = m.Date
		}
	}
	return end
}

// End is the latest due date of any of the project's schedules.
func (p Project) End() Date {
	var end Date
	for _, s := range p.Schedules {
		if e := s.End(); e.After(end) {
			end = e
		}
	}
	return end
}

// SiteEnd is the day the plan says site s should be finished by.
func (p Project) SiteEnd(s Site) Date {
	if sc, ok := p.ScheduleFor(s); ok {
		return sc.End()
	}
	return p.End()
}

// Schedule returns the project's schedule with the given id.
func (p Project) Schedule(id string) (Schedule, bool) {
	for _, s := range p.Schedules {
		if s.ID == id {
			return s, true
		}
	}
	return Schedule{}, false
}

// InheritsFrom returns the project schedule whose reports also speak for
// site s, or "" when only the site's own reports do.
//
// A site drawn for a schedule that is a sequence of steps of one work (a
// metro line and its stations, a theatre) shares that work's reports: "line
// 8 opened" is true of every station. A site of a quota layer, or one of
// many places a counted schedule adds up (16 intersections, 4,700 piles),
// does not: a citywide figure says nothing about one place. Sites with
// their own milestones answer only for themselves.
func (p Project) InheritsFrom(layer Layer, s Site) string {
	if s.Schedule == "" || len(s.Milestones) > 0 || layer.DerivedMetric != "" {
		return ""
	}
	sc, ok := p.Schedule(s.Schedule)
	if !ok || sc.Metric != "" {
		return ""
	}
	return sc.ID
}

package domain

import "sort"

// PlanStatus is what the plan's schedule expects of a project or site on
// a date. It is the plan's expectation, never a fact: only a report says
// what was done (see Track). Its words are chosen so that none of them
// reads as "completed".
type PlanStatus string

const (
	PlanNotDue   PlanStatus = "not_due"   // the schedule has not begun by the date
	PlanUnderWay PlanStatus = "under_way" // work should be under way
	PlanDue      PlanStatus = "due"       // the plan says it should be finished by the date
)

// Valid reports whether s is a known planned status.
func (s PlanStatus) Valid() bool {
	switch s {
	case PlanNotDue, PlanUnderWay, PlanDue:
		return true
	}
	return false
}

// Progress is the planned state of a schedule on a date.
type Progress struct {
	Status  PlanStatus `json:"status"`
	Planned float64    `json:"planned"` // fraction 0..1 the plan expects done by the date
}

// Start is the first day of a schedule: the earliest start of its
// milestones' spans, where a milestone without a span starts on the first
// day of the month it falls due in.
func (s Schedule) Start() Date {
	var start Date
	for i, m := range s.Milestones {
		d := m.begins()
		if i == 0 || d.Before(start) {
			start = d
		}
	}
	return start
}

func (m Milestone) begins() Date {
	if m.Start != nil {
		return *m.Start
	}
	t := m.Date.Time()
	return NewDate(t.Year(), t.Month(), 1)
}

// Planned returns the fraction of s the plan expects done by asof: the
// cumulative figure of s.Metric reached by asof over its final figure, or,
// for a schedule of steps, the share of milestones due by asof. Milestones
// count as reached on their due date.
func (s Schedule) Planned(asof Date) float64 {
	if len(s.Milestones) == 0 {
		return 0
	}
	if s.Metric != "" {
		var final, reached float64
		for _, m := range s.Milestones {
			v, ok := m.Quantities[s.Metric]
			if !ok {
				continue
			}
			final = v
			if !m.Date.After(asof) {
				reached = v
			}
		}
		if final > 0 {
			return clamp01(reached / final)
		}
	}
	n := 0
	for _, m := range s.Milestones {
		if !m.Date.After(asof) {
			n++
		}
	}
	return float64(n) / float64(len(s.Milestones))
}

// Progress evaluates s on asof.
func (s Schedule) Progress(asof Date) Progress {
	if len(s.Milestones) == 0 || asof.Before(s.Start()) {
		return Progress{Status: PlanNotDue}
	}
	// Complete only once the last step is due: figures can reach the
	// target early while the plan still lists a step to come (project 23
	// reaches 1,000 shows by Q3 and "completes the year's task" in Q4).
	p := s.Planned(asof)
	last := s.Milestones[len(s.Milestones)-1].Date
	if p >= 1 && !asof.Before(last) {
		return Progress{Status: PlanDue, Planned: 1}
	}
	return Progress{Status: PlanUnderWay, Planned: p}
}

// Progress evaluates the whole project on asof: the mean planned fraction
// of its schedules; completed when all are, not started when none has.
func (p Project) Progress(asof Date) Progress {
	if len(p.Schedules) == 0 {
		return Progress{Status: PlanNotDue}
	}
	parts := make([]Progress, len(p.Schedules))
	for i, s := range p.Schedules {
		parts[i] = s.Progress(asof)
	}
	return combine(parts)
}

// ScheduleFor returns the schedule a site of p follows: its own milestones
// if it has any, else the project schedule it names, else the project's
// whole set of schedules combined (ok is false then).
func (p Project) ScheduleFor(s Site) (Schedule, bool) {
	if len(s.Milestones) > 0 {
		return Schedule{ID: s.ID, Name: s.Name, NameEN: s.NameEN, Metric: commonMetric(s.Milestones), Milestones: s.Milestones}, true
	}
	for _, sc := range p.Schedules {
		if sc.ID == s.Schedule {
			return sc, true
		}
	}
	return Schedule{}, false
}

// SiteProgress evaluates site s of project p on asof. A site without a
// schedule of its own, or a named one, inherits the project's progress.
func (p Project) SiteProgress(s Site, asof Date) Progress {
	if sc, ok := p.ScheduleFor(s); ok {
		return sc.Progress(asof)
	}
	return p.Progress(asof)
}

func combine(parts []Progress) Progress {
	var sum float64
	done, notStarted := 0, 0
	for _, q := range parts {
		sum += q.Planned
		switch q.Status {
		case PlanDue:
			done++
		case PlanNotDue:
			notStarted++
		}
	}
	switch {
	case done == len(parts):
		return Progress{Status: PlanDue, Planned: 1}
	case notStarted == len(parts):
		return Progress{Status: PlanNotDue}
	}
	return Progress{Status: PlanUnderWay, Planned: sum / float64(len(parts))}
}

// commonMetric returns the quantity that measures a site's own milestones:
// the one every milestone states, else the only one any milestone states
// (steps without figures may come before it).
func commonMetric(ms []Milestone) string {
	counts := map[string]int{}
	for _, m := range ms {
		for k := range m.Quantities {
			counts[k]++
		}
	}
	var all []string
	for k, n := range counts {
		if n == len(ms) {
			all = append(all, k)
		}
	}
	sort.Strings(all)
	switch {
	case len(all) > 0:
		return all[0]
	case len(counts) == 1:
		for k := range counts {
			return k
		}
	}
	return ""
}

func clamp01(f float64) float64 {
	switch {
	case f < 0:
		return 0
	case f > 1:
		return 1
	}
	return f
}

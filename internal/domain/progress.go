package domain

import "sort"

// Status is where a project or site stands on a date.
type Status string

const (
	StatusNotStarted Status = "not_started"
	StatusInProgress Status = "in_progress"
	StatusCompleted  Status = "completed"
	// StatusDelayed is reserved for when reported actual progress falls
	// behind the plan; planned progress alone never yields it.
	StatusDelayed Status = "delayed"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	switch s {
	case StatusNotStarted, StatusInProgress, StatusCompleted, StatusDelayed:
		return true
	}
	return false
}

// Progress is the planned state of a schedule on a date. Actual is nil
// until reported progress exists (see WithActual).
type Progress struct {
	Status  Status   `json:"status"`
	Planned float64  `json:"planned"` // fraction 0..1 the plan expects done by the date
	Actual  *float64 `json:"actual,omitempty"`
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
		return Progress{Status: StatusNotStarted}
	}
	// Complete only once the last step is due: figures can reach the
	// target early while the plan still lists a step to come (project 23
	// reaches 1,000 shows by Q3 and "completes the year's task" in Q4).
	p := s.Planned(asof)
	last := s.Milestones[len(s.Milestones)-1].Date
	if p >= 1 && !asof.Before(last) {
		return Progress{Status: StatusCompleted, Planned: 1}
	}
	return Progress{Status: StatusInProgress, Planned: p}
}

// Progress evaluates the whole project on asof: the mean planned fraction
// of its schedules; completed when all are, not started when none has.
func (p Project) Progress(asof Date) Progress {
	if len(p.Schedules) == 0 {
		return Progress{Status: StatusNotStarted}
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

// WithActual adds reported actual progress (a fraction 0..1) to a planned
// progress: behind plan and not complete is delayed.
func WithActual(p Progress, actual float64) Progress {
	actual = clamp01(actual)
	p.Actual = &actual
	switch {
	case actual >= 1:
		p.Status = StatusCompleted
	case actual < p.Planned:
		p.Status = StatusDelayed
	case actual > 0:
		p.Status = StatusInProgress
	}
	return p
}

func combine(parts []Progress) Progress {
	var sum float64
	done, notStarted := 0, 0
	for _, q := range parts {
		sum += q.Planned
		switch q.Status {
		case StatusCompleted:
			done++
		case StatusNotStarted:
			notStarted++
		}
	}
	switch {
	case done == len(parts):
		return Progress{Status: StatusCompleted, Planned: 1}
	case notStarted == len(parts):
		return Progress{Status: StatusNotStarted}
	}
	return Progress{Status: StatusInProgress, Planned: sum / float64(len(parts))}
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

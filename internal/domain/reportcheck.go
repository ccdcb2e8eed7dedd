package domain

import (
	"math"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ReportDraft is a report as a reporter writes it: a JSON object, a row of
// a ledger CSV or the flags of "projectmap report add". CheckReport is the
// one place its rules live.
type ReportDraft struct {
	Project     int      `json:"project"`
	Schedule    string   `json:"schedule"`
	Site        string   `json:"site"`
	ReportedOn  string   `json:"reported_on"`
	Quantity    *float64 `json:"quantity"`
	Milestone   *int     `json:"milestone"`
	Fraction    *float64 `json:"fraction"`
	Status      string   `json:"status"`
	Source      string   `json:"source"`
	EvidenceURL string   `json:"evidence_url"`
	Note        string   `json:"note"`
}

// Limits on the text of a report, in characters.
const (
	MaxSourceLen = 1000
	MaxNoteLen   = 4000
	MaxURLLen    = 2000
)

// SiteLookup finds a site of the plan by id; nil, nil when there is none.
type SiteLookup func(id string) (*Site, error)

// CheckReport validates a draft against plan p on the city's date today
// and returns the report to file, without ID, reporter or filing time.
// Every fault is an ErrUnprocessable *Error naming the field.
//
// A report targets a project, one of its schedules, or one site. A
// project with a single schedule is reported on through it. Its measure
// is one of: a cumulative quantity of the target's metric (a figure above
// the target is kept and flagged), the number of milestones reached, or a
// fraction; or none, when the status alone says it (completed, suspended,
// not started). A status that contradicts the measure is refused.
func CheckReport(p Plan, d ReportDraft, today Date, sites SiteLookup) (Report, error) {
	r := Report{Plan: p.ID, Project: d.Project, Schedule: strings.TrimSpace(d.Schedule)}
	var site *Site
	if id := strings.TrimSpace(d.Site); id != "" {
		s, err := sites(id)
		if err != nil {
			return r, err
		}
		if s == nil {
			return r, Reject("site", "plan %s has no site %q", p.ID, id)
		}
		if s.Project == 0 {
			return r, Reject("site", "%q is a base feature of no project; report on a project's sites", id)
		}
		if r.Project != 0 && r.Project != s.Project {
			return r, Reject("site", "%q belongs to project %d, not %d", id, s.Project, r.Project)
		}
		if r.Schedule != "" {
			return r, Reject("schedule", "give a site or a schedule, not both")
		}
		site, r.Project, r.Layer, r.Site = s, s.Project, s.Layer, s.ID
	}
	if r.Project == 0 {
		return r, Reject("project", "give the project number (1–%d) or a site", len(p.Projects))
	}
	pr, ok := p.Project(r.Project)
	if !ok {
		return r, Reject("project", "plan %s has no project %d (1–%d)", p.ID, r.Project, len(p.Projects))
	}
	if r.Schedule != "" {
		if _, ok := pr.Schedule(r.Schedule); !ok {
			return r, Reject("schedule", "project %d has no schedule %q; it has %s", pr.Number, r.Schedule, scheduleIDs(pr))
		}
	} else if site == nil && len(pr.Schedules) == 1 {
		r.Schedule = pr.Schedules[0].ID
	}
	var err error
	if r.ReportedOn, err = checkReportedOn(p, d.ReportedOn, today); err != nil {
		return r, err
	}
	if err := checkMeasure(&r, d, pr.targetOf(r.Schedule, site)); err != nil {
		return r, err
	}
	if err := checkStatus(&r, d); err != nil {
		return r, err
	}
	if r.Source, err = checkText("source", d.Source, MaxSourceLen, true); err != nil {
		return r, err
	}
	if r.Note, err = checkText("note", d.Note, MaxNoteLen, false); err != nil {
		return r, err
	}
	if r.EvidenceURL, err = checkURL(d.EvidenceURL); err != nil {
		return r, err
	}
	return r, nil
}

func scheduleIDs(p *Project) string {
	ids := make([]string, len(p.Schedules))
	for i, s := range p.Schedules {
		ids[i] = s.ID
	}
	if len(ids) == 0 {
		return "none"
	}
	return strings.Join(ids, ", ")
}

func checkReportedOn(p Plan, s string, today Date) (Date, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Date{}, Reject("reported_on", "give the date the report is about, YYYY-MM-DD")
	}
	d, err := ParseDate(s)
	if err != nil {
		return Date{}, Reject("reported_on", "%v", err)
	}
	if d.After(today) {
		return Date{}, Reject("reported_on", "%s is in the future (today is %s in %s)", d, today, p.City)
	}
	if first := NewDate(p.Year, 1, 1); d.Before(first) {
		return Date{}, Reject("reported_on", "%s is before the plan's year %d", d, p.Year)
	}
	return d, nil
}

// target is what a report's measure is measured against.
type target struct {
	metric string    // the quantity a report may give, "" for none
	total  float64   // the quantity that makes it done
	steps  *Schedule // the milestones a report may count, nil for none
}

// targetOf returns what a report on schedule id, or on site s, of p is
// measured against; neither means the whole project.
func (p Project) targetOf(id string, s *Site) target {
	if s != nil {
		var t target
		sc, ok := p.ScheduleFor(*s)
		if ok {
			t.steps = &sc
		}
		switch {
		case len(s.Milestones) > 0 && sc.Metric != "":
			t.metric, t.total = sc.Metric, finalFigure(sc)
		case quotaOf(s) > 0:
			t.metric, t.total = s.Attrs["metric"].(string), quotaOf(s)
		}
		return t
	}
	if sc, ok := p.Schedule(id); ok {
		t := target{steps: &sc}
		if sc.Metric != "" {
			t.metric, t.total = sc.Metric, finalFigure(sc)
		}
		return t
	}
	return target{}
}

// quotaOf returns the quantity a site of an allocation layer stands for.
func quotaOf(s *Site) float64 {
	if _, ok := s.Attrs["metric"].(string); !ok {
		return 0
	}
	switch q := s.Attrs["quantity"].(type) {
	case float64:
		return q
	case int:
		return float64(q)
	}
	return 0
}

func finalFigure(s Schedule) float64 {
	var final float64
	for _, m := range s.Milestones {
		if v, ok := m.Quantities[s.Metric]; ok {
			final = v
		}
	}
	return final
}

func checkMeasure(r *Report, d ReportDraft, t target) error {
	given := 0
	for _, set := range []bool{d.Quantity != nil, d.Milestone != nil, d.Fraction != nil} {
		if set {
			given++
		}
	}
	if given > 1 {
		return Reject("quantity", "give one measure: quantity, milestone or fraction")
	}
	switch {
	case d.Quantity != nil:
		q := *d.Quantity
		if t.metric == "" || t.total <= 0 {
			return Reject("quantity", "this target has no figure to count; give milestone, fraction or status")
		}
		if math.IsNaN(q) || math.IsInf(q, 0) || q < 0 {
			return Reject("quantity", "must be a number ≥ 0, the cumulative figure reached")
		}
		r.Quantity, r.Metric = &q, t.metric
		r.Progress = math.Min(1, q/t.total)
		r.ExceedsTarget = q > t.total
	case d.Milestone != nil:
		n := *d.Milestone
		if t.steps == nil || len(t.steps.Milestones) == 0 {
			return Reject("milestone", "this target has no milestones; give quantity, fraction or status")
		}
		if n < 0 || n > len(t.steps.Milestones) {
			return Reject("milestone", "must be the number of steps reached, 0 to %d", len(t.steps.Milestones))
		}
		r.Milestone = &n
		r.Progress = stepsProgress(*t.steps, n)
	case d.Fraction != nil:
		f := *d.Fraction
		if math.IsNaN(f) || f < 0 || f > 1 {
			return Reject("fraction", "must lie in 0..1")
		}
		r.Fraction = &f
		r.Progress = f
	}
	return nil
}

// stepsProgress is the fraction n steps of s come to: the cumulative
// figure at the n-th step over the final one, or n of all steps.
func stepsProgress(s Schedule, n int) float64 {
	if s.Metric != "" {
		if final := finalFigure(s); final > 0 {
			var reached float64
			for _, m := range s.Milestones[:n] {
				if v, ok := m.Quantities[s.Metric]; ok {
					reached = v
				}
			}
			return math.Min(1, reached/final)
		}
	}
	return float64(n) / float64(len(s.Milestones))
}

func checkStatus(r *Report, d ReportDraft) error {
	measured := d.Quantity != nil || d.Milestone != nil || d.Fraction != nil
	st := ReportStatus(strings.TrimSpace(d.Status))
	if st != "" && !st.Valid() {
		return Reject("status", "%q is not one of not_started, in_progress, completed, suspended", st)
	}
	switch st {
	case "":
		if !measured {
			return Reject("quantity", "give a measure (quantity, milestone or fraction) or a status")
		}
		switch {
		case r.Progress >= 1:
			st = ReportCompleted
		case r.Progress == 0:
			st = ReportNotStarted
		default:
			st = ReportInProgress
		}
	case ReportCompleted:
		if measured && r.Progress < 1 {
			return Reject("status", "completed contradicts the measure given (%.0f%% done)", r.Progress*100)
		}
		r.Progress = 1
	case ReportNotStarted:
		if measured && r.Progress > 0 {
			return Reject("status", "not_started contradicts the measure given (%.0f%% done)", r.Progress*100)
		}
	case ReportInProgress:
		if !measured {
			return Reject("status", "in_progress needs a measure: quantity, milestone or fraction")
		}
		if r.Progress >= 1 {
			return Reject("status", "in_progress contradicts the measure given, which reaches the target; say completed")
		}
	}
	r.Status = st
	return nil
}

// checkText trims s and checks its length and that it holds no control
// characters other than line breaks and tabs.
func checkText(field, s string, max int, required bool) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case !utf8.ValidString(s):
		return "", Reject(field, "is not valid UTF-8 text")
	case required && s == "":
		return "", Reject(field, "is required: name the document, notice or page the report rests on")
	case utf8.RuneCountInString(s) > max:
		return "", Reject(field, "is longer than %d characters", max)
	}
	for _, c := range s {
		if unicode.IsControl(c) && c != '\n' && c != '\t' && c != '\r' {
			return "", Reject(field, "holds a control character %U", c)
		}
	}
	return s, nil
}

func checkURL(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if len(s) > MaxURLLen {
		return "", Reject("evidence_url", "is longer than %d characters", MaxURLLen)
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", Reject("evidence_url", "must be an absolute http or https URL")
	}
	return u.String(), nil
}

package api

import (
	"context"
	"math"
	"strconv"

	"github.com/labstack/echo/v4"

	"projectmap/internal/domain"
)

// scheduleDoc is a schedule with its plan and its latest report on asof.
type scheduleDoc struct {
	domain.Schedule
	Planned  domain.Progress       `json:"planned"`
	Due      *domain.Date          `json:"due"`
	Status   domain.TrackingStatus `json:"status"`
	Reported *domain.Report        `json:"reported"`
}

// projectDoc is a project with its planned and reported state on asof,
// kept apart (domain.ProjectTracking).
type projectDoc struct {
	domain.Project
	CategoryName   string                `json:"category_name"`
	CategoryNameEN string                `json:"category_name_en"`
	Schedules      []scheduleDoc         `json:"schedules"`
	Collections    []string              `json:"collections"`
	Planned        domain.Progress       `json:"planned"`
	Due            *domain.Date          `json:"due"`
	Status         domain.TrackingStatus `json:"status"`
	Reported       *domain.ReportedState `json:"reported"`
	Sites          *domain.SiteBreakdown `json:"sites,omitempty"`
}

func round4(f float64) float64 { return math.Round(f*1e4) / 1e4 }

func rounded(p domain.Progress) domain.Progress {
	p.Planned = round4(p.Planned)
	return p
}

// dueOf is nil for a zero date: a project without schedules has no due day.
func dueOf(d domain.Date) *domain.Date {
	if d.IsZero() {
		return nil
	}
	return &d
}

func projectDocOf(p domain.Plan, pr domain.Project, t domain.ProjectTracking) projectDoc {
	doc := projectDoc{
		Project: pr, Collections: []string{}, Schedules: []scheduleDoc{},
		Planned: rounded(t.Planned), Due: dueOf(t.Due), Status: t.Status, Sites: t.Sites,
	}
	if t.Reported != nil {
		r := *t.Reported
		r.Progress = round4(r.Progress)
		doc.Reported = &r
	}
	for _, cat := range p.Categories {
		if cat.Number == pr.Category {
			doc.CategoryName, doc.CategoryNameEN = cat.Name, cat.NameEN
		}
	}
	for i, sc := range pr.Schedules {
		d := scheduleDoc{Schedule: sc, Status: domain.TrackUnreported}
		if i < len(t.Schedules) && t.Schedules[i].ID == sc.ID {
			st := t.Schedules[i]
			d.Planned, d.Due, d.Status, d.Reported = rounded(st.Planned), dueOf(st.Due), st.Status, st.Reported
		}
		doc.Schedules = append(doc.Schedules, d)
	}
	for _, l := range p.Layers {
		if l.Project == pr.Number {
			doc.Collections = append(doc.Collections, l.ID)
		}
	}
	if doc.Allocations == nil {
		doc.Allocations = []domain.Allocation{}
	}
	return doc
}

// tracking sets every project of the plan against its reports on asof,
// with two store calls whatever the number of projects.
func (s *server) tracking(ctx context.Context, p domain.Plan, asof domain.Date) ([]domain.ProjectTracking, error) {
	latest, err := s.cfg.Store.LatestReports(ctx, p.ID, asof)
	if err != nil {
		return nil, err
	}
	tallies, err := s.cfg.Store.SiteTallies(ctx, p.ID, asof)
	if err != nil {
		return nil, err
	}
	out := make([]domain.ProjectTracking, len(p.Projects))
	for i, pr := range p.Projects {
		out[i] = domain.TrackProject(pr, asof, latest, tallies)
	}
	return out, nil
}

// projects lists the plan's projects on asof with the scorecard, which
// always counts the whole plan, whatever category=, district= or status=
// keep.
func (s *server) projects(c echo.Context) error {
	p, q, _, err := s.planQuery(c, jsonOnly, "asof", "category", "district", "status")
	if err != nil {
		return err
	}
	asof, err := s.parseAsOf(q, p)
	if err != nil {
		return err
	}
	category := 0
	if v := q.Get("category"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > len(p.Categories) {
			return domain.Invalid("category", "%q is not a category number 1–%d", v, len(p.Categories))
		}
		category = n
	}
	status, err := parseStatus(q)
	if err != nil {
		return err
	}
	inDistrict, err := s.districtProjects(c.Request().Context(), p, q.Get("district"))
	if err != nil {
		return err
	}
	tracks, err := s.tracking(c.Request().Context(), p, asof)
	if err != nil {
		return err
	}
	docs := []projectDoc{}
	statuses := make([]domain.TrackingStatus, len(tracks))
	for i, pr := range p.Projects {
		statuses[i] = tracks[i].Status
		if (category == 0 || pr.Category == category) && (status == "" || tracks[i].Status == status) && (inDistrict == nil || inDistrict[pr.Number]) {
			docs = append(docs, projectDocOf(p, pr, tracks[i]))
		}
	}
	noCache(c)
	return writeJSON(c, mediaJSON, map[string]any{
		"plan": p, "asof": asof, "scorecard": domain.NewScorecard(p, asof, statuses), "projects": docs,
	})
}

func (s *server) project(c echo.Context) error {
	p, q, _, err := s.planQuery(c, jsonOnly, "asof")
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(c.Param("number"))
	if err != nil {
		return domain.Invalid("number", "%q is not a project number", c.Param("number"))
	}
	asof, err := s.parseAsOf(q, p)
	if err != nil {
		return err
	}
	pr, ok := p.Project(n)
	if !ok {
		return domain.Errorf(domain.ErrNotFound, "plan %s has no project %d", p.ID, n)
	}
	tracks, err := s.tracking(c.Request().Context(), p, asof)
	if err != nil {
		return err
	}
	var t domain.ProjectTracking
	for i := range p.Projects {
		if p.Projects[i].Number == n {
			t = tracks[i]
		}
	}
	noCache(c)
	return writeJSON(c, mediaJSON, map[string]any{"plan": p, "asof": asof, "project": projectDocOf(p, *pr, t)})
}

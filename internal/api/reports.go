package api

import (
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"projectmap/internal/domain"
)

// reportsPage is a page of the ledger, paged like OGC items.
type reportsPage struct {
	Reports        []domain.Report `json:"reports"`
	NumberMatched  int             `json:"numberMatched"`
	NumberReturned int             `json:"numberReturned"`
	Links          []link          `json:"links"`
}

// parseReports reads a reports query. Every filter is checked against the
// plan, so that a mistyped one is a 400 naming it, never an empty page.
func (s *server) parseReports(c echo.Context, p domain.Plan, q url.Values) (domain.ReportQuery, error) {
	rq := domain.ReportQuery{Plan: p.ID}
	var err error
	if rq.Project, err = parseProject(q, p); err != nil {
		return rq, err
	}
	if rq.Schedule, err = parseSchedule(q, p, rq.Project); err != nil {
		return rq, err
	}
	if id := q.Get("site"); id != "" {
		site, err := s.cfg.Store.SiteByID(c.Request().Context(), p.ID, id)
		if domain.KindOf(err) == domain.ErrNotFound {
			return rq, domain.Invalid("site", "plan %s has no site %q", p.ID, id)
		}
		if err != nil {
			return rq, err
		}
		if rq.Project != 0 && site.Project != rq.Project {
			return rq, domain.Invalid("site", "%q belongs to project %d, not %d", id, site.Project, rq.Project)
		}
		rq.Site = site.ID
	}
	if rq.Since, err = parseDate(q, "since", domain.Date{}); err != nil {
		return rq, err
	}
	if rq.Until, err = parseDate(q, "until", domain.Date{}); err != nil {
		return rq, err
	}
	if !rq.Since.IsZero() && !rq.Until.IsZero() && rq.Until.Before(rq.Since) {
		return rq, domain.Invalid("until", "%s is before since=%s", rq.Until, rq.Since)
	}
	if rq.Limit, err = parseLimit(q); err != nil {
		return rq, err
	}
	if rq.Offset, err = parseInt(q, "offset", 0, 0); err != nil {
		return rq, err
	}
	return rq, nil
}

// parseSchedule reads schedule=, which must be a schedule of the project
// given, or of some project of the plan.
func parseSchedule(q url.Values, p domain.Plan, project int) (string, error) {
	id := q.Get("schedule")
	if id == "" {
		return "", nil
	}
	for _, pr := range p.Projects {
		if project != 0 && pr.Number != project {
			continue
		}
		if _, ok := pr.Schedule(id); ok {
			return id, nil
		}
	}
	if project != 0 {
		return "", domain.Invalid("schedule", "project %d has no schedule %q", project, id)
	}
	return "", domain.Invalid("schedule", "no project of plan %s has a schedule %q", p.ID, id)
}

// reports lists the ledger newest first, retracted reports included and
// marked. site= gives every report that bears on a site: its own and
// those of the schedule it inherits from.
func (s *server) reports(c echo.Context) error {
	p, q, _, err := s.planQuery(c, jsonOnly, "project", "schedule", "site", "since", "until", "limit", "offset")
	if err != nil {
		return err
	}
	rq, err := s.parseReports(c, p, q)
	if err != nil {
		return err
	}
	page, err := s.cfg.Store.Reports(c.Request().Context(), rq)
	if err != nil {
		return err
	}
	if page.Reports == nil {
		page.Reports = []domain.Report{}
	}
	noCache(c)
	return writeJSON(c, mediaJSON, reportsPage{
		Reports: page.Reports, NumberMatched: page.Matched, NumberReturned: len(page.Reports),
		Links: pagingLinks(c, mediaJSON, rq.Limit, rq.Offset, len(page.Reports), page.Matched),
	})
}

// parseReportID reads the {id} of a report path.
func parseReportID(c echo.Context) (int64, error) {
	v := c.Param("id")
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 1 {
		return 0, domain.Invalid("id", "%q is not a report id", v)
	}
	return id, nil
}

func (s *server) report(c echo.Context) error {
	p, _, _, err := s.planQuery(c, jsonOnly)
	if err != nil {
		return err
	}
	id, err := parseReportID(c)
	if err != nil {
		return err
	}
	r, err := s.cfg.Store.Report(c.Request().Context(), p.ID, id)
	if err != nil {
		return err
	}
	noCache(c)
	return writeJSON(c, mediaJSON, r)
}

// reportURL is where report id of the request's plan can be read.
func reportURL(c echo.Context, id int64) string {
	u := base(c) + "/api/reports/" + strconv.FormatInt(id, 10)
	if p := c.QueryParam("plan"); p != "" {
		u += "?plan=" + url.QueryEscape(p)
	}
	return u
}

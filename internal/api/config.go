package api

import (
	"github.com/labstack/echo/v4"

	"projectmap/internal/domain"
)

// dateRange is the span the map's date slider covers.
type dateRange struct {
	From domain.Date `json:"from"`
	To   domain.Date `json:"to"`
}

// config tells the front end what it needs before its first request:
// the basemap, the plan (plan=, else the latest) and its city, every plan
// there is (for the plan switcher), the city's today and the date to open
// on, and where to centre the map.
func (s *server) config(c echo.Context) error {
	p, _, _, err := s.planQuery(c, jsonOnly)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	plans, err := s.cfg.Store.Plans(ctx)
	if err != nil {
		return err
	}
	districts, _, err := s.cityDistricts(ctx, p)
	if err != nil {
		return err
	}
	span, err := s.dateRange(c, p)
	if err != nil {
		return err
	}
	today := s.today(p)
	noCache(c)
	bms, bm := publicBasemaps(s.cfg.basemaps())
	return writeJSON(c, mediaJSON, map[string]any{
		"basemap":      bm,
		"basemaps":     bms,
		"plan":         p.ID,
		"city":         planEntries([]domain.Plan{p})[0].City,
		"plans":        planEntries(plans),
		"year":         p.Year,
		"today":        today,
		"default_date": p.DefaultDateOn(today),
		"time_zone":    p.TimeZone,
		"range":        span,
		"tolerance":    domain.Tolerance,
		"center":       populationCenter(districts),
		"zoom":         10,
		"store":        s.cfg.Store.Kind(),
	})
}

// dateRange is the plan's year, stretched to the newest report if one is
// dated later: the slider spans what can change, no more.
func (s *server) dateRange(c echo.Context, p domain.Plan) (dateRange, error) {
	r := dateRange{From: p.FirstDay(), To: p.LastDay()}
	page, err := s.cfg.Store.Reports(c.Request().Context(), domain.ReportQuery{Plan: p.ID, Limit: 1})
	if err != nil {
		return r, err
	}
	if len(page.Reports) > 0 && page.Reports[0].ReportedOn.After(r.To) {
		r.To = page.Reports[0].ReportedOn
	}
	return r, nil
}

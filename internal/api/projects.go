package api

import (
	"errors"
	"io/fs"
	"math"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"projectmap/internal/dataset"
	"projectmap/internal/domain"
)

type scheduleDoc struct {
	domain.Schedule
	Progress domain.Progress `json:"progress"`
}

type projectDoc struct {
	domain.Project
	CategoryName   string          `json:"category_name"`
	CategoryNameEN string          `json:"category_name_en"`
	Schedules      []scheduleDoc   `json:"schedules"`
	Collections    []string        `json:"collections"`
	Progress       domain.Progress `json:"progress"`
}

func rounded(p domain.Progress) domain.Progress {
	p.Planned = math.Round(p.Planned*1e4) / 1e4
	return p
}

func projectDocOf(p domain.Plan, pr domain.Project, asof domain.Date) projectDoc {
	doc := projectDoc{Project: pr, Progress: rounded(pr.Progress(asof)), Collections: []string{}}
	for _, cat := range p.Categories {
		if cat.Number == pr.Category {
			doc.CategoryName, doc.CategoryNameEN = cat.Name, cat.NameEN
		}
	}
	for _, sc := range pr.Schedules {
		doc.Schedules = append(doc.Schedules, scheduleDoc{sc, rounded(sc.Progress(asof))})
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

func (s *server) projects(c echo.Context) error {
	p, q, _, err := s.planQuery(c, jsonOnly, "asof", "category")
	if err != nil {
		return err
	}
	asof, err := s.parseAsOf(q)
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
	docs := []projectDoc{}
	for _, pr := range p.Projects {
		if category == 0 || pr.Category == category {
			docs = append(docs, projectDocOf(p, pr, asof))
		}
	}
	return writeJSON(c, mediaJSON, map[string]any{"plan": p, "asof": asof, "projects": docs})
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
	asof, err := s.parseAsOf(q)
	if err != nil {
		return err
	}
	for _, pr := range p.Projects {
		if pr.Number == n {
			doc := projectDocOf(p, pr, asof)
			return writeJSON(c, mediaJSON, map[string]any{"plan": p, "asof": asof, "project": doc})
		}
	}
	return domain.Errorf(domain.ErrNotFound, "plan %s has no project %d", p.ID, n)
}

// dataQuality is the report of "projectmap data summary", computed from
// what the store holds.
func (s *server) dataQuality(c echo.Context) error {
	p, _, _, err := s.planQuery(c, jsonOnly)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	held, err := dataset.FromStore(ctx, s.cfg.Store, p.ID)
	if err != nil {
		return err
	}
	return writeJSON(c, mediaJSON, dataset.Summarize(held))
}

func (s *server) config(c echo.Context) error {
	p, _, _, err := s.planQuery(c, jsonOnly)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return writeJSON(c, mediaJSON, map[string]any{
		"basemap": s.cfg.Basemap,
		"plan":    p.ID,
		"plans":   []string{p.ID},
		"year":    p.Year,
		"today":   domain.DateOf(s.cfg.Now()),
		"center":  [2]float64{34.26, 108.94},
		"zoom":    10,
		"store":   s.cfg.Store.Kind(),
	})
}

func (s *server) healthz(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	return writeJSON(c, mediaJSON, map[string]string{"status": "ok", "store": s.cfg.Store.Kind()})
}

func (s *server) readyz(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	if err := s.cfg.Store.Ping(c.Request().Context()); err != nil {
		return &domain.Error{Kind: domain.ErrUnavailable, Message: "store not ready", Err: err}
	}
	return writeJSON(c, mediaJSON, map[string]string{"status": "ready", "store": s.cfg.Store.Kind()})
}

// web serves the built front end; unknown paths are 404, not index.html,
// so that mistyped API paths fail clearly.
func (s *server) web(c echo.Context) error {
	if s.cfg.Web == nil {
		return echo.ErrNotFound
	}
	name := strings.TrimPrefix(path.Clean("/"+c.Param("*")), "/")
	if name == "" {
		name = "index.html"
	}
	b, err := fs.ReadFile(s.cfg.Web, name)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrInvalid) {
		return echo.ErrNotFound
	}
	if err != nil {
		return err
	}
	ct := "application/octet-stream"
	switch path.Ext(name) {
	case ".html":
		ct = "text/html; charset=utf-8"
		c.Response().Header().Set("Cache-Control", "no-cache")
	case ".js":
		ct = "text/javascript; charset=utf-8"
	case ".css":
		ct = "text/css; charset=utf-8"
	case ".png":
		ct = "image/png"
	case ".svg":
		ct = "image/svg+xml"
	}
	return c.Blob(http.StatusOK, ct, b)
}

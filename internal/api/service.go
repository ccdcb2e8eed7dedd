package api

import (
	"context"
	"errors"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"

	"projectmap/internal/dataset"
	"projectmap/internal/domain"
)

// dataQuality is the report of "projectmap data summary", computed from
// what the store holds.
func (s *server) dataQuality(c echo.Context) error {
	p, _, _, err := s.planQuery(c, jsonOnly)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	// About 27 queries: computed once per data version, not per request.
	summary, err := cachedByVersion(ctx, s, cacheKey("data-quality", p.ID), func() (dataset.Summary, error) {
		held, err := dataset.FromStore(ctx, s.cfg.Store, p.ID)
		if err != nil {
			return dataset.Summary{}, err
		}
		return dataset.Summarize(held), nil
	})
	if err != nil {
		return err
	}
	return writeJSON(c, mediaJSON, summary)
}

func (s *server) healthz(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	return writeJSON(c, mediaJSON, map[string]string{"status": "ok", "store": s.cfg.Store.Kind()})
}

func (s *server) readyz(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	if s.draining() {
		return &domain.Error{Kind: domain.ErrUnavailable, Message: "shutting down", Err: errDraining}
	}
	// A real query, briefly bounded: a locked or wedged store is not ready.
	ctx, cancel := context.WithTimeout(c.Request().Context(), s.cfg.ReadyTimeout)
	defer cancel()
	if err := s.cfg.Store.Ping(ctx); err != nil {
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
	return s.webFile(c, name)
}

// embedView is the map for an article's iframe: the same page, on a path
// of its own so that the security headers let other sites frame it.
func (s *server) embedView(c echo.Context) error {
	if s.cfg.Web == nil {
		return echo.ErrNotFound
	}
	return s.webFile(c, "index.html")
}

func (s *server) webFile(c echo.Context, name string) error {
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

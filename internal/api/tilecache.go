package api

import (
	"github.com/labstack/echo/v4"

	"projectmap/internal/domain"
)

// cacheForVersion sets Cache-Control on a tile or a static map: one
// whose request names, in v, the store's current state version can be
// kept for ever (a new version gives new URLs); any other revalidates by
// ETag every time.
func (s *server) cacheForVersion(c echo.Context, v string) {
	if v != "" {
		if vs, ok := s.cfg.Store.(domain.StateVersioned); ok {
			cur, ok, err := vs.StateVersion(c.Request().Context())
			if err == nil && ok && cur == v {
				c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
				return
			}
		}
	}
	noCache(c)
}

// stateVersion is the store's state version, "" when it names none.
func (s *server) stateVersion(c echo.Context) string {
	if vs, ok := s.cfg.Store.(domain.StateVersioned); ok {
		if v, ok, err := vs.StateVersion(c.Request().Context()); err == nil && ok {
			return v
		}
	}
	return ""
}

package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// routes lists the whole API on one screen.
func routes(e *echo.Echo, s *server) {
	e.Use(middleware.Recover())
	e.Use(requestLog(s.cfg.Logger))
	e.Use(middleware.CORSWithConfig(middleware.CORSConfig{
		AllowOrigins: []string{"*"},
		AllowMethods: []string{http.MethodGet, http.MethodHead, http.MethodOptions},
	}))
	e.Use(middleware.GzipWithConfig(middleware.GzipConfig{MinLength: 256}))
	e.Use(etags)

	// Every resource answers GET and HEAD.
	get := func(path string, h echo.HandlerFunc) {
		e.GET(path, h)
		e.HEAD(path, h)
	}
	get("/healthz", s.healthz)
	get("/readyz", s.readyz)

	get("/ogc", s.landing)
	get("/ogc/", s.landing)
	get("/ogc/api", s.openAPI)
	get("/ogc/conformance", s.conformance)
	get("/ogc/collections", s.collections)
	get("/ogc/collections/:collection", s.collection)
	get("/ogc/collections/:collection/items", s.items)
	get("/ogc/collections/:collection/items/:feature", s.item)

	get("/api/config", s.config)
	get("/api/projects", s.projects)
	get("/api/projects/:number", s.project)
	get("/api/data-quality", s.dataQuality)
	get("/api/coverage", s.coverage)
	get("/api/nearest", s.nearest)

	get("/*", s.web)
}

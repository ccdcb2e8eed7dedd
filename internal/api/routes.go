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

	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)

	ogc := e.Group("/ogc")
	ogc.GET("", s.landing)
	ogc.GET("/", s.landing)
	ogc.GET("/api", s.openAPI)
	ogc.GET("/conformance", s.conformance)
	ogc.GET("/collections", s.collections)
	ogc.GET("/collections/:collection", s.collection)
	ogc.GET("/collections/:collection/items", s.items)
	ogc.GET("/collections/:collection/items/:feature", s.item)

	e.GET("/api/config", s.config)
	e.GET("/api/projects", s.projects)
	e.GET("/api/projects/:number", s.project)
	e.GET("/api/data-quality", s.dataQuality)
	e.GET("/api/coverage", s.coverage)

	e.GET("/*", s.web)
}

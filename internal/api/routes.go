package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// routes lists the whole API on one screen.
func routes(e *echo.Echo, s *server) {
	e.Use(middleware.Recover())
	e.Use(requestID)
	e.Use(requestLog(s.cfg.Logger))
	e.Use(s.links.linkBase)
	e.Use(securityHeaders(s.cfg))
	// No cookies are used, so a write from another origin needs the
	// Authorization header; the preflight allows it and nothing else.
	e.Use(middleware.CORSWithConfig(middleware.CORSConfig{
		AllowOrigins:  []string{"*"},
		AllowMethods:  []string{http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPost},
		AllowHeaders:  []string{echo.HeaderAuthorization, echo.HeaderContentType, "Idempotency-Key", "If-None-Match"},
		ExposeHeaders: []string{"ETag", echo.HeaderLocation, headerReplayed, "Retry-After", echo.HeaderXRequestID, echo.HeaderWWWAuthenticate},
	}))
	// Cached answers and 304s cost no store work: they bypass the cap.
	e.Use(s.responses)
	// Shed load past the in-flight cap before any work is done.
	e.Use(newShedder(s.cfg.MaxInFlight, s.cfg.MaxQueued, s.cfg.QueueWait).middleware)
	e.Use(requestDeadline(s.cfg.RequestTimeout, isDownload))
	e.Use(middleware.GzipWithConfig(middleware.GzipConfig{MinLength: 256, Skipper: skipGzip}))
	e.Use(s.etags) // GET and HEAD only: writes are never cached
	e.Use(panicToError(s.cfg.Logger))

	// Every resource answers GET and HEAD.
	get := func(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) {
		e.GET(path, h, m...)
		e.HEAD(path, h, m...)
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
	get(downloadPath, s.download) // every feature, streamed
	get("/ogc/collections/:collection/items/:feature", s.item)

	get("/api/config", s.config)
	get("/api/projects", s.projects)
	get("/api/projects/:number", s.project)
	get("/api/data-quality", s.dataQuality)
	get("/api/coverage", s.coverage)
	get("/api/nearest", s.nearest)

	get("/api/reports", s.reports)
	get("/api/reports.atom", s.reportsAtom)
	get("/api/reports/:id", s.report)

	// Writes: a token, then its rate limit.
	write := []echo.MiddlewareFunc{s.authenticate, s.writeLimit()}
	e.POST("/api/reports", s.fileReports, write...)
	e.POST("/api/reports/:id/retract", s.retract, write...)
	admin := []echo.MiddlewareFunc{s.authenticate, requireAdmin}
	get("/api/audit", s.audit, admin...)
	get("/api/tokens", s.tokens, admin...)
	e.POST("/api/tokens", s.createToken, append(admin, write[1])...)
	e.POST("/api/tokens/:id/revoke", s.revokeToken, append(admin, write[1])...)

	rasterRoutes(get, s)
	mvtRoutes(get, s)
	shareRoutes(get, s)
	tileDocRoutes(get, s)
	get(embedPath, s.embedView)
	get("/*", s.web)
}

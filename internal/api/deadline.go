package api

import (
	"context"
	"time"

	"github.com/labstack/echo/v4"
)

// Defaults of the deadlines, as Config and serve use them.
const (
	// DefaultRequestTimeout bounds the work of one request: a store that
	// does not answer by then (a lock, a full pool, a stopped database)
	// gives 503 with Retry-After instead of a hung request.
	DefaultRequestTimeout = 10 * time.Second
	// DefaultReadyTimeout bounds /readyz's query: a probe wants a quick no.
	DefaultReadyTimeout = 2 * time.Second
)

// requestDeadline gives every request but those skip exempts a deadline d
// from its start. The handler and the middleware inside run under it;
// outer middleware (the error mapper, the request log) get the request
// back without it, so that the 503 the deadline caused can still be
// written. A streamed download is exempt: each page it reads is bounded
// by statement_timeout, the whole by the server's WriteTimeout.
func requestDeadline(d time.Duration, skip func(echo.Context) bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if skip(c) {
				return next(c)
			}
			req := c.Request()
			ctx, cancel := context.WithTimeout(req.Context(), d)
			defer cancel()
			c.SetRequest(req.WithContext(ctx))
			defer c.SetRequest(req) // a panic too must not leave it cancelled
			return next(c)
		}
	}
}

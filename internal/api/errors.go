package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"projectmap/internal/domain"
)

// errorBody is the one shape every error response takes. Errors lists
// every fault of a rejected report or ledger, each naming its line or
// item and field.
type errorBody struct {
	Code    string           `json:"code"`
	Message string           `json:"message"`
	Param   string           `json:"param,omitempty"`
	Errors  []domain.Problem `json:"errors,omitempty"`
}

// errorHandler is the one place errors become statuses. Internal errors
// are logged and never shown: the client gets a generic message.
func errorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		gone := clientGone(c.Request())
		if gone && c.Response().Committed {
			c.Response().Status = statusClientClosed // for the request log
			return
		}
		if c.Response().Committed {
			// Too late to tell the client; the log must not hide it.
			log.Error("error after the response was sent", "method", c.Request().Method, "path", c.Request().URL.Path,
				"status", c.Response().Status, "err", err)
			return
		}
		status, body := classify(err)
		if gone {
			// Logged at info as 499, like nginx: the client left, and
			// nothing failed here.
			status, body = statusClientClosed, errorBody{"client_closed", "the client closed the request before it was answered", "", nil}
		}
		if status >= 500 && status != http.StatusServiceUnavailable {
			log.Error("internal error", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
		}
		h := c.Response().Header()
		switch status {
		case http.StatusUnauthorized:
			// RFC 6750: say how to authenticate, and whether the token given was bad.
			challenge := `Bearer realm="projectmap"`
			if c.Request().Header.Get(echo.HeaderAuthorization) != "" {
				challenge += `, error="invalid_token"`
			}
			h.Set(echo.HeaderWWWAuthenticate, challenge)
		case http.StatusTooManyRequests:
			if h.Get("Retry-After") == "" {
				h.Set("Retry-After", "1")
			}
		case http.StatusServiceUnavailable:
			// The store is down, slow or locked: a retry soon may succeed.
			if h.Get("Retry-After") == "" {
				h.Set("Retry-After", retryAfterUnavailable)
			}
		}
		if c.Request().Method != http.MethodGet && c.Request().Method != http.MethodHead {
			h.Set("Cache-Control", "no-store")
		}
		if c.Request().Method == http.MethodHead {
			err = c.NoContent(status)
		} else {
			err = writeJSONStatus(c, status, mediaJSON, body)
		}
		if err != nil {
			log.Error("writing error response", "err", err)
		}
	}
}

// retryAfterUnavailable is the Retry-After of a 503 from the store, in
// seconds: about how long a restarting database or a passing lock takes.
const retryAfterUnavailable = "2"

// classify maps an error to its status and body.
func classify(err error) (int, errorBody) {
	if errors.Is(err, errOverloaded) || errors.Is(err, errRendersBusy) {
		return http.StatusServiceUnavailable, errorBody{"overloaded", "the server is busy; try again shortly", "", nil}
	}
	var de *domain.Error
	if errors.As(err, &de) {
		body := errorBody{de.Kind.String(), de.Message, de.Param, nil}
		switch de.Kind {
		case domain.ErrInvalid:
			body.Code = "invalid_parameter"
			return http.StatusBadRequest, body
		case domain.ErrNotFound:
			return http.StatusNotFound, body
		case domain.ErrUnavailable:
			return http.StatusServiceUnavailable, errorBody{"unavailable", "the data store is unavailable; try again shortly", "", nil}
		case domain.ErrConflict:
			return http.StatusConflict, body
		case domain.ErrUnprocessable:
			body.Errors = de.Problems
			if len(body.Errors) == 0 {
				body.Errors = []domain.Problem{{Field: de.Param, Message: de.Message}}
			}
			return http.StatusUnprocessableEntity, body
		case domain.ErrUnauthorized:
			return http.StatusUnauthorized, body
		case domain.ErrForbidden:
			return http.StatusForbidden, body
		case domain.ErrRateLimited:
			return http.StatusTooManyRequests, body
		}
		return http.StatusInternalServerError, errorBody{"internal", "internal error", "", nil}
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		msg := http.StatusText(he.Code)
		if m, ok := he.Message.(string); ok && he.Code < 500 {
			msg = m
		}
		code := "http_error"
		switch he.Code {
		case http.StatusNotFound:
			code = "not_found"
		case http.StatusMethodNotAllowed:
			code = "method_not_allowed"
		case http.StatusRequestEntityTooLarge:
			code = "too_large"
		case http.StatusUnsupportedMediaType:
			code = "unsupported_media_type"
		case http.StatusTooManyRequests:
			code = "rate_limited"
		}
		if he.Code >= 500 {
			code = "internal"
		}
		return he.Code, errorBody{code, msg, "", nil}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		// The request's deadline passed (requestDeadline, readyz).
		return http.StatusServiceUnavailable, errorBody{"unavailable", "the data store did not answer in time; try again shortly", "", nil}
	}
	if errors.Is(err, context.Canceled) {
		return http.StatusServiceUnavailable, errorBody{"unavailable", "the request was cancelled", "", nil}
	}
	return http.StatusInternalServerError, errorBody{"internal", "internal error", "", nil}
}

package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"projectmap/internal/domain"
)

// errorBody is the one shape every error response takes.
type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Param   string `json:"param,omitempty"`
}

// errorHandler is the one place errors become statuses. Internal errors
// are logged and never shown: the client gets a generic message.
func errorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		status, body := classify(err)
		if status >= 500 && status != http.StatusServiceUnavailable {
			log.Error("internal error", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
		}
		if c.Request().Method == http.MethodHead {
			err = c.NoContent(status)
		} else {
			err = c.JSON(status, body)
		}
		if err != nil {
			log.Error("writing error response", "err", err)
		}
	}
}

func classify(err error) (int, errorBody) {
	var de *domain.Error
	if errors.As(err, &de) {
		switch de.Kind {
		case domain.ErrInvalid:
			return http.StatusBadRequest, errorBody{"invalid_parameter", de.Message, de.Param}
		case domain.ErrNotFound:
			return http.StatusNotFound, errorBody{"not_found", de.Message, de.Param}
		case domain.ErrUnavailable:
			return http.StatusServiceUnavailable, errorBody{"unavailable", "the data store is unavailable; try again shortly", ""}
		case domain.ErrConflict:
			return http.StatusConflict, errorBody{"conflict", de.Message, de.Param}
		}
		return http.StatusInternalServerError, errorBody{"internal", "internal error", ""}
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
		}
		return he.Code, errorBody{code, msg, ""}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return http.StatusServiceUnavailable, errorBody{"unavailable", "the request was cancelled or timed out", ""}
	}
	return http.StatusInternalServerError, errorBody{"internal", "internal error", ""}
}

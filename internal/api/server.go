// Package api is projectmap's HTTP layer: an Echo server with the OGC API –
// Features endpoints under /ogc, the project API under /api, and the map.
package api

import (
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"projectmap/internal/domain"
)

// Basemap is the tile layer the map draws under the data.
type Basemap struct {
	URL         string `json:"url"`
	Attribution string `json:"attribution"`
}

// Config is everything the server needs, passed in explicitly.
type Config struct {
	Store   domain.Store
	Logger  *slog.Logger
	Basemap Basemap
	// Now gives the current time; progress defaults to today's date.
	Now func() time.Time
	// Web holds the built front end (index.html, app.js, app.css) at its root.
	Web fs.FS
}

// New returns the HTTP handler for the whole service.
func New(cfg Config) *echo.Echo {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = errorHandler(cfg.Logger)
	s := &server{cfg: cfg}
	routes(e, s)
	return e
}

// NewHTTPServer wraps the handler with timeouts suited to the public web.
func NewHTTPServer(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
}

type server struct {
	cfg Config
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"time"

	"projectmap/geodata"
	"projectmap/internal/api"
	"projectmap/internal/dataset"
	"projectmap/internal/domain"
	"projectmap/internal/memstore"
	"projectmap/web"
)

const (
	defaultBasemapURL         = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
	defaultBasemapAttribution = `&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors`
)

// serveConfig is what serve reads from flags and the environment.
type serveConfig struct {
	addr        string
	basemap     api.Basemap
	databaseURL string
	migrate     bool
}

func parseServe(args []string, getenv func(string) string, stderr io.Writer) (serveConfig, error) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg serveConfig
	fs.StringVar(&cfg.addr, "addr", envOr(getenv, "PROJECTMAP_ADDR", ":8080"), "listen address (env PROJECTMAP_ADDR)")
	fs.StringVar(&cfg.basemap.URL, "basemap-url", envOr(getenv, "PROJECTMAP_BASEMAP_URL", defaultBasemapURL), "basemap tile URL template, {z}/{x}/{y} (env PROJECTMAP_BASEMAP_URL); empty for none")
	fs.StringVar(&cfg.basemap.Attribution, "basemap-attribution", envOr(getenv, "PROJECTMAP_BASEMAP_ATTRIBUTION", defaultBasemapAttribution), "basemap attribution HTML (env PROJECTMAP_BASEMAP_ATTRIBUTION)")
	fs.StringVar(&cfg.databaseURL, "database-url", getenv("DATABASE_URL"), "PostgreSQL/PostGIS URL (env DATABASE_URL); empty serves the embedded store")
	fs.BoolVar(&cfg.migrate, "migrate", true, "with PostGIS, apply pending migrations at start; false refuses to start while any are pending")
	if err := fs.Parse(args); err != nil {
		return cfg, fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("%w: serve takes no arguments, got %q", errUsage, fs.Args())
	}
	return cfg, nil
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseServe(args, getenv, stderr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	kind := "embedded"
	if cfg.databaseURL != "" {
		kind = "postgis"
	}
	log.Info("starting", "store", kind, "addr", cfg.addr)
	handler, describe, closeStore, err := newHandler(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeStore()
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	log.Info("serving", "store", describe, "addr", ln.Addr().String())
	fmt.Fprintf(stdout, "projectmap serving on http://%s (store: %s)\n", ln.Addr(), describe)
	return serveUntilDone(ctx, api.NewHTTPServer(cfg.addr, handler), ln, log)
}

// newHandler loads the data, picks the store (PostGIS when a database URL
// is given, else the embedded one) and builds the HTTP handler.
func newHandler(ctx context.Context, cfg serveConfig, log *slog.Logger) (http.Handler, string, func(), error) {
	ds, err := dataset.Load(geodata.Files)
	if err != nil {
		return nil, "", nil, fmt.Errorf("loading geodata: %w", err)
	}
	var store domain.Store
	closeStore := func() {}
	if cfg.databaseURL == "" {
		store = memstore.New(ds)
	} else if store, closeStore, err = openPostGIS(ctx, cfg.databaseURL, cfg.migrate, ds, log); err != nil {
		return nil, "", nil, err
	}
	webFS, err := fs.Sub(web.Dist, "dist")
	if err != nil {
		closeStore()
		return nil, "", nil, err
	}
	h := api.New(api.Config{
		Store:   store,
		Logger:  log,
		Basemap: cfg.basemap,
		Web:     webFS,
	})
	return h, store.Kind(), closeStore, nil
}

// serveUntilDone serves until ctx ends (SIGTERM or interrupt), then shuts
// down gracefully, letting requests in flight finish.
func serveUntilDone(ctx context.Context, srv *http.Server, ln net.Listener, log *slog.Logger) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

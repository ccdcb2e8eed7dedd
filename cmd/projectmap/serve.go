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
	"net/url"
	"time"

	"projectmap/internal/api"
	"projectmap/web"
)

const (
	defaultBasemapURL         = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
	defaultBasemapAttribution = `&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors`
)

// serveConfig is what serve reads from flags and the environment.
type serveConfig struct {
	addr       string
	basemap    api.Basemap
	store      storeConfig
	writeRate  float64
	writeBurst int
	maxBody    int64
}

func parseServe(args []string, getenv func(string) string, stderr io.Writer) (serveConfig, error) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg serveConfig
	fs.StringVar(&cfg.addr, "addr", envOr(getenv, "PROJECTMAP_ADDR", ":8080"), "listen address (env PROJECTMAP_ADDR)")
	fs.StringVar(&cfg.basemap.URL, "basemap-url", envOr(getenv, "PROJECTMAP_BASEMAP_URL", defaultBasemapURL), "basemap tile URL template, {z}/{x}/{y} (env PROJECTMAP_BASEMAP_URL); empty for none")
	fs.StringVar(&cfg.basemap.Attribution, "basemap-attribution", envOr(getenv, "PROJECTMAP_BASEMAP_ATTRIBUTION", defaultBasemapAttribution), "basemap attribution HTML (env PROJECTMAP_BASEMAP_ATTRIBUTION)")
	sc := storeFlags(fs, getenv)
	fs.Float64Var(&cfg.writeRate, "write-rate", api.DefaultWriteRate, "writes a second each token may make, sustained")
	fs.IntVar(&cfg.writeBurst, "write-burst", api.DefaultWriteBurst, "writes each token may make at once, above --write-rate")
	fs.Int64Var(&cfg.maxBody, "max-body", api.DefaultMaxBody, "largest body of a write in bytes (a ledger CSV); larger is refused with 413")
	if err := fs.Parse(args); err != nil {
		return cfg, fmt.Errorf("%w: %w", errUsage, err)
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("%w: serve takes no arguments, got %q", errUsage, fs.Args())
	}
	switch {
	case cfg.writeRate <= 0:
		return cfg, fmt.Errorf("%w: --write-rate must be positive", errUsage)
	case cfg.writeBurst <= 0:
		return cfg, fmt.Errorf("%w: --write-burst must be positive", errUsage)
	case cfg.maxBody <= 0:
		return cfg, fmt.Errorf("%w: --max-body must be positive", errUsage)
	}
	cfg.store = *sc
	return cfg, nil
}

func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseServe(args, getenv, stderr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	kind, dataAttr := "embedded", slog.String("data_dir", cfg.store.dataDir)
	if cfg.store.databaseURL != "" {
		kind, dataAttr = "postgis", slog.String("database", databaseName(cfg.store.databaseURL))
	}
	log.Info("starting", "store", kind, "addr", cfg.addr, dataAttr)
	handler, store, err := newHandler(ctx, cfg, log)
	if err != nil {
		return err
	}
	// The store closes after the server has shut down, so that no request
	// in flight writes to a closed journal.
	defer store.close()
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	log.Info("serving", "store", store.Kind(), "data", store.where, "addr", ln.Addr().String())
	fmt.Fprintf(stdout, "projectmap serving on http://%s (store: %s, data: %s)\n", ln.Addr(), store.Kind(), store.where)
	return serveUntilDone(ctx, api.NewHTTPServer(cfg.addr, handler), ln, log)
}

// newHandler loads the data, opens the store (PostGIS when a database URL
// is given, else the embedded one under the data directory) and builds the
// HTTP handler.
func newHandler(ctx context.Context, cfg serveConfig, log *slog.Logger) (http.Handler, *openedStore, error) {
	ds, err := cfg.store.loadGeodata()
	if err != nil {
		return nil, nil, err
	}
	webFS, err := fs.Sub(web.Dist, "dist")
	if err != nil {
		return nil, nil, err
	}
	store, err := openStore(ctx, cfg.store, ds, log)
	if err != nil {
		return nil, nil, err
	}
	h := api.New(api.Config{
		Store:      store.Store,
		Logger:     log,
		Basemap:    cfg.basemap,
		Now:        time.Now,
		Web:        webFS,
		WriteRate:  cfg.writeRate,
		WriteBurst: cfg.writeBurst,
		MaxBody:    cfg.maxBody,
	})
	return h, store, nil
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

// databaseName names a database URL's server and database for the log,
// without its user, password or options.
func databaseName(dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil || u.Host == "" {
		return "(a connection string)"
	}
	return u.Host + u.Path
}

package main

import (
	"context"
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
	basemaps   []api.Basemap
	store      storeConfig
	writeRate  float64
	writeBurst int
	maxBody    int64
	web        webConfig
	shed       shedConfig
	bounds     boundsConfig
	profile    profileConfig
	cache      cacheConfig
}

// shedConfig bounds the requests at work, and how shutdown drains them.
type shedConfig struct {
	maxInFlight, maxQueued    int
	queueWait                 time.Duration
	drainDelay, drainDeadline time.Duration
}

func parseServe(args []string, getenv func(string) string, stderr io.Writer) (serveConfig, error) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg serveConfig
	fs.StringVar(&cfg.addr, "addr", envOr(getenv, "PROJECTMAP_ADDR", ":8080"), "listen address (env PROJECTMAP_ADDR)")
	var bc basemapConfig
	basemapFlags(fs, getenv, &bc)
	sc := storeFlags(fs, getenv)
	fs.Float64Var(&cfg.writeRate, "write-rate", api.DefaultWriteRate, "writes a second each token may make, sustained")
	fs.IntVar(&cfg.writeBurst, "write-burst", api.DefaultWriteBurst, "writes each token may make at once, above --write-rate")
	fs.Int64Var(&cfg.maxBody, "max-body", api.DefaultMaxBody, "largest body of a write in bytes (a ledger CSV); larger is refused with 413")
	webFlags(fs, getenv, &cfg.web)
	shedFlags(fs, &cfg.shed)
	boundsFlags(fs, &cfg.bounds)
	profileFlags(fs, &cfg.profile)
	cacheFlags(fs, getenv, &cfg.cache)
	var err error
	if err = fs.Parse(args); err != nil {
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
	if err := cfg.shed.check(); err != nil {
		return cfg, fmt.Errorf("%w: %w", errUsage, err)
	}
	if err := cfg.cache.check(); err != nil {
		return cfg, fmt.Errorf("%w: %w", errUsage, err)
	}
	if err := cfg.bounds.check(); err != nil {
		return cfg, fmt.Errorf("%w: %w", errUsage, err)
	}
	if err := cfg.web.check(); err != nil {
		return cfg, fmt.Errorf("%w: %w", errUsage, err)
	}
	if cfg.basemaps, err = bc.list(getenv); err != nil {
		return cfg, fmt.Errorf("%w: %w", errUsage, err)
	}
	cfg.store = *sc
	cfg.store.pool = cfg.bounds.pool()
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
	draining := make(chan struct{}) // closed when shutdown begins: /readyz turns 503
	handler, store, err := newHandler(ctx, cfg, draining, log)
	if err != nil {
		return err
	}
	// The store closes after the server has shut down, so that no request
	// in flight writes to a closed journal.
	defer store.close()
	stopProfile, err := cfg.profile.start(log)
	if err != nil {
		return err
	}
	defer stopProfile() // before the store closes: the requests have finished
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	log.Info("serving", "store", store.Kind(), "data", store.where, "addr", ln.Addr().String())
	fmt.Fprintf(stdout, "projectmap serving on http://%s (store: %s, data: %s)\n", ln.Addr(), store.Kind(), store.where)
	return serveUntilDone(ctx, api.NewHTTPServer(cfg.addr, handler), ln, cfg.shed, draining, log)
}

// newHandler loads the data, opens the store (PostGIS when a database URL
// is given, else the embedded one under the data directory) and builds the
// HTTP handler.
func newHandler(ctx context.Context, cfg serveConfig, draining <-chan struct{}, log *slog.Logger) (http.Handler, *openedStore, error) {
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
		Basemaps:   cfg.basemaps,
		Now:        time.Now,
		Web:        webFS,
		WriteRate:  cfg.writeRate,
		WriteBurst: cfg.writeBurst,
		MaxBody:    cfg.maxBody,

		PublicURL:           cfg.web.publicURL,
		AllowedHosts:        cfg.web.hostList(cfg.web.allowedHosts),
		ListenAddr:          cfg.addr,
		CSPHosts:            cfg.web.cspSources(),
		EmbedFrameAncestors: cfg.web.embedAncestors,
		HSTS:                cfg.web.hsts,

		MaxInFlight: cfg.shed.maxInFlight,
		MaxQueued:   cfg.shed.maxQueued,
		QueueWait:   cfg.shed.queueWait,
		Draining:    draining,

		RequestTimeout: cfg.bounds.requestTimeout,
		ReadyTimeout:   cfg.bounds.readyTimeout,
		MaxRenders:     cfg.bounds.maxRenders,

		CacheBytes: cfg.cache.bytes(),
		BuildStamp: buildStamp(),
	})
	return h, store, nil
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

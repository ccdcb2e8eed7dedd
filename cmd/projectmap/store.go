package main

// Choosing and opening the store, for serve and for the ledger commands
// alike: PostGIS when a database URL is given, else the embedded store
// with its journal under the data directory.

import (
	"context"
	"flag"
	"fmt"
	iofs "io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"projectmap/geodata"
	"projectmap/internal/dataset"
	"projectmap/internal/domain"
	"projectmap/internal/memstore"
	"projectmap/internal/postgis"
)

// storeConfig is which store to open and how, and which geodata it serves.
type storeConfig struct {
	databaseURL string
	dataDir     string
	migrate     bool
	// geodata is a directory laid out as geodata/ (cities/, plans/); ""
	// is the geodata embedded in the binary. A second city is added there
	// as data alone.
	geodata string
	// pool sizes and bounds a PostGIS pool; zero (the ledger commands)
	// keeps pgx's size and the server's statement_timeout.
	pool postgis.PoolOptions
}

// loadGeodata loads the geodata the store serves.
func (sc storeConfig) loadGeodata() (*dataset.Dataset, error) {
	var files iofs.FS = geodata.Files
	if sc.geodata != "" {
		files = os.DirFS(sc.geodata)
	}
	ds, err := dataset.Load(files)
	if err != nil {
		return nil, fmt.Errorf("loading geodata: %w", err)
	}
	return ds, nil
}

// storeFlags adds --database-url, --data-dir, --migrate and --geodata to fs.
func storeFlags(fs *flag.FlagSet, getenv func(string) string) *storeConfig {
	var sc storeConfig
	fs.StringVar(&sc.geodata, "geodata", getenv("PROJECTMAP_GEODATA"),
		"serve the geodata of this directory (cities/, plans/, as in the source tree's geodata/) instead of the embedded one (env PROJECTMAP_GEODATA)")
	fs.StringVar(&sc.databaseURL, "database-url", getenv("DATABASE_URL"), "PostgreSQL/PostGIS URL (env DATABASE_URL); empty uses the embedded store")
	fs.StringVar(&sc.dataDir, "data-dir", envOr(getenv, "PROJECTMAP_DATA_DIR", defaultDataDir(getenv)),
		"where the embedded store keeps its ledger journal (env PROJECTMAP_DATA_DIR; default $XDG_DATA_HOME/projectmap, else ~/.local/share/projectmap)")
	fs.BoolVar(&sc.migrate, "migrate", true, "with PostGIS, apply pending migrations at start; false refuses to start while any are pending")
	return &sc
}

// defaultDataDir follows the XDG base directory spec: $XDG_DATA_HOME when
// it is an absolute path, else ~/.local/share; "" when neither is known.
func defaultDataDir(getenv func(string) string) string {
	if x := getenv("XDG_DATA_HOME"); filepath.IsAbs(x) {
		return filepath.Join(x, "projectmap")
	}
	if home := getenv("HOME"); home != "" {
		return filepath.Join(home, ".local", "share", "projectmap")
	}
	return ""
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

// openedStore is an open store, what to call it in logs, and how to close it.
type openedStore struct {
	domain.Store
	// where says where the data lives: the data directory, or "PostGIS".
	where string
	close func()
}

// openStore opens the store sc selects, with ds as the embedded geodata
// (imported into an empty PostGIS database, as serve does).
func openStore(ctx context.Context, sc storeConfig, ds *dataset.Dataset, log *slog.Logger) (*openedStore, error) {
	if sc.databaseURL != "" {
		store, closeStore, err := openPostGIS(ctx, sc.databaseURL, sc.pool, sc.migrate, ds, log)
		if err != nil {
			return nil, err
		}
		return &openedStore{Store: store, where: "PostGIS", close: closeStore}, nil
	}
	if sc.dataDir == "" {
		return nil, fmt.Errorf("%w: --data-dir: neither XDG_DATA_HOME nor HOME is set, so there is no default; give --data-dir or PROJECTMAP_DATA_DIR (or --database-url)", errUsage)
	}
	dir, err := filepath.Abs(sc.dataDir)
	if err != nil {
		return nil, fmt.Errorf("--data-dir: %w", err)
	}
	store, err := memstore.Open(ds, dir, memstore.WithLogger(log))
	if err != nil {
		return nil, fmt.Errorf("--data-dir %s: %w", dir, err)
	}
	closeStore := func() {
		if err := store.Close(); err != nil {
			log.Error("closing the embedded store", "data_dir", dir, "err", err)
		}
	}
	return &openedStore{Store: store, where: dir, close: closeStore}, nil
}

package main

import (
	"errors"
	"flag"
	"time"

	"projectmap/internal/api"
	"projectmap/internal/postgis"
)

// boundsConfig bounds the database work of serve: the pool, each
// statement, each request, and /readyz's query.
type boundsConfig struct {
	poolSize         int
	statementTimeout time.Duration
	requestTimeout   time.Duration
	readyTimeout     time.Duration
	maxRenders       int
}

func boundsFlags(fs *flag.FlagSet, bc *boundsConfig) {
	fs.IntVar(&bc.poolSize, "db-pool-size", postgis.DefaultMaxConns, "with PostGIS, connections in the pool; requests beyond wait for one within --request-timeout")
	fs.DurationVar(&bc.statementTimeout, "statement-timeout", postgis.DefaultStatementTimeout, "with PostGIS, the statement_timeout of each connection (lock waits included); 0 keeps the server's")
	fs.DurationVar(&bc.requestTimeout, "request-timeout", api.DefaultRequestTimeout, "deadline of each request's work (streamed downloads aside); past it, 503 with Retry-After")
	fs.IntVar(&bc.maxRenders, "max-renders", api.DefaultMaxRenders, "static maps and raster tiles drawn at once (a 4000x4000 map holds 64 MB); more wait within --request-timeout, then 503 with Retry-After")
	fs.DurationVar(&bc.readyTimeout, "ready-timeout", api.DefaultReadyTimeout, "deadline of /readyz's query of the store; past it, 503")
}

func (bc boundsConfig) check() error {
	switch {
	case bc.poolSize <= 0 || bc.poolSize > 1000:
		return errors.New("--db-pool-size must be between 1 and 1000")
	case bc.statementTimeout < 0:
		return errors.New("--statement-timeout must not be negative")
	case bc.requestTimeout <= 0:
		return errors.New("--request-timeout must be positive")
	case bc.readyTimeout <= 0:
		return errors.New("--ready-timeout must be positive")
	case bc.maxRenders <= 0 || bc.maxRenders > 256:
		return errors.New("--max-renders must be between 1 and 256")
	}
	return nil
}

// pool is the pool options serve opens PostGIS with.
func (bc boundsConfig) pool() postgis.PoolOptions {
	return postgis.PoolOptions{MaxConns: int32(bc.poolSize), StatementTimeout: bc.statementTimeout}
}

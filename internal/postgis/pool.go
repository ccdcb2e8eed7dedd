package postgis

import (
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Defaults of PoolOptions, as serve uses them.
const (
	// DefaultMaxConns suits a 2-core machine with PostgreSQL beside the
	// service: a few connections per core keep both cores busy while some
	// wait on I/O, and more only queue inside PostgreSQL instead of here,
	// where a request's deadline still bounds the wait.
	DefaultMaxConns = 8
	// DefaultStatementTimeout bounds one statement on the server (a lock
	// wait included), so that no query outlives the request that sent it.
	DefaultStatementTimeout = 5 * time.Second
)

// PoolOptions size and bound a pool. Zero fields keep pgx's default size
// (max(4, cores)) and the server's statement_timeout, as tools that import
// and migrate want.
type PoolOptions struct {
	MaxConns         int32
	StatementTimeout time.Duration
}

// apply sets opts on cfg; a statement_timeout in the URL wins.
func (o PoolOptions) apply(cfg *pgxpool.Config) {
	if o.MaxConns > 0 {
		cfg.MaxConns = o.MaxConns
	}
	if _, set := cfg.ConnConfig.RuntimeParams["statement_timeout"]; !set && o.StatementTimeout > 0 {
		// At least 1 ms: 0 would mean no timeout at all.
		ms := max(o.StatementTimeout.Milliseconds(), 1)
		cfg.ConnConfig.RuntimeParams["statement_timeout"] = strconv.FormatInt(ms, 10)
	}
}

// Package postgis is the production store: plans and sites in PostgreSQL
// with PostGIS, read through a pgx connection pool. It answers exactly as
// the embedded store does (internal/storetest holds the suite both pass),
// with PostGIS doing the spatial work through a GiST index.
//
// The schema lives in migrations/ and is applied by Migrate; Import loads
// geodata/ in one idempotent transaction, ImportGeoJSON adds a city's own
// layer as a named collection.
//
// The ledger (reports, retractions, tokens, the audit) lives in
// append-only tables beside the plan data; every write is one transaction,
// acknowledged once committed. A site's tracking status is computed in
// SQL, next to the data, from the planned curve the domain computed for it
// at import: a status filter pages in the database. What reports change
// and is costly to compute is kept in memory while the store LISTENs for
// writes, its own and other processes' (listen.go), and so are, for the
// data version announced on the same channel, the plans, districts and
// layers (no round trip for the version), single sites and their reports
// (entities.go, warm.go), and the points of point layers, which answer a
// bbox page's matches and count without the database (pointindex.go).
// StateVersion names the version of all of it (statever.go).
package postgis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"

	"projectmap/internal/domain"
)

// Store reads plans and sites from PostGIS. It is safe for concurrent use;
// a lost connection is replaced by the pool on the next request, so the
// store recovers by itself when the database comes back.
type Store struct {
	pool     *pgxpool.Pool
	cache    cache
	ledger   ledgerCache
	entities entityCache
	points   layerIndexes
}

// cache keeps what changes only with the data (plans, districts, zones,
// layers) for as long as data_version, which triggers bump on every
// change, stays the same: a request then reads one small row instead of
// all of them.
type cache struct {
	mu        sync.Mutex
	version   int64
	plans     []domain.Plan
	districts []domain.District
	zones     []domain.Zone
	layers    map[string][]domain.LayerInfo
	// The layers of each plan with sites that inherit a schedule's
	// reports (reportless.go).
	inheriting map[string]map[string]bool
}

// dataVersion is the current data version for the lookups kept in memory
// (plans, districts, layers), and drops them if the data changed since
// they were kept. While the store listens it is the version last
// announced (migration 0005), with no round trip; else it is read. The
// first call starts the listener.
func (s *Store) dataVersion(ctx context.Context) (int64, error) {
	s.startListening()
	if v, up := s.ledger.dataVersion(); up {
		s.cache.at(v)
		return v, nil
	}
	return s.readDataVersion(ctx)
}

// readDataVersion reads the data version from the database.
func (s *Store) readDataVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := s.pool.QueryRow(ctx, dataVersionSQL).Scan(&v); err != nil {
		return 0, mapErr(ctx, err)
	}
	s.cache.at(v)
	return v, nil
}

// at drops what the cache keeps unless it is of data version v.
func (c *cache) at(v int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != v {
		c.version = v
		c.plans, c.districts, c.zones = nil, nil, nil
		c.layers = map[string][]domain.LayerInfo{}
		c.inheriting = map[string]map[string]bool{}
	}
}

// cached returns what get finds in the cache for the current data
// version, or loads it and keeps it with put unless the data moved on
// meanwhile.
func cached[T any](ctx context.Context, s *Store, get func(*cache) (T, bool), load func() (T, error), put func(*cache, T)) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	v, err := s.dataVersion(ctx)
	if err != nil {
		return zero, err
	}
	s.cache.mu.Lock()
	got, ok := get(&s.cache)
	s.cache.mu.Unlock()
	if ok {
		return got, nil
	}
	if got, err = load(); err != nil {
		return zero, err
	}
	s.cache.mu.Lock()
	if s.cache.version == v {
		put(&s.cache, got)
	}
	s.cache.mu.Unlock()
	return got, nil
}

var _ domain.Store = (*Store)(nil)

// Open connects to the database at url (a postgres:// URL or a DSN) and
// checks that it answers. A malformed url is ErrInvalid, a database that
// cannot be reached ErrUnavailable.
func Open(ctx context.Context, url string) (*Store, error) {
	return OpenWith(ctx, url, PoolOptions{})
}

// OpenWith is Open with a pool sized and bounded by opts.
func OpenWith(ctx context.Context, url string, opts PoolOptions) (*Store, error) {
	pool, err := NewPoolWith(ctx, url, opts)
	if err != nil {
		return nil, err
	}
	// A bare ping: the schema may not be migrated yet.
	if err := mapErr(ctx, pool.Ping(ctx)); err != nil {
		pool.Close()
		return nil, err
	}
	return New(pool), nil
}

// NewPool returns a pool for url without connecting yet, with pgx's
// default size and no statement_timeout (for tools that import and
// migrate). See NewPoolWith.
func NewPool(ctx context.Context, url string) (*pgxpool.Pool, error) {
	return NewPoolWith(ctx, url, PoolOptions{})
}

// NewPoolWith returns a pool for url without connecting yet. Connections
// time out after 5 s, and sessions run with plan_cache_mode=
// force_custom_plan, jit=off, max_parallel_workers_per_gather=0 and the
// statement_timeout of opts, unless the url says otherwise.
func NewPoolWith(ctx context.Context, url string, opts PoolOptions) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// The parse error may quote the url and its password: keep it out.
		return nil, &domain.Error{Kind: domain.ErrInvalid, Param: "database-url", Message: "not a valid PostgreSQL URL"}
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	}
	opts.apply(cfg)
	// Plan every query for its own values. A generic plan of a prepared
	// bbox query cannot see how selective the box is, and picks the
	// (plan_id, layer_id) index over the GiST one: 6× slower at 100,000
	// sites, worse with more.
	//
	// JIT compilation and parallel workers cost more to start (15–25 ms
	// and 5–20 ms, measured) than the small queries of a map take in all,
	// yet PostGIS's high function costs make the planner reach for both.
	for key, value := range map[string]string{
		"plan_cache_mode":                 "force_custom_plan",
		"jit":                             "off",
		"max_parallel_workers_per_gather": "0",
	} {
		if _, set := cfg.ConnConfig.RuntimeParams[key]; !set {
			cfg.ConnConfig.RuntimeParams[key] = value
		}
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, mapErr(ctx, err)
	}
	return pool, nil
}

// New wraps an existing pool. The caller keeps ownership: Close closes it.
// The store listens for ledger writes (its own and other processes') on a
// connection of its own from the first read that keeps an answer in memory.
func New(pool *pgxpool.Pool) *Store {
	return &Store{pool: pool, cache: cache{layers: map[string][]domain.LayerInfo{}, inheriting: map[string]map[string]bool{}},
		ledger: ledgerCache{entries: map[ledgerKey]any{}, firstUp: make(chan struct{})}}
}

// Pool returns the store's connection pool.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Close stops listening and closes the pool, waiting for connections in
// use to be returned.
func (s *Store) Close() {
	s.stopListening()
	s.pool.Close()
}

func (s *Store) Kind() string { return "postgis" }

// Ping checks that the data can be read: a real query on sites, so that a
// lock on it or a wedged server fails the check instead of passing it.
// The caller bounds it with ctx; statement_timeout bounds it too.
func (s *Store) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var one int
	err := s.pool.QueryRow(ctx, readySQL).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil // an empty database is ready too
	}
	return mapErr(ctx, err)
}

// Plans reads every plan with its projects, oldest first, from one
// consistent snapshot.
func (s *Store) Plans(ctx context.Context) ([]domain.Plan, error) {
	return cached(ctx, s,
		func(c *cache) ([]domain.Plan, bool) { return c.plans, c.plans != nil },
		func() ([]domain.Plan, error) { return s.loadPlans(ctx) },
		func(c *cache, plans []domain.Plan) { c.plans = plans })
}

func (s *Store) loadPlans(ctx context.Context) ([]domain.Plan, error) {
	var plans []domain.Plan
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var err error
		plans, err = readPlans(ctx, tx)
		return err
	})
	if err != nil {
		return nil, mapErr(ctx, err)
	}
	return plans, nil
}

// Districts returns the districts by adcode and the zones, both in the
// order of geodata/.
func (s *Store) Districts(ctx context.Context) ([]domain.District, []domain.Zone, error) {
	type both struct {
		districts []domain.District
		zones     []domain.Zone
	}
	got, err := cached(ctx, s,
		func(c *cache) (both, bool) { return both{c.districts, c.zones}, c.districts != nil },
		func() (both, error) {
			d, z, err := s.loadDistricts(ctx)
			return both{d, z}, err
		},
		func(c *cache, b both) { c.districts, c.zones = b.districts, b.zones })
	return got.districts, got.zones, err
}

func (s *Store) loadDistricts(ctx context.Context) ([]domain.District, []domain.Zone, error) {
	batch := &pgx.Batch{}
	var districts []domain.District
	var zones []domain.Zone
	batch.Queue(districtsSQL).Query(func(rows pgx.Rows) error {
		var err error
		districts, err = collect(rows, func(row pgx.CollectableRow) (domain.District, error) {
			var d domain.District
			var wkb []byte
			if err := row.Scan(&d.Adcode, &d.Name, &d.NameEN, &d.Population, &d.City, &d.Source, &d.SourceEN, &wkb); err != nil {
				return d, err
			}
			d.Geometry, err = decodeWKB(wkb)
			return d, err
		})
		return err
	})
	batch.Queue(zonesSQL).Query(func(rows pgx.Rows) error {
		var err error
		zones, err = collect(rows, func(row pgx.CollectableRow) (domain.Zone, error) {
			var z domain.Zone
			var wkb []byte
			if err := row.Scan(&z.ID, &z.Name, &z.NameEN, &z.District, &z.City, &z.Source, &z.SourceEN, &wkb); err != nil {
				return z, err
			}
			g, err := decodeWKB(wkb)
			if err != nil {
				return z, err
			}
			p, ok := g.(orb.Point)
			if !ok {
				return z, fmt.Errorf("zone %s: geometry is %T, want a point", z.ID, g)
			}
			z.Point = p
			return z, nil
		})
		return err
	})
	if err := s.pool.SendBatch(ctx, batch).Close(); err != nil {
		return nil, nil, mapErr(ctx, err)
	}
	return districts, zones, nil
}

// Layers returns the plan's layers in its order, then any imported
// collections, each with its feature count and exact extent.
func (s *Store) Layers(ctx context.Context, plan string) ([]domain.LayerInfo, error) {
	return cached(ctx, s,
		func(c *cache) ([]domain.LayerInfo, bool) { infos, ok := c.layers[plan]; return infos, ok },
		func() ([]domain.LayerInfo, error) { return s.loadLayers(ctx, plan) },
		func(c *cache, infos []domain.LayerInfo) { c.layers[plan] = infos })
}

func (s *Store) loadLayers(ctx context.Context, plan string) ([]domain.LayerInfo, error) {
	batch := &pgx.Batch{}
	var planExists bool
	batch.Queue(planExistsSQL, plan).QueryRow(func(row pgx.Row) error { return row.Scan(&planExists) })
	var infos []domain.LayerInfo
	batch.Queue(layersSQL, plan).Query(func(rows pgx.Rows) error {
		var err error
		infos, err = collect(rows, func(row pgx.CollectableRow) (domain.LayerInfo, error) {
			var li domain.LayerInfo
			var minX, minY, maxX, maxY *float64
			err := row.Scan(&li.ID, &li.Project, &li.Category, &li.Title, &li.TitleEN, &li.Description, &li.DescriptionEN,
				&li.DerivedMetric, &li.Group, &li.Count, &minX, &minY, &maxX, &maxY, &li.GeometryType)
			if minX != nil && minY != nil && maxX != nil && maxY != nil {
				li.Extent = orb.Bound{Min: orb.Point{*minX, *minY}, Max: orb.Point{*maxX, *maxY}}
			}
			return li, err
		})
		return err
	})
	if err := s.pool.SendBatch(ctx, batch).Close(); err != nil {
		return nil, mapErr(ctx, err)
	}
	if !planExists {
		return nil, domain.Errorf(domain.ErrNotFound, "no plan %q", plan)
	}
	return infos, nil
}

func notFound(plan, layer string, planExists, layerExists bool) error {
	switch {
	case !planExists:
		return domain.Errorf(domain.ErrNotFound, "no plan %q", plan)
	case !layerExists:
		return domain.Errorf(domain.ErrNotFound, "no collection %q", layer)
	}
	return nil
}

// siteScan receives the siteColumns of a row.
type siteScan struct {
	s                      domain.Site
	milestones, attrs, wkb []byte
	precision              string
}

func (x *siteScan) dest() []any {
	s := &x.s
	return []any{&s.ID, &s.Project, &s.Name, &s.NameEN, &s.District, &s.Zone, &x.precision, &s.Source, &s.SourceEN,
		&s.Schedule, &x.milestones, &x.attrs, &x.wkb}
}

func (x *siteScan) site() (domain.Site, error) {
	s := x.s
	s.Precision = domain.Precision(x.precision)
	if x.milestones != nil {
		if err := json.Unmarshal(x.milestones, &s.Milestones); err != nil {
			return s, decodeErr("milestones of "+s.ID, err)
		}
	}
	if x.attrs != nil {
		if err := json.Unmarshal(x.attrs, &s.Attrs); err != nil {
			return s, decodeErr("attrs of "+s.ID, err)
		}
	}
	g, err := decodeWKB(x.wkb)
	if err != nil {
		return s, decodeErr("geometry of "+s.ID, err)
	}
	s.Geometry = g
	return s, nil
}

func decodeErr(what string, err error) error {
	return &domain.Error{Kind: domain.ErrInternal, Message: "cannot decode " + what, Err: err}
}

// collect reads all rows with fn.
func collect[T any](rows pgx.Rows, fn func(pgx.CollectableRow) (T, error)) ([]T, error) {
	return pgx.CollectRows(rows, pgx.RowToFunc[T](fn))
}

// mapErr gives a database error its domain kind. A context cancelled by
// the client is returned as the context's own error, as the embedded store
// does (the API logs it as the client's doing). A deadline passed, a
// statement_timeout, a lock not granted, a connection that cannot be made
// or was lost, or a server shutting down or overloaded, is ErrUnavailable,
// so that the API answers 503 until the database is back. Anything else is
// ErrInternal.
func mapErr(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(ctx.Err(), context.Canceled) {
		return ctx.Err()
	}
	if ctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || timedOut(err) {
		return &domain.Error{Kind: domain.ErrUnavailable, Message: "the database did not answer in time", Err: err}
	}
	var de *domain.Error
	if errors.As(err, &de) {
		return err
	}
	if unavailable(err) {
		return &domain.Error{Kind: domain.ErrUnavailable, Message: "the database is unavailable", Err: err}
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && (pgErr.Code == "22021" || pgErr.Code == "22P05") {
		// A value the database cannot hold as text (a NUL, broken UTF-8)
		// came from a client: its mistake, not ours.
		return &domain.Error{Kind: domain.ErrInvalid, Message: "not valid UTF-8 text", Err: err}
	}
	return &domain.Error{Kind: domain.ErrInternal, Message: "database error", Err: err}
}

// timedOut recognises the server giving up on a statement: a
// statement_timeout or cancel (57014) or a lock_timeout (55P03).
func timedOut(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "57014" || pgErr.Code == "55P03")
}

func unavailable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case len(pgErr.Code) == 5 && pgErr.Code[:2] == "08": // connection_exception
			return true
		case pgErr.Code == "57P01", pgErr.Code == "57P02", pgErr.Code == "57P03": // shutting down, cannot connect now
			return true
		case pgErr.Code == "53300": // too_many_connections
			return true
		case pgErr.Code == "3D000": // the database itself is gone
			return true
		}
		return false
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connectErr) || errors.As(err, &netErr) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		pgconn.Timeout(err) || pgconn.SafeToRetry(err) || isClosed(err)
}

// isClosed recognises pgx's errors for a connection or pool that is closed.
func isClosed(err error) bool {
	for e := err; e != nil; e = errors.Unwrap(e) {
		switch e.Error() {
		case "conn closed", "closed pool":
			return true
		}
	}
	return false
}

// LengthsKM returns the length in km of every line of a layer, by site
// id, measured by PostGIS on the WGS84 spheroid (geography). Sites that
// are not lines are left out; an unknown plan or layer is ErrNotFound.
func (s *Store) LengthsKM(ctx context.Context, plan, layer string) (map[string]float64, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var planExists, layerExists bool
	if err := s.pool.QueryRow(ctx, layerExistsSQL, plan, layer).Scan(&planExists, &layerExists); err != nil {
		return nil, mapErr(ctx, err)
	}
	if err := notFound(plan, layer, planExists, layerExists); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, lengthsSQL, plan, layer)
	if err != nil {
		return nil, mapErr(ctx, err)
	}
	out := map[string]float64{}
	var id string
	var km float64
	_, err = pgx.ForEachRow(rows, []any{&id, &km}, func() error {
		out[id] = km
		return nil
	})
	if err != nil {
		return nil, mapErr(ctx, err)
	}
	return out, nil
}

// DataVersion is the version of the plan data, which triggers bump on
// every change of it (an import included). It is read from the database
// every time, so that a change is seen on the next call even before it
// is announced; StateVersion is the cheap one.
func (s *Store) DataVersion(ctx context.Context) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	return s.readDataVersion(ctx)
}

var _ domain.Versioned = (*Store)(nil)

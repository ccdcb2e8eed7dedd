package postgis_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"

	"projectmap/internal/domain"
	"projectmap/internal/postgis"
	"projectmap/internal/storetest"
)

// rowCounter is a pgx tracer that counts the rows the database sends.
type rowCounter struct {
	mu   sync.Mutex
	rows int64
}

func (c *rowCounter) add(tag pgconn.CommandTag) {
	if tag.Select() {
		c.mu.Lock()
		c.rows += tag.RowsAffected()
		c.mu.Unlock()
	}
}

func (c *rowCounter) take() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.rows
	c.rows = 0
	return n
}

func (c *rowCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	return ctx
}
func (c *rowCounter) TraceQueryEnd(_ context.Context, _ *pgx.Conn, d pgx.TraceQueryEndData) {
	c.add(d.CommandTag)
}
func (c *rowCounter) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return ctx
}
func (c *rowCounter) TraceBatchQuery(_ context.Context, _ *pgx.Conn, d pgx.TraceBatchQueryData) {
	c.add(d.CommandTag)
}
func (c *rowCounter) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// TestStatusFilterIsBounded: a status filter over a layer of 20,000
// synthetic sites, half of them reported on, sends Go the page and the
// count, not the layer (the issue's "status=behind&limit=100 must not read
// a million rows into Go", at a size a test can load).
func TestStatusFilterIsBounded(t *testing.T) {
	ctx := context.Background()
	url := storetest.NewDatabase(t)
	ds := storetest.Dataset(t)
	p := ds.Latest()
	asof := domain.NewDate(2024, 4, 30)
	loader, err := postgis.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer loader.Close()
	if _, err := postgis.Import(ctx, loader.Pool(), ds); err != nil {
		t.Fatal(err)
	}
	const n = 20_000
	began := time.Now()
	load, err := postgis.LoadSyntheticWith(ctx, loader.Pool(), postgis.SynthOptions{Plan: p.ID, Districts: ds.Districts, N: n, Seed: 1,
		Reported: 0.5, AsOf: asof})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("loaded %d sites and %d reports in %s (%+v)", n, load.Reports, time.Since(began), load)
	if load.Reports < n/2 {
		t.Fatalf("%d synthetic reports, want at least %d", load.Reports, n/2)
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	counter := &rowCounter{}
	cfg.ConnConfig.Tracer = counter
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := postgis.New(pool)
	defer s.Close()
	// The store listens from its first read; its listener's own queries
	// go through the same tracer, so it is started (and kept quiet)
	// before anything is counted.
	postgis.SetQuietCheck(s, time.Hour)
	s.StateVersion(ctx)
	waitFor(t, 5*time.Second, "listening", s.Listening)
	box := orb.Bound{Min: orb.Point{108.85, 34.15}, Max: orb.Point{109.05, 34.35}}
	total := 0
	for _, st := range domain.TrackingStatuses() {
		for _, bbox := range []*orb.Bound{nil, &box} {
			const limit = 10
			counter.take()
			began := time.Now()
			page, err := s.Sites(ctx, domain.SiteQuery{Plan: p.ID, Layer: postgis.SyntheticLayer, Status: st, AsOf: asof, BBox: bbox, Limit: limit})
			if err != nil {
				t.Fatal(err)
			}
			took := time.Since(began)
			rows := counter.take()
			if bbox == nil {
				total += page.Matched
			}
			if page.Matched > limit && len(page.Sites) != limit {
				t.Errorf("%s: %d sites on the page of %d matched", st, len(page.Sites), page.Matched)
			}
			// One row says the layer exists; the rest is the page.
			if rows > 1+limit {
				t.Errorf("%s (bbox %v): the database sent %d rows for a page of %d of %d matched", st, bbox != nil, rows, len(page.Sites), page.Matched)
			}
			t.Logf("%-12s bbox %-5v matched %6d, rows sent %d (%s)", st, bbox != nil, page.Matched, rows, took)
			past, err := s.Sites(ctx, domain.SiteQuery{Plan: p.ID, Layer: postgis.SyntheticLayer, Status: st, AsOf: asof, BBox: bbox,
				Limit: limit, Offset: page.Matched + 5})
			if err != nil || len(past.Sites) != 0 || past.Matched != page.Matched {
				t.Errorf("%s: a page past the end has %d sites of %d matched (%v), want none of %d", st, len(past.Sites), past.Matched, err, page.Matched)
			}
			counter.take()
		}
	}
	if total != n {
		t.Errorf("the statuses cover %d of %d sites", total, n)
	}
	for _, st := range []domain.TrackingStatus{domain.TrackBehind, domain.TrackUnreported, domain.TrackOnTrack, domain.TrackCompleted} {
		page, err := s.Sites(ctx, domain.SiteQuery{Plan: p.ID, Layer: postgis.SyntheticLayer, Status: st, AsOf: asof, Limit: 1})
		if err != nil || page.Matched < n/50 {
			t.Errorf("only %d synthetic sites %s (%v): the load should give every status many", page.Matched, st, err)
		}
	}
}

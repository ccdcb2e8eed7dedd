package api_test

// The database failing under the service: stopped, locked, or out of
// connections. Each test runs a PostgreSQL of its own (storetest.Cluster),
// never the shared one.

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"projectmap/internal/api"
	"projectmap/internal/postgis"
	"projectmap/internal/storetest"
)

// Bounds of these tests. The issue's: a stopped database's return is seen
// within 5 s, and a slow one answers 503 within the request deadline
// (short here, so that the test is). slack covers writing the answer.
const (
	outageRequestTimeout = 1500 * time.Millisecond
	outageReadyTimeout   = 500 * time.Millisecond
	outageRecovery       = 5 * time.Second
	outageSlack          = time.Second
)

// outageServer serves the cluster through a pool of poolSize connections,
// with the tests' short deadlines.
func outageServer(t *testing.T, c *storetest.Cluster, poolSize int32) (*httptest.Server, *postgis.Store) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	store, err := postgis.OpenWith(ctx, c.URL, postgis.PoolOptions{MaxConns: poolSize, StatementTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	// The response cache is off: these tests are about what a request
	// that reaches the store gets (a cached answer needs none).
	h := api.New(api.Config{Store: store, Now: func() time.Time { return fixedNow },
		RequestTimeout: outageRequestTimeout, ReadyTimeout: outageReadyTimeout, CacheBytes: -1})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, store
}

// The paths checked: a page of sites (which reads the locked table) and
// the readiness probe.
const (
	outageItems = "/ogc/collections/old-communities/items?limit=5"
	outageReady = "/readyz"
)

// wantUnavailable checks that path is answered 503 with Retry-After and
// the error shape, within the deadline.
func wantUnavailable(t *testing.T, srv *httptest.Server, path string, within time.Duration) {
	t.Helper()
	began := time.Now()
	r := get(t, srv, path)
	took := time.Since(began)
	if r.status != http.StatusServiceUnavailable {
		t.Fatalf("GET %s: %d %.200s, want 503", path, r.status, r.body)
	}
	if r.header.Get("Retry-After") == "" {
		t.Errorf("GET %s: 503 without Retry-After", path)
	}
	if e := decode[struct{ Code, Message string }](t, r); e.Code == "" || e.Message == "" {
		t.Errorf("GET %s: error body %s lacks code and message", path, r.body)
	}
	if took > within {
		t.Errorf("GET %s: 503 after %v, want within %v", path, took, within)
	}
	t.Logf("GET %s: 503 in %v", path, took.Round(time.Millisecond))
}

func wantOK(t *testing.T, srv *httptest.Server, path string) {
	t.Helper()
	if r := get(t, srv, path); r.status != http.StatusOK {
		t.Fatalf("GET %s: %d %.200s, want 200", path, r.status, r.body)
	}
}

// TestDatabaseOutage: the database stopped gives 503 with Retry-After,
// and its return is seen within 5 s.
func TestDatabaseOutage(t *testing.T) {
	c := storetest.StartCluster(t)
	srv, _ := outageServer(t, c, 4)
	wantOK(t, srv, outageItems)
	wantOK(t, srv, outageReady)

	c.Stop()
	for _, path := range []string{outageItems, outageReady, "/api/coverage", "/api/data-quality"} {
		wantUnavailable(t, srv, path, outageRequestTimeout+outageSlack)
	}

	c.Start()
	back := time.Now()
	for _, path := range []string{outageReady, outageItems} {
		for r := get(t, srv, path); r.status != http.StatusOK; r = get(t, srv, path) {
			if time.Since(back) > outageRecovery {
				t.Fatalf("GET %s: still %d %.200s %v after the database came back", path, r.status, r.body, outageRecovery)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	t.Logf("recovered %v after the database came back", time.Since(back).Round(time.Millisecond))
}

// TestSlowDatabase: a lock on sites held longer than the deadline, and a
// pool whose every connection is held, each give 503 with Retry-After
// within the deadline, not a hang; /readyz fails while the lock is held.
func TestSlowDatabase(t *testing.T) {
	c := storetest.StartCluster(t)
	const poolSize = 2
	srv, store := outageServer(t, c, poolSize)
	wantOK(t, srv, outageItems)

	t.Run("lock", func(t *testing.T) {
		unlock := lockSites(t, c.URL, 15*time.Second)
		for _, path := range []string{outageItems, outageReady} {
			wantUnavailable(t, srv, path, outageRequestTimeout+outageSlack)
		}
		unlock()
		wantOK(t, srv, outageItems)
		wantOK(t, srv, outageReady)
	})

	t.Run("pool exhausted", func(t *testing.T) {
		ctx := context.Background()
		var held []interface{ Release() }
		for range poolSize {
			conn, err := store.Pool().Acquire(ctx)
			if err != nil {
				t.Fatal(err)
			}
			held = append(held, conn)
			t.Cleanup(conn.Release) // again is a no-op; a failure must not leave Close waiting
		}
		for _, path := range []string{outageItems, outageReady} {
			wantUnavailable(t, srv, path, outageRequestTimeout+outageSlack)
		}
		for _, conn := range held {
			conn.Release()
		}
		wantOK(t, srv, outageItems)
	})
}

// lockSites holds LOCK TABLE sites IN ACCESS EXCLUSIVE MODE in a
// connection of its own for up to hold, until the returned func is called.
func lockSites(t *testing.T, url string, hold time.Duration) (unlock func()) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hold)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	tx, err := conn.Begin(ctx)
	if err == nil {
		_, err = tx.Exec(ctx, "LOCK TABLE sites IN ACCESS EXCLUSIVE MODE")
	}
	if err != nil {
		cancel()
		conn.Close(context.Background())
		t.Fatal(err)
	}
	done := false
	unlock = func() {
		if done {
			return
		}
		done = true
		_ = tx.Rollback(context.Background())
		conn.Close(context.Background())
		cancel()
	}
	t.Cleanup(unlock)
	return unlock
}

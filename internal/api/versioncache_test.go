package api_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"projectmap/internal/domain"
	"projectmap/internal/memstore"
	"projectmap/internal/storetest"
)

// versionedStore counts the Sites reads of a store whose data version the
// test moves by hand, as an import would.
type versionedStore struct {
	domain.Store
	sites   atomic.Int64
	version atomic.Int64
}

func (s *versionedStore) Sites(ctx context.Context, q domain.SiteQuery) (domain.SitePage, error) {
	s.sites.Add(1)
	return s.Store.Sites(ctx, q)
}

func (s *versionedStore) DataVersion(ctx context.Context) (int64, error) {
	return s.version.Load(), ctx.Err()
}

// TestComputedOncePerVersion: data quality, coverage and nearest read the
// sites once per data version, and again once it moves.
func TestComputedOncePerVersion(t *testing.T) {
	for _, path := range []string{
		"/api/data-quality",
		"/api/coverage",
		"/api/coverage?f=csv",
		"/api/nearest?from=old-communities&to=metro-stations",
	} {
		t.Run(path, func(t *testing.T) {
			store := &versionedStore{Store: memstore.New(storetest.Dataset(t))}
			srv := newServer(t, store)
			first := get(t, srv, path)
			if first.status != 200 {
				t.Fatalf("%d %.200s", first.status, first.body)
			}
			reads := store.sites.Load()
			if reads == 0 {
				t.Fatal("no sites read at all")
			}
			again := get(t, srv, path)
			if got := store.sites.Load(); got != reads || string(again.body) != string(first.body) {
				t.Errorf("the same version: %d more reads, same body %v; want 0, true", got-reads, string(again.body) == string(first.body))
			}
			store.version.Add(1)
			if get(t, srv, path); store.sites.Load() == reads {
				t.Error("a new data version read no sites: the old answer was kept")
			}
		})
	}
}

// TestCachedAnswerFollowsWrites: on PostGIS, a change of the sites (which
// bumps data_version, as an import does) is in the next coverage answer.
func TestCachedAnswerFollowsWrites(t *testing.T) {
	store := storetest.PostGIS(t)
	srv := newServer(t, store)
	before := get(t, srv, "/api/coverage")
	if before.status != 200 {
		t.Fatalf("%d %.200s", before.status, before.body)
	}
	tag, err := store.Pool().Exec(context.Background(),
		`UPDATE sites SET attrs = jsonb_set(attrs, '{quantity}', '987654') WHERE attrs ? 'recipient' AND attrs ? 'quantity'`)
	if err != nil || tag.RowsAffected() == 0 {
		t.Fatalf("changing the quotas: %v, %d rows", err, tag.RowsAffected())
	}
	// A change made outside the store is heard of when it commits (its
	// NOTIFY), a few milliseconds later: within a second, every answer
	// shows it.
	deadline := time.Now().Add(time.Second)
	after := get(t, srv, "/api/coverage")
	for !strings.Contains(string(after.body), "987654") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
		after = get(t, srv, "/api/coverage")
	}
	if after.status != 200 || !strings.Contains(string(after.body), "987654") {
		t.Errorf("a second after the change: %d, quota in the answer %v; want 200, true", after.status, strings.Contains(string(after.body), "987654"))
	}
	for range 20 {
		if again := get(t, srv, "/api/coverage"); !strings.Contains(string(again.body), "987654") {
			t.Fatalf("once seen, the change is gone again: a stale cached answer")
		}
	}
}

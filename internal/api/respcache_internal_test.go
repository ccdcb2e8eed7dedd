package api

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"projectmap/internal/memstore"
	"projectmap/internal/storetest"
)

func TestResponseCacheBudgetAndOrder(t *testing.T) {
	entry := func(key string, n int) *cachedResponse {
		return &cachedResponse{key: key, identity: make([]byte, n)}
	}
	const budget = 10 * (1000 + entryOverhead + 2)
	rc := newResponseCache(budget)
	for i := range 25 {
		key := fmt.Sprintf("k%d", i%10)
		if hit, wait := rc.lookup("v1", key); hit == nil && wait == nil {
			rc.put("v1", entry(key, 1000))
			rc.done(key)
		}
		if used, _ := rc.stats(); used > budget {
			t.Fatalf("after %d puts %d bytes are used, over the budget of %d", i+1, used, budget)
		}
	}
	if _, n := rc.stats(); n != 10 {
		t.Errorf("%d entries, want 10", n)
	}
	// The last uses were k0…k4, so k5 is the least recently used.
	rc.lookup("v1", "k11")
	rc.put("v1", entry("k11", 1000))
	rc.done("k11")
	if hit, _ := rc.lookup("v1", "k5"); hit != nil {
		t.Errorf("k5, the least recently used, is still kept")
	}
	rc.done("k5")
	if hit, _ := rc.lookup("v1", "k0"); hit == nil {
		t.Errorf("k0, just used, was dropped")
	}
	if rc.put("v1", entry("huge", budget/2)) {
		t.Errorf("an entry of half the budget was kept")
	}
	// A new version drops everything, and a late answer of the old one
	// is refused.
	if hit, _ := rc.lookup("v2", "k0"); hit != nil {
		t.Errorf("v2 sees an entry of v1")
	}
	rc.done("k0")
	if rc.put("v1", entry("late", 10)) {
		t.Errorf("an answer computed at v1 was kept at v2")
	}
	if used, n := rc.stats(); used != 0 || n != 0 {
		t.Errorf("after the version moved: %d bytes in %d entries", used, n)
	}
}

func TestResponseCacheStaysInBudgetOverManyURLs(t *testing.T) {
	ds := storetest.Dataset(t)
	const budget = 1 << 20
	e, s := newService(Config{Store: memstore.New(ds), CacheBytes: budget, Now: func() time.Time { return time.Date(2024, 7, 15, 0, 0, 0, 0, time.UTC) }})
	srv := httptest.NewServer(e)
	defer srv.Close()
	peak := int64(0)
	for i := range 400 {
		path := fmt.Sprintf("/ogc/collections/old-communities/items?limit=%d&offset=%d", 1+i%20, i/20)
		for _, enc := range []string{"gzip", "identity"} {
			req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
			req.Header.Set("Accept-Encoding", enc)
			res, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("ETag"), `"`) {
				t.Fatalf("%s: %d, ETag %q", path, res.StatusCode, res.Header.Get("ETag"))
			}
		}
		used, _ := s.respCache.stats()
		if used > budget {
			t.Fatalf("after %s the cache holds %d bytes, over its budget of %d", path, used, budget)
		}
		peak = max(peak, used)
	}
	if _, n := s.respCache.stats(); n < 10 || peak < budget/2 {
		t.Errorf("the cache kept %d entries, %d bytes at most: it should fill its budget", n, peak)
	}
}

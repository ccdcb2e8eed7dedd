package api_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"projectmap/internal/api"
	"projectmap/internal/domain"
)

// countingStore counts the reads that reach a store. The state version is
// not counted: reading it is the cache's one question per request.
type countingStore struct {
	domain.Store
	reads atomic.Int64
}

func (c *countingStore) StateVersion(ctx context.Context) (string, bool, error) {
	return c.Store.(domain.StateVersioned).StateVersion(ctx)
}

func (c *countingStore) Plans(ctx context.Context) ([]domain.Plan, error) {
	c.reads.Add(1)
	return c.Store.Plans(ctx)
}

func (c *countingStore) Districts(ctx context.Context) ([]domain.District, []domain.Zone, error) {
	c.reads.Add(1)
	return c.Store.Districts(ctx)
}

func (c *countingStore) Layers(ctx context.Context, plan string) ([]domain.LayerInfo, error) {
	c.reads.Add(1)
	return c.Store.Layers(ctx, plan)
}

func (c *countingStore) Sites(ctx context.Context, q domain.SiteQuery) (domain.SitePage, error) {
	c.reads.Add(1)
	return c.Store.Sites(ctx, q)
}

func (c *countingStore) Site(ctx context.Context, plan, layer, id string) (domain.Site, error) {
	c.reads.Add(1)
	return c.Store.Site(ctx, plan, layer, id)
}

func (c *countingStore) SiteByID(ctx context.Context, plan, id string) (domain.Site, error) {
	c.reads.Add(1)
	return c.Store.SiteByID(ctx, plan, id)
}

func (c *countingStore) SiteReport(ctx context.Context, plan, layer, id string, asof domain.Date) (*domain.Report, error) {
	c.reads.Add(1)
	return c.Store.SiteReport(ctx, plan, layer, id, asof)
}

func (c *countingStore) Reports(ctx context.Context, q domain.ReportQuery) (domain.ReportPage, error) {
	c.reads.Add(1)
	return c.Store.Reports(ctx, q)
}

func (c *countingStore) LatestReports(ctx context.Context, plan string, asof domain.Date) ([]domain.Report, error) {
	c.reads.Add(1)
	return c.Store.LatestReports(ctx, plan, asof)
}

func (c *countingStore) SiteTallies(ctx context.Context, plan string, asof domain.Date) ([]domain.SiteTally, error) {
	c.reads.Add(1)
	return c.Store.SiteTallies(ctx, plan, asof)
}

// cachedPaths are requests of every kind the cache keeps.
var cachedPaths = []string{
	"/ogc/collections/old-communities/items",
	"/ogc/collections/old-communities/items/old-community-lintong-renhan",
	"/ogc/collections/metro-stations/items?bbox=108.8,34.2,109.1,34.4&limit=5",
	"/ogc/collections",
	"/api/projects",
	"/api/projects/4",
	"/api/config",
	"/api/reports",
}

// untilCached asks for path until a conditional request is answered 304
// with no store read (PostGIS keeps nothing until it is listening for
// other processes' writes, which begins on the first request), and
// returns the 200 it revalidated.
func untilCached(t *testing.T, srv *httptest.Server, cs *countingStore, path string, headers ...string) response {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		first := get(t, srv, path, headers...)
		if first.status != http.StatusOK || first.header.Get("ETag") == "" {
			t.Fatalf("GET %s: %d, ETag %q: %s", path, first.status, first.header.Get("ETag"), first.body)
		}
		before := cs.reads.Load()
		again := get(t, srv, path, append([]string{"If-None-Match", first.header.Get("ETag")}, headers...)...)
		if again.status == http.StatusNotModified && cs.reads.Load() == before {
			return first
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: the conditional request still gives %d after %d store reads", path, again.status, cs.reads.Load()-before)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestCachedResponsesCostNoStoreRead(t *testing.T) {
	for _, s := range testStores(t) {
		t.Run(s.name, func(t *testing.T) {
			cs := &countingStore{Store: s.store}
			srv := newServer(t, cs)
			for _, path := range cachedPaths {
				for _, enc := range []string{"gzip", "identity"} {
					first := untilCached(t, srv, cs, path, "Accept-Encoding", enc)
					before := cs.reads.Load()
					for _, h := range []string{first.header.Get("ETag"), "W/" + first.header.Get("ETag"), "*"} {
						if r := get(t, srv, path, "Accept-Encoding", enc, "If-None-Match", h); r.status != http.StatusNotModified || len(r.body) != 0 {
							t.Errorf("%s (%s) If-None-Match %s: %d, %d bytes", path, enc, h, r.status, len(r.body))
						}
					}
					hit := get(t, srv, path, "Accept-Encoding", enc)
					if hit.status != http.StatusOK || !bytes.Equal(hit.body, first.body) || hit.header.Get("ETag") != first.header.Get("ETag") {
						t.Errorf("%s (%s): a hit differs from the first answer: %d, ETag %s vs %s", path, enc, hit.status, hit.header.Get("ETag"), first.header.Get("ETag"))
					}
					if n := cs.reads.Load() - before; n != 0 {
						t.Errorf("%s (%s): 304s and a hit read the store %d times", path, enc, n)
					}
				}
			}
		})
	}
}

func TestCacheKeepsEncodingsAndHostsApart(t *testing.T) {
	for _, s := range testStores(t) {
		t.Run(s.name, func(t *testing.T) {
			cs := &countingStore{Store: s.store}
			srv := newServer(t, cs)
			path := "/ogc/collections/metro-stations/items?limit=3"
			zipped := untilCached(t, srv, cs, path, "Accept-Encoding", "gzip")
			plain := get(t, srv, path, "Accept-Encoding", "identity")
			if zipped.header.Get("Content-Encoding") != "gzip" || plain.header.Get("Content-Encoding") != "" {
				t.Errorf("Content-Encoding: gzip request %q, identity request %q", zipped.header.Get("Content-Encoding"), plain.header.Get("Content-Encoding"))
			}
			if zipped.header.Get("ETag") == plain.header.Get("ETag") {
				t.Errorf("both encodings carry ETag %s", plain.header.Get("ETag"))
			}
			if !bytes.HasPrefix(plain.body, []byte(`{"type":"FeatureCollection"`)) {
				t.Errorf("the identity request got %.40q", plain.body)
			}
			if r := get(t, srv, path, "Accept-Encoding", "identity", "If-None-Match", zipped.header.Get("ETag")); r.status != http.StatusOK {
				t.Errorf("an identity request holding the gzip ETag: %d, want 200", r.status)
			}

			own := "http://" + strings.TrimPrefix(srv.URL, "http://")
			if !bytes.Contains(plain.body, []byte(own+"/ogc/")) {
				t.Fatalf("links do not start with %s: %s", own, plain.body)
			}
			forged := getHost(t, srv, path, "evil.example")
			if bytes.Contains(forged.body, []byte("evil.example")) || bytes.Contains(forged.body, []byte(own)) {
				t.Errorf("a forged Host got links to it or another request's body: %s", forged.body)
			}
			if !bytes.Contains(forged.body, []byte("http://localhost/ogc/")) {
				t.Errorf("a forged Host should get links to the listen address: %s", forged.body)
			}
			if forged.header.Get("ETag") == plain.header.Get("ETag") {
				t.Errorf("a forged Host shares the ETag %s", plain.header.Get("ETag"))
			}
			if again := get(t, srv, path, "Accept-Encoding", "identity"); !bytes.Equal(again.body, plain.body) {
				t.Errorf("after the forged Host, the real one gets another body")
			}
		})
	}
}

// getHost sends a GET with a Host header of its own, identity encoded.
func getHost(t *testing.T, srv *httptest.Server, path, host string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	req.Header.Set("Accept-Encoding", "identity")
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b bytes.Buffer
	if _, err := b.ReadFrom(res.Body); err != nil {
		t.Fatal(err)
	}
	return response{res.StatusCode, res.Header, b.Bytes()}
}

func TestWriteChangesTheNextCachedResponse(t *testing.T) {
	forEachWritable(t, func(t *testing.T, ls *ledgerServer) {
		cs := &countingStore{Store: ls.store}
		srv := httptest.NewServer(api.New(api.Config{Store: cs, Now: func() time.Time { return writeNow }}))
		t.Cleanup(srv.Close)
		paths := []string{
			"/ogc/collections/old-communities/items/old-community-lintong-renhan",
			"/ogc/collections/old-communities/items?limit=200",
			"/api/projects/15",
			"/api/reports",
		}
		before := map[string]response{}
		for _, p := range paths {
			before[p] = untilCached(t, srv, cs, p)
		}
		// Filed through the other server: the one under test hears of it
		// through the store alone.
		rep := ls.mustFile(t, "editor", map[string]any{"site": "old-community-lintong-renhan", "reported_on": "2024-10-01", "status": "completed", "source": "通报"})[0]
		for _, p := range paths {
			after := get(t, srv, p)
			if after.status != http.StatusOK || bytes.Equal(after.body, before[p].body) || after.header.Get("ETag") == before[p].header.Get("ETag") {
				t.Errorf("%s after a report: %d, body changed %v, ETag %s → %s", p, after.status,
					!bytes.Equal(after.body, before[p].body), before[p].header.Get("ETag"), after.header.Get("ETag"))
			}
			if r := get(t, srv, p, "If-None-Match", before[p].header.Get("ETag")); r.status != http.StatusOK {
				t.Errorf("%s: the old ETag still gives %d", p, r.status)
			}
		}
		if r := ls.retract(t, "editor", rep.ID, `{"reason":"重复"}`); r.status != http.StatusOK && r.status != http.StatusCreated {
			t.Fatalf("retract: %d %s", r.status, r.body)
		}
		feature := get(t, srv, paths[0])
		if !bytes.Contains(feature.body, []byte(`"reported":null`)) {
			t.Errorf("after the retraction the feature still shows the report: %s", feature.body)
		}
	})
}

func TestCacheFollowsTheCitysDate(t *testing.T) {
	var now atomic.Pointer[time.Time]
	day := time.Date(2024, 7, 15, 15, 59, 0, 0, time.UTC) // 23:59 in Xi'an
	now.Store(&day)
	store := testStores(t)[0].store
	srv := httptest.NewServer(api.New(api.Config{Store: store, Now: func() time.Time { return *now.Load() }}))
	t.Cleanup(srv.Close)
	first := decode[map[string]any](t, get(t, srv, "/api/config"))
	next := day.Add(2 * time.Minute)
	now.Store(&next)
	second := decode[map[string]any](t, get(t, srv, "/api/config"))
	if first["today"] != "2024-07-15" || second["today"] != "2024-07-16" {
		t.Errorf("today across midnight in Xi'an: %v then %v", first["today"], second["today"])
	}
}

func TestCacheOff(t *testing.T) {
	cs := &countingStore{Store: testStores(t)[0].store}
	srv := httptest.NewServer(api.New(api.Config{Store: cs, CacheBytes: -1, Now: func() time.Time { return fixedNow }}))
	t.Cleanup(srv.Close)
	path := "/ogc/collections/metro-stations/items?limit=3"
	first := get(t, srv, path)
	before := cs.reads.Load()
	again := get(t, srv, path, "If-None-Match", first.header.Get("ETag"))
	if again.status != http.StatusNotModified || cs.reads.Load() == before {
		t.Errorf("with the cache off a revalidation is %d after %d reads; want 304 computed afresh", again.status, cs.reads.Load()-before)
	}
}

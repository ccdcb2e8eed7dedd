package api_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"projectmap/internal/api"
)

// TestReusedBuffersNeverMix: with the response cache off, every answer
// is built in a reused buffer; many concurrent requests of different
// pages, in both encodings, each get exactly the body they get alone,
// with its length. make test runs it under the race detector too, which
// sees a buffer given back while still read (sync.Pool tells it).
func TestReusedBuffersNeverMix(t *testing.T) {
	// No shedding and no deadline: under the race detector on a busy
	// machine the answers are slow, and a 503 would not be the point.
	srv := httptest.NewServer(api.New(api.Config{Store: testStores(t)[0].store, CacheBytes: -1, Now: func() time.Time { return fixedNow },
		MaxInFlight: 64, MaxQueued: 64, QueueWait: time.Minute, RequestTimeout: 2 * time.Minute}))
	t.Cleanup(srv.Close)
	var paths []string
	for _, layer := range []string{"metro-stations", "schools", "old-communities", "metro-lines"} {
		for _, page := range []string{"limit=1", "limit=5&offset=2", "limit=1000", "bbox=108.9,34.2,109.0,34.3&limit=20"} {
			paths = append(paths, "/ogc/collections/"+layer+"/items?"+page)
		}
	}
	paths = append(paths, "/api/projects", "/ogc/collections", "/ogc/collections/nope/items")
	type request struct {
		path string
		gzip bool
	}
	want := map[request][]byte{}
	for _, p := range paths {
		for _, gz := range []bool{false, true} {
			r := request{p, gz}
			want[r] = fetch(t, srv, r.path, r.gzip)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 40 {
				r := request{paths[(w*7+i)%len(paths)], (w+i)%2 == 0}
				if got := fetch(t, srv, r.path, r.gzip); !bytes.Equal(got, want[r]) {
					errs <- fmt.Errorf("%s (gzip %v): %d bytes differ from the %d it answers alone", r.path, r.gzip, len(got), len(want[r]))
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// fetch returns the decoded body of a GET, checking that an identity
// answer's Content-Length, if any, is its length.
func fetch(t *testing.T, srv *httptest.Server, path string, gzip bool) []byte {
	headers := []string{"Accept-Encoding", "identity"}
	if gzip {
		headers[1] = "gzip"
	}
	r := get(t, srv, path, headers...)
	if n := r.header.Get("Content-Length"); n != "" && r.header.Get("Content-Encoding") == "" && n != strconv.Itoa(len(r.body)) {
		t.Errorf("%s: Content-Length %s for %d bytes", path, n, len(r.body))
	}
	if r.status != http.StatusOK && r.status != http.StatusNotFound {
		t.Errorf("%s: %d", path, r.status)
	}
	return r.body
}

// Helpers shared by the API tests: the dataset, servers over each store,
// requests and decoding.
package api_test

import (
	"compress/gzip"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/fstest"
	"time"

	"projectmap/internal/api"
	"projectmap/internal/domain"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// fixedNow is the "today" of every test, so that default progress is stable.
var fixedNow = time.Date(2024, 7, 15, 10, 0, 0, 0, time.UTC)

// newServer builds the whole HTTP service over a store.
func newServer(t testing.TB, store domain.Store) *httptest.Server {
	t.Helper()
	h := api.New(api.Config{
		Store:   store,
		Basemap: api.Basemap{URL: "https://tile.example/{z}/{x}/{y}.png", Attribution: "test tiles"},
		Now:     func() time.Time { return fixedNow },
		Web:     fstest.MapFS{"index.html": {Data: []byte("<!doctype html><title>map</title>")}},
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// forEachStore runs f against every store the service can run on.
func forEachStore(t *testing.T, f func(t *testing.T, srv *httptest.Server)) {
	for _, s := range testStores(t) {
		t.Run(s.name, func(t *testing.T) { f(t, newServer(t, s.store)) })
	}
}

type namedStore struct {
	name  string
	store domain.Store
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func get(t testing.TB, srv *httptest.Server, path string, headers ...string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := srv.Client().Transport.RoundTrip(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	var r io.Reader = res.Body
	if res.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(res.Body)
		if err != nil {
			t.Fatalf("GET %s: bad gzip: %v", path, err)
		}
		r = zr
	}
	body, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return response{res.StatusCode, res.Header, body}
}

func decode[T any](t testing.TB, r response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("bad JSON (%v): %.300s", err, r.body)
	}
	return v
}

type items struct {
	Type           string `json:"type"`
	NumberMatched  int    `json:"numberMatched"`
	NumberReturned int    `json:"numberReturned"`
	Features       []struct {
		ID         string         `json:"id"`
		Geometry   map[string]any `json:"geometry"`
		Properties map[string]any `json:"properties"`
	} `json:"features"`
	Links []struct {
		Href string `json:"href"`
		Rel  string `json:"rel"`
	} `json:"links"`
}

func (it items) link(rel string) string {
	for _, l := range it.Links {
		if l.Rel == rel {
			return l.Href
		}
	}
	return ""
}

func (it items) ids() []string {
	ids := make([]string, len(it.Features))
	for i, f := range it.Features {
		ids[i] = f.ID
	}
	return ids
}

package api_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/paulmach/orb"

	"projectmap/geodata"
	"projectmap/internal/dataset"
	"projectmap/internal/domain"
	"projectmap/internal/memstore"
	"projectmap/internal/postgis"
	"projectmap/internal/storetest"
)

// bigLayer is the layer bigDataset grows past the old cut of 10,000.
const bigLayer, bigExtra = "old-communities", 12_000

// bigDataset is geodata/ with bigExtra more sites in bigLayer, copies of
// its first site spread over a small box.
func bigDataset(t *testing.T) *dataset.Dataset {
	t.Helper()
	ds, err := dataset.Load(geodata.Files) // a copy of its own, to grow
	if err != nil {
		t.Fatal(err)
	}
	p := ds.Latest()
	var model domain.Site
	for _, s := range p.Sites {
		if s.Layer == bigLayer {
			model = s
			break
		}
	}
	for i := range bigExtra {
		s := model
		s.ID = fmt.Sprintf("big-%05d", i)
		s.Geometry = orb.Point{108.9 + float64(i%100)*0.001, 34.2 + float64(i/100)*0.001}
		p.Sites = append(p.Sites, s)
	}
	return ds
}

// bigStores are both stores over bigDataset. PostGIS is analysed, as
// autovacuum would soon after an import: on the fresh table's empty
// statistics each page is a nested loop over the whole layer.
func bigStores(t *testing.T) []storetest.Named {
	t.Helper()
	stores := storetest.StoresOf(t, bigDataset(t))
	for _, s := range stores {
		if pg, ok := s.Store.(*postgis.Store); ok {
			if _, err := pg.Pool().Exec(context.Background(), "ANALYZE sites"); err != nil {
				t.Fatal(err)
			}
		}
	}
	return stores
}

// layerCount is the collection's stated number of features.
func layerCount(t *testing.T, r response) int {
	t.Helper()
	var doc struct{ Features int }
	if err := json.Unmarshal(r.body, &doc); err != nil || r.status != 200 {
		t.Fatalf("collection: %d %v", r.status, err)
	}
	return doc.Features
}

func TestDownloadWholeLayer(t *testing.T) {
	for _, s := range bigStores(t) {
		t.Run(s.Name, func(t *testing.T) {
			srv := newServer(t, s.Store)
			want := layerCount(t, get(t, srv, "/ogc/collections/"+bigLayer))
			if want <= 10_000 {
				t.Fatalf("the layer has %d sites, want over 10,000", want)
			}
			coll := "/ogc/collections/" + bigLayer
			tests := []struct {
				path, ext string
				gzip      bool
			}{
				{coll + "/items?f=csv&asof=2024-12-31", "csv", false},
				{coll + "/download?f=csv&asof=2024-12-31", "csv", true},
				{coll + "/download?f=json&asof=2024-12-31", "geojson", false},
				{coll + "/download?asof=2024-12-31", "geojson", true},
			}
			for _, tt := range tests {
				var headers []string
				if tt.gzip {
					headers = []string{"Accept-Encoding", "gzip"}
				}
				r := get(t, srv, tt.path, headers...)
				if r.status != 200 {
					t.Fatalf("%s: %d %s", tt.path, r.status, r.body)
				}
				checkDownloadHeaders(t, tt.path, r, tt.ext, want)
				if got := downloadedCount(t, tt.path, r, tt.ext); got != want {
					t.Errorf("%s: %d sites, want the layer's %d", tt.path, got, want)
				}
			}
		})
	}
}

func checkDownloadHeaders(t *testing.T, path string, r response, ext string, want int) {
	t.Helper()
	types := map[string]string{"csv": "text/csv; charset=utf-8", "geojson": "application/geo+json"}
	checks := []struct{ header, want string }{
		{"Content-Type", types[ext]},
		{"Content-Disposition", `attachment; filename="` + bigLayer + "-2024-12-31." + ext + `"`},
		{"X-Total-Count", strconv.Itoa(want)},
		{"ETag", ""}, // streamed, never buffered to be hashed
		{"Content-Length", ""},
	}
	for _, c := range checks {
		if got := r.header.Get(c.header); got != c.want {
			t.Errorf("%s: %s %q, want %q", path, c.header, got, c.want)
		}
	}
	if r.header.Get("X-Data-Version") == "" {
		t.Errorf("%s: no X-Data-Version", path)
	}
}

func downloadedCount(t *testing.T, path string, r response, ext string) int {
	t.Helper()
	if ext == "csv" {
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(r.body), "\ufeff"))).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return len(rows) - 1
	}
	var fc struct {
		Features       []json.RawMessage
		NumberMatched  int
		NumberReturned int
	}
	if err := json.Unmarshal(r.body, &fc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if fc.NumberMatched != len(fc.Features) || fc.NumberReturned != len(fc.Features) {
		t.Errorf("%s: numberMatched %d, numberReturned %d, %d features", path, fc.NumberMatched, fc.NumberReturned, len(fc.Features))
	}
	return len(fc.Features)
}

func TestDownloadRequests(t *testing.T) {
	forEachStore(t, func(t *testing.T, srv *httptest.Server) {
		coll := "/ogc/collections/old-communities"
		tests := []struct {
			path   string
			status int
			param  string
		}{
			{coll + "/download?f=json&limit=5", 400, "limit"},
			{coll + "/download?f=csv&offset=5", 400, "offset"},
			{coll + "/download?f=xml", 400, "f"},
			{coll + "/download?bbox=1,2,3", 400, "bbox"},
			{"/ogc/collections/nowhere/download", 404, ""},
			{coll + "/download?f=csv&district=610115", 200, ""},
		}
		for _, tt := range tests {
			r := get(t, srv, tt.path)
			if r.status != tt.status {
				t.Errorf("%s: %d, want %d: %s", tt.path, r.status, tt.status, r.body)
				continue
			}
			if tt.status != 200 {
				var e struct{ Code, Message, Param string }
				if err := json.Unmarshal(r.body, &e); err != nil || e.Message == "" || e.Param != tt.param {
					t.Errorf("%s: error body %s, want param %q", tt.path, r.body, tt.param)
				}
			}
		}
		// A CSV with a limit is still that page, as before.
		r := get(t, srv, coll+"/items?f=csv&limit=5")
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(r.body), "\ufeff"))).ReadAll()
		if err != nil || len(rows) != 6 {
			t.Errorf("items?f=csv&limit=5: %d rows (%v), want a header and 5", len(rows), err)
		}
		// … and says it is a page: of how many, and where the next is.
		if got := r.header.Get("X-Total-Count"); got != "74" {
			t.Errorf("items?f=csv&limit=5: X-Total-Count %q, want 74", got)
		}
		if got := r.header.Get("Link"); !strings.Contains(got, "offset=5") || !strings.HasSuffix(got, `rel="next"`) {
			t.Errorf("items?f=csv&limit=5: Link %q, want the next page", got)
		}
	})
}

// pagingStore records the largest page asked of it and can change its
// version after a number of Sites calls.
type pagingStore struct {
	domain.Store
	mu       sync.Mutex
	calls    int
	maxLimit int
	changeAt int // the Sites call after which the version moves; 0: never
}

func (s *pagingStore) Sites(ctx context.Context, q domain.SiteQuery) (domain.SitePage, error) {
	s.mu.Lock()
	s.calls++
	s.maxLimit = max(s.maxLimit, q.Limit)
	s.mu.Unlock()
	return s.Store.Sites(ctx, q)
}

func (s *pagingStore) SitesVersion(context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.changeAt > 0 && s.calls >= s.changeAt {
		return "2", nil
	}
	return "1", nil
}

func TestDownloadPagesAndVersions(t *testing.T) {
	big := memstore.New(bigDataset(t))
	path := "/ogc/collections/" + bigLayer + "/download?f=csv"
	tests := []struct {
		name     string
		changeAt int
		status   int  // 0: the transfer breaks after a 200
		complete bool // the body is whole
	}{
		{"steady", 0, 200, true},
		{"changed before the first byte", 2, 409, false},
		// The CSV reads every page once for its columns, then again.
		{"changed mid-stream", 20, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := &pagingStore{Store: big, changeAt: tt.changeAt}
			srv := newServer(t, store)
			res, err := srv.Client().Get(srv.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			_, readErr := io.ReadAll(res.Body)
			switch {
			case tt.status != 0 && res.StatusCode != tt.status:
				t.Fatalf("status %d, want %d", res.StatusCode, tt.status)
			case tt.status == 0 && (res.StatusCode != 200 || readErr == nil):
				t.Fatalf("status %d, read error %v: want a 200 whose transfer breaks", res.StatusCode, readErr)
			case tt.complete && readErr != nil:
				t.Fatalf("reading: %v", readErr)
			}
			if store.maxLimit > 1000 {
				t.Errorf("a page of %d sites asked of the store, want at most 1,000", store.maxLimit)
			}
			if tt.status == http.StatusConflict && res.Header.Get("Content-Type") != "application/json" {
				t.Errorf("409 of type %q, want the JSON error", res.Header.Get("Content-Type"))
			}
		})
	}
}

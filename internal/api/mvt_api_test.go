package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/paulmach/orb"

	"projectmap/internal/domain"
)

// TestMVTTileMaths: tiles outside WebMercatorQuad 0..22, or not numbers,
// are 400 naming z, y or x; other mistakes name their parameter.
func TestMVTTileMaths(t *testing.T) {
	forEachStore(t, func(t *testing.T, srv *httptest.Server) {
		for _, tc := range []struct {
			path   string
			status int
			param  string
		}{
			{"/ogc/tiles/WebMercatorQuad/-1/0/0", 400, "z"},
			{"/ogc/tiles/WebMercatorQuad/23/0/0", 400, "z"},
			{"/ogc/tiles/WebMercatorQuad/ten/0/0", 400, "z"},
			{"/ogc/tiles/WebMercatorQuad/3/8/0", 400, "y"},
			{"/ogc/tiles/WebMercatorQuad/3/-1/0", 400, "y"},
			{"/ogc/tiles/WebMercatorQuad/3/0/8", 400, "x"},
			{"/ogc/tiles/WebMercatorQuad/3/0/1.5", 400, "x"},
			{"/ogc/collections/metro-stations/tiles/WebMercatorQuad/0/1/0", 400, "y"},
			{"/ogc/tiles/WebMercatorQuad/3/3/6?collections=metro-lines,nowhere", 400, "collections"},
			{"/ogc/tiles/WebMercatorQuad/3/3/6?collections=metro-lines,metro-lines", 400, "collections"},
			{"/ogc/tiles/WebMercatorQuad/3/3/6?bbox=1,2,3,4", 400, "bbox"},
			{"/ogc/tiles/WebMercatorQuad/3/3/6?asof=2024-13-01", 400, "asof"},
			{"/ogc/tiles/WebMercatorQuad/3/3/6?plan=nope", 400, "plan"},
			{"/ogc/collections/metro-stations/tiles/WebMercatorQuad/3/3/6?collections=a", 400, "collections"},
			{"/ogc/collections/nowhere/tiles/WebMercatorQuad/3/3/6", 404, ""},
			{"/ogc/tiles/WorldCRS84Quad/3/3/6", 404, ""},
			{"/ogc/tileMatrixSets/WorldCRS84Quad", 404, ""},
			{"/ogc/tiles/WebMercatorQuad/0/0/0", 200, ""},
			{"/ogc/tiles/WebMercatorQuad/22/0/0", 204, ""}, // far from Xi'an: empty
			{"/ogc/tiles/WebMercatorQuad/3/3/6", 200, ""},
		} {
			r := get(t, srv, tc.path)
			if r.status != tc.status {
				t.Errorf("%s: status %d, want %d: %.200s", tc.path, r.status, tc.status, r.body)
				continue
			}
			if tc.param != "" {
				if e := decode[struct{ Param string }](t, r); e.Param != tc.param {
					t.Errorf("%s: param %q, want %q", tc.path, e.Param, tc.param)
				}
			}
			if tc.status == 200 && r.header.Get("Content-Type") != "application/vnd.mapbox-vector-tile" {
				t.Errorf("%s: Content-Type %q", tc.path, r.header.Get("Content-Type"))
			}
		}
	})
}

// TestMVTStores: both stores give the same decoded tiles, compared with
// one golden each: a z14 tile on a known station, z10 on the centre, and a
// z13 tile that metro line 8 crosses, with statuses on a date.
func TestMVTStores(t *testing.T) {
	station := orb.Point{108.997894, 34.318638} // 北辰东路, on line 8
	cases := []struct{ name, path string }{
		{"z14-station", "/ogc/collections/metro-stations/tiles/WebMercatorQuad/" + tileOf(station, 14)},
		{"z10-centre", "/ogc/tiles/WebMercatorQuad/" + tileOf(orb.Point{108.94, 34.26}, 10) + "?collections=metro-stations,old-communities,housing-delivery&asof=2024-12-31"},
		{"z13-line8", "/ogc/tiles/WebMercatorQuad/" + tileOf(orb.Point{108.99, 34.3186}, 13) + "?collections=metro-lines,metro-stations"},
		{"z12-polygons", "/ogc/tiles/WebMercatorQuad/" + tileOf(orb.Point{108.94, 34.32}, 12) + "?collections=water-areas,culture-venues-areas,school-partnerships"},
	}
	for _, s := range testStores(t) {
		// Each store as it is (point layers from the point index), and
		// with no state version (no index: the store's TileSource, or
		// tiles.Cut of a bbox query).
		unversioned := domain.Store(struct{ domain.Store }{s.store})
		if ts, ok := s.store.(domain.TileSource); ok {
			unversioned = struct {
				domain.Store
				domain.TileSource
			}{s.store, ts}
		}
		for _, v := range []namedStore{s, {s.name + "-unversioned", unversioned}} {
			t.Run(v.name, func(t *testing.T) {
				srv := newServer(t, v.store)
				for _, tc := range cases {
					r := get(t, srv, tc.path)
					if r.status != 200 {
						t.Fatalf("%s: %d %.200s", tc.path, r.status, r.body)
					}
					matchMVTGolden(t, tc.name, decodeMVT(t, r.body))
				}
			})
		}
	}
}

// sitesCounter counts the Sites queries that reach a store (and hides a
// TileSource: tiles are cut from Sites).
type sitesCounter struct {
	domain.Store
	sites atomic.Int64
}

func (c *sitesCounter) Sites(ctx context.Context, q domain.SiteQuery) (domain.SitePage, error) {
	c.sites.Add(1)
	return c.Store.Sites(ctx, q)
}

func (c *sitesCounter) StateVersion(ctx context.Context) (string, bool, error) {
	return c.Store.(domain.StateVersioned).StateVersion(ctx)
}

// TestMVTEmptyTile: a tile outside every layer's extent is 204 No
// Content, answered without a Sites query.
func TestMVTEmptyTile(t *testing.T) {
	for _, s := range testStores(t) {
		t.Run(s.name, func(t *testing.T) {
			st := &sitesCounter{Store: s.store}
			srv := newServer(t, st)
			for _, path := range []string{
				"/ogc/tiles/WebMercatorQuad/10/0/0",
				"/ogc/collections/metro-stations/tiles/WebMercatorQuad/14/6530/100",
				"/ogc/tiles/WebMercatorQuad/5/10/10?collections=schools",
			} {
				r := get(t, srv, path)
				if r.status != http.StatusNoContent || len(r.body) != 0 {
					t.Errorf("%s: %d, %d bytes; want 204 and no body", path, r.status, len(r.body))
				}
			}
			if n := st.sites.Load(); n != 0 {
				t.Errorf("%d Sites queries for empty tiles, want 0", n)
			}
			if r := get(t, srv, "/ogc/collections/metro-stations/tiles/WebMercatorQuad/3/3/6"); r.status != 200 || st.sites.Load() == 0 {
				t.Errorf("a tile with stations: %d after %d Sites queries", r.status, st.sites.Load())
			}
		})
	}
}

// TestTileCacheControl: a tile or static map whose v is the current state
// version is immutable; any other v, or none, revalidates.
func TestTileCacheControl(t *testing.T) {
	forEachStore(t, func(t *testing.T, srv *httptest.Server) {
		meta := decode[struct {
			Links []struct{ Href, Rel string }
		}](t, get(t, srv, "/ogc/tiles/WebMercatorQuad?collections=metro-stations"))
		var tmpl string
		for _, l := range meta.Links {
			if l.Rel == "item" {
				tmpl = l.Href
			}
		}
		i := strings.Index(tmpl, "v=")
		if i < 0 {
			t.Fatalf("the tile link %q carries no v", tmpl)
		}
		v := tmpl[i+2:]
		if j := strings.IndexByte(v, '&'); j >= 0 {
			v = v[:j]
		}
		for _, tc := range []struct{ path, want string }{
			{"/ogc/collections/metro-stations/tiles/WebMercatorQuad/3/3/6?v=" + v, "public, max-age=31536000, immutable"},
			{"/ogc/collections/metro-stations/tiles/WebMercatorQuad/3/3/6?v=old", "no-cache"},
			{"/ogc/collections/metro-stations/tiles/WebMercatorQuad/3/3/6", "no-cache"},
			{"/tiles/metro-stations/3/6/3.png?v=" + v, "public, max-age=31536000, immutable"},
			{"/tiles/metro-stations/3/6/3.png?v=old", "no-cache"},
			{"/static/metro-stations.png?center=108.94,34.26&zoom=10&size=200x100&v=" + v, "public, max-age=31536000, immutable"},
			{"/static/metro-stations.png?center=108.94,34.26&zoom=10&size=200x100", "no-cache"},
		} {
			r := get(t, srv, tc.path)
			if r.status != 200 || r.header.Get("Cache-Control") != tc.want {
				t.Errorf("%s: %d, Cache-Control %q, want %q", tc.path, r.status, r.header.Get("Cache-Control"), tc.want)
			}
		}
	})
}

// TestMVTTileset: the tileset metadata names the tile matrix set, the
// layers with their fields, and the aggregation.
func TestMVTTileset(t *testing.T) {
	forEachStore(t, func(t *testing.T, srv *httptest.Server) {
		r := get(t, srv, "/ogc/collections/metro-stations/tiles/WebMercatorQuad")
		var doc struct {
			DataType         string `json:"dataType"`
			TileMatrixSetURI string `json:"tileMatrixSetURI"`
			Layers           []struct {
				ID               string
				PropertiesSchema struct{ Properties map[string]any }
			}
			Aggregation struct {
				Threshold, Grid int
				Properties      []string
			}
			Links []struct{ Href, Rel, Type string }
		}
		if err := json.Unmarshal(r.body, &doc); err != nil || r.status != 200 {
			t.Fatalf("%d %v %.200s", r.status, err, r.body)
		}
		if doc.DataType != "vector" || !strings.HasSuffix(doc.TileMatrixSetURI, "/WebMercatorQuad") ||
			len(doc.Layers) != 1 || doc.Layers[0].ID != "metro-stations" || doc.Layers[0].PropertiesSchema.Properties["status"] == nil ||
			doc.Aggregation.Threshold != 2000 || len(doc.Aggregation.Properties) != 8 {
			t.Errorf("tileset: %.600s", r.body)
		}
		var item string
		for _, l := range doc.Links {
			if l.Rel == "item" && l.Type == "application/vnd.mapbox-vector-tile" {
				item = l.Href
			}
		}
		if !strings.Contains(item, "/ogc/collections/metro-stations/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}") {
			t.Errorf("tile template %q", item)
		}
		for _, path := range []string{"/ogc/tiles", "/ogc/collections/metro-stations/tiles", "/ogc/tileMatrixSets", "/ogc/tileMatrixSets/WebMercatorQuad", "/ogc/tiles/WebMercatorQuad"} {
			if r := get(t, srv, path); r.status != 200 {
				t.Errorf("%s: %d", path, r.status)
			}
		}
		land := string(get(t, srv, "/ogc").body)
		coll := string(get(t, srv, "/ogc/collections/metro-stations").body)
		if !strings.Contains(land, "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector") || !strings.Contains(land, "tiling-schemes") ||
			!strings.Contains(coll, "tilesets-vector") {
			t.Errorf("landing or collection lacks the tiles links")
		}
	})
}

// TestMVTGDAL: GDAL's MVT driver reads a tile we serve, by URL, and
// lists its layers with their feature counts. Without ogrinfo the test
// is skipped, and fails under CI=true.
func TestMVTGDAL(t *testing.T) {
	ogrinfo, err := exec.LookPath("ogrinfo")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("ogrinfo (gdal-bin) is required in CI")
		}
		t.Skip("no ogrinfo")
	}
	forEachStore(t, func(t *testing.T, srv *httptest.Server) {
		path := "/ogc/tiles/WebMercatorQuad/" + tileOf(orb.Point{108.99, 34.3186}, 13) + "?collections=metro-lines,metro-stations"
		want := decodeMVT(t, get(t, srv, path).body)
		// A file, as GDAL reads a URL through a vsicurl that may be off.
		file := filepath.Join(t.TempDir(), "tile.pbf")
		if err := os.WriteFile(file, get(t, srv, path).body, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.CommandContext(t.Context(), ogrinfo, "-ro", "-al", "-so", "MVT:"+file).CombinedOutput()
		if err != nil {
			t.Fatalf("ogrinfo: %v\n%s", err, out)
		}
		for name, feats := range want {
			if !strings.Contains(string(out), "Layer name: "+name+"\n") ||
				!strings.Contains(string(out), fmt.Sprintf("Feature Count: %d\n", len(feats))) {
				t.Errorf("ogrinfo does not list layer %s with %d features:\n%s", name, len(feats), out)
			}
		}
		if len(want) != 2 || !strings.Contains(string(out), "status: String") {
			t.Errorf("layers %d, or no status field:\n%s", len(want), out)
		}
	})
}

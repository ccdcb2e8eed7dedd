package api_test

import (
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"projectmap/internal/api"
	"projectmap/internal/gcj02"
	"projectmap/internal/memstore"
	"projectmap/internal/storetest"
)

// Bell Tower, Xi'an: WGS84 and its GCJ-02 position as computed by the npm
// package gcoord 1.0.7 (the reference pair of internal/gcj02's tests).
const (
	bellWLon, bellWLat = 108.9402, 34.261
	bellGLon, bellGLat = 108.9448501579, 34.2594093947
)

func pointOf(t *testing.T, g map[string]any) (float64, float64) {
	t.Helper()
	c, ok := g["coordinates"].([]any)
	if g["type"] != "Point" || !ok || len(c) != 2 {
		t.Fatalf("not a point: %v", g)
	}
	return c[0].(float64), c[1].(float64)
}

// TestDatumGCJ02: datum=gcj02 shifts every point of items and of a single
// item by internal/gcj02's offset (checked there against gcoord's
// reference pairs, and here on the Bell Tower pair), 300 to 600 m in
// Xi'an, and reads bbox= as GCJ-02.
func TestDatumGCJ02(t *testing.T) {
	forEachStore(t, func(t *testing.T, srv *httptest.Server) {
		if lon, lat := gcj02.FromWGS84(bellWLon, bellWLat); math.Abs(lon-bellGLon) > 1e-9 || math.Abs(lat-bellGLat) > 1e-9 {
			t.Fatalf("Bell Tower in GCJ-02 (%.10f, %.10f), reference (%.10f, %.10f)", lon, lat, bellGLon, bellGLat)
		}
		const path = "/ogc/collections/intersections/items?limit=1000"
		wgs := decode[items](t, get(t, srv, path))
		gcj := decode[items](t, get(t, srv, path+"&datum=gcj02"))
		if len(wgs.Features) == 0 || strings.Join(wgs.ids(), ",") != strings.Join(gcj.ids(), ",") {
			t.Fatalf("ids differ: %v vs %v", wgs.ids(), gcj.ids())
		}
		for i, f := range wgs.Features {
			wLon, wLat := pointOf(t, f.Geometry)
			gLon, gLat := pointOf(t, gcj.Features[i].Geometry)
			if eLon, eLat := gcj02.FromWGS84(wLon, wLat); math.Abs(gLon-eLon) > 1e-9 || math.Abs(gLat-eLat) > 1e-9 {
				t.Errorf("%s: gcj02 (%.9f, %.9f), want (%.9f, %.9f)", f.ID, gLon, gLat, eLon, eLat)
			}
			// The offset in Xi'an is the 300 to 600 m the issue measured.
			dx := (gLon - wLon) * 111320 * math.Cos(wLat*math.Pi/180)
			dy := (gLat - wLat) * 110540
			if d := math.Hypot(dx, dy); d < 300 || d > 600 {
				t.Errorf("%s: shifted %.0f m", f.ID, d)
			}
		}
		// One item, and bbox= in GCJ-02: a tight box around the shifted
		// point finds it only when read as GCJ-02.
		f := gcj.Features[0]
		gLon, gLat := pointOf(t, f.Geometry)
		one := decode[struct {
			Geometry map[string]any `json:"geometry"`
		}](t, get(t, srv, "/ogc/collections/intersections/items/"+f.ID+"?datum=gcj02"))
		if lon, lat := pointOf(t, one.Geometry); lon != gLon || lat != gLat {
			t.Errorf("item %s at (%v, %v), items at (%v, %v)", f.ID, lon, lat, gLon, gLat)
		}
		box := fmt.Sprintf("&bbox=%f,%f,%f,%f", gLon-1e-4, gLat-1e-4, gLon+1e-4, gLat+1e-4)
		if got := decode[items](t, get(t, srv, path+"&datum=gcj02"+box)).ids(); !contains(got, f.ID) {
			t.Errorf("GCJ-02 bbox around %s found %v", f.ID, got)
		}
		if got := decode[items](t, get(t, srv, path+box)).ids(); contains(got, f.ID) {
			t.Errorf("WGS84 bbox around the shifted %s found it", f.ID)
		}
	})
}

// TestDatumInvalid: any other datum, or one on a download, is a 400
// naming datum.
func TestDatumInvalid(t *testing.T) {
	srv := newServer(t, testStores(t)[0].store)
	for _, path := range []string{
		"/ogc/collections/intersections/items?datum=bd09",
		"/ogc/collections/intersections/items?datum=GCJ02",
		"/ogc/collections/intersections/items/x?datum=epsg:3857",
		"/ogc/collections/intersections/download?datum=gcj02",
		"/ogc/collections/intersections/items?f=csv&datum=gcj02",
		"/tiles/intersections/10/830/413.png?datum=bd09",
	} {
		r := get(t, srv, path)
		if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "datum") {
			t.Errorf("%s: %d %.200s, want 400 naming datum", path, r.status, r.body)
		}
	}
}

// TestDatumRasterTile: a GCJ-02 tile draws the sites shifted, so it
// differs from the WGS84 tile of the same address.
func TestDatumRasterTile(t *testing.T) {
	srv := newServer(t, testStores(t)[0].store)
	tile := maptile.At(orb.Point{108.94, 34.26}, 11)
	path := fmt.Sprintf("/tiles/intersections,metro-lines/%d/%d/%d.png", tile.Z, tile.X, tile.Y)
	wgs, gcj := get(t, srv, path), get(t, srv, path+"?datum=gcj02")
	if wgs.status != http.StatusOK || gcj.status != http.StatusOK {
		t.Fatalf("tiles %d, %d: %.200s", wgs.status, gcj.status, gcj.body)
	}
	if len(wgs.body) < 1000 || string(wgs.body) == string(gcj.body) {
		t.Errorf("the WGS84 tile (%d bytes) and the GCJ-02 tile (%d bytes) are the same, or empty", len(wgs.body), len(gcj.body))
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// BenchmarkItemsDatum: what datum=gcj02 costs on the largest layer's
// items (old-communities, polygons), against the same request in WGS84,
// with no response cache.
func BenchmarkItemsDatum(b *testing.B) {
	srv := httptest.NewServer(api.New(api.Config{Store: memstore.New(storetest.Dataset(b)), Now: func() time.Time { return fixedNow }, CacheBytes: -1}))
	b.Cleanup(srv.Close)
	for _, d := range []string{"", "&datum=gcj02"} {
		b.Run("datum="+strings.TrimPrefix(d, "&datum="), func(b *testing.B) {
			for b.Loop() {
				if r := get(b, srv, "/ogc/collections/old-communities/items?limit=10000"+d); r.status != http.StatusOK {
					b.Fatal(r.status)
				}
			}
		})
	}
}

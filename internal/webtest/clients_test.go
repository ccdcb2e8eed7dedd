package webtest

// Real clients on the server's tiles: a Leaflet page over the raster
// tiles (here) and MapLibre GL JS on the style and vector tiles
// (maplibre_test.go). Their pages (testdata/) and libraries
// (web/node_modules) are served by the test alongside the real handler,
// on the same origin, so that the pages can read the tiles' pixels.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"projectmap/internal/api"
)

// clientLibs are the npm packages whose dist/ the test pages load.
var clientLibs = map[string]string{
	"leaflet":  "../../web/node_modules/leaflet/dist",
	"maplibre": "../../web/node_modules/maplibre-gl/dist",
}

// startClientServer serves the real handler (no basemap) with the test
// pages under /testclient/ and the client libraries under
// /testclient/{leaflet,maplibre}/.
func startClientServer(t *testing.T) string {
	t.Helper()
	mux := http.NewServeMux()
	for name, dir := range clientLibs {
		if _, err := os.Stat(dir); err != nil {
			msg := fmt.Sprintf("%s is missing: run `cd web && npm ci`", dir)
			if os.Getenv("CI") == "true" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
		prefix := "/testclient/" + name + "/"
		mux.Handle(prefix, http.StripPrefix(prefix, jsModules(http.FileServer(http.Dir(dir)))))
	}
	mux.Handle("/testclient/", http.StripPrefix("/testclient/", http.FileServer(http.Dir("testdata"))))
	mux.Handle("/", appHandler(t, api.Basemap{}))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

// jsModules sends .mjs files as JavaScript, which module scripts require.
func jsModules(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, ".mjs") {
			w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		}
		h.ServeHTTP(w, r)
	})
}

// openPage navigates to u and waits until the page's ready expression
// holds.
func openPage(t *testing.T, ctx context.Context, u, ready string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(u)); err != nil {
		t.Fatalf("opening %s: %v", u, err)
	}
	if err := chromedp.Do(ctx, poll[chromedp.Void](ready,
		chromedp.WithPollingTimeout(60*time.Second), chromedp.WithPollingInterval(100*time.Millisecond))); err != nil {
		t.Fatalf("%s: waiting for %s: %v", u, ready, err)
	}
}

// firstPoint returns the first point feature of a layer on asof.
func firstPoint(t *testing.T, base, layer, asof string) (feature, [2]float64) {
	t.Helper()
	for _, f := range layerItems(t, base, layer, asof).Features {
		var c [2]float64
		if f.Geometry.Type == "Point" && json.Unmarshal(f.Geometry.Coordinates, &c) == nil {
			return f, c
		}
	}
	t.Fatalf("layer %s has no point", layer)
	return feature{}, [2]float64{}
}

// leafletTilesJS lists the tile images and the HTTP status of every tile
// request (resource timing).
const leafletTilesJS = `(() => ({
  imgs: [...document.querySelectorAll('img.leaflet-tile')].map(i => ({src: i.src, complete: i.complete, width: i.naturalWidth})),
  requests: performance.getEntriesByType('resource').filter(e => e.name.includes('/tiles/')).map(e => ({url: e.name, status: e.responseStatus})),
}))()`

// leafletPixelsJS draws the tile under a lon/lat into a canvas and counts
// opaque pixels in the 5×5 around it and in the whole tile.
const leafletPixelsJS = `((lat, lon) => {
  const pt = map.latLngToContainerPoint([lat, lon]);
  const box = document.getElementById('map').getBoundingClientRect();
  const x = box.left + pt.x, y = box.top + pt.y;
  for (const img of document.querySelectorAll('img.leaflet-tile')) {
    const r = img.getBoundingClientRect();
    if (x < r.left || x >= r.right || y < r.top || y >= r.bottom) continue;
    const c = document.createElement('canvas');
    c.width = img.naturalWidth; c.height = img.naturalHeight;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const px = Math.floor(x - r.left), py = Math.floor(y - r.top);
    const opaque = d => { let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 200) n++; return n; };
    return {src: img.src, near: opaque(g.getImageData(px - 2, py - 2, 5, 5).data), tile: opaque(g.getImageData(0, 0, c.width, c.height).data)};
  }
  return {src: '', near: 0, tile: 0};
})`

type leafletTiles struct {
	Imgs []struct {
		Src      string `json:"src"`
		Complete bool   `json:"complete"`
		Width    int    `json:"width"`
	} `json:"imgs"`
	Requests []struct {
		URL    string `json:"url"`
		Status int    `json:"status"`
	} `json:"requests"`
}

type tilePixels struct {
	Src  string `json:"src"`
	Near int    `json:"near"`
	Tile int    `json:"tile"`
}

// TestLeafletRasterTiles: a Leaflet page with the raster tiles as an
// L.tileLayer loads every tile (complete, 256 px, HTTP 200), and the tile
// under a known site is drawn there (opaque pixels) and transparent
// elsewhere (an overlay, not a basemap).
func TestLeafletRasterTiles(t *testing.T) {
	exe := needBrowser(t)
	base := startClientServer(t)
	ctx, jsErrs := browser(t, exe)
	const asof, layer, zoom = "2024-12-31", "schools", 13
	site, at := firstPoint(t, base, layer, asof)

	tiles := base + "/tiles/" + layer + "/{z}/{x}/{y}.png?asof=" + asof
	q := url.Values{"tiles": {tiles}, "lat": {fmt.Sprint(at[1])}, "lon": {fmt.Sprint(at[0])}, "zoom": {fmt.Sprint(zoom)}}
	openPage(t, ctx, base+"/testclient/leaflet.html?"+q.Encode(), `window.tiles && window.tiles.done`)

	got, err := eval[leafletTiles](ctx, leafletTilesJS)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Imgs) < 6 {
		t.Fatalf("%d tile images in a 768×512 view, want at least 6", len(got.Imgs))
	}
	for _, img := range got.Imgs {
		if !img.Complete || img.Width != 256 || !strings.Contains(img.Src, "/tiles/"+layer+"/13/") {
			t.Errorf("tile %s: complete %v, width %d", img.Src, img.Complete, img.Width)
		}
	}
	if len(got.Requests) < len(got.Imgs) {
		t.Errorf("%d tile requests for %d tiles", len(got.Requests), len(got.Imgs))
	}
	for _, r := range got.Requests {
		if r.Status != http.StatusOK {
			t.Errorf("%s: HTTP %d", r.URL, r.Status)
		}
	}
	px, err := eval[tilePixels](ctx, fmt.Sprintf("%s(%v, %v)", leafletPixelsJS, at[1], at[0]))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("site %s at %v: tile %s, %d of 25 opaque pixels around it, %d in the tile", site.ID, at, px.Src, px.Near, px.Tile)
	if px.Near < 20 {
		t.Errorf("site %s: %d of 25 pixels around it are opaque in %s, want its symbol", site.ID, px.Near, px.Src)
	}
	if px.Tile > 256*256/2 {
		t.Errorf("%s: %d opaque pixels, an overlay should be mostly transparent", px.Src, px.Tile)
	}
	if s := jsErrs.String(); s != "" {
		t.Errorf("JavaScript errors:\n%s", s)
	}
}

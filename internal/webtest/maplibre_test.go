package webtest

// MapLibre GL JS, in headless Chromium with software WebGL (SwiftShader),
// loads /styles/{layers}.json, fetches the TileJSON and the vector tiles
// it names, and queryRenderedFeatures on one known tile returns the
// features the API's GeoJSON says are there, with their properties.

import (
	"context"
	"encoding/json"
	"fmt"
	"image/color"
	"math"
	"net/url"
	"os"
	"sort"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// webGLFlags let headless Chromium draw WebGL in software.
var webGLFlags = []chromedp.ExecAllocatorOption{
	chromedp.Flag("disable-gpu", false),
	chromedp.Flag("use-angle", "swiftshader"),
	chromedp.Flag("enable-unsafe-swiftshader", true),
	chromedp.Flag("ignore-gpu-blocklist", true),
}

// mlStateJS is the page's state: WebGL, errors, idle.
const mlStateJS = `window.ml`

type mlState struct {
	WebGL  bool     `json:"webgl"`
	Errors []string `json:"errors"`
	Idle   bool     `json:"idle"`
	Failed bool     `json:"failed"`
}

// mlQueryJS returns every rendered feature (style layer, source layer,
// properties) and, for each id given, its vertices projected to pixels.
const mlQueryJS = `((feats) => ({
  rendered: map.queryRenderedFeatures().map(f => ({layer: f.layer.id, sourceLayer: f.sourceLayer, props: f.properties})),
  projected: Object.fromEntries(Object.entries(feats).map(([id, cs]) => [id, cs.map(c => { const p = map.project(c); return [p.x, p.y]; })])),
}))`

// mlPixelsJS lists the colours drawn in the 15×15 pixels around x, y.
const mlPixelsJS = `((x, y) => {
  const src = map.getCanvas(), c = document.createElement('canvas');
  c.width = src.width; c.height = src.height;
  const g = c.getContext('2d');
  g.drawImage(src, 0, 0);
  const d = g.getImageData(Math.round(x) - 7, Math.round(y) - 7, 15, 15).data, out = [];
  for (let i = 0; i < d.length; i += 4) out.push([d[i], d[i + 1], d[i + 2]]);
  return out;
})`

type mlRendered struct {
	Rendered []struct {
		Layer       string         `json:"layer"`
		SourceLayer string         `json:"sourceLayer"`
		Props       map[string]any `json:"props"`
	} `json:"rendered"`
	Projected map[string][][2]float64 `json:"projected"`
}

// vertices returns a feature's positions: a point's, or a line's vertices.
func vertices(t *testing.T, f feature) [][2]float64 {
	t.Helper()
	var out [][2]float64
	switch f.Geometry.Type {
	case "Point":
		var c [2]float64
		if err := json.Unmarshal(f.Geometry.Coordinates, &c); err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	case "LineString":
		if err := json.Unmarshal(f.Geometry.Coordinates, &out); err != nil {
			t.Fatal(err)
		}
	case "MultiLineString":
		var parts [][][2]float64
		if err := json.Unmarshal(f.Geometry.Coordinates, &parts); err != nil {
			t.Fatal(err)
		}
		for _, p := range parts {
			out = append(out, p...)
		}
	}
	return out
}

// busiestTile is the tile at zoom z holding the most points of fs (the
// lowest x, then y, among equals).
func busiestTile(t *testing.T, fs []feature, z maptile.Zoom) maptile.Tile {
	t.Helper()
	n := map[maptile.Tile]int{}
	for _, f := range fs {
		if f.Geometry.Type == "Point" {
			c := vertices(t, f)[0]
			n[maptile.At(orb.Point{c[0], c[1]}, z)]++
		}
	}
	var tiles []maptile.Tile
	for tl := range n {
		tiles = append(tiles, tl)
	}
	sort.Slice(tiles, func(i, j int) bool {
		a, b := tiles[i], tiles[j]
		if n[a] != n[b] {
			return n[a] > n[b]
		}
		if a.X != b.X {
			return a.X < b.X
		}
		return a.Y < b.Y
	})
	if len(tiles) == 0 {
		t.Fatal("no points")
	}
	return tiles[0]
}

// inside reports whether any vertex lies within [lo, hi]² pixels.
func inside(px [][2]float64, lo, hi float64) bool {
	for _, p := range px {
		if p[0] >= lo && p[0] <= hi && p[1] >= lo && p[1] <= hi {
			return true
		}
	}
	return false
}

func TestMapLibreStyle(t *testing.T) {
	exe := needBrowser(t)
	base := startClientServer(t)
	ctx, jsErrs := browser(t, exe, webGLFlags...)
	const asof = "2024-12-31"
	points, lines := layerItems(t, base, "schools", asof), layerItems(t, base, "metro-lines", asof)
	api := map[string]feature{}
	feats := map[string][][2]float64{}
	for _, f := range append(append([]feature{}, points.Features...), lines.Features...) {
		api[f.ID] = f
		feats[f.ID] = vertices(t, f)
	}
	// A project's areas (quotas by district): drawn, not located exactly.
	for _, f := range layerItems(t, base, "charging-piles", asof).Features {
		api[f.ID] = f
	}

	// The map shows exactly one 512-pixel tile at its zoom: the one with
	// the most schools at z12, centred (the corner of its z13 children).
	tl := busiestTile(t, points.Features, 12)
	centre := maptile.New(2*tl.X+1, 2*tl.Y+1, 13).Bound()
	style := base + "/styles/schools,metro-lines,districts,charging-piles.json?asof=" + asof
	q := url.Values{"style": {style}, "lon": {fmt.Sprint(centre.Min[0])}, "lat": {fmt.Sprint(centre.Max[1])}, "zoom": {fmt.Sprint(tl.Z)}}
	openPage(t, ctx, base+"/testclient/maplibre.html?"+q.Encode(), `window.ml && (window.ml.idle || window.ml.failed || !window.ml.webgl)`)
	st, err := eval[mlState](ctx, mlStateJS)
	if err != nil {
		t.Fatal(err)
	}
	if !st.WebGL || st.Failed {
		msg := fmt.Sprintf("no WebGL in headless Chromium (SwiftShader): %v", st.Errors)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	if len(st.Errors) > 0 {
		t.Errorf("MapLibre reported errors: %v", st.Errors)
	}

	arg, _ := json.Marshal(feats)
	got, err := eval[mlRendered](ctx, fmt.Sprintf("%s(%s)", mlQueryJS, arg))
	if err != nil {
		t.Fatal(err)
	}
	drawn := map[string]map[string]bool{} // style layer → feature ids
	for _, r := range got.Rendered {
		id, _ := r.Props["id"].(string)
		if drawn[r.Layer] == nil {
			drawn[r.Layer] = map[string]bool{}
		}
		drawn[r.Layer][id] = true
		if r.SourceLayer == "districts" {
			continue
		}
		want, ok := api[id]
		if !ok {
			t.Errorf("%s drew %q, which the API does not list in %s: %v", r.Layer, id, r.SourceLayer, r.Props)
			continue
		}
		for _, k := range []string{"status", "precision", "name"} {
			if fmt.Sprint(r.Props[k]) != fmt.Sprint(want.Properties[k]) {
				t.Errorf("%s %s: %s %v, the API says %v", r.Layer, id, k, r.Props[k], want.Properties[k])
			}
		}
	}
	t.Logf("tile %d/%d/%d: %d features rendered: %d schools, %d metro lines, %d districts, %d charging-pile areas", tl.Z, tl.X, tl.Y, len(got.Rendered),
		len(drawn["schools-points"]), len(drawn["metro-lines-line"]), len(drawn["districts-outline"]), len(drawn["charging-piles-fill"]))
	var wantPoints int
	for id, px := range got.Projected {
		layer := "schools-points"
		if api[id].Geometry.Type != "Point" {
			layer = "metro-lines-line"
		}
		// Well inside the view it must be drawn; well outside, not (a
		// line's vertices may all be outside while it crosses the view).
		in, near := inside(px, 8, 504), inside(px, -10, 522)
		switch {
		case in && !drawn[layer][id]:
			t.Errorf("%s %s at %v is in the view but not drawn", layer, id, px)
		case !near && layer == "schools-points" && drawn[layer][id]:
			t.Errorf("%s %s at %v is outside the view but drawn", layer, id, px)
		}
		if in && layer == "schools-points" {
			wantPoints++
		}
	}
	if wantPoints < 2 || len(drawn["districts-outline"]) == 0 || len(drawn["charging-piles-fill"]) == 0 {
		t.Errorf("the tile shows %d schools, %d districts and %d charging-pile areas: not a useful check",
			wantPoints, len(drawn["districts-outline"]), len(drawn["charging-piles-fill"]))
	}
	checkSymbolColours(t, ctx, got, api)
	saveShot(t, ctx, "maplibre-style.png")
	t.Run("every status and precision", func(t *testing.T) { checkProbeSymbols(t, ctx) })
	if s := jsErrs.String(); s != "" {
		t.Errorf("JavaScript errors:\n%s", s)
	}
}

// checkSymbolColours: each school drawn well inside the view is its
// status's colour round its mark (solid against hollow is checked on
// made-up sites of every status, maplibre_probe_test.go).
func checkSymbolColours(t *testing.T, ctx context.Context, got mlRendered, api map[string]feature) {
	t.Helper()
	checked := 0
	near := nearRGB
	for id, px := range got.Projected {
		f := api[id]
		if f.Geometry.Type != "Point" || !inside(px, 16, 496) {
			continue
		}
		status := fmt.Sprint(f.Properties["status"])
		want := statusRGB[status]
		cols, err := eval[[][3]int](ctx, fmt.Sprintf("%s(%v, %v)", mlPixelsJS, px[0][0], px[0][1]))
		if err != nil {
			t.Fatal(err)
		}
		checked++
		coloured := 0
		for _, c := range cols {
			if near(c, want) {
				coloured++
			}
		}
		if coloured < 40 {
			t.Errorf("school %s (%s) at %v: %d pixels of its status colour %v, want at least 40", id, status, px[0], coloured, want)
		}
	}
	if checked == 0 {
		t.Error("no school well inside the view to check the colours of")
	}
	t.Logf("%d schools drawn with their status symbol", checked)
}

// nearRGB reports whether c is within 30 (summed over channels) of want.
func nearRGB(c [3]int, want color.RGBA) bool {
	return math.Abs(float64(c[0])-float64(want.R))+math.Abs(float64(c[1])-float64(want.G))+math.Abs(float64(c[2])-float64(want.B)) <= 30
}

// approxPrecision are the precisions drawn hollow (symbology.Approximate).
var approxPrecision = map[string]bool{"town": true, "district": true, "zone": true}

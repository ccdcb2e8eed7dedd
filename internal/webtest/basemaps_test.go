package webtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io/fs"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"projectmap/geodata"
	"projectmap/internal/api"
	"projectmap/internal/basemap"
	"projectmap/internal/dataset"
	"projectmap/internal/gcj02"
	"projectmap/internal/memstore"
	"projectmap/web"
)

// tileLog is a tile server that answers /ok/… and /gcj/… with a PNG and
// /bad/… with 404, and counts the requests under each prefix.
type tileLog struct {
	*httptest.Server
	mu   sync.Mutex
	seen map[string]int
}

func newTileLog(t *testing.T) *tileLog {
	t.Helper()
	png := tileServerPNG(t)
	tl := &tileLog{seen: map[string]int{}}
	tl.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		prefix, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		tl.mu.Lock()
		tl.seen[prefix]++
		tl.mu.Unlock()
		if prefix == "bad" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		w.Write(png)
	}))
	t.Cleanup(tl.Close)
	return tl
}

func (tl *tileLog) count(prefix string) int {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	return tl.seen[prefix]
}

// tileServerPNG is a basemap tile: 256 px of one flat colour.
func tileServerPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 256, 256))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = 0xc8, 0xd8, 0xe8, 0xff
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// startBasemapServer serves the map with three basemaps on tl: "ok"
// (WGS84, with a label layer), "gcj" (GCJ-02, an AMap stand-in) and "bad".
func startBasemapServer(t *testing.T, tl *tileLog) string {
	t.Helper()
	if _, err := fs.Stat(web.Dist, "dist/app.js"); err != nil {
		t.Skip("web/dist/app.js is not built; run `make web`")
	}
	ds, err := dataset.Load(geodata.Files)
	if err != nil {
		t.Fatal(err)
	}
	webFS, err := fs.Sub(web.Dist, "dist")
	if err != nil {
		t.Fatal(err)
	}
	bm := func(id, name, crs string) api.Basemap {
		return api.Basemap{ID: id, Name: name, NameEN: name, URL: tl.URL + "/" + id + "/{z}/{x}/{y}.png", Attribution: "Tiles " + id, Approval: "审图号：测试" + id, CRS: crs}
	}
	ok := bm("ok", "测试底图", "wgs84")
	ok.Labels = &basemap.Layer{URL: tl.URL + "/labels/{z}/{x}/{y}.png"}
	srv := httptest.NewServer(api.New(api.Config{
		Store:    memstore.New(ds),
		Basemaps: []api.Basemap{ok, bm("gcj", "火星底图", "gcj02"), bm("bad", "坏底图", "wgs84")},
		Web:      webFS,
		Now:      func() time.Time { return today },
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// markerLatLngJS is where a feature's marker sits on the map, in the
// map's own coordinates (the basemap's datum), from its icon's centre.
const markerLatLngJS = `((layer, id) => {
  const m = projectmap.map, el = document.querySelector('.pm-feature[data-layer="' + layer + '"][data-id="' + id + '"]');
  if (!el) return null;
  const r = el.getBoundingClientRect(), c = m.getContainer().getBoundingClientRect();
  const ll = m.containerPointToLatLng([r.left + r.width / 2 - c.left, r.top + r.height / 2 - c.top]);
  return [ll.lng, ll.lat];
})`

// TestBasemapSwitcher: the switcher (a labelled select) changes the tiles
// requested and the attribution with its 审图号, lives in the URL, and on
// the GCJ-02 basemap markers sit at their GCJ-02 positions; a failing
// basemap is taken off the map, with one notice, and no more of its tiles
// are requested until another is chosen.
func TestBasemapSwitcher(t *testing.T) {
	exe := needBrowser(t)
	if os.Getenv("PROJECTMAP_WEBTEST_URL") != "" {
		t.Skip("needs its own server with test basemaps")
	}
	tl := newTileLog(t)
	base := startBasemapServer(t, tl)
	ctx, jsErrs := browser(t, exe)
	var cfg struct {
		DefaultDate string `json:"default_date"`
	}
	getJSON(t, base+"/api/config", &cfg)
	inter := layerItems(t, base, "intersections", cfg.DefaultDate).Features[0]
	var wgs [2]float64
	if err := json.Unmarshal(inter.Geometry.Coordinates, &wgs); err != nil {
		t.Fatal(err)
	}
	view := fmt.Sprintf("#map=16/%.5f/%.5f&layers=intersections&date=%s", wgs[1], wgs[0], cfg.DefaultDate)
	if err := load(ctx, base+"/"+view+"&lang=zh"); err != nil {
		t.Fatal(err)
	}
	waitTrue := func(cond string) error {
		return chromedp.Do(ctx, poll[chromedp.Void](cond, chromedp.WithPollingTimeout(20*time.Second)))
	}
	if err := waitTrue(`document.querySelectorAll('.leaflet-tile-loaded').length > 0`); err != nil {
		t.Fatalf("no tiles of the first basemap: %v", err)
	}
	saveShot(t, ctx, "basemap-switcher.png")
	sw, err := eval[[]string](ctx, `[document.querySelector('label[for=pm-basemap]').textContent, ...[...document.querySelectorAll('#pm-basemap option')].map(o => o.value), document.querySelector('.leaflet-control-attribution').textContent]`)
	if err != nil {
		t.Fatal(err)
	}
	if len(sw) != 5 || sw[0] != "底图" || strings.Join(sw[1:4], ",") != "ok,gcj,bad" || !strings.Contains(sw[4], "Tiles ok") || !strings.Contains(sw[4], "审图号：测试ok") {
		t.Errorf("switcher and attribution %q", sw)
	}
	if tl.count("ok") == 0 || tl.count("labels") == 0 || tl.count("gcj") != 0 {
		t.Errorf("requests ok %d labels %d gcj %d: want the first basemap and its labels only", tl.count("ok"), tl.count("labels"), tl.count("gcj"))
	}
	marker := func() [2]float64 {
		t.Helper()
		var ll [2]float64
		if err := waitTrue(markerLatLngJS + fmt.Sprintf(`(%q, %q) !== null`, "intersections", inter.ID)); err != nil {
			t.Fatalf("no marker for %s: %v", inter.ID, err)
		}
		got, err := eval[[]float64](ctx, markerLatLngJS+fmt.Sprintf(`(%q, %q)`, "intersections", inter.ID))
		if err != nil || len(got) != 2 {
			t.Fatalf("marker position %v %v", got, err)
		}
		copy(ll[:], got)
		return ll
	}
	near := func(a, b [2]float64) bool { return math.Abs(a[0]-b[0]) < 5e-5 && math.Abs(a[1]-b[1]) < 5e-5 } // ~5 m; a pixel at z16 is ~2 m
	if got := marker(); !near(got, wgs) {
		t.Errorf("on the WGS84 basemap the marker is at %v, want %v", got, wgs)
	}

	// Switch to the GCJ-02 basemap.
	if err := chromedp.Do(ctx, js(`(s => { s.value = 'gcj'; s.dispatchEvent(new Event('change')) })(document.getElementById('pm-basemap'))`)); err != nil {
		t.Fatal(err)
	}
	if err := waitTrue(`[...document.querySelectorAll('.leaflet-tile-loaded')].some(i => i.src.includes('/gcj/')) && location.hash.includes('basemap=gcj')`); err != nil {
		t.Fatalf("no GCJ-02 tiles after switching: %v", err)
	}
	gLon, gLat := gcj02.FromWGS84(wgs[0], wgs[1])
	if err := waitTrue(`performance.getEntriesByType('resource').some(e => e.name.includes('/intersections/items') && e.name.includes('datum=gcj02'))`); err != nil {
		t.Errorf("items not fetched with datum=gcj02: %v", err)
	}
	if err := waitTrue(fmt.Sprintf(`(ll => ll && Math.abs(ll[0] - %f) < 5e-5 && Math.abs(ll[1] - %f) < 5e-5)(%s(%q, %q))`, gLon, gLat, markerLatLngJS, "intersections", inter.ID)); err != nil {
		t.Errorf("on the GCJ-02 basemap the marker is at %v, want GCJ-02 (%.6f, %.6f), WGS84 %v", marker(), gLon, gLat, wgs)
	}
	st, err := eval[[]string](ctx, `[projectmap.state().basemap, String(projectmap.state().view.lat), String(projectmap.state().view.lng), [...document.querySelectorAll('.leaflet-tile')].filter(i => !i.src.includes('/gcj/')).length + '']`)
	if err != nil {
		t.Fatal(err)
	}
	if st[0] != "gcj" || st[3] != "0" {
		t.Errorf("state %q: want basemap gcj, and only its tiles on the map", st)
	}
	if lat := mustFloat(st[1]); math.Abs(lat-wgs[1]) > 1e-4 {
		t.Errorf("the URL's map= is %s, want WGS84 %.5f (the map's centre converted back)", st[1], wgs[1])
	}

	// The embed dialog's Leaflet code draws the data tiles shifted too, and
	// credits the basemap with its 审图号.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("pm-btn-embed")), poll[chromedp.Void](`!!document.getElementById('pm-embed-code')`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatal(err)
	}
	code, err := eval[string](ctx, `(() => { const s = document.getElementById('pm-embed-kind'); s.value = 'leaflet'; s.dispatchEvent(new Event('change', {bubbles: true})); return document.getElementById('pm-embed-code').value })()`)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(code, "datum=gcj02") || !strings.Contains(code, "审图号：测试gcj") {
		t.Errorf("Leaflet code on the GCJ-02 basemap: want datum=gcj02 on the data tiles and the 审图号:\n%s", code)
	}

	// A basemap that fails is removed: no more tile requests on pan and zoom.
	if err := load(ctx, base+"/"+view+"&basemap=bad&lang=zh"); err != nil {
		t.Fatal(err)
	}
	if err := waitTrue(`document.getElementById('map').classList.contains('pm-offline') && document.querySelectorAll('.leaflet-tile').length === 0`); err != nil {
		t.Fatalf("the failed basemap stays on the map: %v", err)
	}
	notice, err := eval[string](ctx, `(n => n.hidden ? '' : n.textContent)(document.getElementById('pm-notice'))`)
	if err != nil || !strings.Contains(notice, "底图无法加载") {
		t.Errorf("notice %q %v", notice, err)
	}
	bad := tl.count("bad")
	if err := chromedp.Do(ctx, js(`projectmap.map.setView([34.3, 108.9], 13, {animate: false})`), chromedp.Sleep(300*time.Millisecond),
		js(`projectmap.map.setZoom(12, {animate: false})`), chromedp.Sleep(700*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if n := tl.count("bad"); n != bad {
		t.Errorf("after the failure %d more tiles of the failed basemap were requested", n-bad)
	}
	if err := chromedp.Do(ctx, js(`(s => { s.value = 'ok'; s.dispatchEvent(new Event('change')) })(document.getElementById('pm-basemap'))`)); err != nil {
		t.Fatal(err)
	}
	if err := waitTrue(`!document.getElementById('map').classList.contains('pm-offline') && document.getElementById('pm-notice').hidden`); err != nil {
		t.Errorf("choosing another basemap does not bring tiles back: %v", err)
	}
	if s := jsErrs.String(); s != "" {
		t.Errorf("uncaught JavaScript exceptions:\n%s", s)
	}
}

func mustFloat(s string) float64 {
	var f float64
	fmt.Sscan(s, &f)
	return f
}

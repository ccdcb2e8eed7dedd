package webtest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// phone turns the tab into a 390×844 phone with touch, before a load.
func phone(t *testing.T, ctx context.Context) {
	t.Helper()
	if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride,
		emulation.SetDeviceMetricsOverrideParams{Width: 390, Height: 844, DeviceScaleFactor: 2, Mobile: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetTouchEmulationEnabled, emulation.SetTouchEmulationEnabledParams{Enabled: true, MaxTouchPoints: 5}); err != nil {
		t.Fatal(err)
	}
}

// tap taps the page at a point (CSS pixels) as a finger would.
func tap(ctx context.Context, x, y float64) error {
	if _, err := chromedp.Call(ctx, input.DispatchTouchEvent, input.DispatchTouchEventParams{
		Type: input.DispatchTouchEventTypeTouchStart, TouchPoints: []*input.TouchPoint{{X: x, Y: y}}}); err != nil {
		return err
	}
	_, err := chromedp.Call(ctx, input.DispatchTouchEvent, input.DispatchTouchEventParams{
		Type: input.DispatchTouchEventTypeTouchEnd, TouchPoints: []*input.TouchPoint{}})
	return err
}

// waitStill waits until the map has not moved for 400 ms (a pan or a
// zoom animation moves the markers with it, so their place alone does
// not tell that it has ended).
func waitStill() chromedp.Action[chromedp.Void] {
	return poll[chromedp.Void](`(() => {
	  const m = projectmap.map, c = m.getCenter(), k = m.getZoom() + '/' + c.lat + '/' + c.lng, now = performance.now();
	  if (window.pmStillKey !== k) { window.pmStillKey = k; window.pmStillAt = now; return false }
	  return now - window.pmStillAt > 400 })()`, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(15*time.Second))
}

// popupText waits for an open popup and returns its text ("" if none opens).
func popupText(ctx context.Context) string {
	for range 30 {
		s, err := eval[string](ctx, `(() => { const p = document.querySelector('.leaflet-popup-content'); return p ? p.textContent : '' })()`)
		if err == nil && s != "" {
			return s
		}
		_ = chromedp.Do(ctx, chromedp.Sleep(50*time.Millisecond))
	}
	return ""
}

// linePointsJS picks points (page pixels) exactly on metro line 8, evenly
// along it, inside the map, at least 30 px from any other metro line and
// not under a marker, with the unit normal there: {x, y, nx, ny}.
const linePointsJS = `(() => {
  const map = projectmap.map, rect = map.getContainer().getBoundingClientRect();
  const lines = {};
  map.eachLayer((l) => { if (l instanceof L.Polyline && l.options.className && l.options.className.includes('pm-line')) {
    const id = l.getElement() && l.getElement().getAttribute('data-id'); if (id) lines[id] = l.getLatLngs().map((ll) => map.latLngToContainerPoint(ll)); } });
  const own = lines['metro-line-8'];
  if (!own) return [];
  const segDist = (p, a, b) => { const dx = b.x - a.x, dy = b.y - a.y, t = Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / (dx * dx + dy * dy || 1)));
    return Math.hypot(p.x - a.x - t * dx, p.y - a.y - t * dy) };
  const cands = [];
  for (let i = 0; i + 1 < own.length; i++) for (const f of [0.25, 0.5, 0.75]) {
    const a = own[i], b = own[i + 1], len = Math.hypot(b.x - a.x, b.y - a.y);
    if (len < 8) continue;
    const p = { x: a.x + f * (b.x - a.x), y: a.y + f * (b.y - a.y) };
    if (p.x < 30 || p.y < 30 || p.x > rect.width - 30 || p.y > rect.height - 30) continue;
    let far = true;
    for (const [id, pts] of Object.entries(lines)) if (id !== 'metro-line-8') for (let j = 0; j + 1 < pts.length; j++) if (segDist(p, pts[j], pts[j + 1]) < 30) far = false;
    if (!far) continue;
    const x = rect.left + p.x, y = rect.top + p.y, el = document.elementFromPoint(x, y);
    if (el && el.closest('.leaflet-marker-icon, .leaflet-control, .leaflet-tooltip')) continue;
    cands.push({ x, y, nx: -(b.y - a.y) / len, ny: (b.x - a.x) / len });
  }
  const step = Math.max(1, Math.floor(cands.length / 10));
  return cands.filter((_, i) => i % step === 0).slice(0, 10);
})()`

type linePoint struct{ X, Y, Nx, Ny float64 }

// On a phone: a tap on metro line 8, exactly on it or a finger's width
// off it, opens line 8's popup every time; the lines carry labels.
func TestPhoneLineTaps(t *testing.T) {
	exe := needBrowser(t)
	base := startServer(t)
	ctx, errs := browser(t, exe)
	phone(t, ctx)
	if err := load(ctx, base+"/#map=12/34.26000/108.94000&layers=metro-lines&date=2024-09-30&lang=zh"); err != nil {
		t.Fatal(err)
	}
	pts, err := eval[[]linePoint](ctx, linePointsJS)
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) < 10 {
		t.Fatalf("want 10 points along metro line 8 clear of other lines and markers, got %d", len(pts))
	}
	for _, off := range []float64{0, 8, -8} {
		for i, p := range pts {
			// A popup pans the map to fit: put the view back first.
			if err := chromedp.Do(ctx, js(`projectmap.map.closePopup()`), js(`projectmap.map.setView([34.26, 108.94], 12, { animate: false })`),
				chromedp.Sleep(350*time.Millisecond)); err != nil {
				t.Fatal(err)
			}
			x, y := p.X+off*p.Nx, p.Y+off*p.Ny
			if err := tap(ctx, x, y); err != nil {
				t.Fatal(err)
			}
			if got := popupText(ctx); !strings.Contains(got, "地铁8号环线") {
				t.Errorf("tap %d at (%.0f, %.0f), %+.0f px off line 8: want line 8's popup, got %q", i, x, y, off, first(got, 60))
			}
		}
	}
	labels, err := eval[[]string](ctx, `[...document.querySelectorAll('.pm-linelabel')].filter((e) => e.offsetWidth > 0).map((e) => e.textContent)`)
	if err != nil {
		t.Fatal(err)
	}
	if !contains(labels, "8号线") || !contains(labels, "10号线") {
		t.Errorf("metro line labels at z12: got %q, want 8号线 and 10号线 among them", labels)
	}
	if s := errs.String(); s != "" {
		t.Errorf("JavaScript errors:\n%s", s)
	}
}

func first(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

type samePlace struct {
	Count  int     `json:"count"`
	Zoom   float64 `json:"zoom"`
	Others int     `json:"others"`
	X      float64 `json:"x"`
	Y      float64 `json:"y"`
}

// On a phone: a search for a site known only to its town flies no closer
// than the town level (z13), and the sites at that town's centroid are
// one marker whose popup lists them all (as many as the API has there).
func TestPhoneTownSite(t *testing.T) {
	exe := needBrowser(t)
	base := startServer(t)
	const date = "2024-09-30"
	var site feature
	at := map[string]int{}
	for _, f := range layerItems(t, base, "old-communities", date).Features {
		at[string(f.Geometry.Coordinates)]++
		if f.Properties["name"] == "任韩小区" {
			site = f
		}
	}
	if site.ID == "" || site.Properties["precision"] != "town" {
		t.Fatalf("任韩小区: want a town-precision site in old-communities, got %+v", site.Properties)
	}
	want := at[string(site.Geometry.Coordinates)]
	if want < 2 {
		t.Fatalf("任韩小区 shares its point with %d sites; the test needs several", want)
	}
	ctx, errs := browser(t, exe)
	phone(t, ctx)
	if err := load(ctx, base+"/#date="+date+"&lang=zh"); err != nil {
		t.Fatal(err)
	}
	err := chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("pm-btn-projects")),
		chromedp.SendKeys(chromedp.ID("pm-search"), "任韩小区"),
		poll[chromedp.Void](`!!document.querySelector('#pm-results .pm-site[data-fid]')`, chromedp.WithPollingTimeout(20*time.Second)),
		js(`document.querySelector('#pm-results .pm-site[data-fid]').click()`),
		poll[chromedp.Void](`!!document.querySelector('.leaflet-popup-content .pm-pop')`, chromedp.WithPollingTimeout(20*time.Second)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := popupText(ctx); !strings.Contains(got, "任韩小区") {
		t.Fatalf("the search result opened %q, want 任韩小区's popup", first(got, 80))
	}
	var c [2]float64
	if err := json.Unmarshal(site.Geometry.Coordinates, &c); err != nil {
		t.Fatal(err)
	}
	// The popup pans the map to fit: wait until the pan has ended (the
	// drawn marker sits where the map says the point is).
	if err := chromedp.Do(ctx, poll[chromedp.Void](fmt.Sprintf(`(() => {
	  const map = projectmap.map, rect = map.getContainer().getBoundingClientRect(), pt = map.latLngToContainerPoint([%f, %f]);
	  const g = [...document.querySelectorAll('.pm-samepos[data-layer="old-communities"]')].find((e) => { const r = e.getBoundingClientRect();
	    return Math.hypot(r.left + r.width / 2 - rect.left - pt.x, r.top + r.height / 2 - rect.top - pt.y) < 2 });
	  return !!g })()`, c[1], c[0]), chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Errorf("no shared marker drawn at 任韩小区's point: %v", err)
	}
	if err := chromedp.Do(ctx, waitStill()); err != nil {
		t.Fatal(err)
	}
	sp, err := eval[samePlace](ctx, fmt.Sprintf(`(() => {
	  const map = projectmap.map, ll = L.latLng(%f, %f), rect = map.getContainer().getBoundingClientRect();
	  const pt = map.latLngToContainerPoint(ll);
	  const els = [...document.querySelectorAll('.leaflet-marker-icon[data-layer="old-communities"]')].filter((e) => {
	    const r = e.getBoundingClientRect(); return Math.hypot(r.left + r.width / 2 - rect.left - pt.x, r.top + r.height / 2 - rect.top - pt.y) < 2 });
	  const g = els.find((e) => e.classList.contains('pm-samepos'));
	  return { zoom: map.getZoom(), count: g ? Number(g.dataset.count) : 0, others: els.length - (g ? 1 : 0), x: rect.left + pt.x, y: rect.top + pt.y };
	})()`, c[1], c[0]))
	if err != nil {
		t.Fatal(err)
	}
	if sp.Zoom != 13 {
		t.Errorf("flying to a town-precision site: zoom %v, want 13 (the town level)", sp.Zoom)
	}
	if sp.Count != want || sp.Others != 0 {
		t.Errorf("at 任韩小区's point: one marker of %d sites and %d other markers, want one of %d (the API's) and none other", sp.Count, sp.Others, want)
	}
	// The marker stays put with the map while it pans, so wait for the
	// pan to end too before tapping where the marker is.
	if err := chromedp.Do(ctx, js(`projectmap.map.closePopup()`), chromedp.Sleep(350*time.Millisecond), waitStill()); err != nil {
		t.Fatal(err)
	}
	if err := tap(ctx, sp.X, sp.Y); err != nil {
		t.Fatal(err)
	}
	// A loaded machine may take a while to turn the tap into a click.
	listed := poll[chromedp.Void](`document.querySelectorAll('.leaflet-popup-content .pm-samepos-site').length > 0`, chromedp.WithPollingTimeout(10*time.Second))
	if err := chromedp.Do(ctx, listed); err != nil {
		t.Fatalf("tapping the shared marker at %.0f,%.0f opened no list of sites (popup: %q): %v", sp.X, sp.Y, first(popupText(ctx), 80), err)
	}
	n, err := eval[int](ctx, `document.querySelectorAll('.leaflet-popup-content .pm-samepos-site').length`)
	if err != nil || n != want {
		t.Errorf("the shared marker's popup lists %d sites (%v), want %d", n, err, want)
	}
	// A site in the list opens its own popup.
	if err := chromedp.Do(ctx, js(`[...document.querySelectorAll('.pm-samepos-site')].find((b) => b.textContent === '任韩小区').click()`),
		poll[chromedp.Void](`!!document.querySelector('.leaflet-popup-content .pm-pop')`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatal(err)
	}
	if got := popupText(ctx); !strings.Contains(got, "任韩小区") {
		t.Errorf("the list's 任韩小区 opened %q", first(got, 80))
	}
	if s := errs.String(); s != "" {
		t.Errorf("JavaScript errors:\n%s", s)
	}
}

package webtest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// activeJS describes document.activeElement for a failure message.
const activeJS = `(() => { const a = document.activeElement; if (!a) return 'none';
  return a.tagName.toLowerCase() + (a.id ? '#' + a.id : '') + (typeof a.className === 'string' && a.className ? '.' + a.className.trim().split(/\s+/).join('.') : '') +
    (a.getAttribute('aria-label') ? ' [' + a.getAttribute('aria-label') + ']' : '') })()`

// focusIs reports whether document.activeElement matches a CSS selector.
func focusIs(ctx context.Context, sel string) bool {
	ok, err := eval[bool](ctx, fmt.Sprintf(`!!document.activeElement && document.activeElement.matches(%q)`, sel))
	return err == nil && ok
}

// press sends real key events (keydown, char, keyup) to the page.
func press(t *testing.T, ctx context.Context, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if err := chromedp.Do(ctx, chromedp.KeyEvent(k)); err != nil {
			t.Fatalf("pressing %q: %v", k, err)
		}
	}
}

// wantFocus fails unless focus is (within a few seconds) on sel.
func wantFocus(t *testing.T, ctx context.Context, step, sel string) {
	t.Helper()
	for range 60 {
		if focusIs(ctx, sel) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	got, _ := eval[string](ctx, activeJS)
	t.Fatalf("%s: focus on %s, want %s", step, got, sel)
}

// tabTo presses Tab until focus is on sel (at most max times).
func tabTo(t *testing.T, ctx context.Context, step, sel string, max int) {
	t.Helper()
	tabUntil(t, ctx, step, fmt.Sprintf(`document.activeElement.matches(%q)`, sel), max)
}

// tabUntil presses Tab until cond (JavaScript) holds (at most max times).
func tabUntil(t *testing.T, ctx context.Context, step, cond string, max int) {
	t.Helper()
	for range max {
		press(t, ctx, kb.Tab)
		if ok, err := eval[bool](ctx, "!!document.activeElement && ("+cond+")"); err == nil && ok {
			return
		}
	}
	got, _ := eval[string](ctx, activeJS)
	t.Fatalf("%s: %d Tabs did not reach %s (focus on %s)", step, max, cond, got)
}

func waitJS(ctx context.Context, cond string) error {
	return chromedp.Do(ctx, poll[chromedp.Void](cond, chromedp.WithPollingTimeout(20*time.Second), chromedp.WithPollingInterval(50*time.Millisecond)))
}

const markerSel = `.pm-feature[role="button"]`

// Keyboard-only journeys, with real key events: the skip links, a marker's
// popup opened with Enter and closed with Escape, a cluster zoomed with
// Space and with Enter, the date changed with the arrow keys, the panel's
// tabs, a project opened from the list, the district table.
func TestKeyboardJourneys(t *testing.T) {
	exe := needBrowser(t)
	base := startServer(t)
	sites := layerItems(t, base, "schools", "2024-09-30").Features
	if len(sites) == 0 {
		t.Fatal("no schools on 2024-09-30")
	}
	var ll [2]float64
	if err := json.Unmarshal(sites[0].Geometry.Coordinates, &ll); err != nil {
		t.Fatalf("school %s: %v", sites[0].ID, err)
	}

	t.Run("marker popup with Enter", func(t *testing.T) {
		ctx, errs := browser(t, exe)
		if err := load(ctx, fmt.Sprintf("%s/#map=17/%.5f/%.5f&layers=schools&date=2024-09-30", base, ll[1], ll[0])); err != nil {
			t.Fatal(err)
		}
		press(t, ctx, kb.Tab)
		wantFocus(t, ctx, "first Tab", `button.pm-skip[data-skip="map"]`)
		press(t, ctx, kb.Enter)
		wantFocus(t, ctx, "skip link to the map", `#map`)
		tabTo(t, ctx, "Tab to a marker", markerSel, 40)
		marker, _ := eval[string](ctx, `document.activeElement.dataset.layer + '/' + document.activeElement.dataset.id`)
		name, _ := eval[string](ctx, `document.activeElement.getAttribute('aria-label')`)
		checkMarkerName(t, marker, name)
		press(t, ctx, kb.Enter)
		if err := waitJS(ctx, `!!document.querySelector('.leaflet-popup-content .pm-pop')`); err != nil {
			t.Fatalf("Enter on marker %s opened no popup: %v", marker, err)
		}
		wantFocus(t, ctx, "popup opened", `.leaflet-popup-content`)
		press(t, ctx, kb.Escape)
		if err := waitJS(ctx, `!document.querySelector('.leaflet-popup-content .pm-pop')`); err != nil {
			t.Fatalf("Escape did not close the popup: %v", err)
		}
		wantFocus(t, ctx, "popup closed", fmt.Sprintf(`.pm-feature[data-id=%q]`, sites0ID(marker)))
		if e := errs.String(); e != "" {
			t.Errorf("JavaScript errors:\n%s", e)
		}
	})

	// At zoom 7 a big cluster holds places far apart: it zooms. At zoom 9
	// the first clusters hold places at one point: they spread instead.
	for _, key := range []struct {
		name, key string
		zoom, min int
		mustZoom  bool
	}{{"Enter", kb.Enter, 7, 20, true}, {"Space", " ", 7, 20, true}, {"Space", " ", 9, 3, false}} {
		t.Run(fmt.Sprintf("cluster zoom with %s at %d", key.name, key.zoom), func(t *testing.T) {
			ctx, _ := browser(t, exe)
			if err := load(ctx, fmt.Sprintf("%s/#map=%d/34.26000/108.94000&layers=schools&date=2024-09-30", base, key.zoom)); err != nil {
				t.Fatal(err)
			}
			if err := waitJS(ctx, `!!document.querySelector('.pm-cluster')`); err != nil {
				t.Fatalf("no cluster at zoom %d: %v", key.zoom, err)
			}
			press(t, ctx, kb.Tab, kb.Enter)
			wantFocus(t, ctx, "skip link to the map", `#map`)
			// A cluster of several places (a cluster of places at one
			// point spiderfies instead of zooming).
			tabUntil(t, ctx, "Tab to a cluster", `document.activeElement.matches('.pm-cluster') && Number(document.activeElement.dataset.count) >= `+fmt.Sprint(key.min), 80)
			z0, _ := eval[float64](ctx, `projectmap.map.getZoom()`)
			if _, err := eval[bool](ctx, `(window.__cluster = document.activeElement, true)`); err != nil {
				t.Fatal(err)
			}
			press(t, ctx, key.key)
			// Places at one point spiderfy (the cluster fades to 0.3) instead.
			if err := waitJS(ctx, fmt.Sprintf(`projectmap.map.getZoom() > %v || window.__cluster.style.opacity === '0.3'`, z0)); err != nil {
				t.Fatalf("%s on a cluster neither zoomed in from %v nor spread its places: %v", key.name, z0, err)
			}
			z1, _ := eval[float64](ctx, `projectmap.map.getZoom()`)
			t.Logf("%s on a cluster: zoom %v → %v", key.name, z0, z1)
			if key.mustZoom && z1 <= z0 {
				t.Errorf("%s on a cluster of places far apart: zoom %v → %v, want it to zoom in", key.name, z0, z1)
			}
			wantFocus(t, ctx, "after the zoom", markerSel+`, .pm-cluster`)
		})
	}

	t.Run("date from the skip link", func(t *testing.T) {
		ctx, _ := browser(t, exe)
		if err := load(ctx, base+"/#date=2024-06-30"); err != nil {
			t.Fatal(err)
		}
		press(t, ctx, kb.Tab, kb.Tab)
		wantFocus(t, ctx, "second Tab", `button.pm-skip[data-skip="pm-slider"]`)
		press(t, ctx, kb.Enter)
		wantFocus(t, ctx, "skip link to the date", `#pm-slider`)
		d0, _ := eval[string](ctx, `projectmap.state().date`)
		press(t, ctx, kb.ArrowRight)
		if err := waitJS(ctx, fmt.Sprintf(`projectmap.state().date > %q && document.getElementById('pm-date').value === projectmap.state().date`, d0)); err != nil {
			d, _ := eval[string](ctx, `projectmap.state().date`)
			t.Fatalf("ArrowRight on the slider: date %s, want after %s", d, d0)
		}
		press(t, ctx, kb.ArrowLeft)
		if err := waitJS(ctx, fmt.Sprintf(`projectmap.state().date === %q`, d0)); err != nil {
			t.Fatalf("ArrowLeft did not go back to %s", d0)
		}
		wantFocus(t, ctx, "after the arrows", `#pm-slider`)
	})

	t.Run("project from the list", func(t *testing.T) {
		ctx, _ := browser(t, exe)
		if err := load(ctx, base+"/#date=2024-09-30"); err != nil {
			t.Fatal(err)
		}
		tabTo(t, ctx, "Tab to 项目", `#pm-btn-projects`, 6)
		if open, _ := eval[bool](ctx, `!document.getElementById('pm-panel').hidden`); !open {
			press(t, ctx, kb.Enter)
		}
		if err := waitJS(ctx, `!document.getElementById('pm-panel').hidden && document.querySelectorAll('#pm-results button[data-project]').length > 0`); err != nil {
			t.Fatalf("Enter on 项目 did not open the list: %v", err)
		}
		tabTo(t, ctx, "Tab to the tabs", `#pm-tab-projects`, 12)
		press(t, ctx, kb.ArrowRight)
		wantFocus(t, ctx, "ArrowRight on the tabs", `#pm-tab-layers[aria-selected="true"][tabindex="0"]`)
		if ok, _ := eval[bool](ctx, `!document.getElementById('pm-sec-layers').hidden && document.getElementById('pm-sec-projects').hidden`); !ok {
			t.Errorf("ArrowRight selected the layers tab but its panel is not shown")
		}
		press(t, ctx, kb.ArrowLeft)
		wantFocus(t, ctx, "ArrowLeft on the tabs", `#pm-tab-projects[aria-selected="true"]`)
		tabTo(t, ctx, "Tab to a project", `#pm-results button[data-project]`, 60)
		n, _ := eval[string](ctx, `document.activeElement.dataset.project`)
		press(t, ctx, kb.Enter)
		if err := waitJS(ctx, fmt.Sprintf(`!document.getElementById('pm-card').hidden && projectmap.state().project == %s`, n)); err != nil {
			t.Fatalf("Enter on project %s did not open it: %v", n, err)
		}
		wantFocus(t, ctx, "project opened", `#pm-card`)
	})

	t.Run("search result opens a popup", func(t *testing.T) {
		ctx, _ := browser(t, exe)
		if err := load(ctx, base+"/#date=2024-09-30&layers=schools"); err != nil {
			t.Fatal(err)
		}
		tabTo(t, ctx, "Tab to the search box", `#pm-search`, 20)
		name, _ := sites[0].Properties["name"].(string)
		if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("pm-search"), name)); err != nil {
			t.Fatal(err)
		}
		if err := waitJS(ctx, `!!document.querySelector('#pm-results button[data-fid]')`); err != nil {
			t.Fatalf("searching %q found no site: %v", name, err)
		}
		tabTo(t, ctx, "Tab to the first site found", `#pm-results button[data-fid]`, 80)
		press(t, ctx, kb.Enter)
		if err := waitJS(ctx, `!!document.querySelector('.leaflet-popup-content .pm-pop')`); err != nil {
			t.Fatalf("Enter on a search result opened no popup: %v", err)
		}
		wantFocus(t, ctx, "popup from a search result", `.leaflet-popup-content`)
	})

	t.Run("district table", func(t *testing.T) {
		ctx, _ := browser(t, exe)
		if err := load(ctx, base+"/#date=2024-09-30&layers=schools"); err != nil {
			t.Fatal(err)
		}
		tabTo(t, ctx, "Tab to 表格", `#pm-btn-table`, 10)
		press(t, ctx, kb.Enter)
		wantFocus(t, ctx, "table opened", `#pm-table-close`)
		got, err := eval[tableCount](ctx, tableCountJS)
		if err != nil {
			t.Fatal(err)
		}
		if got.Total != len(sites) || got.Rows < 2 {
			t.Errorf("district table: %d rows, total %d places, want several rows and the %d schools the API gives", got.Rows, got.Total, len(sites))
		}
		press(t, ctx, kb.Escape)
		wantFocus(t, ctx, "table closed", `#pm-btn-table`)

		// The table counts what the map draws: every layer shown, and only
		// the status the filter keeps (the embedded data has no reports, so
		// 已完成 keeps nothing, and the table says so).
		two := len(sites) + len(layerItems(t, base, "old-communities", "2024-09-30").Features)
		completed := len(layerItems(t, base, "schools", "2024-09-30&status=completed").Features)
		for _, c := range []struct {
			hash string
			want int
		}{{"layers=schools,old-communities", two}, {"layers=schools&status=completed", completed}} {
			if err := load(ctx, base+"/#date=2024-09-30&lang=en&"+c.hash); err != nil {
				t.Fatal(err)
			}
			if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("pm-btn-table")), chromedp.WaitVisible(chromedp.ID("pm-table-close"))); err != nil {
				t.Fatal(err)
			}
			got, _ = eval[tableCount](ctx, tableCountJS)
			empty, _ := eval[bool](ctx, `document.getElementById('pm-table-body').textContent.includes('No places on the map')`)
			if got.Total != c.want || (c.want == 0) != empty {
				t.Errorf("table for #%s: total %d (empty message %v), want %d (the API's)", c.hash, got.Total, empty, c.want)
			}
		}
	})
}

// sites0ID is the feature id of "layer/id".
func sites0ID(s string) string {
	for i := range len(s) {
		if s[i] == '/' {
			return s[i+1:]
		}
	}
	return s
}

type tableCount struct {
	Rows  int `json:"rows"`
	Total int `json:"total"`
}

const tableCountJS = `(() => { const tb = document.querySelector('#pm-table-dlg table');
  if (!tb) return {rows: 0, total: 0};
  return {rows: tb.tBodies[0].rows.length, total: Number(tb.tFoot.rows[0].cells[1].textContent)} })()`

// checkMarkerName wants a marker's accessible name to say its tracking
// status and its precision in words.
func checkMarkerName(t *testing.T, marker, name string) {
	t.Helper()
	words := map[string]string{}
	for k, v := range statusWords {
		words[k] = v
	}
	words["unreported"] = "尚无报告"
	status, precision := false, false
	for _, w := range words {
		status = status || strings.Contains(name, w)
	}
	for _, w := range precisionWords {
		precision = precision || strings.Contains(name, w)
	}
	if !status || !precision {
		t.Errorf("marker %s is named %q: want its status (e.g. 尚无报告) and its precision in words", marker, name)
	}
}

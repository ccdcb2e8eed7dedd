package webtest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"projectmap/internal/api"
)

// articleServer serves the real handler and, at /article.html, a news
// article with the embed code the test pastes into it: an article page of
// its own, without the map's CSP, so that the snippet's inline script runs
// as it would on a newspaper's site.
type articleServer struct {
	mu   sync.Mutex
	code string
}

func (a *articleServer) set(code string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.code = code
}

func (a *articleServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	code := a.code
	a.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, `<!doctype html><html><head><meta charset="utf-8"><title>Article</title></head>
<body style="margin:0"><p>Article text.</p><div id="article" style="width:800px">%s</div><p>More text.</p>
<script>window.heights = []; addEventListener('message', (e) => { if (e.data && e.data.type === 'projectmap:height') heights.push(e.data.height) })</script>
</body></html>`, code)
}

// startArticleServer serves the map with a basemap, and the article.
func startArticleServer(t *testing.T, basemap api.Basemap, art *articleServer) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/", handlerWith(t, basemap))
	mux.Handle("/article.html", art)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

// hashParams splits a URL hash into its keys and values.
func hashParams(hash string) map[string]string {
	out := map[string]string{}
	for _, part := range strings.Split(strings.TrimPrefix(hash, "#"), "&") {
		if k, v, ok := strings.Cut(part, "="); ok {
			out[k] = v
		}
	}
	return out
}

// walkCoords calls fn for every position of a GeoJSON geometry.
func walkCoords(raw json.RawMessage, fn func(lon, lat float64)) {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return
	}
	var walk func(any)
	walk = func(x any) {
		a, ok := x.([]any)
		if !ok || len(a) == 0 {
			return
		}
		if lon, ok := a[0].(float64); ok && len(a) >= 2 {
			fn(lon, a[1].(float64))
			return
		}
		for _, y := range a {
			walk(y)
		}
	}
	walk(v)
}

// fetched is what a download link answered.
type fetched struct {
	status int
	ctype  string
	body   []byte
}

func fetch(t *testing.T, u string) fetched {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	return fetched{res.StatusCode, res.Header.Get("Content-Type"), b}
}

// dlLink is a download link as the page shows it.
type dlLink struct {
	Href     string `json:"href"`
	Format   string `json:"format"`
	Label    string `json:"label"`
	Text     string `json:"text"`
	Download bool   `json:"download"`
	Tab      int    `json:"tab"`
	Shown    bool   `json:"shown"`
}

// linksJS lists the download links under a selector (in doc, a
// document expression).
func linksJS(doc, sel string) string {
	return fmt.Sprintf(`[...%s.querySelectorAll(%q)].map((a) => ({
	  href: a.href, format: a.dataset.format || '', label: a.getAttribute('aria-label') || '', text: a.textContent,
	  download: a.hasAttribute('download'), tab: a.tabIndex, shown: a.getClientRects().length > 0,
	}))`, doc, sel)
}

// checkDownloads fetches every link: 200, the format's media type, and
// for GeoJSON the features wanted (when want >= 0).
func checkDownloads(t *testing.T, where string, links []dlLink, wantLabel string, want int) {
	t.Helper()
	if len(links) == 0 {
		t.Errorf("%s: no download link", where)
		return
	}
	for _, l := range links {
		if !l.Download || l.Tab < 0 || !strings.Contains(l.Label, wantLabel) || !strings.Contains(l.Label, l.Text) {
			t.Errorf("%s: link %q (%s): download %v, tabIndex %d, label %q; want download, keyboard reachable, a label naming %q and the format",
				where, l.Text, l.Href, l.Download, l.Tab, l.Label, wantLabel)
		}
		got := fetch(t, l.Href)
		wantType := map[string]string{"csv": "text/csv", "json": "application/geo+json"}[l.Format]
		if got.status != http.StatusOK || wantType == "" || !strings.HasPrefix(got.ctype, wantType) {
			t.Errorf("%s: %s answered %d %q, want 200 %s", where, l.Href, got.status, got.ctype, wantType)
			continue
		}
		if l.Format == "json" && want >= 0 {
			var fc items
			if err := json.Unmarshal(got.body, &fc); err != nil || len(fc.Features) != want {
				t.Errorf("%s: %s has %d features (%v), want %d", where, l.Href, len(fc.Features), err, want)
			}
		}
	}
}

// The story: a reporter embeds one project (汉长安城遗址区供水工程, four
// layers, one split by geometry) on a date; the article shows that
// project only, framed on it, with a readable badge and downloads.
func TestEmbedStory(t *testing.T) {
	exe := needBrowser(t)
	art := &articleServer{}
	// A basemap that never loads: the full map says so in a notice, which
	// must not cover the embed's badge.
	base := startArticleServer(t, api.Basemap{URL: "http://127.0.0.1:9/{z}/{x}/{y}.png", Attribution: "test tiles"}, art)
	ctx, errs := browser(t, exe)
	const (
		date    = "2024-09-30"
		project = 10
	)
	var pr struct {
		Projects []struct {
			Number      int      `json:"number"`
			Collections []string `json:"collections"`
		} `json:"projects"`
	}
	getJSON(t, base+"/api/projects?asof="+date, &pr)
	var layers []string
	for _, p := range pr.Projects {
		if p.Number == project {
			layers = p.Collections
		}
	}
	if len(layers) < 2 {
		t.Fatalf("project %d has layers %v; the test wants several", project, layers)
	}
	var colls struct {
		Collections []struct {
			ID    string `json:"id"`
			Group string `json:"group"`
		} `json:"collections"`
	}
	getJSON(t, base+"/ogc/collections", &colls)
	want := map[string]items{}
	for _, id := range layers {
		var it items
		getJSON(t, fmt.Sprintf("%s/ogc/collections/%s/items?limit=10000&asof=%s&project=%d", base, id, date, project), &it)
		want[id] = it
	}

	if err := load(ctx, base+"/#map=12/34.26000/108.94000&layers=metro-lines,schools&date="+date+"&lang=zh"); err != nil {
		t.Fatal(err)
	}
	err := chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("pm-btn-embed")),
		chromedp.WaitVisible(chromedp.ID("pm-embed-code")),
		js(fmt.Sprintf(`(() => {
		  document.getElementById('pm-embed-what-project').click();
		  const s = document.getElementById('pm-embed-project');
		  s.value = '%d';
		  s.dispatchEvent(new Event('change', {bubbles: true}));
		})()`, project)),
		chromedp.Poll[chromedp.Void](fmt.Sprintf(`document.getElementById('pm-embed-code').value.includes('project=%d&')`, project),
			chromedp.WithPollingTimeout(30*time.Second)),
	)
	if err != nil {
		t.Fatalf("choosing project %d in the embed dialog: %v", project, err)
	}
	type parsed struct {
		Code    string `json:"code"`
		Src     string `json:"src"`
		Title   string `json:"title"`
		Script  string `json:"script"`
		Img     string `json:"img"`
		Alt     string `json:"alt"`
		Frame   string `json:"frame"`
		Hidden  string `json:"hidden"`
		Scripts int    `json:"scripts"`
	}
	// DOMParser parses without scripting, so <noscript> holds elements.
	const parseCode = `(() => {
	  const code = document.getElementById('pm-embed-code').value;
	  const d = new DOMParser().parseFromString(code, 'text/html');
	  const f = d.querySelector('iframe'), img = d.querySelector('noscript img'), st = d.querySelector('noscript style');
	  return { code, src: f ? f.getAttribute('src') : '', title: f ? f.title : '', script: [...d.querySelectorAll('script')].map((s) => s.textContent).join('\n'),
	    scripts: d.querySelectorAll('script').length, img: img ? img.getAttribute('src') : '', alt: img ? img.alt : '', frame: f ? f.id : '', hidden: st ? st.textContent : '' };
	})()`
	sn, err := eval[parsed](ctx, parseCode)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("embed code:\n%s", sn.Code)

	// The address carries exactly the options: a bbox (no centre and
	// zoom), the project's layers, the date, the project and the language.
	src, err := url.Parse(sn.Src)
	if err != nil || src.Scheme+"://"+src.Host != base || src.Path != "/embed" {
		t.Fatalf("iframe src %q (%v), want %s/embed#…", sn.Src, err, base)
	}
	hp := hashParams(src.Fragment)
	// The hash names a split layer by its group (the map shows the two as one).
	var heads []string
	for _, c := range colls.Collections {
		if slices.Contains(layers, c.ID) && c.Group == "" {
			heads = append(heads, c.ID)
		}
	}
	if _, ok := hp["map"]; ok || hp["date"] != date || hp["project"] != strconv.Itoa(project) || hp["lang"] != "zh" || hp["embed"] != "1" || hp["status"] != "" {
		t.Errorf("embed hash %q: want no map=, date=%s, project=%d, lang=zh, embed=1 and no status", src.Fragment, date, project)
	}
	if got := strings.Split(hp["layers"], ","); !sameSet(got, heads) {
		t.Errorf("embed layers %v, want the project's %v", got, heads)
	}
	var bb [4]float64
	for i, v := range strings.Split(hp["bbox"], ",") {
		if i < 4 {
			bb[i], _ = strconv.ParseFloat(v, 64)
		}
	}
	// The frame holds every site of the project (to the 5 decimals kept).
	n := 0
	for _, it := range want {
		for _, f := range it.Features {
			walkCoords(f.Geometry.Coordinates, func(lon, lat float64) {
				n++
				if lon < bb[0]-1e-5 || lon > bb[2]+1e-5 || lat < bb[1]-1e-5 || lat > bb[3]+1e-5 {
					t.Errorf("site %s at %.5f,%.5f is outside the frame %v", f.ID, lon, lat, bb)
				}
			})
		}
	}
	if n == 0 || bb[2]-bb[0] <= 0 || bb[3]-bb[1] <= 0 || bb[2]-bb[0] > 2 {
		t.Errorf("frame %v for %d positions: want a small box around the project", bb, n)
	}
	if !strings.Contains(sn.Script, "projectmap:height") || !strings.Contains(sn.Script, "e.source===f.contentWindow") || sn.Scripts != 1 || !strings.Contains(sn.Script, sn.Frame) {
		t.Errorf("snippet script %q: want one listener for projectmap:height from its own iframe #%s", sn.Script, sn.Frame)
	}
	if !strings.Contains(sn.Title, date) || !strings.Contains(sn.Alt, date) || !strings.Contains(sn.Hidden, "#"+sn.Frame) {
		t.Errorf("iframe title %q, img alt %q, noscript style %q", sn.Title, sn.Alt, sn.Hidden)
	}
	// The static map of the noscript image answers.
	img, err := url.Parse(sn.Img)
	if err != nil || !strings.HasPrefix(sn.Img, base+"/static/") || img.Query().Get("size") != "1200x675" || img.Query().Get("asof") != date || img.Query().Get("lang") != "zh" || img.Query().Get("bbox") != hp["bbox"] {
		t.Errorf("noscript image %q: want %s/static/{layers}.png with the frame's bbox, size 1200x675, asof and lang", sn.Img, base)
	} else if got := fetch(t, sn.Img); got.status != http.StatusOK || got.ctype != "image/png" {
		t.Errorf("noscript image %s answered %d %q: %s", sn.Img, got.status, got.ctype, got.body)
	}

	testEmbedOptions(t, ctx, base, date)
	testEmbedPreview(t, ctx)

	// The article.
	art.set(sn.Code)
	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/article.html"),
		chromedp.Poll[chromedp.Void](`(() => {
		  const f = document.querySelector('#article iframe'), d = f && f.contentDocument;
		  return !!d && !!d.documentElement && d.documentElement.dataset.ready === '1' && d.documentElement.dataset.busy !== '1' &&
		    d.getElementById('map').classList.contains('pm-offline');
		})()`, chromedp.WithPollingTimeout(30*time.Second), chromedp.WithPollingInterval(50*time.Millisecond)),
	)
	if err != nil {
		t.Fatalf("the article's embed did not load (or its basemap did not fail): %v\n%s", err, errs)
	}
	// The frame takes the height the embed reports.
	err = chromedp.Do(ctx, chromedp.Poll[chromedp.Void](`(() => {
	  const f = document.querySelector('#article iframe'), h = Number(f.contentDocument.documentElement.dataset.reportedHeight);
	  return h > 0 && Math.abs(f.getBoundingClientRect().height - h) < 0.5 && heights.includes(h);
	})()`, chromedp.WithPollingTimeout(10*time.Second)))
	type frameState struct {
		FrameW   float64            `json:"frameW"`
		FrameH   float64            `json:"frameH"`
		Reported float64            `json:"reported"`
		Heights  []float64          `json:"heights"`
		Drawn    map[string]int     `json:"drawn"`
		Layers   []string           `json:"layers"`
		Badge    string             `json:"badge"`
		Cover    string             `json:"cover"`
		Notice   bool               `json:"notice"`
		Bounds   map[string]float64 `json:"bounds"`
	}
	const readFrame = `(() => {
	  const f = document.querySelector('#article iframe'), w = f.contentWindow, d = f.contentDocument, r = f.getBoundingClientRect();
	  const drawn = {};
	  for (const c of %s) drawn[c] = w.projectmap.drawn(c);
	  const b = d.querySelector('.pm-ebadge'), br = b.getBoundingClientRect();
	  const at = d.elementFromPoint(br.left + br.width / 2, br.top + br.height / 2);
	  const n = d.getElementById('pm-notice'), m = w.projectmap.map.getBounds();
	  return { frameW: r.width, frameH: r.height, reported: Number(d.documentElement.dataset.reportedHeight), heights: window.heights, drawn,
	    layers: [...new Set([...d.querySelectorAll('.pm-feature[data-layer]')].map((e) => e.dataset.layer))],
	    badge: br.width > 0 && br.height > 0 ? b.textContent : '', cover: at ? (at.closest('.pm-ebadge') ? 'badge' : at.id || at.className) : 'none',
	    notice: !n.hidden && n.getClientRects().length > 0,
	    bounds: { w: m.getWest(), s: m.getSouth(), e: m.getEast(), n: m.getNorth() } };
	})()`
	var all []string
	for _, c := range colls.Collections {
		all = append(all, c.ID)
	}
	allJSON, _ := json.Marshal(all)
	fs, ferr := eval[frameState](ctx, fmt.Sprintf(readFrame, allJSON))
	if ferr != nil {
		t.Fatal(ferr)
	}
	if err != nil || fs.Reported <= 0 || math.Abs(fs.FrameH-fs.Reported) >= 0.5 || fs.FrameW != 800 {
		t.Errorf("article frame %.1f×%.1f, embed reported %.0f (messages %v): want 800 wide and as high as reported (%v)", fs.FrameW, fs.FrameH, fs.Reported, fs.Heights, err)
	}
	if want := math.Round(800 * 0.66); fs.Reported != want {
		t.Errorf("the embed reported %.0f px at 800 px wide, want %.0f (3:2)", fs.Reported, want)
	}
	// Only the project's sites: as many as the API has for it, in its
	// layers, and nothing of any other layer but the district base.
	for _, id := range all {
		w := 0
		if it, ok := want[id]; ok {
			w = len(it.Features)
		}
		if id == "districts" {
			continue
		}
		if fs.Drawn[id] != w {
			t.Errorf("the embed drew %d features of %s, want %d (the API's for project %d)", fs.Drawn[id], id, w, project)
		}
	}
	for _, l := range fs.Layers {
		if l != "districts" && !slices.Contains(layers, l) {
			t.Errorf("the embed shows features of layer %s, not of project %d", l, project)
		}
	}
	// Framed on the project, not on the view the code was made from.
	if fs.Bounds["w"] > bb[0]+1e-4 || fs.Bounds["e"] < bb[2]-1e-4 || fs.Bounds["s"] > bb[1]+1e-4 || fs.Bounds["n"] < bb[3]-1e-4 {
		t.Errorf("the embed's view %v does not hold the frame %v", fs.Bounds, bb)
	}
	// The badge is readable: shown, and on top at its centre, with no
	// notice although the basemap failed.
	if !strings.Contains(fs.Badge, "数据日期 "+date) || fs.Cover != "badge" || fs.Notice {
		t.Errorf("badge %q, element at its centre %q, notice shown %v: want the badge with 数据日期 %s on top and no notice", fs.Badge, fs.Cover, fs.Notice, date)
	}
	saveShot(t, ctx, "embed-story-article.png")

	// 获取数据: the shown layers' files, of the project only.
	var frameLinks []dlLink
	frameLinks, err = eval[[]dlLink](ctx, linksJS(`document.querySelector('#article iframe').contentDocument`, ".pm-ebadge .pm-getdata a.pm-dl-link"))
	if err != nil {
		t.Fatal(err)
	}
	if len(frameLinks) != 2*len(layers) {
		t.Errorf("获取数据 offers %d links, want CSV and GeoJSON of each of %v", len(frameLinks), layers)
	}
	summary, _ := eval[string](ctx, `document.querySelector('#article iframe').contentDocument.querySelector('.pm-getdata summary').textContent`)
	if summary != "获取数据" {
		t.Errorf("the badge's data link reads %q, want 获取数据", summary)
	}
	for _, l := range frameLinks {
		u, _ := url.Parse(l.Href)
		id := strings.TrimSuffix(strings.TrimPrefix(u.Path, "/ogc/collections/"), "/download")
		if u.Query().Get("project") != strconv.Itoa(project) || u.Query().Get("asof") != date {
			t.Errorf("获取数据 link %s: want project=%d and asof=%s", l.Href, project, date)
		}
		checkDownloads(t, "获取数据 "+id, []dlLink{l}, "", len(want[id].Features))
	}
	if s := errs.String(); s != "" {
		t.Errorf("uncaught JavaScript exceptions:\n%s", s)
	}

	testPageDownloads(t, ctx, base, date)
	if s := errs.String(); s != "" {
		t.Errorf("uncaught JavaScript exceptions:\n%s", s)
	}
}

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
			chromedp.Poll[chromedp.Void](fmt.Sprintf(`(() => {
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
		chromedp.Poll[chromedp.Void](`!!document.querySelector('.leaflet-popup .pm-dl-project a')`, chromedp.WithPollingTimeout(30*time.Second)),
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

// A code made on a phone, of the view there, frames the same area in an
// article on a desktop (the frame is a bbox, not the phone's centre and
// zoom); the article is of another origin, and the frame still takes the
// height the embed reports.
func TestEmbedFromPhone(t *testing.T) {
	exe := needBrowser(t)
	art := &articleServer{}
	base := startArticleServer(t, api.Basemap{}, art)
	ctx, errs := browser(t, exe)
	if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride,
		emulation.SetDeviceMetricsOverrideParams{Width: 375, Height: 740, DeviceScaleFactor: 2, Mobile: true}); err != nil {
		t.Fatal(err)
	}
	if err := load(ctx, base+"/#map=13/34.26000/108.94000&layers=schools&date=2024-09-30&lang=zh"); err != nil {
		t.Fatal(err)
	}
	type phoneView struct {
		W, S, E, N float64
		Code       string `json:"code"`
	}
	err := chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("pm-btn-embed")),
		chromedp.WaitVisible(chromedp.ID("pm-embed-code")),
		chromedp.Poll[chromedp.Void](`document.getElementById('pm-embed-code').value.includes('<iframe')`, chromedp.WithPollingTimeout(30*time.Second)),
	)
	if err != nil {
		t.Fatal(err)
	}
	pv, err := eval[phoneView](ctx, `(() => { const b = window.projectmap.map.getBounds();
	  return { W: b.getWest(), S: b.getSouth(), E: b.getEast(), N: b.getNorth(), code: document.getElementById('pm-embed-code').value } })()`)
	if err != nil {
		t.Fatal(err)
	}
	pre := strings.Index(pv.Code, "#bbox=")
	if pre < 0 || strings.Contains(pv.Code, "#map=") || strings.Contains(pv.Code, "project=") {
		t.Fatalf("phone code of the view: want a bbox, no centre and no project:\n%s", pv.Code)
	}
	var bb [4]float64
	for i, v := range strings.SplitN(strings.SplitN(pv.Code[pre+6:], "&", 2)[0], ",", 4) {
		bb[i], _ = strconv.ParseFloat(v, 64)
	}
	if math.Abs(bb[0]-pv.W) > 1e-4 || math.Abs(bb[1]-pv.S) > 1e-4 || math.Abs(bb[2]-pv.E) > 1e-4 || math.Abs(bb[3]-pv.N) > 1e-4 {
		t.Errorf("phone code bbox %v, the phone's view %+v", bb, pv)
	}

	// On a desktop, in an article of another origin (localhost, not 127.0.0.1).
	if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride,
		emulation.SetDeviceMetricsOverrideParams{Width: 1280, Height: 800, DeviceScaleFactor: 1}); err != nil {
		t.Fatal(err)
	}
	art.set(pv.Code)
	u, _ := url.Parse(base)
	other := "http://localhost:" + u.Port() + "/article.html"
	want := math.Round(800 * 0.66)
	err = chromedp.Do(ctx,
		chromedp.Navigate(other),
		chromedp.Poll[chromedp.Void](fmt.Sprintf(`(() => { const f = document.querySelector('#article iframe');
		  return !!f && heights.includes(%v) && Math.abs(f.getBoundingClientRect().height - %v) < 0.5 })()`, want, want),
			chromedp.WithPollingTimeout(30*time.Second)),
	)
	if err != nil {
		h, _ := eval[[]float64](ctx, `window.heights`)
		t.Fatalf("the cross-origin article's frame did not take the reported height %v (messages %v): %v", want, h, err)
	}
	// The same frame, opened on its own at the article's size: it holds
	// the phone's view.
	src := base + "/embed" + pv.Code[pre:strings.Index(pv.Code[pre:], `"`)+pre]
	src = strings.ReplaceAll(src, "&amp;", "&")
	if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride,
		emulation.SetDeviceMetricsOverrideParams{Width: 800, Height: int64(want), DeviceScaleFactor: 1}); err != nil {
		t.Fatal(err)
	}
	if err := load(ctx, src); err != nil {
		t.Fatal(err)
	}
	got, err := eval[phoneView](ctx, `(() => { const b = window.projectmap.map.getBounds(); return { W: b.getWest(), S: b.getSouth(), E: b.getEast(), N: b.getNorth() } })()`)
	if err != nil {
		t.Fatal(err)
	}
	if got.W > bb[0]+1e-4 || got.E < bb[2]-1e-4 || got.S > bb[1]+1e-4 || got.N < bb[3]-1e-4 {
		t.Errorf("desktop embed shows %+v, not all of the phone's frame %v", got, bb)
	}
	// …and not much more: the frame fills one side of it at least.
	if (got.E-got.W) > 4*(bb[2]-bb[0]) && (got.N-got.S) > 4*(bb[3]-bb[1]) {
		t.Errorf("desktop embed shows %+v, far more than the phone's frame %v", got, bb)
	}
	if s := errs.String(); s != "" {
		t.Errorf("uncaught JavaScript exceptions:\n%s", s)
	}
}

package webtest

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"projectmap/internal/api"
)

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
		poll[chromedp.Void](fmt.Sprintf(`document.getElementById('pm-embed-code').value.includes('project=%d&')`, project),
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
		poll[chromedp.Void](`(() => {
		  const f = document.querySelector('#article iframe'), d = f && f.contentDocument;
		  return !!d && !!d.documentElement && d.documentElement.dataset.ready === '1' && d.documentElement.dataset.busy !== '1' &&
		    d.getElementById('map').classList.contains('pm-offline');
		})()`, chromedp.WithPollingTimeout(30*time.Second), chromedp.WithPollingInterval(50*time.Millisecond)),
	)
	if err != nil {
		t.Fatalf("the article's embed did not load (or its basemap did not fail): %v\n%s", err, errs)
	}
	// The frame takes the height the embed reports.
	err = chromedp.Do(ctx, poll[chromedp.Void](`(() => {
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

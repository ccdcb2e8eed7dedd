package webtest

import (
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"projectmap/internal/api"
)

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
		poll[chromedp.Void](`document.getElementById('pm-embed-code').value.includes('<iframe')`, chromedp.WithPollingTimeout(30*time.Second)),
	)
	if err != nil {
		t.Fatal(err)
	}
	saveShot(t, ctx, "embed-dialog-on-phone.png")
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
		poll[chromedp.Void](fmt.Sprintf(`(() => { const f = document.querySelector('#article iframe');
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
	// In English, with a status filter: Get the data offers what is shown.
	en := strings.Replace(src, "&lang=zh", "&status=unreported&lang=en", 1)
	if err := load(ctx, en); err != nil {
		t.Fatal(err)
	}
	summary, _ := eval[string](ctx, `document.querySelector('.pm-ebadge .pm-getdata summary').textContent`)
	links, err := eval[[]dlLink](ctx, linksJS("document", ".pm-ebadge .pm-getdata a.pm-dl-link"))
	if err != nil {
		t.Fatal(err)
	}
	if summary != "Get the data" || len(links) != 2 {
		t.Errorf("English badge: %q with %d links, want Get the data with CSV and GeoJSON of schools", summary, len(links))
	}
	var unreported items
	getJSON(t, base+"/ogc/collections/schools/items?limit=10000&asof=2024-09-30&status=unreported", &unreported)
	for _, l := range links {
		if !strings.Contains(l.Href, "status=unreported") || !strings.Contains(l.Label, "Download") {
			t.Errorf("English badge link %s labelled %q: want status=unreported and an English label", l.Href, l.Label)
		}
	}
	checkDownloads(t, "Get the data", links, "Download", len(unreported.Features))
	if s := errs.String(); s != "" {
		t.Errorf("uncaught JavaScript exceptions:\n%s", s)
	}
}

package webtest

// "I need a picture": the 图片 / Picture dialog downloads the server's
// static map of the current view as a PNG at a chosen size. The checks
// catch the real download (the browser saves it into a temporary folder),
// decode it and look at its pixels: after a click on the map, which made
// the old in-browser capture blank, it must still show the features.

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// statusRGB are the tracking-status colours of style.css (--st-*).
var statusRGB = map[string]color.RGBA{
	"completed":   {0x00, 0x72, 0xb2, 0xff},
	"on_track":    {0x00, 0x7a, 0x5a, 0xff},
	"behind":      {0xd5, 0x5e, 0x00, 0xff},
	"not_started": {0x9a, 0x67, 0x00, 0xff},
	"suspended":   {0x9c, 0x4f, 0x86, 0xff},
	"unreported":  {0x6e, 0x6e, 0x6e, 0xff},
}

type download struct {
	Name string // the file name the page suggested
	Path string
}

// watchDownloads lets the browser save downloads into dir and reports each
// one when it is complete.
func watchDownloads(t *testing.T, ctx context.Context, dir string) <-chan download {
	t.Helper()
	on := true
	if _, err := chromedp.CallBrowser(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior:      cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName,
		DownloadPath:  dir,
		EventsEnabled: &on,
	}); err != nil {
		t.Fatalf("allowing downloads: %v", err)
	}
	lctx, cancel := context.WithCancel(ctx)
	t.Cleanup(cancel)
	out := make(chan download, 8)
	var mu sync.Mutex
	names := map[string]string{}
	err := chromedp.ListenBrowser(lctx, func(ev any) {
		switch ev := ev.(type) {
		case *cdpbrowser.EventDownloadWillBegin:
			mu.Lock()
			names[ev.GUID] = ev.SuggestedFilename
			mu.Unlock()
		case *cdpbrowser.EventDownloadProgress:
			if ev.State != cdpbrowser.DownloadProgressStateCompleted {
				return
			}
			mu.Lock()
			name := names[ev.GUID]
			mu.Unlock()
			select {
			case out <- download{Name: name, Path: filepath.Join(dir, ev.GUID)}:
			default:
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func waitDownload(t *testing.T, ch <-chan download, within time.Duration) download {
	t.Helper()
	select {
	case d := <-ch:
		return d
	case <-time.After(within):
		t.Fatalf("no download within %s", within)
		return download{}
	}
}

// pngStats is what the checks need to know of a picture.
type pngStats struct {
	W, H     int
	Distinct int     // distinct colours
	TopShare float64 // share of the commonest colour
	img      image.Image
}

func readPNG(t *testing.T, data []byte) pngStats {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the download is not a PNG: %v", err)
	}
	b := img.Bounds()
	counts := map[color.RGBA]int{}
	top := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			counts[c]++
			top = max(top, counts[c])
		}
	}
	return pngStats{W: b.Dx(), H: b.Dy(), Distinct: len(counts), TopShare: float64(top) / float64(b.Dx()*b.Dy()), img: img}
}

func near(c, want color.RGBA, tol int) bool {
	d := func(a, b uint8) int { return max(int(a)-int(b), int(b)-int(a)) }
	return d(c.R, want.R) <= tol && d(c.G, want.G) <= tol && d(c.B, want.B) <= tol && c.A == 0xff
}

// countNear counts the pixels of rows y0..y1 close to a colour.
func (s pngStats) countNear(want color.RGBA, y0, y1 int) int {
	n := 0
	for y := y0; y < y1; y++ {
		for x := 0; x < s.W; x++ {
			if near(color.RGBAModel.Convert(s.img.At(x, y)).(color.RGBA), want, 8) {
				n++
			}
		}
	}
	return n
}

// checkPicture checks a downloaded picture: its name, its exact size and
// that it is not blank.
func checkPicture(t *testing.T, d download, wantName string, w, h int, shot string) pngStats {
	t.Helper()
	if d.Name != wantName {
		t.Errorf("downloaded file name %q, want %q", d.Name, wantName)
	}
	data, err := os.ReadFile(d.Path)
	if err != nil {
		t.Fatal(err)
	}
	if shotsDir != "" {
		if err := os.WriteFile(filepath.Join(shotsDir, shot), data, 0o644); err == nil {
			t.Logf("wrote %s", filepath.Join(shotsDir, shot))
		}
	}
	st := readPNG(t, data)
	t.Logf("%s: %d bytes, %d×%d, %d distinct colours, commonest %.0f%%", d.Name, len(data), st.W, st.H, st.Distinct, 100*st.TopShare)
	if st.W != w || st.H != h {
		t.Errorf("picture is %d×%d, want exactly %d×%d", st.W, st.H, w, h)
	}
	if st.Distinct < 50 || st.TopShare > 0.9 {
		t.Errorf("picture looks blank: %d distinct colours, the commonest covers %.0f%%", st.Distinct, 100*st.TopShare)
	}
	return st
}

// markerColours lists the statuses whose colour fills at least 25 solid
// 3×3 blocks of the picture below its title bar and, when x0 > 0, right
// of x0 (the legend's panel): markers and lines, not the thin district
// outlines, whose grey is close to the unreported one.
func (s pngStats) markerColours(statuses map[string]bool, x0 int) []string {
	var found []string
	for st := range statuses {
		want, ok := statusRGB[st]
		if !ok {
			continue
		}
		is := func(x, y int) bool { return near(color.RGBAModel.Convert(s.img.At(x, y)).(color.RGBA), want, 8) }
		n := 0
		for y := s.H/10 + 1; y < s.H-1; y++ {
			for x := x0 + 1; x < s.W-1; x++ {
				if is(x, y) && is(x-1, y-1) && is(x+1, y-1) && is(x-1, y+1) && is(x+1, y+1) && is(x, y-1) && is(x, y+1) && is(x-1, y) && is(x+1, y) {
					n++
				}
			}
		}
		if n >= 25 {
			found = append(found, st)
		}
	}
	return found
}

// setPicSize types a width and a height into the dialog.
func setPicSize(w, h string) chromedp.Action[chromedp.Void] {
	return js(fmt.Sprintf(`(() => {
	  for (const [id, v] of [['pm-pic-w', %q], ['pm-pic-h', %q]]) {
	    const el = document.getElementById(id);
	    el.value = v;
	    el.dispatchEvent(new Event('input', {bubbles: true}));
	  }
	})()`, w, h))
}

func openPictureDialog(ctx context.Context) error {
	return chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("pm-btn-pic")),
		chromedp.WaitVisible(chromedp.ID("pm-pic-w")),
	)
}

// makePicture presses 生成PNG and waits until the page has made the picture
// (the button is enabled again) or refused to.
func makePicture(ctx context.Context) error {
	return chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("pm-pic-make")),
		poll[chromedp.Void](`!document.getElementById('pm-pic-dlg').hasAttribute('aria-busy')`,
			chromedp.WithPollingTimeout(60*time.Second), chromedp.WithPollingInterval(50*time.Millisecond)),
	)
}

type picDialog struct {
	Error    string `json:"error"`
	Note     string `json:"note"`
	Status   string `json:"status"`
	Result   bool   `json:"result"`
	InvalidW string `json:"invalidW"`
	InvalidH string `json:"invalidH"`
	Hash     string `json:"hash"`
	MapStyle string `json:"mapStyle"`
	MapW     float64
	MapH     float64
}

const readPicDialog = `(() => {
  const q = (id) => document.getElementById(id);
  const shown = (el) => !el.hidden && el.getClientRects().length > 0;
  const r = q('map').getBoundingClientRect();
  return {
    error: shown(q('pm-pic-error')) ? q('pm-pic-error').textContent : '',
    note: shown(q('pm-pic-note')) ? q('pm-pic-note').textContent : '',
    status: q('pm-pic-status').textContent,
    result: shown(q('pm-pic-result')),
    invalidW: q('pm-pic-w').getAttribute('aria-invalid') || '',
    invalidH: q('pm-pic-h').getAttribute('aria-invalid') || '',
    hash: location.hash,
    mapStyle: q('map').getAttribute('style') || '',
    MapW: r.width, MapH: r.height,
  };
})()`

func testPicture(t *testing.T, ctx context.Context, base string) {
	const date = "2024-09-30"
	hash := "#map=11/34.30000/108.95000&layers=metro-lines,housing-delivery&date=" + date + "&lang=zh"
	if err := load(ctx, base+"/"+hash); err != nil {
		t.Fatal(err)
	}
	// The statuses of the features drawn, whose colours the picture must show.
	statuses := map[string]bool{}
	for _, id := range []string{"metro-lines", "housing-delivery"} {
		for _, f := range layerItems(t, base, id, date).Features {
			statuses[fmt.Sprint(f.Properties["status"])] = true
		}
	}
	if label, _ := eval[string](ctx, `document.getElementById('pm-btn-pic').textContent`); !strings.Contains(label, "图片") {
		t.Errorf("picture button reads %q, want 图片", label)
	}
	before, err := eval[picDialog](ctx, readPicDialog)
	if err != nil {
		t.Fatal(err)
	}
	downloads := watchDownloads(t, ctx, t.TempDir())
	if err := openPictureDialog(ctx); err != nil {
		t.Fatalf("opening the picture dialog: %v", err)
	}
	opts, _ := eval[[]string](ctx, `[...document.querySelectorAll('#pm-pic-preset option')].map(o => o.textContent)`)
	if strings.Join(opts, "|") != "社交媒体 1200×675|正方形 1080×1080|印刷 2400×1600|自定义" {
		t.Errorf("size presets %q", opts)
	}
	saveShot(t, ctx, "picture-dialog.png")

	// Sizes out of range are refused with a message, and nothing is made.
	for _, bad := range [][2]string{{"200", "400"}, {"600", "4001"}, {"", "400"}, {"600.5", "400"}} {
		if err := chromedp.Do(ctx, setPicSize(bad[0], bad[1])); err != nil {
			t.Fatal(err)
		}
		if err := makePicture(ctx); err != nil {
			t.Fatal(err)
		}
		got, err := eval[picDialog](ctx, readPicDialog)
		if err != nil {
			t.Fatal(err)
		}
		if got.Error != "宽和高都须是300到4000之间的整数（像素）。" || got.Result || got.Status != "" {
			t.Errorf("size %s×%s: error %q, result shown %v, status %q; want the size message and no picture", bad[0], bad[1], got.Error, got.Result, got.Status)
		}
		wantW, wantH := "false", "false"
		if bad[0] != "600" {
			wantW = "true"
		}
		if bad[1] != "400" {
			wantH = "true"
		}
		if got.InvalidW != wantW || got.InvalidH != wantH {
			t.Errorf("size %s×%s: aria-invalid width %s, height %s; want %s, %s", bad[0], bad[1], got.InvalidW, got.InvalidH, wantW, wantH)
		}
	}
	select {
	case d := <-downloads:
		t.Errorf("a bad size downloaded %s", d.Name)
	default:
	}

	// A click on the map (which made every later in-browser capture
	// blank on a desktop), then a small custom size without the legend:
	// the status colours can only come from the features.
	if err := chromedp.Do(ctx, js(`document.getElementById('pm-pic-close').click()`)); err != nil {
		t.Fatal(err)
	}
	xy, err := eval[[]float64](ctx, `(r => [r.left + r.width / 2 + 40, r.top + r.height / 2 + 40])(document.getElementById('map').getBoundingClientRect())`)
	if err != nil || len(xy) != 2 {
		t.Fatalf("the map's place: %v %v", xy, err)
	}
	err = chromedp.Do(ctx,
		chromedp.MouseClickXY(xy[0], xy[1]),
		chromedp.Sleep(300*time.Millisecond),
		js(`document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true}))`),
	)
	if err != nil {
		t.Fatal(err)
	}
	clicked, err := eval[picDialog](ctx, readPicDialog)
	if err != nil {
		t.Fatal(err)
	}
	if err := openPictureDialog(ctx); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		setPicSize("600", "400"),
		js(`document.getElementById('pm-pic-legend').checked = false`),
	)
	if err != nil {
		t.Fatal(err)
	}
	if preset, _ := eval[string](ctx, `document.getElementById('pm-pic-preset').value`); preset != "custom" {
		t.Errorf("preset %q after typing 600×400, want custom", preset)
	}
	start := time.Now()
	if err := makePicture(ctx); err != nil {
		t.Fatal(err)
	}
	d := waitDownload(t, downloads, 30*time.Second)
	t.Logf("600×400 made in %s", time.Since(start).Round(time.Millisecond))
	st := checkPicture(t, d, "xian-2024-"+date+"-600x400.png", 600, 400, "picture-600x400.png")
	found := st.markerColours(statuses, 0)
	if len(found) == 0 {
		t.Errorf("the picture shows none of the status colours of the features (%v)", statuses)
	}
	t.Logf("status colours in the picture: %v", found)
	got, err := eval[picDialog](ctx, readPicDialog)
	if err != nil {
		t.Fatal(err)
	}
	if got.Error != "" || !got.Result || !strings.Contains(got.Status, "600×400") {
		t.Errorf("after the picture: error %q, preview shown %v, status %q", got.Error, got.Result, got.Status)
	}
	// The picture is the server's static map of the view, in its language
	// and on its date, without the legend; the map is left as it was.
	src, _ := eval[string](ctx, `document.getElementById('pm-pic-link').dataset.src`)
	for _, want := range []string{"/static/", "metro-lines", "housing-delivery", ".png?bbox=", "size=600x400", "asof=" + date, "lang=zh", "legend=0"} {
		if !strings.Contains(src, want) {
			t.Errorf("picture URL %q lacks %q", src, want)
		}
	}
	if got.Hash != clicked.Hash || got.MapW != before.MapW || got.MapH != before.MapH {
		t.Errorf("map changed by the picture: hash %q, %.0f×%.0f; before %q, %.0f×%.0f", got.Hash, got.MapW, got.MapH, clicked.Hash, before.MapW, before.MapH)
	}
	saveShot(t, ctx, "picture-done.png")

	// A preset, with the legend: the features' colours right of it.
	err = chromedp.Do(ctx,
		js(`(s => { s.value = 'square'; s.dispatchEvent(new Event('change', {bubbles: true})) })(document.getElementById('pm-pic-preset'))`),
		js(`document.getElementById('pm-pic-legend').checked = true`),
	)
	if err != nil {
		t.Fatal(err)
	}
	if wh, _ := eval[string](ctx, `document.getElementById('pm-pic-w').value + 'x' + document.getElementById('pm-pic-h').value`); wh != "1080x1080" {
		t.Errorf("the square preset set %s, want 1080x1080", wh)
	}
	if err := makePicture(ctx); err != nil {
		t.Fatal(err)
	}
	sq := checkPicture(t, waitDownload(t, downloads, 30*time.Second), "xian-2024-"+date+"-1080x1080.png", 1080, 1080, "picture-1080x1080.png")
	if found := sq.markerColours(statuses, 200); len(found) == 0 {
		t.Errorf("the square picture shows none of the status colours of the features (%v) outside its legend", statuses)
	}

	// The print preset is drawn at scale 2: exactly 2400×1600.
	err = chromedp.Do(ctx,
		js(`(s => { s.value = 'print'; s.dispatchEvent(new Event('change', {bubbles: true})) })(document.getElementById('pm-pic-preset'))`))
	if err != nil {
		t.Fatal(err)
	}
	if err := makePicture(ctx); err != nil {
		t.Fatal(err)
	}
	checkPicture(t, waitDownload(t, downloads, 30*time.Second), "xian-2024-"+date+"-2400x1600.png", 2400, 1600, "picture-2400x1600.png")

	// A failure is said in words: the server's own message.
	err = chromedp.Do(ctx,
		js(`(window.__pmFetch = window.fetch, window.fetch = (u) => window.__pmFetch(String(u).replace('asof=', 'asof=2024-13-')))`),
		setPicSize("600", "400"))
	if err != nil {
		t.Fatal(err)
	}
	if err := makePicture(ctx); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, js(`window.fetch = window.__pmFetch`)); err != nil {
		t.Fatal(err)
	}
	if got, _ := eval[picDialog](ctx, readPicDialog); !strings.HasPrefix(got.Error, "无法生成图片：") || !strings.Contains(got.Error, "asof") {
		t.Errorf("a failed picture says %q, want 无法生成图片： and the server's message naming asof", got.Error)
	}

	// Escape closes the dialog.
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Escape),
		poll[chromedp.Void](`document.getElementById('pm-pic-dlg').hidden && document.activeElement.id === 'pm-btn-pic'`,
			chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Errorf("Escape: the picture dialog stays open or the focus is lost: %v", err)
	}
	testPictureFilters(t, ctx, base, hash, downloads)
}

// testPictureFilters: the map's category and district filters reach the
// picture, which draws what the map shows and no more.
func testPictureFilters(t *testing.T, ctx context.Context, base, hash string, downloads <-chan download) {
	var colls struct {
		Collections []struct {
			ID       string `json:"id"`
			Category int    `json:"category"`
		} `json:"collections"`
	}
	getJSON(t, base+"/ogc/collections", &colls)
	metro := 0
	for _, c := range colls.Collections {
		if c.ID == "metro-lines" {
			metro = c.Category
		}
	}
	filtered := strings.Replace(hash, "&lang=zh", fmt.Sprintf("&cat=%d&district=610102&lang=zh", metro), 1)
	if err := load(ctx, base+"/"+filtered); err != nil {
		t.Fatal(err)
	}
	if err := openPictureDialog(ctx); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, setPicSize("600", "400")); err != nil {
		t.Fatal(err)
	}
	if err := makePicture(ctx); err != nil {
		t.Fatal(err)
	}
	waitDownload(t, downloads, 30*time.Second)
	src, _ := eval[string](ctx, `document.getElementById('pm-pic-link').dataset.src`)
	if !strings.Contains(src, "/static/metro-lines.png?") || !strings.Contains(src, "district=610102") {
		t.Errorf("picture of %s: URL %q, want metro-lines alone (housing-delivery is of another category) and district=610102", filtered, src)
	}
}

package webtest

// "I need a picture": the 图片 / Picture dialog downloads the current view as
// a PNG at a chosen size. The checks catch the real download (the browser
// saves it into a temporary folder), decode it and look at its pixels.

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"projectmap/internal/api"
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

var (
	accentRGB   = color.RGBA{0x1f, 0x4e, 0x79, 0xff} // the footer's top rule
	districtRGB = color.RGBA{0xf3, 0xf0, 0xe8, 0xff} // district fill when there are no tiles
	tileRGB     = color.RGBA{180, 60, 200, 0xff}     // the test basemap's tiles
)

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

// footerTop finds the footer's accent rule: the lowest row in the bottom
// half that is almost all #1f4e79. -1 if there is none.
func (s pngStats) footerTop() int {
	for y := s.H - 1; y >= s.H/2; y-- {
		if s.countNear(accentRGB, y, y+1) >= s.W*95/100 {
			for y > 0 && s.countNear(accentRGB, y-1, y) >= s.W*95/100 {
				y--
			}
			return y
		}
	}
	return -1
}

// checkPicture checks a downloaded picture: its name, its exact size, that
// it is not blank and that it ends in the footer strip.
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
	top := st.footerTop()
	if top < 0 {
		t.Errorf("no footer rule (#1f4e79) across the bottom half of the picture")
	} else if white := st.countNear(color.RGBA{0xff, 0xff, 0xff, 0xff}, st.H-1, st.H); white < st.W*95/100 {
		t.Errorf("the footer's last row is not white (%d of %d pixels)", white, st.W)
	} else if top < st.H*55/100 {
		t.Errorf("the footer starts at row %d of %d: it leaves too little room for the map", top, st.H)
	}
	return st
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
		chromedp.Poll[chromedp.Void](`!document.getElementById('pm-pic-dlg').hasAttribute('aria-busy')`,
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

	// A small custom size, without the legend: the status colours can only
	// come from the features.
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
	top := max(st.footerTop(), 1)
	found := []string{}
	for s := range statuses {
		if c, ok := statusRGB[s]; ok && st.countNear(c, 0, top) >= 25 {
			found = append(found, s)
		}
	}
	if len(found) == 0 {
		t.Errorf("the map part of the picture shows none of the status colours of the features (%v)", statuses)
	}
	t.Logf("status colours in the picture: %v", found)
	got, err := eval[picDialog](ctx, readPicDialog)
	if err != nil {
		t.Fatal(err)
	}
	if got.Error != "" || got.Note != "" || !got.Result || !strings.Contains(got.Status, "600×400") {
		t.Errorf("after the picture: error %q, note %q, preview shown %v, status %q", got.Error, got.Note, got.Result, got.Status)
	}
	// The map is back as it was.
	if got.Hash != before.Hash || got.MapStyle != before.MapStyle || got.MapW != before.MapW || got.MapH != before.MapH {
		t.Errorf("map not restored: hash %q, style %q, %.0f×%.0f; before %q, %q, %.0f×%.0f",
			got.Hash, got.MapStyle, got.MapW, got.MapH, before.Hash, before.MapStyle, before.MapW, before.MapH)
	}
	saveShot(t, ctx, "picture-done.png")

	// A preset, with the legend.
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
	checkPicture(t, waitDownload(t, downloads, 30*time.Second), "xian-2024-"+date+"-1080x1080.png", 1080, 1080, "picture-1080x1080.png")

	// Escape closes the dialog.
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Escape),
		chromedp.Poll[chromedp.Void](`document.getElementById('pm-pic-dlg').hidden && document.activeElement.id === 'pm-btn-pic'`,
			chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Errorf("Escape: the picture dialog stays open or the focus is lost: %v", err)
	}
}

// tileServer serves every tile as one flat colour, with or without the CORS
// header that lets a page read it.
func tileServer(t *testing.T, cors bool) *httptest.Server {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 256, 256))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = tileRGB.R, tileRGB.G, tileRGB.B, 0xff
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if cors {
			w.Header().Set("Access-Control-Allow-Origin", "*")
		}
		w.Header().Set("Content-Type", "image/png")
		w.Write(buf.Bytes())
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestPictureBasemap: tiles from another origin go into the picture when
// their server allows it (CORS); otherwise the picture is made on the
// district outlines and the dialog says so.
func TestPictureBasemap(t *testing.T) {
	exe := needBrowser(t)
	if os.Getenv("PROJECTMAP_WEBTEST_URL") != "" {
		t.Skip("needs its own server with a test basemap")
	}
	ctx, jsErrs := browser(t, exe)
	downloads := watchDownloads(t, ctx, t.TempDir())
	for _, tc := range []struct {
		name string
		cors bool
	}{{"tiles with CORS", true}, {"tiles without CORS", false}} {
		t.Run(tc.name, func(t *testing.T) {
			tiles := tileServer(t, tc.cors)
			base := startServerWith(t, api.Basemap{URL: tiles.URL + "/{z}/{x}/{y}.png", Attribution: "&copy; Test tiles"})
			if err := load(ctx, base+"/#map=11/34.26000/108.94000&layers=metro-lines&date=2024-09-30&lang=zh"); err != nil {
				t.Fatal(err)
			}
			err := chromedp.Do(ctx, chromedp.Poll[chromedp.Void](
				`document.querySelectorAll('.leaflet-tile-loaded').length > 0 && !document.getElementById('map').classList.contains('pm-offline')`,
				chromedp.WithPollingTimeout(30*time.Second)))
			if err != nil {
				t.Fatalf("the test tiles do not show on the map: %v", err)
			}
			if err := openPictureDialog(ctx); err != nil {
				t.Fatal(err)
			}
			err = chromedp.Do(ctx, setPicSize("600", "400"), js(`document.getElementById('pm-pic-legend').checked = false`))
			if err != nil {
				t.Fatal(err)
			}
			if err := makePicture(ctx); err != nil {
				t.Fatal(err)
			}
			st := checkPicture(t, waitDownload(t, downloads, 30*time.Second), "xian-2024-2024-09-30-600x400.png", 600, 400,
				fmt.Sprintf("picture-basemap-cors-%v.png", tc.cors))
			got, err := eval[picDialog](ctx, readPicDialog)
			if err != nil {
				t.Fatal(err)
			}
			top := max(st.footerTop(), 1)
			tile, district := st.countNear(tileRGB, 0, top), st.countNear(districtRGB, 0, top)
			t.Logf("map part: %d tile-coloured pixels, %d district-coloured; note %q", tile, district, got.Note)
			if tc.cors {
				if tile < 600*top/4 || got.Note != "" || got.Error != "" {
					t.Errorf("with CORS: %d tile pixels of %d, note %q, error %q; want the tiles in the picture and no note", tile, 600*top, got.Note, got.Error)
				}
			} else {
				if tile > 0 || district < 600*top/10 || got.Error != "" || !strings.Contains(got.Note, "区县边界作底图") {
					t.Errorf("without CORS: %d tile pixels, %d district pixels, note %q, error %q; want no tiles, the districts as base and a note", tile, district, got.Note, got.Error)
				}
			}
			if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Escape)); err != nil {
				t.Fatal(err)
			}
		})
	}
	if s := jsErrs.String(); s != "" {
		t.Errorf("uncaught JavaScript exceptions:\n%s", s)
	}
}

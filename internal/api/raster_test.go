package api_test

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"projectmap/internal/render"
	"projectmap/internal/symbology"
)

// rasterLayerIDs returns every layer id of the test plan, comma-joined.
func rasterLayerIDs(t *testing.T, store namedStore) string {
	t.Helper()
	layers, err := store.store.Layers(t.Context(), "xian-2024")
	if err != nil {
		plans, _ := store.store.Plans(t.Context())
		if len(plans) == 0 {
			t.Fatal(err)
		}
		if layers, err = store.store.Layers(t.Context(), plans[len(plans)-1].ID); err != nil {
			t.Fatal(err)
		}
	}
	var ids []string
	for _, l := range layers {
		ids = append(ids, l.ID)
	}
	return strings.Join(ids, ",")
}

// matchGolden compares a PNG with testdata/raster/name, allowing a small
// per-pixel difference (channel ≤ 8 on ≤ 0.5% of pixels); -update rewrites it.
func matchGolden(t *testing.T, name string, body []byte) {
	t.Helper()
	path := filepath.Join("testdata", "raster", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	a, b := decodePNG(t, body), decodePNG(t, want)
	if a.Bounds() != b.Bounds() {
		t.Fatalf("%s: size %v, golden %v", name, a.Bounds(), b.Bounds())
	}
	bad, all := 0, a.Bounds().Dx()*a.Bounds().Dy()
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			r1, g1, b1, a1 := a.At(x, y).RGBA()
			r2, g2, b2, a2 := b.At(x, y).RGBA()
			if far(r1, r2) || far(g1, g2) || far(b1, b2) || far(a1, a2) {
				bad++
			}
		}
	}
	if bad*200 > all {
		t.Errorf("%s: %d of %d pixels differ from the golden image", name, bad, all)
	}
}

func far(a, b uint32) bool { return max(a>>8, b>>8)-min(a>>8, b>>8) > 8 }

func decodePNG(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	return img
}

// colouredPixels counts opaque pixels near a status colour (the test
// data's sites are mostly unreported: grey #6e6e6e).
func colouredPixels(img image.Image) int {
	var cols [][3]uint32
	for _, st := range symbology.Statuses() {
		c := render.Hex(st.Color, 255)
		cols = append(cols, [3]uint32{uint32(c.R), uint32(c.G), uint32(c.B)})
	}
	n := 0
	bb := img.Bounds()
	for y := bb.Min.Y; y < bb.Max.Y; y++ {
		for x := bb.Min.X; x < bb.Max.X; x++ {
			r, g, b, a := img.At(x, y).RGBA()
			if a>>8 < 250 {
				continue
			}
			for _, c := range cols {
				if !far(r, c[0]<<8) && !far(g, c[1]<<8) && !far(b, c[2]<<8) {
					n++
					break
				}
			}
		}
	}
	return n
}

func TestRasterTile(t *testing.T) {
	// Xi'an's centre at zoom 11.
	tl := maptile.At(orb.Point{108.94, 34.27}, 11)
	for _, st := range testStores(t) {
		t.Run(st.name, func(t *testing.T) {
			srv := newServer(t, st.store)
			layers := rasterLayerIDs(t, st)
			for _, suffix := range []string{".png", "@2x.png"} {
				path := fmt.Sprintf("/tiles/%s/%d/%d/%d%s?asof=2024-07-01", layers, tl.Z, tl.X, tl.Y, suffix)
				r := get(t, srv, path)
				if r.status != 200 || r.header.Get("Content-Type") != "image/png" || r.header.Get("ETag") == "" {
					t.Fatalf("%s: %d %q ETag %q: %s", path, r.status, r.header.Get("Content-Type"), r.header.Get("ETag"), r.body)
				}
				img := decodePNG(t, r.body)
				want := 256
				if suffix != ".png" {
					want = 512
				}
				if img.Bounds().Dx() != want {
					t.Errorf("%s: width %d, want %d", path, img.Bounds().Dx(), want)
				}
				if n := colouredPixels(img); n < 50 {
					t.Errorf("%s: only %d status-coloured pixels", path, n)
				}
				matchGolden(t, "tile"+strings.ReplaceAll(suffix, "@", "-"), r.body)
			}
			// Far from any data: the shared empty tile.
			r := get(t, srv, "/tiles/"+layers+"/5/0/0.png")
			if r.status != 200 || colouredPixels(decodePNG(t, r.body)) != 0 {
				t.Errorf("empty tile: %d", r.status)
			}
		})
	}
}

func TestRasterTileErrors(t *testing.T) {
	st := testStores(t)[0]
	srv := newServer(t, st.store)
	layers := rasterLayerIDs(t, st)
	for _, c := range []struct{ path, param string }{
		{"/tiles/" + layers + "/23/0/0.png", "z"},
		{"/tiles/" + layers + "/a/0/0.png", "z"},
		{"/tiles/" + layers + "/2/4/0.png", "x"},
		{"/tiles/" + layers + "/2/-1/0.png", "x"},
		{"/tiles/" + layers + "/2/0/4.png", "y"},
		{"/tiles/" + layers + "/2/0/0.jpg", "y"},
		{"/tiles/nosuch/2/0/0.png", "layers"},
		{"/tiles/schools,schools/2/0/0.png", "layers"},
		{"/tiles/" + layers + "/2/0/0.png?asof=2024-13-01", "asof"},
		{"/tiles/" + layers + "/2/0/0.png?color=red", "color"},
	} {
		r := get(t, srv, c.path)
		if r.status != 400 || !strings.Contains(string(r.body), c.param) {
			t.Errorf("%s: %d %s, want 400 naming %s", c.path, r.status, r.body, c.param)
		}
	}
}

func TestStaticMap(t *testing.T) {
	for _, st := range testStores(t) {
		t.Run(st.name, func(t *testing.T) {
			srv := newServer(t, st.store)
			layers := rasterLayerIDs(t, st)
			path := "/static/" + layers + ".png?bbox=108.75,34.15,109.15,34.45&size=600x400&asof=2024-07-01&title=" + "%E8%A5%BF%E5%AE%89%E6%B0%91%E7%94%9F%E5%B7%A5%E7%A8%8B"
			r := get(t, srv, path)
			if r.status != 200 || r.header.Get("Content-Type") != "image/png" {
				t.Fatalf("%d %s", r.status, r.body)
			}
			img := decodePNG(t, r.body)
			if img.Bounds().Dx() != 600 || img.Bounds().Dy() != 400 {
				t.Fatalf("size %v", img.Bounds())
			}
			// The Chinese title renders: dark ink in its box.
			ink := 0
			for y := 8; y < 36; y++ {
				for x := 14; x < 170; x++ {
					r, g, b, _ := img.At(x, y).RGBA()
					if r>>8 < 100 && g>>8 < 100 && b>>8 < 100 {
						ink++
					}
				}
			}
			if ink < 150 {
				t.Errorf("the Chinese title drew %d dark pixels", ink)
			}
			// The attribution wraps rather than run off the left edge.
			for y := 400 - 45; y < 400; y++ {
				for x := 0; x < 8; x++ {
					if r, g, b, _ := img.At(x, y).RGBA(); r>>8 < 100 && g>>8 < 100 && b>>8 < 100 {
						t.Fatalf("ink at %d,%d: the attribution is cut off at the left edge", x, y)
					}
				}
			}
			matchGolden(t, "static-zh.png", r.body)
		})
	}
}

// TestStaticMapStatus: status= keeps the sites of that status, as the
// map's filter does, and says so under the date.
func TestStaticMapStatus(t *testing.T) {
	for _, st := range testStores(t) {
		t.Run(st.name, func(t *testing.T) {
			srv := newServer(t, st.store)
			path := "/static/metro-lines,housing-delivery.png?bbox=108.75,34.15,109.15,34.45&size=600x400&asof=2024-07-01&legend=0"
			all, none := get(t, srv, path), get(t, srv, path+"&status=completed")
			if all.status != 200 || none.status != 200 {
				t.Fatalf("%d %s / %d %s", all.status, all.body, none.status, none.body)
			}
			a, n := colouredPixels(decodePNG(t, all.body)), colouredPixels(decodePNG(t, none.body))
			if a < 200 || n*2 > a {
				t.Errorf("status-coloured pixels: %d unfiltered, %d with status=completed (no site is); want far fewer", a, n)
			}
			matchGolden(t, "static-status.png", none.body)
			if r := get(t, srv, path+"&status=done"); r.status != 400 || !strings.Contains(string(r.body), "status") {
				t.Errorf("status=done: %d %s", r.status, r.body)
			}
		})
	}
}

// TestStaticMapBaseLayers: districts and development zones, asked for,
// are drawn in grey as the base, not as sites with no report yet.
func TestStaticMapBaseLayers(t *testing.T) {
	for _, st := range testStores(t) {
		t.Run(st.name, func(t *testing.T) {
			srv := newServer(t, st.store)
			r := get(t, srv, "/static/districts,development-zones.png?bbox=108.75,34.15,109.15,34.45&size=600x400&asof=2024-07-01&lang=en")
			if r.status != 200 {
				t.Fatalf("%d %s", r.status, r.body)
			}
			img := decodePNG(t, r.body)
			// No legend row: where its first symbol would be is the panel
			// (below the date and "Statuses as reported").
			for y := 98; y < 111; y++ {
				for x := 17; x < 31; x++ {
					if r, g, b, _ := img.At(x, y).RGBA(); r>>8 < 200 || g>>8 < 200 || b>>8 < 200 {
						t.Fatalf("a legend symbol at %d,%d for base layers only", x, y)
					}
				}
			}
			matchGolden(t, "static-base.png", r.body)
		})
	}
}

func TestStaticMapErrors(t *testing.T) {
	st := testStores(t)[0]
	srv := newServer(t, st.store)
	base := "/static/" + rasterLayerIDs(t, st) + ".png"
	for _, c := range []struct{ q, param string }{
		{"?bbox=1,2,3", "bbox"},
		{"?bbox=3,2,1,4", "bbox"},
		{"?bbox=108,34,109,35&center=108,34&zoom=10", "bbox"},
		{"?center=108,x&zoom=10", "center"},
		{"?center=108,34&zoom=40", "zoom"},
		{"?bbox=108,34,109,35&size=2401x100", "size"},
		{"?bbox=108,34,109,35&size=2001x100&scale=2", "size"},
		{"?bbox=108,34,109,35&size=axb", "size"},
		{"?bbox=108,34,109,35&scale=3", "scale"},
		{"?bbox=108,34,109,35&lang=fr", "lang"},
		{"?project=abc", "project"},
		{"?bbox=108,34,109,35&legend=no", "legend"},
	} {
		r := get(t, srv, base+c.q)
		if r.status != 400 || !strings.Contains(string(r.body), c.param) {
			t.Errorf("%s: %d %s, want 400 naming %s", c.q, r.status, r.body, c.param)
		}
	}
}

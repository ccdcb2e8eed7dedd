package render

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"os"
	"strings"
	"unicode"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// systemFont is a CJK font file of the system and its face's index.
type systemFont struct {
	Path  string
	Index int
}

// systemFonts are the CJK fonts taken from the system, in order of
// preference: Debian's fonts-noto-cjk (face 2 is Simplified Chinese) and
// fonts-wqy-microhei (which x/image's sfnt may refuse: "invalid table
// offset").
func systemFonts() []systemFont {
	return []systemFont{
		{"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2},
		{"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0},
	}
}

// LoadSystemFonts loads the first of systemFonts that parses.
func LoadSystemFonts() (*Fonts, error) {
	var errs []error
	for _, f := range systemFonts() {
		fs, err := LoadFonts(f.Path, f.Index)
		if err == nil {
			return fs, nil
		}
		errs = append(errs, err)
	}
	return nil, fmt.Errorf("no CJK font: %v", errs)
}

// Fonts holds the parsed font; faces are made per size and scale.
type Fonts struct {
	font *opentype.Font
}

// LoadFonts reads a font file (a .ttc's first face, or a .ttf/.otf).
func LoadFonts(path string, index int) (*Fonts, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	coll, err := opentype.ParseCollection(b)
	if err != nil {
		return nil, fmt.Errorf("font %s: %w", path, err)
	}
	f, err := coll.Font(index)
	if err != nil {
		return nil, fmt.Errorf("font %s: %w", path, err)
	}
	return &Fonts{font: f}, nil
}

// Face returns a face of size px (device pixels). Faces are not safe for
// concurrent use, so each render makes its own.
func (f *Fonts) Face(px float64) (font.Face, error) {
	return opentype.NewFace(f.font, &opentype.FaceOptions{Size: px, DPI: 72, Hinting: font.HintingNone})
}

// Text draws s with its baseline's left end at x, y (device pixels).
func (c *Canvas) Text(face font.Face, x, y int, s string, col color.Color) {
	d := font.Drawer{Dst: c.Img, Src: image.NewUniform(col), Face: face, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

// TextWidth is s's advance in device pixels.
func TextWidth(face font.Face, s string) int {
	return font.MeasureString(face, s).Ceil()
}

// Box fills a rectangle of device pixels in col, over what is there
// (pixel-aligned: no rasterizer needed).
func (c *Canvas) Box(r image.Rectangle, col color.Color) {
	draw.Draw(c.Img, r, image.NewUniform(col), image.Point{}, draw.Over)
}

// Wrap breaks s into lines no wider than maxW device pixels: after a
// space or punctuation, or between two CJK characters; a piece with no
// break wider than maxW is cut where it overflows.
func Wrap(face font.Face, s string, maxW int) []string {
	var lines []string
	rs := []rune(s)
	for len(rs) > 0 {
		if TextWidth(face, string(rs)) <= maxW {
			lines = append(lines, strings.TrimSpace(string(rs)))
			break
		}
		cut, fit := 0, 0
		for i := 1; i <= len(rs); i++ {
			if TextWidth(face, string(rs[:i])) > maxW {
				break
			}
			fit = i
			if i < len(rs) && breakAfter(rs[i-1], rs[i]) {
				cut = i
			}
		}
		if cut == 0 {
			cut = max(fit, 1)
		}
		lines = append(lines, strings.TrimSpace(string(rs[:cut])))
		rs = []rune(strings.TrimLeft(string(rs[cut:]), " "))
	}
	return lines
}

// breakAfter reports whether a line may end between a and b.
func breakAfter(a, b rune) bool {
	if strings.ContainsRune(" ,;:·，；：、。)）", a) {
		return true
	}
	cjk := func(r rune) bool { return unicode.Is(unicode.Han, r) }
	return (cjk(a) || cjk(b)) && !strings.ContainsRune(",;:·，；：、。)）", b)
}

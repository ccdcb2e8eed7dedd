// Package render draws the map's features onto images: raster tiles and
// static maps, in the same symbology as the web map (internal/symbology).
// It knows nothing of HTTP or SQL.
package render

import (
	"image"
	"image/color"
	"image/draw"
	"math"

	"github.com/paulmach/orb"
	"golang.org/x/image/vector"
)

// Canvas is an image with a Web Mercator view: world pixel coordinates
// at a (possibly fractional) zoom, shifted so that Origin is the image's
// top-left corner, and multiplied by Scale (2 for @2x).
type Canvas struct {
	Img    *image.RGBA
	Zoom   float64
	Origin orb.Point // world pixels at Zoom (256-pixel tiles), before Scale
	Scale  float64
	ras    vector.Rasterizer
	// paths waits for fill, which rasterizes only their bounding box:
	// a marker costs its own pixels, not the canvas's.
	paths [][][2]float32
	spans [][2]float32 // each path's top and bottom, for fill's bands
}

// NewCanvas returns a transparent canvas of w×h device pixels.
func NewCanvas(w, h int, zoom float64, origin orb.Point, scale float64) *Canvas {
	return &Canvas{Img: image.NewRGBA(image.Rect(0, 0, w, h)), Zoom: zoom, Origin: origin, Scale: scale}
}

// World returns the world pixel of a lon/lat at zoom (256-pixel tiles).
func World(p orb.Point, zoom float64) orb.Point {
	size := 256 * math.Exp2(zoom)
	lat := math.Max(-85.05112878, math.Min(85.05112878, p[1]))
	s := math.Sin(lat * math.Pi / 180)
	return orb.Point{
		size * (p[0] + 180) / 360,
		size * (0.5 - math.Log((1+s)/(1-s))/(4*math.Pi)),
	}
}

// Px returns the device pixel of a lon/lat on the canvas.
func (c *Canvas) Px(p orb.Point) (float32, float32) {
	w := World(p, c.Zoom)
	return float32((w[0] - c.Origin[0]) * c.Scale), float32((w[1] - c.Origin[1]) * c.Scale)
}

// Hex reads #rrggbb; alpha a (0..255).
func Hex(s string, a uint8) color.NRGBA {
	var v [3]uint8
	for i := range v {
		v[i] = hexByte(s[1+2*i])<<4 | hexByte(s[2+2*i])
	}
	return color.NRGBA{v[0], v[1], v[2], a}
}

func hexByte(b byte) uint8 {
	switch {
	case b >= '0' && b <= '9':
		return b - '0'
	case b >= 'a' && b <= 'f':
		return b - 'a' + 10
	case b >= 'A' && b <= 'F':
		return b - 'A' + 10
	}
	return 0
}

// fill paints what was added to the rasterizer in col, then resets it.
func (c *Canvas) fill(col color.Color) {
	defer func() { c.paths = c.paths[:0] }()
	if len(c.paths) == 0 {
		return
	}
	x0, y0 := float32(math.Inf(1)), float32(math.Inf(1))
	x1, y1 := -x0, -y0
	c.spans = c.spans[:0]
	for _, p := range c.paths {
		py0, py1 := float32(math.Inf(1)), float32(math.Inf(-1))
		for _, q := range p {
			x0, x1 = min(x0, q[0]), max(x1, q[0])
			py0, py1 = min(py0, q[1]), max(py1, q[1])
		}
		y0, y1 = min(y0, py0), max(y1, py1)
		c.spans = append(c.spans, [2]float32{py0, py1})
	}
	r := image.Rect(int(math.Floor(float64(x0))), int(math.Floor(float64(y0))),
		int(math.Ceil(float64(x1)))+1, int(math.Ceil(float64(y1)))+1).Intersect(c.Img.Bounds())
	if r.Empty() {
		return
	}
	src := image.NewUniform(col)
	c.ras.DrawOp = draw.Over
	// Band by band: the rasterizer's buffers (8 bytes a pixel) stay a
	// band's size however large the canvas; paths are added to the bands
	// they cross only (rows outside a band are skipped, columns clamped).
	for top := r.Min.Y; top < r.Max.Y; top += fillBand {
		br := image.Rect(r.Min.X, top, r.Max.X, min(top+fillBand, r.Max.Y))
		ox, oy := float32(br.Min.X), float32(br.Min.Y)
		c.ras.Reset(br.Dx(), br.Dy())
		for i, p := range c.paths {
			if c.spans[i][1] < float32(br.Min.Y) || c.spans[i][0] > float32(br.Max.Y) {
				continue
			}
			c.ras.MoveTo(p[0][0]-ox, p[0][1]-oy)
			for _, q := range p[1:] {
				c.ras.LineTo(q[0]-ox, q[1]-oy)
			}
			c.ras.ClosePath()
		}
		c.ras.Draw(c.Img, br, src, image.Point{})
	}
}

// fillBand is the height in device pixels of the bands a fill is
// rasterized in.
const fillBand = 256

// ring adds a closed path in device pixels, wound positively (or
// negatively for a hole): the rasterizer sums signed area, so pieces
// wound alike merge and a reversed one cuts out.
func (c *Canvas) ring(pts [][2]float32) { c.wound(pts, false) }

func (c *Canvas) wound(pts [][2]float32, hole bool) {
	if len(pts) < 3 {
		return
	}
	var a float32
	for i := range pts {
		p, q := pts[i], pts[(i+1)%len(pts)]
		a += p[0]*q[1] - q[0]*p[1]
	}
	if (a < 0) != hole {
		rev := make([][2]float32, len(pts))
		for i, p := range pts {
			rev[len(pts)-1-i] = p
		}
		pts = rev
	}
	c.paths = append(c.paths, pts)
}

// circle adds a circle; a hole when ccw. Its polygon has sides of about
// 1.5 px (6 to 24 of them): a round join of a thin line needs few.
func (c *Canvas) circle(x, y, r float32, ccw bool) {
	n := min(24, max(6, int(math.Ceil(2*math.Pi*float64(r)/1.5))))
	pts := make([][2]float32, n)
	for i := range pts {
		a := 2 * math.Pi * float64(i) / float64(n)
		pts[i] = [2]float32{x + r*float32(math.Cos(a)), y + r*float32(math.Sin(a))}
	}
	c.wound(pts, ccw)
}

// chunkSide bounds, in device pixels, the box of one piece of a long
// stroke: the rasterizer's cost is the area of the box it fills, so a
// line across the canvas is filled in pieces along it, not as one box.
const chunkSide = 96

// strokePath adds a polyline of width w as segment quads, with round
// joins and caps at pts[from:] (none when from is len(pts)).
func (c *Canvas) strokePath(pts [][2]float32, w float32, from int) {
	h := w / 2
	for i := 0; i+1 < len(pts); i++ {
		a, b := pts[i], pts[i+1]
		dx, dy := b[0]-a[0], b[1]-a[1]
		l := float32(math.Hypot(float64(dx), float64(dy)))
		if l == 0 {
			continue
		}
		nx, ny := -dy/l*h, dx/l*h
		// Wound positively as it stands (ring would reverse it).
		c.paths = append(c.paths, [][2]float32{{a[0] - nx, a[1] - ny}, {b[0] - nx, b[1] - ny}, {b[0] + nx, b[1] + ny}, {a[0] + nx, a[1] + ny}})
	}
	for _, p := range pts[min(from, len(pts)):] {
		c.circle(p[0], p[1], h, false)
	}
}

// Stroke draws a polyline in lon/lat of device width w.
func (c *Canvas) Stroke(ls orb.LineString, w float32, col color.Color) {
	c.strokeDevice(c.device(ls), w, col)
}

// strokeDevice fills the stroke piece by piece (see chunkSide); within a
// piece, quads wound alike clamp to opaque where they overlap.
func (c *Canvas) strokeDevice(pts [][2]float32, w float32, col color.Color) {
	if len(pts) == 0 {
		return
	}
	pts = densify(pts, chunkSide)
	for start := 0; ; {
		end := min(start+1, len(pts)-1) // a piece has one segment at least
		x0, y0, x1, y1 := box2(pts[start], pts[end])
		for end+1 < len(pts) {
			p := pts[end+1]
			nx0, ny0, nx1, ny1 := min(x0, p[0]), min(y0, p[1]), max(x1, p[0]), max(y1, p[1])
			if nx1-nx0 > chunkSide || ny1-ny0 > chunkSide {
				break
			}
			x0, y0, x1, y1, end = nx0, ny0, nx1, ny1, end+1
		}
		from := 0
		switch {
		case w <= 3:
			from = len(pts) // a join of a line this thin is under a pixel
		case start > 0:
			from = 1 // the previous piece drew the join at pts[start]
		}
		c.strokePath(pts[start:end+1], w, from)
		c.fill(col)
		if end == len(pts)-1 {
			return
		}
		start = end
	}
}

// densify splits segments longer than d, so that no piece of a stroke
// spans more than d.
func densify(pts [][2]float32, d float32) [][2]float32 {
	out := pts[:1:1]
	for i := 1; i < len(pts); i++ {
		a, b := pts[i-1], pts[i]
		l := float32(math.Hypot(float64(b[0]-a[0]), float64(b[1]-a[1])))
		for k, n := 1, int(l/d); k <= n; k++ {
			t := float32(k) / float32(n+1)
			out = append(out, [2]float32{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])})
		}
		out = append(out, b)
	}
	return out
}

func box2(a, b [2]float32) (float32, float32, float32, float32) {
	return min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])
}

// device projects points to device pixels, dropping those within half a
// pixel of the last kept one: detail finer than a pixel costs time and
// draws nothing (the last point is always kept).
func (c *Canvas) device(ls []orb.Point) [][2]float32 {
	out := make([][2]float32, 0, len(ls))
	for i, p := range ls {
		x, y := c.Px(p)
		if n := len(out); n > 0 && i < len(ls)-1 {
			q := out[n-1]
			if dx, dy := x-q[0], y-q[1]; dx*dx+dy*dy < 0.25 {
				continue
			}
		}
		out = append(out, [2]float32{x, y})
	}
	return out
}

// FillPolygons fills polygons (outer rings and holes) in col in one
// pass: polygons that touch share their edge without a seam.
func (c *Canvas) FillPolygons(ps []orb.Polygon, col color.Color) {
	for _, p := range ps {
		for i, r := range p {
			c.wound(c.device(r), i > 0)
		}
	}
	c.fill(col)
}

// FillPolygon fills a polygon (outer ring and holes) in col.
func (c *Canvas) FillPolygon(p orb.Polygon, col color.Color) {
	c.FillPolygons([]orb.Polygon{p}, col)
}

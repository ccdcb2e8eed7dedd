package render

import (
	"image/color"
	"math"

	"github.com/paulmach/orb"

	"projectmap/internal/domain"
	"projectmap/internal/symbology"
)

// Feature is what is drawn of one site: its geometry, status and whether
// its place is approximate (hollow symbol).
type Feature struct {
	Geometry orb.Geometry
	Status   domain.TrackingStatus
	Approx   bool
	// Reference marks a base layer's feature (a district, a development
	// zone): drawn in grey under the rest, with no status.
	Reference bool
}

// PointRadius is a marker's radius in CSS pixels.
const PointRadius = 7

var white = color.NRGBA{255, 255, 255, 255}

// Draw draws features: polygons first, then lines, then points on top.
// Base layers' features (Reference) come first, in grey.
func (c *Canvas) Draw(fs []Feature) {
	var status []Feature
	var ref []orb.Geometry
	for _, f := range fs {
		if f.Reference {
			ref = append(ref, f.Geometry)
		} else {
			status = append(status, f)
		}
	}
	c.drawReference(ref)
	c.drawAreas(status)
	for pass := 1; pass < 3; pass++ {
		for _, f := range status {
			c.drawGeom(f, f.Geometry, pass)
		}
	}
}

// drawAreas draws the polygons, one status colour at a time and in one
// pass each: a translucent fill, then a 2 px outline. Areas of one status
// that overlap (often the same district, for several district-precision
// sites) are drawn once, and the rasterizer covers each colour's box
// once rather than each polygon's.
func (c *Canvas) drawAreas(fs []Feature) {
	byStatus := map[domain.TrackingStatus][]orb.Polygon{}
	for _, f := range fs {
		st := symbology.Of(f.Status).Status
		byStatus[st] = appendPolygons(byStatus[st], f.Geometry)
	}
	for _, st := range symbology.Statuses() {
		ps := byStatus[st.Status]
		if len(ps) == 0 {
			continue
		}
		c.FillPolygons(ps, Hex(st.Color, 56))
		for _, p := range ps {
			for _, r := range p {
				pts := c.device(r)
				c.strokePath(pts, 2*float32(c.Scale), len(pts))
			}
		}
		c.fill(Hex(st.Color, 255))
	}
}

// appendPolygons appends g's polygons (of a collection too) to ps.
func appendPolygons(ps []orb.Polygon, g orb.Geometry) []orb.Polygon {
	switch g := g.(type) {
	case orb.Polygon:
		return append(ps, g)
	case orb.MultiPolygon:
		return append(ps, g...)
	case orb.Collection:
		for _, h := range g {
			ps = appendPolygons(ps, h)
		}
	}
	return ps
}

func (c *Canvas) drawGeom(f Feature, g orb.Geometry, pass int) {
	st := symbology.Of(f.Status)
	s := float32(c.Scale)
	switch g := g.(type) {
	case orb.Point:
		if pass == 2 {
			x, y := c.Px(g)
			c.Symbol(x, y, PointRadius*s, st, f.Approx)
		}
	case orb.MultiPoint:
		for _, p := range g {
			c.drawGeom(f, p, pass)
		}
	case orb.LineString:
		if pass == 1 {
			c.Stroke(g, symbology.CasingWidth*s, Hex(symbology.Casing, 255))
			c.Stroke(g, symbology.LineWidth*s, Hex(st.Color, 255))
		}
	case orb.MultiLineString:
		for _, l := range g {
			c.drawGeom(f, l, pass)
		}
	case orb.Collection:
		for _, p := range g {
			c.drawGeom(f, p, pass)
		}
	}
}

// Symbol draws a status glyph centred on x, y (device pixels) of radius
// r: the status's shape with a white edge, filled in the status colour,
// hollow (a thick coloured outline, white inside) when approximate.
// Rings (not started, unreported) are always drawn as outlines. Inside
// is the status's mark (✓ → ! – ❚❚ ?), white on a filled glyph and in
// the status colour in a hollow one.
func (c *Canvas) Symbol(x, y, r float32, st symbology.Status, approx bool) {
	col := Hex(st.Color, 255)
	edge := r * 0.3
	outline := func(rr float32) [][2]float32 { return shape(st.Shape, x, y, rr) }
	c.ring(outline(r + edge*0.6))
	c.fill(white)
	if approx || st.Shape == "ring" {
		c.ring(outline(r))
		c.wound(outline(r-edge*1.3), true)
		c.fill(col)
		c.drawMark(x, y, r, 0.8, st.Status, col)
		return
	}
	c.ring(outline(r))
	c.fill(col)
	c.drawMark(x, y, r, 1, st.Status, white)
}

// shape returns the outline of a glyph shape as a polygon.
func shape(name string, x, y, r float32) [][2]float32 {
	switch name {
	case "diamond":
		r *= 1.2
		return [][2]float32{{x, y - r}, {x + r, y}, {x, y + r}, {x - r, y}}
	case "square":
		r *= 0.9
		return [][2]float32{{x - r, y - r}, {x + r, y - r}, {x + r, y + r}, {x - r, y + r}}
	}
	const n = 24
	pts := make([][2]float32, n)
	for i := range pts {
		a := 2 * math.Pi * float64(i) / n
		pts[i] = [2]float32{x + r*float32(math.Cos(a)), y + r*float32(math.Sin(a))}
	}
	return pts
}

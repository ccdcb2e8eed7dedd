package render

import (
	"github.com/paulmach/orb"

	"projectmap/internal/symbology"
)

// drawReference draws base layers' features (districts, development
// zones) as the web map's base draws districts: areas in the district
// fill with a grey outline, lines grey, points small grey dots.
func (c *Canvas) drawReference(gs []orb.Geometry) {
	if len(gs) == 0 {
		return
	}
	s := float32(c.Scale)
	grey := Hex(symbology.DistrictOutline, 255)
	var polys []orb.Polygon
	for _, g := range gs {
		polys = appendPolygons(polys, g)
	}
	if len(polys) > 0 {
		c.FillPolygons(polys, Hex(symbology.DistrictFill, 160))
		for _, p := range polys {
			for _, r := range p {
				pts := c.device(r)
				c.strokePath(pts, 1.2*s, len(pts))
			}
		}
		c.fill(grey)
	}
	for _, g := range gs {
		c.referenceLinesAndPoints(g, s)
	}
}

func (c *Canvas) referenceLinesAndPoints(g orb.Geometry, s float32) {
	switch g := g.(type) {
	case orb.Point:
		x, y := c.Px(g)
		c.circle(x, y, 4.5*s, false)
		c.fill(white)
		c.circle(x, y, 3.2*s, false)
		c.fill(Hex(symbology.DistrictOutline, 255))
	case orb.MultiPoint:
		for _, p := range g {
			c.referenceLinesAndPoints(p, s)
		}
	case orb.LineString:
		c.Stroke(g, 2*s, Hex(symbology.DistrictOutline, 255))
	case orb.MultiLineString:
		for _, l := range g {
			c.referenceLinesAndPoints(l, s)
		}
	case orb.Collection:
		for _, h := range g {
			c.referenceLinesAndPoints(h, s)
		}
	}
}

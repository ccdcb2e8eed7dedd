// Package geomutil holds small geometry helpers that orb lacks, shared by
// the stores so that they answer spatial queries alike.
package geomutil

import (
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// Intersects reports whether g intersects the box b (boundary included),
// exactly, not just by bounding box: a line passing beside the box does
// not intersect it.
func Intersects(g orb.Geometry, b orb.Bound) bool {
	if g == nil || !g.Bound().Intersects(b) {
		return false
	}
	switch g := g.(type) {
	case orb.Point:
		return b.Contains(g)
	case orb.MultiPoint:
		for _, p := range g {
			if b.Contains(p) {
				return true
			}
		}
	case orb.LineString:
		return lineIntersects(g, b)
	case orb.MultiLineString:
		for _, ls := range g {
			if lineIntersects(ls, b) {
				return true
			}
		}
	case orb.Ring:
		return polygonIntersects(orb.Polygon{g}, b)
	case orb.Polygon:
		return polygonIntersects(g, b)
	case orb.MultiPolygon:
		for _, p := range g {
			if polygonIntersects(p, b) {
				return true
			}
		}
	case orb.Bound:
		return true
	}
	return false
}

func polygonIntersects(p orb.Polygon, b orb.Bound) bool {
	for _, r := range p {
		if lineIntersects(orb.LineString(r), b) {
			return true
		}
	}
	// No edge touches the box: either the box lies inside the polygon or
	// they are apart.
	return planar.PolygonContains(p, b.Center())
}

func lineIntersects(ls orb.LineString, b orb.Bound) bool {
	for i := range ls {
		if b.Contains(ls[i]) {
			return true
		}
		if i > 0 && segmentIntersectsBox(ls[i-1], ls[i], b) {
			return true
		}
	}
	return false
}

// segmentIntersectsBox clips the segment a–b against the box (Liang–Barsky).
func segmentIntersectsBox(a, c orb.Point, b orb.Bound) bool {
	t0, t1 := 0.0, 1.0
	dx, dy := c[0]-a[0], c[1]-a[1]
	for _, e := range [4][2]float64{
		{-dx, a[0] - b.Min[0]},
		{dx, b.Max[0] - a[0]},
		{-dy, a[1] - b.Min[1]},
		{dy, b.Max[1] - a[1]},
	} {
		p, q := e[0], e[1]
		if p == 0 {
			if q < 0 {
				return false
			}
			continue
		}
		r := q / p
		if p < 0 {
			if r > t1 {
				return false
			}
			if r > t0 {
				t0 = r
			}
		} else {
			if r < t0 {
				return false
			}
			if r < t1 {
				t1 = r
			}
		}
	}
	return t0 <= t1
}

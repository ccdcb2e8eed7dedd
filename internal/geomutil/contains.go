package geomutil

import (
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// Contains tells whether an area (a Polygon or a MultiPolygon) holds pt;
// any other geometry holds nothing.
func Contains(g orb.Geometry, pt orb.Point) bool {
	switch g := g.(type) {
	case orb.Polygon:
		return planar.PolygonContains(g, pt)
	case orb.MultiPolygon:
		return planar.MultiPolygonContains(g, pt)
	}
	return false
}

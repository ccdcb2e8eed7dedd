package geomutil

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// Invalid says why g cannot be a site's WGS84 geometry, or returns "":
// coordinates must be finite lon/lat, lines need two points, rings four
// and closed, and multi-geometries at least one part. Collections and
// bounds are not sites' geometries.
func Invalid(g orb.Geometry) string {
	switch g := g.(type) {
	case nil:
		return "missing"
	case orb.Point:
		if math.IsNaN(g[0]) || math.IsNaN(g[1]) || g[0] < -180 || g[0] > 180 || g[1] < -90 || g[1] > 90 {
			return fmt.Sprintf("point %v is not a WGS84 lon/lat", g)
		}
	case orb.MultiPoint:
		if len(g) == 0 {
			return "empty MultiPoint"
		}
		for _, p := range g {
			if m := Invalid(p); m != "" {
				return m
			}
		}
	case orb.LineString:
		if len(g) < 2 {
			return "a line needs at least two points"
		}
		return Invalid(orb.MultiPoint(g))
	case orb.MultiLineString:
		if len(g) == 0 {
			return "empty MultiLineString"
		}
		for _, ls := range g {
			if m := Invalid(ls); m != "" {
				return m
			}
		}
	case orb.Ring:
		if len(g) < 4 {
			return "a ring needs at least four points"
		}
		if !g.Closed() {
			return "ring is not closed"
		}
		return Invalid(orb.MultiPoint(g))
	case orb.Polygon:
		if len(g) == 0 {
			return "empty Polygon"
		}
		for _, r := range g {
			if m := Invalid(r); m != "" {
				return m
			}
		}
	case orb.MultiPolygon:
		if len(g) == 0 {
			return "empty MultiPolygon"
		}
		for _, p := range g {
			if m := Invalid(p); m != "" {
				return m
			}
		}
	default:
		return fmt.Sprintf("%s is not supported", g.GeoJSONType())
	}
	return ""
}

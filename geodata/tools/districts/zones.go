package main

import (
	"fmt"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// DistrictOf returns the adcode of the district whose polygon contains p.
// The zones themselves (geodata/cities/xian/zones.geojson) are edited by
// hand, since nothing in the npm package locates them; the tests use this
// to hold each zone's district to the polygons.
func DistrictOf(ds []Built, p orb.Point) (string, error) {
	var hits []string
	for _, d := range ds {
		var in bool
		switch g := d.Geometry.(type) {
		case orb.Polygon:
			in = planar.PolygonContains(g, p)
		case orb.MultiPolygon:
			in = planar.MultiPolygonContains(g, p)
		}
		if in {
			hits = append(hits, d.Adcode)
		}
	}
	if len(hits) != 1 {
		return "", fmt.Errorf("point %v lies in %d districts %v", p, len(hits), hits)
	}
	return hits[0], nil
}

package tiles

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
)

// Cut turns a geometry in lon/lat into tile t's coordinates (0..extent
// across, y down), clipped to the tile grown by buffer units and snapped
// to the unit grid, as PostGIS's ST_AsMVTGeom does (rounding half to
// even, repeated vertices dropped). nil means nothing of it is left in
// the tile.
func Cut(g orb.Geometry, t Tile, extent, buffer int) orb.Geometry {
	if g == nil {
		return nil
	}
	x0, y0 := t.Origin()
	k := float64(extent) / t.Size()
	proj := func(p orb.Point) orb.Point {
		x, y := Project(p)
		return orb.Point{(x - x0) * k, (y0 - y) * k}
	}
	// Lines and polygons are snapped, clipped, then snapped again (the
	// points where they leave the box), as ST_AsMVTGeom does.
	grid := func(p orb.Point) orb.Point { return snap(proj(p)) }
	box := orb.Bound{Min: orb.Point{-float64(buffer), -float64(buffer)}, Max: orb.Point{float64(extent + buffer), float64(extent + buffer)}}
	switch g := g.(type) {
	case orb.Point:
		p := snap(proj(g))
		if !box.Contains(p) {
			return nil
		}
		return p
	case orb.MultiPoint:
		var out orb.MultiPoint
		for _, p := range g {
			if q := snap(proj(p)); box.Contains(q) {
				out = append(out, q)
			}
		}
		return single(out)
	case orb.LineString:
		return cutLines(clip.MultiLineString(box, mapLine(g, grid)))
	case orb.MultiLineString:
		var in orb.MultiLineString
		for _, l := range g {
			in = append(in, mapLine(l, grid)...)
		}
		return cutLines(clip.MultiLineString(box, in))
	case orb.Polygon:
		return cutPolygon(clip.Polygon(box, mapPolygon(g, grid)))
	case orb.MultiPolygon:
		var out orb.MultiPolygon
		for _, p := range g {
			if q, ok := cutPolygon(clip.Polygon(box, mapPolygon(p, grid))).(orb.Polygon); ok {
				out = append(out, q)
			}
		}
		return single(out)
	}
	return nil
}

func snap(p orb.Point) orb.Point {
	return orb.Point{math.RoundToEven(p[0]), math.RoundToEven(p[1])}
}

func mapLine(l orb.LineString, f func(orb.Point) orb.Point) orb.MultiLineString {
	out := make(orb.LineString, len(l))
	for i, p := range l {
		out[i] = f(p)
	}
	return orb.MultiLineString{out}
}

func mapPolygon(pg orb.Polygon, f func(orb.Point) orb.Point) orb.Polygon {
	out := make(orb.Polygon, len(pg))
	for i, r := range pg {
		rr := make(orb.Ring, len(r))
		for j, p := range r {
			rr[j] = f(p)
		}
		out[i] = rr
	}
	return out
}

// snapLine snaps a line to the grid, dropping repeated vertices; nil
// when fewer than two are left.
func snapLine(l []orb.Point) []orb.Point {
	var out []orb.Point
	for _, p := range l {
		q := snap(p)
		if len(out) > 0 && out[len(out)-1] == q {
			continue
		}
		out = append(out, q)
	}
	if len(out) < 2 {
		return nil
	}
	return out
}

func cutLines(m orb.MultiLineString) orb.Geometry {
	var out orb.MultiLineString
	for _, l := range m {
		if s := snapLine(l); s != nil {
			out = append(out, orb.LineString(s))
		}
	}
	return single(out)
}

func cutPolygon(pg orb.Polygon) orb.Geometry {
	var out orb.Polygon
	for i, r := range pg {
		s := snapLine(r)
		if len(s) < 4 {
			if i == 0 {
				return nil
			}
			continue
		}
		ring := orb.Ring(s)
		// Exterior rings clockwise on the screen (y down), holes the
		// other way, as the MVT spec and ST_AsMVTGeom have them.
		if want := orb.CCW; (i == 0) != (ring.Orientation() == want) {
			ring.Reverse()
		}
		out = append(out, ring)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// single returns a multi-geometry of one member as that member, nil when
// empty, as ST_AsMVTGeom does.
func single(g orb.Geometry) orb.Geometry {
	switch m := g.(type) {
	case orb.MultiPoint:
		switch len(m) {
		case 0:
			return nil
		case 1:
			return m[0]
		}
	case orb.MultiLineString:
		switch len(m) {
		case 0:
			return nil
		case 1:
			return m[0]
		}
	case orb.MultiPolygon:
		switch len(m) {
		case 0:
			return nil
		case 1:
			return m[0]
		}
	}
	return g
}

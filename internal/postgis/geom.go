package postgis

// This file is the one place where go-geom (the database side: WKB in and
// out of PostGIS) meets orb (GeoJSON, tiles and analysis everywhere else).

import (
	"encoding/binary"
	"fmt"

	"github.com/paulmach/orb"
	"github.com/twpayne/go-geom"
	"github.com/twpayne/go-geom/encoding/ewkb"
	"github.com/twpayne/go-geom/encoding/wkb"
)

// srid is the only coordinate system the store holds: WGS84 lon/lat.
const srid = 4326

// encodeEWKB returns g as EWKB with SRID 4326, ready for a geometry column
// or ST_GeomFromEWKB; nil (a site without a place) stays nil, for NULL. An
// orb.Ring becomes a Polygon and an orb.Bound its rectangle; they come
// back as such.
func encodeEWKB(g orb.Geometry) ([]byte, error) {
	if g == nil {
		return nil, nil
	}
	t, err := toGeom(g)
	if err != nil {
		return nil, err
	}
	return ewkb.Marshal(t, binary.LittleEndian)
}

// decodeWKB reads the output of ST_AsBinary into an orb geometry; NULL
// (nil) is a nil geometry.
func decodeWKB(b []byte) (orb.Geometry, error) {
	if b == nil {
		return nil, nil
	}
	t, err := wkb.Unmarshal(b)
	if err != nil {
		return nil, err
	}
	return toOrb(t)
}

// toGeom converts an orb geometry to a 2D go-geom geometry with SRID 4326.
func toGeom(g orb.Geometry) (geom.T, error) {
	switch g := g.(type) {
	case orb.Point:
		return geom.NewPointFlat(geom.XY, []float64{g[0], g[1]}).SetSRID(srid), nil
	case orb.MultiPoint:
		return geom.NewMultiPointFlat(geom.XY, flatPoints(nil, g)).SetSRID(srid), nil
	case orb.LineString:
		return geom.NewLineStringFlat(geom.XY, flatPoints(nil, g)).SetSRID(srid), nil
	case orb.MultiLineString:
		var flat []float64
		ends := make([]int, 0, len(g))
		for _, ls := range g {
			flat = flatPoints(flat, ls)
			ends = append(ends, len(flat))
		}
		return geom.NewMultiLineStringFlat(geom.XY, flat, ends).SetSRID(srid), nil
	case orb.Ring:
		return toGeom(orb.Polygon{g})
	case orb.Bound:
		return toGeom(g.ToPolygon())
	case orb.Polygon:
		flat, ends := flatPolygon(nil, g)
		return geom.NewPolygonFlat(geom.XY, flat, ends).SetSRID(srid), nil
	case orb.MultiPolygon:
		var flat []float64
		endss := make([][]int, 0, len(g))
		for _, p := range g {
			var ends []int
			flat, ends = flatPolygon(flat, p)
			endss = append(endss, ends)
		}
		return geom.NewMultiPolygonFlat(geom.XY, flat, endss).SetSRID(srid), nil
	case orb.Collection:
		c := geom.NewGeometryCollection()
		for _, part := range g {
			t, err := toGeom(part)
			if err != nil {
				return nil, err
			}
			if err := c.Push(t); err != nil {
				return nil, err
			}
		}
		return c.SetSRID(srid), nil
	case nil:
		return nil, fmt.Errorf("no geometry")
	}
	return nil, fmt.Errorf("unsupported geometry %T", g)
}

func flatPoints(flat []float64, ps []orb.Point) []float64 {
	for _, p := range ps {
		flat = append(flat, p[0], p[1])
	}
	return flat
}

func flatPolygon(flat []float64, p orb.Polygon) ([]float64, []int) {
	ends := make([]int, 0, len(p))
	for _, r := range p {
		flat = flatPoints(flat, r)
		ends = append(ends, len(flat))
	}
	return flat, ends
}

// toOrb converts a go-geom geometry to orb, dropping any Z or M.
func toOrb(t geom.T) (orb.Geometry, error) {
	switch t := t.(type) {
	case *geom.Point:
		if t.Empty() {
			return nil, fmt.Errorf("empty point")
		}
		return orb.Point{t.X(), t.Y()}, nil
	case *geom.MultiPoint:
		return orb.MultiPoint(points(t.FlatCoords(), t.Stride())), nil
	case *geom.LineString:
		return orb.LineString(points(t.FlatCoords(), t.Stride())), nil
	case *geom.MultiLineString:
		out := make(orb.MultiLineString, t.NumLineStrings())
		for i := range out {
			ls := t.LineString(i)
			out[i] = orb.LineString(points(ls.FlatCoords(), ls.Stride()))
		}
		return out, nil
	case *geom.Polygon:
		return polygon(t), nil
	case *geom.MultiPolygon:
		out := make(orb.MultiPolygon, t.NumPolygons())
		for i := range out {
			out[i] = polygon(t.Polygon(i))
		}
		return out, nil
	case *geom.GeometryCollection:
		out := make(orb.Collection, 0, t.NumGeoms())
		for _, g := range t.Geoms() {
			o, err := toOrb(g)
			if err != nil {
				return nil, err
			}
			out = append(out, o)
		}
		return out, nil
	}
	return nil, fmt.Errorf("unsupported geometry %T", t)
}

func points(flat []float64, stride int) []orb.Point {
	ps := make([]orb.Point, 0, len(flat)/stride)
	for i := 0; i+1 < len(flat); i += stride {
		ps = append(ps, orb.Point{flat[i], flat[i+1]})
	}
	return ps
}

func polygon(p *geom.Polygon) orb.Polygon {
	out := make(orb.Polygon, p.NumLinearRings())
	for i := range out {
		r := p.LinearRing(i)
		out[i] = orb.Ring(points(r.FlatCoords(), r.Stride()))
	}
	return out
}

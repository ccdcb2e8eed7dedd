package api

import (
	"net/url"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/project"

	"projectmap/internal/domain"
	"projectmap/internal/gcj02"
)

// datum= asks for the map's coordinates in a basemap's datum: wgs84 (the
// default, as stored) or gcj02, for an overlay drawn on a GCJ-02 basemap
// such as AMap. With gcj02 every coordinate in and out is GCJ-02: the
// geometries of items and the features of tiles are shifted, and bbox= and
// a tile's own extent are read as GCJ-02.
const datumParam = "datum"

// parseDatum reports whether datum=gcj02 was asked for.
func parseDatum(q url.Values) (bool, error) {
	switch q.Get(datumParam) {
	case "", "wgs84":
		return false, nil
	case "gcj02":
		return true, nil
	}
	return false, domain.Invalid(datumParam, "%q must be wgs84 or gcj02", q.Get(datumParam))
}

func toGCJ02(p orb.Point) orb.Point {
	lon, lat := gcj02.FromWGS84(p[0], p[1])
	return orb.Point{lon, lat}
}

func toWGS84(p orb.Point) orb.Point {
	lon, lat := gcj02.ToWGS84(p[0], p[1])
	return orb.Point{lon, lat}
}

// shiftGCJ02 is g in GCJ-02, a copy: the store's geometry is shared.
func shiftGCJ02(g orb.Geometry) orb.Geometry {
	if g == nil {
		return nil
	}
	return project.Geometry(orb.Clone(g), toGCJ02)
}

// shiftSites puts a page's sites into GCJ-02, on a copy of the slice.
func shiftSites(sites []domain.Site) []domain.Site {
	out := make([]domain.Site, len(sites))
	for i, s := range sites {
		s.Geometry = shiftGCJ02(s.Geometry)
		out[i] = s
	}
	return out
}

// boundToWGS84 is a GCJ-02 box as the WGS84 box to query: the offset
// varies slowly, so the corners carry it to well under a metre.
func boundToWGS84(b orb.Bound) orb.Bound {
	return orb.Bound{Min: toWGS84(b.Min), Max: toWGS84(b.Max)}
}

package domain

import (
	"context"

	"github.com/paulmach/orb"
)

// TileQuery asks for one layer's sites in a tile of the WebMercatorQuad
// tile matrix set (z, then x from the west and y from the north), with
// their geometry in the tile's own coordinates: 0..Extent across, x to
// the east, y down, clipped to the tile grown by Buffer units on every
// side, so that a symbol or a line on an edge is drawn whole in both
// tiles it touches.
type TileQuery struct {
	Plan, Layer string
	Z, X, Y     int
	Extent      int // units across the tile: 4096 for vector tiles
	Buffer      int // units kept beyond each edge
	// AsOf dates the reports the features carry, as SiteQuery.AsOf does.
	AsOf Date
}

// TileFeature is one site in a tile: the site (whose Geometry a store
// may leave nil), its geometry in tile coordinates, and, with an AsOf,
// the report that speaks for it then (as SitePage.Reports), or nil.
type TileFeature struct {
	Site   Site
	Tile   orb.Geometry
	Report *Report
}

// TileSource is a store that cuts a layer's tiles itself, next to the
// data (PostGIS, with ST_AsMVTGeom). For a store that is not one, the
// service cuts the sites a bbox query of the tile's bounds returns; both
// give the same features. An unknown plan or layer is ErrNotFound.
type TileSource interface {
	TileFeatures(ctx context.Context, q TileQuery) ([]TileFeature, error)
}

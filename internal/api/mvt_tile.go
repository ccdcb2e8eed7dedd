package api

import (
	"context"
	"slices"

	"github.com/paulmach/orb"

	"projectmap/internal/domain"
	"projectmap/internal/tiles"
)

// Aggregation of dense point layers (aggregation() documents it).
const (
	aggregateThreshold = 2000
	aggregateGrid      = 32
)

// layerTile cuts one layer's features in tile t on asof. A point layer is
// cut from its in-memory index, when the store names its version; any
// other from the store: next to the data when it is a TileSource, else
// from a bbox query of the buffered tile cut here (tiles.Cut). Both give
// the same features.
func (s *server) layerTile(ctx context.Context, p domain.Plan, l domain.LayerInfo, asof domain.Date, t tiles.Tile) ([]tiles.Feature, error) {
	_, source := s.cfg.Store.(domain.TileSource)
	if l.GeometryType == "Point" || !source {
		pl, err := s.pointIndex(ctx, p, l, asof)
		if err != nil {
			return nil, err
		}
		if pl != nil {
			return pl.tile(t), nil
		}
	}
	look := newLookup(p, nil, nil)
	var cut []tileSite
	var geoms []tiles.Feature
	if ts, ok := s.cfg.Store.(domain.TileSource); ok {
		fs, err := ts.TileFeatures(ctx, domain.TileQuery{Plan: p.ID, Layer: l.ID, Z: t.Z, X: t.X, Y: t.Y, Extent: tiles.Extent, Buffer: tiles.Buffer, AsOf: asof})
		if err != nil {
			return nil, err
		}
		for _, f := range fs {
			if f.Tile == nil || !f.Site.Located() {
				continue
			}
			ts := tileSite{site: f.Site, status: siteStatus(look, f.Site, f.Report, asof), report: f.Report}
			cut = append(cut, ts)
			geoms = append(geoms, tiles.Feature{Geometry: f.Tile, Props: tileProps(ts)})
		}
	} else {
		box := t.Bound(tiles.Buffer, tiles.Extent)
		page, err := s.cfg.Store.Sites(ctx, domain.SiteQuery{Plan: p.ID, Layer: l.ID, BBox: &box, AsOf: asof})
		if err != nil {
			return nil, err
		}
		for i, site := range page.Sites {
			if !site.Located() {
				continue
			}
			g := tiles.Cut(site.Geometry, t, tiles.Extent, tiles.Buffer)
			if g == nil {
				continue
			}
			r := reportAt(page, i)
			ts := tileSite{site: site, status: siteStatus(look, site, r, asof), report: r}
			cut = append(cut, ts)
			geoms = append(geoms, tiles.Feature{Geometry: g, Props: tileProps(ts)})
		}
	}
	if l.GeometryType == "Point" && len(cut) > aggregateThreshold {
		// No index to count with (the store names no version): grid
		// what was read.
		pl := newPointLayer(look, pageOf(cut), asof)
		return pl.tile(t), nil
	}
	return geoms, nil
}

func pageOf(ts []tileSite) domain.SitePage {
	page := domain.SitePage{Sites: make([]domain.Site, len(ts)), Reports: make([]*domain.Report, len(ts))}
	for i, t := range ts {
		page.Sites[i], page.Reports[i] = t.site, t.report
	}
	return page
}

// tile is the layer's features in t: one per point, or, past the
// threshold, one per cell of the aggregation grid; then its lines and
// polygons.
func (pl *pointLayer) tile(t tiles.Tile) []tiles.Feature {
	var out []tiles.Feature
	if pl.ix.Count(t) > aggregateThreshold {
		cells := pl.ix.Grid(t, tiles.Extent, aggregateGrid, numStatuses)
		out = make([]tiles.Feature, len(cells))
		for i, c := range cells {
			out[i] = tiles.Feature{Geometry: c.At, Props: aggregateProps(c)}
		}
	} else {
		out = pl.points(t)
	}
	if len(pl.shapes) == 0 {
		return out
	}
	n := float64(int(1) << t.Z)
	pad := float64(tiles.Buffer) / tiles.Extent
	box := orb.Bound{Min: orb.Point{(float64(t.X) - pad) / n, (float64(t.Y) - pad) / n}, Max: orb.Point{(float64(t.X+1) + pad) / n, (float64(t.Y+1) + pad) / n}}
	for _, sh := range pl.shapes {
		if !sh.bound.Intersects(box) {
			continue
		}
		if g := tiles.CutWorld(sh.world, t, tiles.Extent, tiles.Buffer); g != nil {
			out = append(out, tiles.Feature{Geometry: g, Props: tileProps(pl.sites[sh.ref])})
		}
	}
	return out
}

// points is the layer's points in t (and its buffer), one feature each.
func (pl *pointLayer) points(t tiles.Tile) []tiles.Feature {
	var refs []int
	pl.ix.Near(t, tiles.Extent, tiles.Buffer, func(p tiles.Point) { refs = append(refs, p.Ref) })
	// The layer's order, as the stores give it.
	slices.Sort(refs)
	out := make([]tiles.Feature, 0, len(refs))
	for _, r := range refs {
		ts := pl.sites[r]
		if g := tiles.Cut(ts.site.Geometry, t, tiles.Extent, tiles.Buffer); g != nil {
			out = append(out, tiles.Feature{Geometry: g, Props: tileProps(ts)})
		}
	}
	return out
}

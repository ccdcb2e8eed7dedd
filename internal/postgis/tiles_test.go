package postgis_test

import (
	"context"
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"projectmap/internal/domain"
	"projectmap/internal/storetest"
)

// tileCoords projects a lon/lat to tile units independently of PostGIS:
// spherical Web Mercator, x east and y down from the tile's north-west
// corner.
func tileCoords(p orb.Point, z, x, y, extent int) (float64, float64) {
	n := math.Exp2(float64(z))
	lat := p[1] * math.Pi / 180
	wx := (p[0] + 180) / 360 * n
	wy := (1 - math.Log(math.Tan(lat)+1/math.Cos(lat))/math.Pi) / 2 * n
	return (wx - float64(x)) * float64(extent), (wy - float64(y)) * float64(extent)
}

func featureOf(fs []domain.TileFeature, id string) (domain.TileFeature, bool) {
	for _, f := range fs {
		if f.Site.ID == id {
			return f, true
		}
	}
	return domain.TileFeature{}, false
}

// TestTileFeaturesPoints: known sites of the geodata land where the
// projection puts them, at a street zoom and a city zoom.
func TestTileFeaturesPoints(t *testing.T) {
	ctx := context.Background()
	s := storetest.PostGIS(t)
	p := storetest.Dataset(t).Latest()
	for _, tt := range []struct {
		site string
		z    int
	}{
		{"metro-station-beichen-east-rd", 14},
		{"metro-station-beichen-east-rd", 10},
		{"old-community-lintong-renhan", 14},
		{"old-community-lintong-renhan", 10},
	} {
		site := siteOf(t, p, tt.site)
		pt, ok := site.Geometry.(orb.Point)
		if !ok {
			t.Fatalf("%s is a %T, not a point", tt.site, site.Geometry)
		}
		tile := maptile.At(pt, maptile.Zoom(tt.z))
		q := domain.TileQuery{Plan: p.ID, Layer: site.Layer, Z: tt.z, X: int(tile.X), Y: int(tile.Y), Extent: 4096, Buffer: 64}
		fs, err := s.TileFeatures(ctx, q)
		if err != nil {
			t.Fatalf("%s z%d: %v", tt.site, tt.z, err)
		}
		f, ok := featureOf(fs, tt.site)
		if !ok {
			t.Errorf("%s z%d: not in tile %v (%d features)", tt.site, tt.z, tile, len(fs))
			continue
		}
		got, ok := f.Tile.(orb.Point)
		if !ok {
			t.Fatalf("%s z%d: tile geometry %T", tt.site, tt.z, f.Tile)
		}
		wx, wy := tileCoords(pt, q.Z, q.X, q.Y, q.Extent)
		if math.Abs(got[0]-wx) > 1 || math.Abs(got[1]-wy) > 1 {
			t.Errorf("%s z%d: at %v, want (%.1f, %.1f) ±1", tt.site, tt.z, got, wx, wy)
		}
		if got[0] != math.Round(got[0]) || got[1] != math.Round(got[1]) {
			t.Errorf("%s z%d: %v is not on the tile's grid", tt.site, tt.z, got)
		}
		if f.Site.Name != site.Name || f.Site.Project != site.Project || f.Report != nil {
			t.Errorf("%s z%d: site %+v, report %v", tt.site, tt.z, f.Site, f.Report)
		}
		for _, o := range fs {
			if o.Site.Layer != site.Layer || o.Site.PlanID != p.ID {
				t.Errorf("%s z%d: feature %s of %s/%s", tt.site, tt.z, o.Site.ID, o.Site.PlanID, o.Site.Layer)
			}
		}
	}
}

// TestTileFeaturesLinesClipped: a metro line longer than a street tile
// comes back cut to the tile grown by the buffer.
func TestTileFeaturesLinesClipped(t *testing.T) {
	ctx := context.Background()
	s := storetest.PostGIS(t)
	p := storetest.Dataset(t).Latest()
	site := siteOf(t, p, "metro-line-8")
	line, ok := site.Geometry.(orb.LineString)
	if !ok {
		t.Fatalf("metro-line-8 is a %T", site.Geometry)
	}
	const z, extent, buffer = 14, 4096, 64
	tile := maptile.At(line[0], z)
	fs, err := s.TileFeatures(ctx, domain.TileQuery{Plan: p.ID, Layer: site.Layer, Z: z, X: int(tile.X), Y: int(tile.Y), Extent: extent, Buffer: buffer})
	if err != nil {
		t.Fatal(err)
	}
	f, ok := featureOf(fs, site.ID)
	if !ok {
		t.Fatalf("metro-line-8 not in the tile of its first vertex (%d features)", len(fs))
	}
	var pts []orb.Point
	switch g := f.Tile.(type) {
	case orb.LineString:
		pts = g
	case orb.MultiLineString:
		for _, l := range g {
			pts = append(pts, l...)
		}
	default:
		t.Fatalf("tile geometry %T", f.Tile)
	}
	if len(pts) < 2 {
		t.Fatalf("clipped line %v", pts)
	}
	onEdge := false
	for _, pt := range pts {
		if pt[0] < -buffer || pt[0] > extent+buffer || pt[1] < -buffer || pt[1] > extent+buffer {
			t.Errorf("vertex %v outside the buffered tile", pt)
		}
		if pt[0] == -buffer || pt[0] == extent+buffer || pt[1] == -buffer || pt[1] == extent+buffer {
			onEdge = true
		}
	}
	if !onEdge {
		t.Errorf("a line longer than the tile was not cut at the buffered edge: %v", pts)
	}
	wx, wy := tileCoords(line[0], z, int(tile.X), int(tile.Y), extent)
	found := false
	for _, pt := range pts {
		if math.Abs(pt[0]-wx) <= 1 && math.Abs(pt[1]-wy) <= 1 {
			found = true
		}
	}
	if !found {
		t.Errorf("the first vertex (%.1f, %.1f) is not in the clipped line %v", wx, wy, pts)
	}
}

// TestTileFeaturesReports: with AsOf each feature carries the report that
// speaks for it then, as Sites does.
func TestTileFeaturesReports(t *testing.T) {
	ctx := context.Background()
	s := storetest.PostGIS(t)
	p := storetest.Dataset(t).Latest()
	site := siteOf(t, p, "old-community-lintong-renhan")
	filed := fileOne(t, s, report(site, domain.NewDate(2024, 6, 30), 0.5, domain.ReportInProgress))[0]
	tile := maptile.At(site.Geometry.(orb.Point), 12)
	for _, tt := range []struct {
		asof domain.Date
		want int64 // report id, 0 for none
	}{
		{domain.NewDate(2024, 6, 29), 0},
		{domain.NewDate(2024, 6, 30), filed.ID},
		{domain.NewDate(2024, 12, 31), filed.ID},
	} {
		q := domain.TileQuery{Plan: p.ID, Layer: site.Layer, Z: 12, X: int(tile.X), Y: int(tile.Y), Extent: 4096, Buffer: 64, AsOf: tt.asof}
		fs, err := s.TileFeatures(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		f, ok := featureOf(fs, site.ID)
		if !ok {
			t.Fatalf("asof %v: site not in its tile", tt.asof)
		}
		var got int64
		if f.Report != nil {
			got = f.Report.ID
		}
		if got != tt.want {
			t.Errorf("asof %v: report %d, want %d", tt.asof, got, tt.want)
		}
		page, err := s.Sites(ctx, domain.SiteQuery{Plan: p.ID, Layer: site.Layer, AsOf: tt.asof})
		if err != nil {
			t.Fatal(err)
		}
		for i, ps := range page.Sites {
			if g, ok := featureOf(fs, ps.ID); ok && (g.Report == nil) != (page.Reports[i] == nil) {
				t.Errorf("asof %v: %s has report %v in the tile, %v in the page", tt.asof, ps.ID, g.Report, page.Reports[i])
			}
		}
	}
}

// TestTileFeaturesRefused: unknown plans and layers, an empty tile and
// tiles not in the matrix set.
func TestTileFeaturesRefused(t *testing.T) {
	ctx := context.Background()
	s := storetest.PostGIS(t)
	p := storetest.Dataset(t).Latest()
	layer := siteOf(t, p, "metro-station-beichen-east-rd").Layer
	ok := domain.TileQuery{Plan: p.ID, Layer: layer, Z: 14, X: 0, Y: 0, Extent: 4096, Buffer: 64}
	fs, err := s.TileFeatures(ctx, ok)
	if err != nil || fs == nil || len(fs) != 0 {
		t.Errorf("an empty tile: %v, %v; want an empty slice", fs, err)
	}
	for _, tt := range []struct {
		name  string
		edit  func(*domain.TileQuery)
		kind  domain.Kind
		param string
	}{
		{"unknown layer", func(q *domain.TileQuery) { q.Layer = "no-such-layer" }, domain.ErrNotFound, ""},
		{"unknown plan", func(q *domain.TileQuery) { q.Plan = "no-such-plan" }, domain.ErrNotFound, ""},
		{"negative zoom", func(q *domain.TileQuery) { q.Z = -1 }, domain.ErrInvalid, "z"},
		{"zoom too deep", func(q *domain.TileQuery) { q.Z = 31 }, domain.ErrInvalid, "z"},
		{"column off the grid", func(q *domain.TileQuery) { q.Z, q.X = 2, 4 }, domain.ErrInvalid, "x"},
		{"row off the grid", func(q *domain.TileQuery) { q.Z, q.Y = 2, -1 }, domain.ErrInvalid, "y"},
		{"no extent", func(q *domain.TileQuery) { q.Extent = 0 }, domain.ErrInvalid, "extent"},
		{"negative buffer", func(q *domain.TileQuery) { q.Buffer = -1 }, domain.ErrInvalid, "buffer"},
	} {
		q := ok
		tt.edit(&q)
		_, err := s.TileFeatures(ctx, q)
		if domain.KindOf(err) != tt.kind || (tt.param != "" && param(err) != tt.param) {
			t.Errorf("%s: %v (kind %s, param %q); want %s naming %q", tt.name, err, domain.KindOf(err), param(err), tt.kind, tt.param)
		}
	}
}

// Package tiles is the tile maths and vector-tile cutting of the
// WebMercatorQuad tile matrix set (OGC TMS 2.0): which tiles exist, where
// they lie, how a site in lon/lat becomes a feature in a tile's own
// coordinates, and how features are encoded as Mapbox Vector Tiles. It
// knows nothing of HTTP or SQL.
package tiles

import (
	"math"
	"strconv"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"projectmap/internal/domain"
)

// MaxZoom is the deepest tile matrix served (TileMatrix 0..22).
const MaxZoom = 22

// Extent and Buffer are the vector tiles' grid: 4096 units across, and
// 64 units kept beyond each edge so that a symbol on an edge is drawn
// whole in both tiles.
const (
	Extent = 4096
	Buffer = 64
)

// earth is half the width of the Web Mercator world, in metres
// (EPSG:3857, as ST_TileEnvelope uses).
const earth = 20037508.342789244

// Tile is a tile of WebMercatorQuad: zoom Z, column X from the west, row
// Y from the north.
type Tile struct{ Z, X, Y int }

// Parse reads a tile from its path segments, each checked on its own:
// a bad one is a domain.Invalid naming z, y or x (OGC API – Tiles calls
// them tileMatrix, tileRow and tileCol).
func Parse(z, y, x string) (Tile, error) {
	zi, err := strconv.Atoi(z)
	if err != nil || zi < 0 || zi > MaxZoom {
		return Tile{}, domain.Invalid("z", "%q is not a zoom (tileMatrix) from 0 to %d", z, MaxZoom)
	}
	n := 1 << zi
	yi, err := strconv.Atoi(y)
	if err != nil || yi < 0 || yi >= n {
		return Tile{}, domain.Invalid("y", "%q is not a row (tileRow) from 0 to %d at zoom %d", y, n-1, zi)
	}
	xi, err := strconv.Atoi(x)
	if err != nil || xi < 0 || xi >= n {
		return Tile{}, domain.Invalid("x", "%q is not a column (tileCol) from 0 to %d at zoom %d", x, n-1, zi)
	}
	return Tile{zi, xi, yi}, nil
}

// Size is the tile's width in EPSG:3857 metres.
func (t Tile) Size() float64 { return 2 * earth / float64(int(1)<<t.Z) }

// Origin is the tile's north-west corner in EPSG:3857 metres.
func (t Tile) Origin() (x, y float64) {
	s := t.Size()
	return -earth + float64(t.X)*s, earth - float64(t.Y)*s
}

// Bound is the tile's box in lon/lat (CRS84), grown by buffer units of
// extent on every side.
func (t Tile) Bound(buffer, extent int) orb.Bound {
	b := maptile.New(uint32(t.X), uint32(t.Y), maptile.Zoom(t.Z)).Bound()
	if buffer == 0 {
		return b
	}
	f := float64(buffer) / float64(extent)
	x0, y0 := t.Origin()
	s := t.Size()
	sw := Unproject(x0-f*s, y0-s-f*s)
	ne := Unproject(x0+s+f*s, y0+f*s)
	return orb.Bound{Min: sw, Max: ne}
}

// Project takes lon/lat to EPSG:3857 metres (spherical Web Mercator).
func Project(p orb.Point) (x, y float64) {
	lat := math.Max(-85.0511287798066, math.Min(85.0511287798066, p[1]))
	return p[0] * math.Pi / 180 * 6378137, math.Log(math.Tan(math.Pi/4+lat*math.Pi/360)) * 6378137
}

// Unproject takes EPSG:3857 metres back to lon/lat.
func Unproject(x, y float64) orb.Point {
	return orb.Point{x / 6378137 * 180 / math.Pi, (2*math.Atan(math.Exp(y/6378137)) - math.Pi/2) * 180 / math.Pi}
}

// Covering is the range of tiles at zoom z that box b (lon/lat) meets.
func Covering(b orb.Bound, z int) (minX, minY, maxX, maxY int) {
	n := float64(int(1) << z)
	world := func(p orb.Point) (float64, float64) {
		x, y := Project(p)
		return (x + earth) / (2 * earth) * n, (earth - y) / (2 * earth) * n
	}
	x0, y1 := world(b.Min)
	x1, y0 := world(b.Max)
	clamp := func(v float64) int { return max(0, min(int(n)-1, int(math.Floor(v)))) }
	return clamp(x0), clamp(y0), clamp(x1), clamp(y1)
}

package tiles

import (
	"math"
	"slices"
	"sort"

	"github.com/paulmach/orb"
)

// indexZoom is the grid the point index sorts by: a tile of zoom z ≤
// indexZoom holds one contiguous run of its keys (a Z-order curve).
const indexZoom = 24

// Point is one point of an Index: where it is (lon/lat), a class (the
// caller's: a tracking status) and the caller's index of it.
type Point struct {
	At    orb.Point
	Class uint8
	Ref   int
}

// Index holds a point layer sorted along a Z-order curve, so that the
// points of any tile are found, counted and gridded without a store
// query. It is read-only once built, and safe for concurrent use.
type Index struct {
	keys []uint64
	pts  []Point
	wx   []float64 // world position 0..1, x to the east
	wy   []float64 // y to the south
}

// NewIndex sorts pts into an index (pts is reordered).
func NewIndex(pts []Point) *Index {
	ix := &Index{keys: make([]uint64, len(pts)), pts: pts}
	keyed := make([]struct {
		k uint64
		i int
	}, len(pts))
	for i, p := range pts {
		x, y := world(p.At)
		keyed[i].k, keyed[i].i = morton(cell(x), cell(y)), i
	}
	sort.Slice(keyed, func(a, b int) bool { return keyed[a].k < keyed[b].k })
	sorted := make([]Point, len(pts))
	ix.wx, ix.wy = make([]float64, len(pts)), make([]float64, len(pts))
	for i, k := range keyed {
		ix.keys[i], sorted[i] = k.k, pts[k.i]
		ix.wx[i], ix.wy[i] = world(sorted[i].At)
	}
	ix.pts = sorted
	return ix
}

// Len is the number of points.
func (ix *Index) Len() int { return len(ix.pts) }

func world(p orb.Point) (float64, float64) {
	x, y := Project(p)
	return (x + earth) / (2 * earth), (earth - y) / (2 * earth)
}

func cell(v float64) uint32 {
	n := float64(uint32(1) << indexZoom)
	return uint32(max(0, min(n-1, math.Floor(v*n))))
}

// morton interleaves the bits of x and y (x in the even bits).
func morton(x, y uint32) uint64 { return spread(x) | spread(y)<<1 }

func spread(v uint32) uint64 {
	x := uint64(v)
	x = (x | x<<16) & 0x0000FFFF0000FFFF
	x = (x | x<<8) & 0x00FF00FF00FF00FF
	x = (x | x<<4) & 0x0F0F0F0F0F0F0F0F
	x = (x | x<<2) & 0x3333333333333333
	x = (x | x<<1) & 0x5555555555555555
	return x
}

// span is the run of the index that tile t (z ≤ indexZoom) holds.
func (ix *Index) span(t Tile) (int, int) {
	s := uint(indexZoom - t.Z)
	lo := morton(uint32(t.X)<<s, uint32(t.Y)<<s)
	hi := lo + 1<<(2*s)
	a, _ := slices.BinarySearch(ix.keys, lo)
	b, _ := slices.BinarySearch(ix.keys, hi)
	return a, b
}

// Count is the number of points in tile t (its own area, no buffer):
// every point is counted in exactly one tile of a zoom.
func (ix *Index) Count(t Tile) int {
	a, b := ix.span(t)
	return b - a
}

// Near calls fn with every point of tile t and of the buffer units of
// extent around it (found in t and its eight neighbours), in no order.
func (ix *Index) Near(t Tile, extent, buffer int, fn func(Point)) {
	n := 1 << t.Z
	size := 1 / float64(n)
	pad := size * float64(buffer) / float64(extent) * 1.001 // a hair more: Cut decides
	x0, y0 := float64(t.X)*size-pad, float64(t.Y)*size-pad
	x1, y1 := float64(t.X+1)*size+pad, float64(t.Y+1)*size+pad
	for dy := -1; dy <= 1; dy++ {
		for dx := -1; dx <= 1; dx++ {
			nx, ny := t.X+dx, t.Y+dy
			if nx < 0 || ny < 0 || nx >= n || ny >= n {
				continue
			}
			a, b := ix.span(Tile{t.Z, nx, ny})
			for i := a; i < b; i++ {
				if x, y := ix.wx[i], ix.wy[i]; x >= x0 && x <= x1 && y >= y0 && y <= y1 {
					fn(ix.pts[i])
				}
			}
		}
	}
}

// Cell is one cell of an aggregated tile: the mean position of its
// points in tile coordinates (snapped to the grid), how many there are,
// and how many of each class.
type Cell struct {
	At      orb.Point
	Count   int
	ByClass []int
}

// Grid sorts the points of tile t (its own area, no buffer: each point
// is in one tile's count) into grid×grid cells of the tile and returns
// the non-empty ones, in row order; classes is the number of classes.
func (ix *Index) Grid(t Tile, extent, grid, classes int) []Cell {
	a, b := ix.span(t)
	n := float64(int(1) << t.Z)
	type acc struct {
		sx, sy float64
		c      Cell
	}
	cells := make([]*acc, grid*grid)
	for i := a; i < b; i++ {
		tx := (ix.wx[i]*n - float64(t.X)) * float64(extent)
		ty := (ix.wy[i]*n - float64(t.Y)) * float64(extent)
		cx := max(0, min(grid-1, int(tx)*grid/extent))
		cy := max(0, min(grid-1, int(ty)*grid/extent))
		c := cells[cy*grid+cx]
		if c == nil {
			c = &acc{c: Cell{ByClass: make([]int, classes)}}
			cells[cy*grid+cx] = c
		}
		c.sx += tx
		c.sy += ty
		c.c.Count++
		if k := int(ix.pts[i].Class); k < classes {
			c.c.ByClass[k]++
		}
	}
	var out []Cell
	for _, c := range cells {
		if c == nil {
			continue
		}
		k := float64(c.c.Count)
		c.c.At = snap(orb.Point{c.sx / k, c.sy / k})
		out = append(out, c.c)
	}
	return out
}

package tiles_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"projectmap/internal/domain"
	"projectmap/internal/tiles"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		z, y, x string
		want    tiles.Tile
		param   string
	}{
		{"0", "0", "0", tiles.Tile{}, ""},
		{"22", "4194303", "4194303", tiles.Tile{Z: 22, X: 4194303, Y: 4194303}, ""},
		{"14", "6530", "13149", tiles.Tile{Z: 14, X: 13149, Y: 6530}, ""},
		{"-1", "0", "0", tiles.Tile{}, "z"},
		{"23", "0", "0", tiles.Tile{}, "z"},
		{"z", "0", "0", tiles.Tile{}, "z"},
		{"", "0", "0", tiles.Tile{}, "z"},
		{"3", "8", "0", tiles.Tile{}, "y"},
		{"3", "-1", "0", tiles.Tile{}, "y"},
		{"3", "1e1", "0", tiles.Tile{}, "y"},
		{"3", "0", "8", tiles.Tile{}, "x"},
		{"3", "0", "0x1", tiles.Tile{}, "x"},
	} {
		got, err := tiles.Parse(tc.z, tc.y, tc.x)
		var inv *domain.Error
		switch {
		case tc.param == "" && (err != nil || got != tc.want):
			t.Errorf("%s/%s/%s: %v, %v; want %v", tc.z, tc.y, tc.x, got, err, tc.want)
		case tc.param != "" && (!errors.As(err, &inv) || inv.Param != tc.param):
			t.Errorf("%s/%s/%s: %v; want an error naming %s", tc.z, tc.y, tc.x, err, tc.param)
		}
	}
}

// TestBound: a tile's bounds are maptile's, and the buffer grows them by
// buffer/extent of the tile's width on each side (in Mercator metres).
func TestBound(t *testing.T) {
	tl := tiles.Tile{Z: 10, X: 821, Y: 408}
	want := maptile.New(821, 408, 10).Bound()
	if got := tl.Bound(0, tiles.Extent); !near(got.Min, want.Min) || !near(got.Max, want.Max) {
		t.Errorf("bound %v, want %v", got, want)
	}
	b := tl.Bound(tiles.Buffer, tiles.Extent)
	x0, y0 := tl.Origin()
	wx, wy := tiles.Project(b.Min)
	s := tl.Size() * tiles.Buffer / tiles.Extent
	if math.Abs(wx-(x0-s)) > 1e-6 || math.Abs(wy-(y0-tl.Size()-s)) > 1e-6 {
		t.Errorf("buffered corner %v: %v, %v; want %v, %v", b.Min, wx, wy, x0-s, y0-tl.Size()-s)
	}
}

func near(a, b orb.Point) bool { return math.Abs(a[0]-b[0]) < 1e-9 && math.Abs(a[1]-b[1]) < 1e-9 }

// TestCut: points map into 0..extent with y down, outside the buffer
// they are dropped; a line is clipped to the buffered tile.
func TestCut(t *testing.T) {
	tl := tiles.Tile{Z: 1, X: 1, Y: 0} // lon 0..180, lat 0..85
	for _, tc := range []struct {
		name string
		in   orb.Geometry
		want orb.Geometry
	}{
		{"north-west corner", orb.Point{0, 85.0511287798066}, orb.Point{0, 0}},
		{"centre", orb.Point{90, 66.51326044311186}, orb.Point{2048, 2048}},
		{"south-east corner", orb.Point{180, 0}, orb.Point{4096, 4096}},
		{"in the buffer", orb.Point{-1, 1}, orb.Point{-23, 4073}},
		{"outside", orb.Point{-10, 1}, nil},
		{"line across", orb.LineString{{-90, 1}, {90, 1}}, orb.LineString{{-64, 4073}, {2048, 4073}}},
		{"line outside", orb.LineString{{-90, -10}, {-80, -10}}, nil},
	} {
		got := tiles.Cut(tc.in, tl, tiles.Extent, tiles.Buffer)
		if !orb.Equal(got, tc.want) && !(got == nil && tc.want == nil) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestIndex: every point is counted in exactly one tile of a zoom, the
// grid's cells add up to the tile's count, and Near finds what a scan
// finds.
func TestIndex(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	pts := make([]tiles.Point, 20000)
	for i := range pts {
		pts[i] = tiles.Point{At: orb.Point{108.5 + rng.Float64(), 34 + rng.Float64()*0.5}, Class: uint8(i % 6), Ref: i}
	}
	ix := tiles.NewIndex(append([]tiles.Point(nil), pts...))
	for _, z := range []int{0, 5, 9, 12, 16, 22} {
		x0, y0, x1, y1 := tiles.Covering(orb.Bound{Min: orb.Point{108.5, 34}, Max: orb.Point{109.5, 34.5}}, z)
		if (x1-x0+1)*(y1-y0+1) > 400 {
			x1, y1 = x0+9, y0+9 // a sample at deep zooms
		}
		total := 0
		for x := x0; x <= x1; x++ {
			for y := y0; y <= y1; y++ {
				tl := tiles.Tile{Z: z, X: x, Y: y}
				n := ix.Count(tl)
				total += n
				sum := 0
				for _, c := range ix.Grid(tl, tiles.Extent, 32, 6) {
					byClass := 0
					for _, k := range c.ByClass {
						byClass += k
					}
					if byClass != c.Count {
						t.Fatalf("z%d: a cell of %d points has classes adding to %d", z, c.Count, byClass)
					}
					sum += c.Count
				}
				if sum != n {
					t.Fatalf("%v: grid holds %d, count %d", tl, sum, n)
				}
				if z == 12 && x == x0 && y == y0 {
					found := 0
					ix.Near(tl, tiles.Extent, tiles.Buffer, func(tiles.Point) { found++ })
					want := 0
					for _, p := range pts {
						if tiles.Cut(p.At, tl, tiles.Extent, tiles.Buffer) != nil {
							want++
						}
					}
					if found < want {
						t.Errorf("%v: Near found %d, the buffered tile holds %d", tl, found, want)
					}
				}
			}
		}
		if z <= 5 && total != len(pts) {
			t.Errorf("z%d: tiles count %d points of %d", z, total, len(pts))
		}
	}
}

package geomutil

import (
	"testing"

	"github.com/paulmach/orb"
)

func TestContains(t *testing.T) {
	square := orb.Polygon{{{0, 0}, {2, 0}, {2, 2}, {0, 2}, {0, 0}}}
	holed := orb.Polygon{square[0], {{0.5, 0.5}, {1.5, 0.5}, {1.5, 1.5}, {0.5, 1.5}, {0.5, 0.5}}}
	two := orb.MultiPolygon{square, {{{5, 5}, {6, 5}, {6, 6}, {5, 6}, {5, 5}}}}
	for _, c := range []struct {
		name string
		g    orb.Geometry
		pt   orb.Point
		want bool
	}{
		{"inside a polygon", square, orb.Point{1, 1}, true},
		{"outside a polygon", square, orb.Point{3, 1}, false},
		{"in a hole", holed, orb.Point{1, 1}, false},
		{"between hole and shell", holed, orb.Point{0.25, 1}, true},
		{"in a multipolygon's second part", two, orb.Point{5.5, 5.5}, true},
		{"between a multipolygon's parts", two, orb.Point{4, 4}, false},
		{"a line holds nothing", orb.LineString{{0, 0}, {2, 2}}, orb.Point{1, 1}, false},
		{"a point holds nothing", orb.Point{1, 1}, orb.Point{1, 1}, false},
	} {
		if got := Contains(c.g, c.pt); got != c.want {
			t.Errorf("%s: Contains = %v, want %v", c.name, got, c.want)
		}
	}
}

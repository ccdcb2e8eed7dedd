package geomutil

import (
	"testing"

	"github.com/paulmach/orb"
)

func TestIntersects(t *testing.T) {
	box := orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{10, 10}}
	square := orb.Polygon{{{-5, -5}, {15, -5}, {15, 15}, {-5, 15}, {-5, -5}}}
	tests := []struct {
		name string
		g    orb.Geometry
		want bool
	}{
		{"point inside", orb.Point{5, 5}, true},
		{"point on edge", orb.Point{10, 5}, true},
		{"point outside", orb.Point{11, 5}, false},
		{"line crossing without a vertex inside", orb.LineString{{-5, 5}, {15, 5}}, true},
		{"line beside the box, bounds overlap", orb.LineString{{-5, 6}, {4, 15}}, false},
		{"diagonal line cutting a corner", orb.LineString{{-1, 9}, {2, 12}}, true},
		{"polygon containing the box", square, true},
		{"polygon inside the box", orb.Polygon{{{1, 1}, {2, 1}, {2, 2}, {1, 1}}}, true},
		{"polygon apart, bounds overlap", orb.Polygon{{{11, -5}, {20, -5}, {20, 20}, {11, -5}}}, false},
		{"multipolygon one part inside", orb.MultiPolygon{{{{20, 20}, {21, 20}, {21, 21}, {20, 20}}}, {{{1, 1}, {2, 1}, {2, 2}, {1, 1}}}}, true},
		{"nil", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Intersects(tt.g, box); got != tt.want {
				t.Errorf("Intersects = %v, want %v", got, tt.want)
			}
		})
	}
}

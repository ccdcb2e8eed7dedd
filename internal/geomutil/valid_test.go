package geomutil

import (
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

func TestInvalid(t *testing.T) {
	square := orb.Ring{{0, 0}, {1, 0}, {1, 1}, {0, 0}}
	tests := []struct {
		name string
		g    orb.Geometry
		want string // "" for valid, else a fragment of the reason
	}{
		{"point", orb.Point{108.9, 34.2}, ""},
		{"nil", nil, "missing"},
		{"latitude out of range", orb.Point{34.2, 108.9}, "not a WGS84"},
		{"NaN", orb.Point{math.NaN(), 1}, "not a WGS84"},
		{"one-point line", orb.LineString{{1, 1}}, "two points"},
		{"line", orb.LineString{{1, 1}, {2, 2}}, ""},
		{"open ring", orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 1}}}, "not closed"},
		{"short ring", orb.Polygon{{{0, 0}, {1, 0}, {0, 0}}}, "four points"},
		{"polygon", orb.Polygon{square}, ""},
		{"empty multipolygon", orb.MultiPolygon{}, "empty"},
		{"collection", orb.Collection{orb.Point{1, 1}}, "not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Invalid(tt.g)
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("Invalid = %q, want %q", got, tt.want)
			}
		})
	}
}

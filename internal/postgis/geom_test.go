package postgis

import (
	"encoding/binary"
	"reflect"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/twpayne/go-geom/encoding/ewkb"
	"github.com/twpayne/go-geom/encoding/wkb"

	"projectmap/internal/domain"
)

var geometries = map[string]orb.Geometry{
	"point":           orb.Point{108.940200, 34.261000},
	"multipoint":      orb.MultiPoint{{108.9, 34.2}, {109.1, 34.3}},
	"linestring":      orb.LineString{{108.9, 34.2}, {108.95, 34.25}, {109.0, 34.2}},
	"multilinestring": orb.MultiLineString{{{108.9, 34.2}, {108.95, 34.25}}, {{109.0, 34.2}, {109.1, 34.3}, {109.2, 34.1}}},
	"polygon with a hole": orb.Polygon{
		{{108.0, 34.0}, {109.0, 34.0}, {109.0, 35.0}, {108.0, 35.0}, {108.0, 34.0}},
		{{108.4, 34.4}, {108.6, 34.4}, {108.6, 34.6}, {108.4, 34.4}},
	},
	"multipolygon": orb.MultiPolygon{
		{{{108.0, 34.0}, {108.5, 34.0}, {108.5, 34.5}, {108.0, 34.0}}},
		{{{109.0, 34.0}, {109.5, 34.0}, {109.5, 34.5}, {109.0, 34.0}}},
	},
	"collection": orb.Collection{orb.Point{108.9, 34.2}, orb.LineString{{108.9, 34.2}, {109, 34.3}}},
}

// TestGeometryRoundTrip sends every kind of geometry through EWKB (as
// written to the database) and WKB (as ST_AsBinary returns it) and back.
func TestGeometryRoundTrip(t *testing.T) {
	for name, g := range geometries {
		t.Run(name, func(t *testing.T) {
			b, err := encodeEWKB(g)
			if err != nil {
				t.Fatal(err)
			}
			e, err := ewkb.Unmarshal(b)
			if err != nil {
				t.Fatal(err)
			}
			if e.SRID() != 4326 {
				t.Errorf("SRID %d, want 4326", e.SRID())
			}
			plain, err := wkb.Marshal(e, binary.BigEndian)
			if err != nil {
				t.Fatal(err)
			}
			back, err := decodeWKB(plain)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, g) {
				t.Errorf("came back as %#v, want %#v", back, g)
			}
		})
	}
	if b, err := encodeEWKB(nil); b != nil || err != nil {
		t.Errorf("nil geometry: %v, %v; want NULL", b, err)
	}
	if g, err := decodeWKB(nil); g != nil || err != nil {
		t.Errorf("NULL: %v, %v; want a nil geometry", g, err)
	}
	if _, err := decodeWKB([]byte{1, 2, 3}); err == nil {
		t.Error("garbage decoded")
	}
}

// TestSitesSQL checks that every value of a query travels as a parameter
// and that a degenerate box is sent as a point or a line.
func TestSitesSQL(t *testing.T) {
	evil := "x'; DROP TABLE sites; --"
	point := orb.Bound{Min: orb.Point{108.9, 34.2}, Max: orb.Point{108.9, 34.2}}
	line := orb.Bound{Min: orb.Point{108.9, 34.2}, Max: orb.Point{108.9, 34.3}}
	box := orb.Bound{Min: orb.Point{108.9, 34.2}, Max: orb.Point{109.0, 34.3}}
	for _, tt := range []struct {
		q     domain.SiteQuery
		want  string
		nargs int
	}{
		{domain.SiteQuery{Plan: evil, Layer: evil}, "", 2},
		{domain.SiteQuery{Plan: evil, Layer: evil, BBox: &box, Project: 4, District: evil, Limit: 10, Offset: 5}, "ST_MakeEnvelope($3, $4, $5, $6, 4326)", 10},
		{domain.SiteQuery{Plan: "p", Layer: "l", BBox: &point}, "ST_MakePoint($3, $4)", 4},
		{domain.SiteQuery{Plan: "p", Layer: "l", BBox: &line}, "ST_MakeLine(ST_MakePoint($3, $4), ST_MakePoint($5, $6))", 6},
	} {
		sql, args := sitesPageSQL(tt.q)
		if strings.Contains(sql, "DROP") || strings.Contains(sql, "108.9") {
			t.Errorf("a value was written into the SQL: %s", sql)
		}
		if !strings.Contains(sql, tt.want) {
			t.Errorf("%s does not contain %s", sql, tt.want)
		}
		if len(args) != tt.nargs {
			t.Errorf("%d parameters, want %d: %v", len(args), tt.nargs, args)
		}
	}
}

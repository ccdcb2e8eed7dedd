package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"projectmap/internal/gcj02"
)

func TestLookup(t *testing.T) {
	cases := []struct {
		name, id, want string
		err            bool
	}{
		{"新城区", "610102", "610102", false},
		{"鄠邑区", "610125", "610118", false}, // the source's old adcode
		{"户县", "610125", "610118", false},  // renamed 2016
		{"户县", "", "610118", false},
		{"高陵县", "610126", "610117", false},
		{"周至县", "", "610124", false},
		{"", "610122", "610122", false},
		{"新城区", "610103", "", true}, // name and id disagree
		{"咸阳市", "610400", "", true},
		{"不存在", "610102", "", true},
	}
	for _, c := range cases {
		d, err := Lookup(c.name, c.id)
		if c.err {
			if err == nil {
				t.Errorf("Lookup(%q, %q) = %v, want error", c.name, c.id, d.Adcode)
			}
			continue
		}
		if err != nil || d.Adcode != c.want {
			t.Errorf("Lookup(%q, %q) = %v, %v; want %s", c.name, c.id, d.Adcode, err, c.want)
		}
	}
}

func TestDistrictTable(t *testing.T) {
	if len(Districts) != 13 {
		t.Fatalf("%d districts", len(Districts))
	}
	sum := 0
	for i, d := range Districts {
		if i > 0 && Districts[i-1].Adcode >= d.Adcode {
			t.Errorf("not sorted at %s", d.Adcode)
		}
		sum += d.Population
	}
	if sum != 12183280 {
		t.Errorf("population sum %d", sum)
	}
}

func TestToWGS84Rounds(t *testing.T) {
	p := ToWGS84(orb.Point{108.94715643, 34.25951343})
	if p != (orb.Point{108.9425, 34.2611}) {
		t.Errorf("got %v", p)
	}
	lon, lat := gcj02.ToWGS84(109.03125, 34.2490234375)
	if q := ToWGS84(orb.Point{109.03125, 34.2490234375}); q[0] != round6(lon) || q[1] != round6(lat) {
		t.Errorf("got %v", q)
	}
}

func g(pts ...int64) []ipt {
	out := make([]ipt, 0, len(pts)/2)
	for i := 0; i+1 < len(pts); i += 2 {
		out = append(out, ipt{pts[i], pts[i+1]})
	}
	return out
}

func TestCleanDistrict(t *testing.T) {
	cases := []struct {
		name         string
		ring         []ipt
		polys, holes int
		wantArea2    int64
	}{
		{"square", g(0, 0, 4, 0, 4, 4, 0, 4), 1, 0, 32},
		// a spike out of the top edge and straight back
		{"spike", g(0, 0, 4, 0, 4, 4, 2, 4, 2, 7, 2, 4, 0, 4), 1, 0, 32},
		// two squares touching at (2,2), written as one ring
		{"figure-eight", g(0, 0, 2, 0, 2, 2, 4, 2, 4, 4, 2, 4, 2, 2, 0, 2), 2, 0, 16},
		// a notch pinched shut: an inverted hole touching the shell at (2,2)
		{"inverted-hole", g(0, 0, 4, 0, 4, 4, 0, 4, 0, 2, 2, 2, 1, 3, 3, 3, 2, 2, 0, 2), 1, 1, 32 - 2},
		// the source's (635,84) pattern: A(7,4)→C(3,4)→D(3,5)→B(5,4)→E(5,5)
		// with B lying on edge A–C; noding splits off triangle B–C–D
		{"vertex-on-edge", g(7, 4, 3, 4, 3, 5, 5, 4, 5, 5, 7, 5, 7, 8, 0, 8, 0, 0, 7, 0), 1, 1, 2*(7*8-2) - 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rings := [][]ipt{c.ring}
			ps, err := cleanDistrict(rings, newVertexIndex(rings))
			if err != nil {
				t.Fatal(err)
			}
			holes := 0
			for _, p := range ps {
				holes += len(p) - 1
				for i, r := range p {
					if (i == 0) != (area2(r) > 0) {
						t.Errorf("ring %d orientation wrong: %v", i, r)
					}
					seen := map[ipt]bool{}
					for _, q := range r {
						if seen[q] {
							t.Errorf("ring repeats vertex %v: %v", q, r)
						}
						seen[q] = true
					}
				}
			}
			if c.polys >= 0 && (len(ps) != c.polys || holes != c.holes) {
				t.Errorf("got %d polygons, %d holes: %v", len(ps), holes, ps)
			}
			if a := totalArea2(ps); c.wantArea2 != 0 && a != c.wantArea2 {
				t.Errorf("area2 %d, want %d", a, c.wantArea2)
			}
			if a := totalArea2(ps); a != area2(c.ring) {
				t.Errorf("area2 changed: %d → %d", area2(c.ring), a)
			}
		})
	}
}

// TestSharedBorderNoding checks that a vertex of one district lying on a
// neighbour's edge is inserted there, so the shared border converts to
// identical vertices on both sides.
func TestSharedBorderNoding(t *testing.T) {
	a := g(0, 0, 4, 0, 4, 4, 0, 4)             // edge (4,0)-(4,4)
	b := g(4, 0, 8, 0, 8, 4, 4, 4, 4, 2, 4, 1) // has (4,2) and (4,1) on it
	idx := newVertexIndex([][]ipt{a, b})
	pa, err := cleanDistrict([][]ipt{a}, idx)
	if err != nil {
		t.Fatal(err)
	}
	pb, err := cleanDistrict([][]ipt{b}, idx)
	if err != nil {
		t.Fatal(err)
	}
	all := [][]gridPolygon{pa, pb}
	dropSharedCollinear(all)
	// (4,2) and (4,1) are collinear in both rings and are dropped from
	// both; the corners survive.
	for _, p := range all {
		if n := len(p[0][0]); n != 4 {
			t.Errorf("ring %v: %d vertices, want 4", p[0][0], n)
		}
	}
}

// sourceFixture builds a small collection in the source's shape: 13
// clockwise squares on the 1/1024° grid, the last one under the old
// adcode of 鄠邑区, plus a LineString that must be skipped.
func sourceFixture() *geojson.FeatureCollection {
	fc := geojson.NewFeatureCollection()
	for i := len(Districts) - 1; i >= 0; i-- {
		d := Districts[i]
		x0, y0 := 108.5+float64(i)*8/gridScale, 34.0
		s := 4.0 / gridScale
		ring := orb.Ring{{x0, y0}, {x0, y0 + s}, {x0 + s, y0 + s}, {x0 + s, y0}, {x0 + s, y0}, {x0, y0}}
		f := geojson.NewFeature(orb.Polygon{ring})
		f.ID = d.Adcode
		if d.Adcode == "610118" {
			f.ID = "610125"
		}
		f.Properties["name"] = d.Name
		fc.Append(f)
	}
	fc.Append(geojson.NewFeature(orb.LineString{{108.9, 34.2}, {109, 34.3}}))
	return fc
}

func TestBuild(t *testing.T) {
	ds, notes, err := Build(sourceFixture())
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 13 || len(notes) != 2 {
		t.Fatalf("%d districts, notes %q", len(ds), notes)
	}
	for i, d := range ds {
		if d.Adcode != Districts[i].Adcode {
			t.Errorf("order: %s at %d", d.Adcode, i)
		}
		p, ok := d.Geometry.(orb.Polygon)
		if !ok || len(p) != 1 || len(p[0]) != 5 || !p[0].Closed() || signedArea(p[0]) <= 0 {
			t.Errorf("%s: bad geometry %v", d.Adcode, d.Geometry)
		}
	}
	b1, err := DistrictsJSON(ds)
	if err != nil {
		t.Fatal(err)
	}
	ds2, _, _ := Build(sourceFixture())
	b2, _ := DistrictsJSON(ds2)
	if string(b1) != string(b2) {
		t.Error("output not deterministic")
	}
	if _, err := geojson.UnmarshalFeatureCollection(b1); err != nil {
		t.Error(err)
	}
}

// --- checks on the committed files ---

func repoFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func segmentsIntersect(a, b, c, d orb.Point) bool {
	o := func(p, q, r orb.Point) int {
		v := (q[0]-p[0])*(r[1]-p[1]) - (q[1]-p[1])*(r[0]-p[0])
		switch {
		case v > 0:
			return 1
		case v < 0:
			return -1
		}
		return 0
	}
	on := func(p, q, r orb.Point) bool {
		return math.Min(p[0], q[0]) <= r[0] && r[0] <= math.Max(p[0], q[0]) && math.Min(p[1], q[1]) <= r[1] && r[1] <= math.Max(p[1], q[1])
	}
	o1, o2, o3, o4 := o(a, b, c), o(a, b, d), o(c, d, a), o(c, d, b)
	if o1 != o2 && o3 != o4 {
		return true
	}
	return (o1 == 0 && on(a, b, c)) || (o2 == 0 && on(a, b, d)) || (o3 == 0 && on(c, d, a)) || (o4 == 0 && on(c, d, b))
}

// simpleRing reports the first pair of non-adjacent edges that touch.
func simpleRing(r orb.Ring) error {
	n := len(r) - 1
	for i := 0; i < n; i++ {
		a, b := r[i], r[i+1]
		for j := i + 2; j < n; j++ {
			if i == 0 && j == n-1 {
				continue
			}
			c, d := r[j], r[j+1]
			if math.Max(a[0], b[0]) < math.Min(c[0], d[0]) || math.Max(c[0], d[0]) < math.Min(a[0], b[0]) ||
				math.Max(a[1], b[1]) < math.Min(c[1], d[1]) || math.Max(c[1], d[1]) < math.Min(a[1], b[1]) {
				continue
			}
			if segmentsIntersect(a, b, c, d) {
				return fmt.Errorf("edges %d and %d touch near %v", i, j, a)
			}
		}
	}
	return nil
}

func TestCommittedDistricts(t *testing.T) {
	fc, err := geojson.UnmarshalFeatureCollection(repoFile(t, "cities/xian/districts.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	if len(fc.Features) != 13 {
		t.Fatalf("%d features", len(fc.Features))
	}
	pop := 0
	for i, f := range fc.Features {
		d := Districts[i]
		if f.ID != d.Adcode || f.Properties["adcode"] != d.Adcode || f.Properties["name"] != d.Name ||
			f.Properties["name_en"] != d.NameEN || f.Properties["precision"] != Precision || f.Properties["source"] != Source || f.Properties["source_en"] != SourceEN {
			t.Errorf("feature %d: id %v props %v", i, f.ID, f.Properties)
		}
		pop += int(f.Properties.MustFloat64("population_2020"))
		var polys []orb.Polygon
		switch g := f.Geometry.(type) {
		case orb.Polygon:
			polys = []orb.Polygon{g}
		case orb.MultiPolygon:
			polys = g
		default:
			t.Fatalf("%s: %T", d.Adcode, g)
		}
		for _, p := range polys {
			for k, r := range p {
				if !r.Closed() || len(r) < 4 {
					t.Errorf("%s: ring not closed", d.Adcode)
				}
				if (k == 0) != (signedArea(r) > 0) {
					t.Errorf("%s: ring %d has the wrong orientation", d.Adcode, k)
				}
				for _, q := range r {
					if q[0] != round6(q[0]) || q[1] != round6(q[1]) {
						t.Errorf("%s: %v not at 6 decimals", d.Adcode, q)
					}
					if q[0] < 107.5 || q[0] > 109.9 || q[1] < 33.6 || q[1] > 34.8 {
						t.Errorf("%s: %v outside Xi'an", d.Adcode, q)
					}
				}
				if err := simpleRing(r); err != nil {
					t.Errorf("%s: %v", d.Adcode, err)
				}
			}
		}
	}
	if pop != 12183280 {
		t.Errorf("population sum %d", pop)
	}
}

func TestCommittedZones(t *testing.T) {
	dfc, err := geojson.UnmarshalFeatureCollection(repoFile(t, "cities/xian/districts.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	var ds []Built
	for _, f := range dfc.Features {
		ds = append(ds, Built{District{Adcode: fmt.Sprint(f.ID)}, f.Geometry})
	}
	raw := repoFile(t, "cities/xian/zones.geojson")
	var generic map[string]any
	if err := json.Unmarshal(raw, &generic); err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(raw)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"xixian", "gaoxin", "jingkai", "qujiang", "chanba", "hangtian", "hangkong"}
	if len(fc.Features) != len(want) {
		t.Fatalf("%d zones", len(fc.Features))
	}
	for i, f := range fc.Features {
		if f.ID != want[i] || f.Properties["precision"] != "zone" {
			t.Errorf("zone %d: %v %v", i, f.ID, f.Properties)
		}
		p, ok := f.Geometry.(orb.Point)
		if !ok {
			t.Fatalf("%v: %T", f.ID, f.Geometry)
		}
		got, err := DistrictOf(ds, p)
		stated, hasDistrict := f.Properties["district"]
		switch {
		case !hasDistrict && err == nil:
			t.Errorf("%v: no district, but the point lies in %s", f.ID, got)
		case hasDistrict && (err != nil || got != stated):
			t.Errorf("%v: district %v, polygons say %s (%v)", f.ID, stated, got, err)
		}
	}
}

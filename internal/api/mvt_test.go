package api_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
)

// decodedTile is a vector tile decoded for comparison: per layer, its
// features in the order of their id, geometry in tile units.
type decodedTile map[string][]decodedFeature

type decodedFeature struct {
	Geometry   json.RawMessage `json:"geometry"`
	Properties map[string]any  `json:"properties"`
}

func decodeMVT(t testing.TB, body []byte) decodedTile {
	t.Helper()
	layers, err := mvt.Unmarshal(body)
	if err != nil {
		t.Fatalf("not a vector tile: %v", err)
	}
	out := decodedTile{}
	for _, l := range layers {
		if l.Version != 2 || l.Extent != 4096 {
			t.Errorf("layer %s: version %d, extent %d", l.Name, l.Version, l.Extent)
		}
		var fs []decodedFeature
		for _, f := range l.Features {
			g, err := json.Marshal(geojson.NewGeometry(normalRings(f.Geometry)))
			if err != nil {
				t.Fatal(err)
			}
			fs = append(fs, decodedFeature{g, f.Properties})
		}
		sort.Slice(fs, func(i, j int) bool {
			a, b := fmt.Sprint(fs[i].Properties["id"]), fmt.Sprint(fs[j].Properties["id"])
			if a != b {
				return a < b
			}
			return string(fs[i].Geometry) < string(fs[j].Geometry)
		})
		out[l.Name] = fs
	}
	return out
}

// matchMVTGolden compares a decoded tile with testdata/mvt/name; -update
// rewrites it. Both stores compare with the same file.
func matchMVTGolden(t *testing.T, name string, got decodedTile) {
	t.Helper()
	path := filepath.Join("testdata", "mvt", name+".golden.json")
	b, err := json.MarshalIndent(got, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		_ = os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if string(want) != string(b)+"\n" {
		t.Errorf("%s differs from its golden:\n%.3000s", name, b)
	}
}

// tileOf is the z/y/x path of the tile holding p.
func tileOf(p orb.Point, z int) string {
	tl := maptile.At(p, maptile.Zoom(z))
	return fmt.Sprintf("%d/%d/%d", z, tl.Y, tl.X)
}

// normalRings starts every ring at its least vertex (x, then y): where
// a clipped ring starts is no part of its shape, and stores differ in it.
func normalRings(g orb.Geometry) orb.Geometry {
	rotate := func(r orb.Ring) orb.Ring {
		if len(r) < 2 || r[0] != r[len(r)-1] {
			return r
		}
		open := r[:len(r)-1]
		k := 0
		for i, p := range open {
			if p[0] < open[k][0] || p[0] == open[k][0] && p[1] < open[k][1] {
				k = i
			}
		}
		out := append(append(orb.Ring{}, open[k:]...), open[:k]...)
		return append(out, out[0])
	}
	switch g := g.(type) {
	case orb.Polygon:
		out := orb.Polygon{}
		for _, r := range g {
			out = append(out, rotate(r))
		}
		return out
	case orb.MultiPolygon:
		out := orb.MultiPolygon{}
		for _, p := range g {
			out = append(out, normalRings(p).(orb.Polygon))
		}
		return out
	}
	return g
}

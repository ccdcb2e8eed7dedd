package tiles_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"

	"projectmap/internal/tiles"
)

// sampleLayer is n point features with site-like properties.
func sampleLayer(n int) tiles.Layer {
	rng := rand.New(rand.NewPCG(5, 6))
	l := tiles.Layer{Name: "synthetic"}
	for i := range n {
		l.Features = append(l.Features, tiles.Feature{
			Geometry: orb.Point{float64(rng.IntN(4096)), float64(rng.IntN(4096))},
			Props: []tiles.Prop{
				{Key: "id", Value: tiles.Str(fmt.Sprintf("synth-%07d", i))}, {Key: "name", Value: tiles.Str(fmt.Sprintf("合成点%d", i))},
				{Key: "project", Value: tiles.Int(9)}, {Key: "district", Value: tiles.Str("610113")},
				{Key: "status", Value: tiles.Str("unreported")}, {Key: "progress", Value: tiles.Num(42.5)},
				{Key: "aggregated", Value: tiles.Bool(i%2 == 0)}, {Key: "precision", Value: tiles.Str("exact")},
			},
		})
	}
	return l
}

// TestEncode: what Encode writes, orb's decoder reads back: layer,
// version, extent, geometry of each type, and values of each kind.
func TestEncode(t *testing.T) {
	l := sampleLayer(3)
	l.Features = append(l.Features,
		tiles.Feature{Geometry: orb.LineString{{0, 0}, {10, 5}, {-3, 4100}}, Props: []tiles.Prop{{Key: "id", Value: tiles.Str("line")}}},
		tiles.Feature{Geometry: orb.Polygon{{{0, 0}, {0, 10}, {10, 10}, {10, 0}, {0, 0}}}, Props: []tiles.Prop{{Key: "id", Value: tiles.Str("poly")}}},
		tiles.Feature{Geometry: orb.MultiPoint{{1, 1}, {2, 2}}, Props: nil},
	)
	b, err := tiles.Encode([]tiles.Layer{l, {Name: "empty"}})
	if err != nil {
		t.Fatal(err)
	}
	layers, err := mvt.Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(layers) != 1 || layers[0].Name != "synthetic" || layers[0].Version != 2 || layers[0].Extent != 4096 || len(layers[0].Features) != 6 {
		t.Fatalf("layers %+v", layers)
	}
	for i, f := range layers[0].Features {
		if !orb.Equal(f.Geometry, l.Features[i].Geometry) {
			t.Errorf("feature %d: %v, want %v", i, f.Geometry, l.Features[i].Geometry)
		}
	}
	p := layers[0].Features[0].Properties
	if p["id"] != "synth-0000000" || p["project"] != float64(9) || p["progress"] != 42.5 || p["aggregated"] != true {
		t.Errorf("properties %v", p)
	}
	if empty, err := tiles.Encode(nil); err != nil || len(empty) != 0 {
		t.Errorf("no layer: %d bytes, %v", len(empty), err)
	}
}

func BenchmarkEncode(b *testing.B) {
	l := sampleLayer(1000)
	for b.Loop() {
		if _, err := tiles.Encode([]tiles.Layer{l}); err != nil {
			b.Fatal(err)
		}
	}
}

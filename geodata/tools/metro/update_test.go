package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"projectmap/internal/domain"
	"projectmap/internal/gcj02"
)

const fixtureCommit = "0123456789abcdef0123456789abcdef01234567"

func TestToWGS84(t *testing.T) {
	for _, st := range []SourceStation{{Lat: 34.317183, Lng: 108.984197}, {Lat: 34.121428, Lng: 108.815384}, {Lat: 34.522137, Lng: 109.110164}} {
		p := ToWGS84(st)
		if p[0] != round(p[0], 6) || p[1] != round(p[1], 6) {
			t.Errorf("%v not rounded to 6 decimals", p)
		}
		// back to GCJ-02 within the rounding (~0.1 m)
		lon, lat := gcj02.FromWGS84(p[0], p[1])
		if math.Abs(lon-st.Lng) > 2e-6 || math.Abs(lat-st.Lat) > 2e-6 {
			t.Errorf("%+v → %v → %v, %v", st, p, lon, lat)
		}
		// the GCJ-02 offset in Xi'an is some 400–600 m
		if d := orbDistance(p, orb.Point{st.Lng, st.Lat}); d < 300 || d > 800 {
			t.Errorf("%+v moved %.0f m in conversion", st, d)
		}
	}
}

func TestLengthKM(t *testing.T) {
	cases := []struct {
		name string
		ls   orb.LineString
		want float64
	}{
		// 0.01° of latitude on orb's sphere (R = 6378137 m)
		{"one hundredth of a degree", orb.LineString{{108.9, 34.3}, {108.9, 34.31}}, 6378137 * math.Pi / 180 * 0.01 / 1000},
		{"there and back", orb.LineString{{108.9, 34.3}, {108.9, 34.31}, {108.9, 34.3}}, 2 * 6378137 * math.Pi / 180 * 0.01 / 1000},
		{"one point", orb.LineString{{108.9, 34.3}}, 0},
	}
	for _, c := range cases {
		if got := LengthKM(c.ls); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%s: %.6f km, want %.6f", c.name, got, c.want)
		}
	}
}

func TestCoarser(t *testing.T) {
	for _, c := range []struct{ a, b, want domain.Precision }{
		{domain.PrecisionStreet, domain.PrecisionTown, domain.PrecisionTown},
		{domain.PrecisionDistrict, domain.PrecisionTown, domain.PrecisionDistrict},
		{domain.PrecisionApproximate, domain.PrecisionStreet, domain.PrecisionApproximate},
	} {
		if got := coarser(c.a, c.b); got != c.want {
			t.Errorf("coarser(%s, %s) = %s", c.a, c.b, got)
		}
	}
}

func readFixtureLayers(t *testing.T) (stations, lines *layer) {
	t.Helper()
	for name, l := range map[string]**layer{"stations.geojson": &stations, "lines.geojson": &lines} {
		var err error
		if *l, err = readLayerFile(filepath.Join("testdata", name)); err != nil {
			t.Fatal(err)
		}
	}
	return stations, lines
}

func encodeFC(t *testing.T, l *layer) *geojson.FeatureCollection {
	t.Helper()
	b, err := l.encode()
	if err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		t.Fatal(err)
	}
	return fc
}

func TestUpdateFixture(t *testing.T) {
	src, _ := fixtureSource(t)
	stations, lines := readFixtureLayers(t)
	res, err := Update(src, fixtureCommit, stations, lines, fixtureSections)
	if err != nil {
		t.Fatal(err)
	}
	fc := encodeFC(t, stations)
	byID := map[string]*geojson.Feature{}
	for _, f := range fc.Features {
		byID[f.Properties.MustString("id")] = f
	}
	// 南湖 is on both lines: placed once, from its one source point
	if len(res.Moves) != 7 || len(res.Estimates) != 1 {
		t.Fatalf("%d moves, %d estimates", len(res.Moves), len(res.Estimates))
	}
	nanhu := byID["s-nanhu"]
	if want := ToWGS84(src.Stations[1]); nanhu.Geometry.(orb.Point) != want {
		t.Errorf("南湖 at %v, want %v", nanhu.Geometry, want)
	}
	if p := nanhu.Properties; p.MustString("precision") != "street" ||
		!strings.Contains(p.MustString("source"), "MetroMan") || !strings.Contains(p.MustString("source"), "0123456") ||
		!strings.Contains(p.MustString("source_en"), "commit 0123456") {
		t.Errorf("南湖 properties %v", p)
	}
	if keys := propertyKeys(t, stations, 1); strings.Join(keys, ",") != "id,project,name,name_en,precision,source,source_en,schedule,attrs" {
		t.Errorf("property order %v", keys)
	}
	qi := byID["s-qizhan"]
	if qi.Geometry.(orb.Point) != (orb.Point{108.9565, 34.32}) || qi.Properties.MustString("precision") != "town" ||
		qi.Properties.MustString("source_en") != "not in the source; estimated" {
		t.Errorf("七站 %v %v", qi.Geometry, qi.Properties)
	}

	lfc := encodeFC(t, lines)
	l1, l2 := lfc.Features[0], lfc.Features[1]
	ring := l1.Geometry.(orb.LineString)
	if len(ring) != 5 || ring[0] != ring[4] || ring[0] != byID["s-dongmen"].Geometry.(orb.Point) {
		t.Errorf("loop %v", ring)
	}
	line2 := l2.Geometry.(orb.LineString)
	if len(line2) != 5 || line2[0] != byID["s-liuli"].Geometry.(orb.Point) || line2[4] != qi.Geometry.(orb.Point) {
		t.Errorf("line 2 %v", line2)
	}
	for i, f := range []*geojson.Feature{l1, l2} {
		attrs := f.Properties["attrs"].(map[string]any)
		want := []float64{4, 5}[i]
		if attrs["stations"] != want || attrs["note"] != "kept" || attrs["drawn_length_km"] != round(res.Lines[i].KM, 1) {
			t.Errorf("%s attrs %v", f.ID, attrs)
		}
	}
	if l1.Properties.MustString("precision") != "approximate" || l2.Properties.MustString("precision") != "town" ||
		!strings.Contains(l2.Properties.MustString("source_en"), "七站 is not in that list") {
		t.Errorf("line precisions/sources %v / %v", l1.Properties, l2.Properties)
	}
	if math.Abs(res.TotalKM()-(LengthKM(ring)+LengthKM(line2))) > 1e-9 {
		t.Errorf("total %.3f km", res.TotalKM())
	}

	// a second run changes nothing
	b1, _ := stations.encode()
	l1b, _ := lines.encode()
	if _, err := Update(src, fixtureCommit, stations, lines, fixtureSections); err != nil {
		t.Fatal(err)
	}
	b2, _ := stations.encode()
	l2b, _ := lines.encode()
	if !bytes.Equal(b1, b2) || !bytes.Equal(l1b, l2b) {
		t.Error("second run changed the layers")
	}
}

func TestUpdateRejectsMisfitEstimate(t *testing.T) {
	src, _ := fixtureSource(t)
	stations, lines := readFixtureLayers(t)
	tight := append([]Section(nil), fixtureSections...)
	tight[1].Beyond = []Estimate{{Name: "七站", Source: "估计", SourceEN: "estimate", MaxKM: 0.5}}
	if _, err := Update(src, fixtureCommit, stations, lines, tight); err == nil || !strings.Contains(err.Error(), "no longer fits") {
		t.Errorf("error %v", err)
	}
}

func propertyKeys(t *testing.T, l *layer, i int) []string {
	t.Helper()
	var props object
	if err := l.Features[i].get("properties", &props); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, m := range props {
		keys = append(keys, m.Key)
	}
	return keys
}

// TestRun runs the command on a copy of the fixture plan: an unknown file
// needs its commit named.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"layers", "projects"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	copyFile(t, "testdata/stations.geojson", filepath.Join(dir, "layers", "metro-stations.geojson"))
	copyFile(t, "testdata/lines.geojson", filepath.Join(dir, "layers", "metro-lines.geojson"))
	if err := os.WriteFile(filepath.Join(dir, "projects", "01.json"), []byte(`{"metrics":[{"key":"metro_km","target":5}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run("testdata/xa-fixture.js", "", dir, &out); err == nil || !strings.Contains(err.Error(), "-commit") {
		t.Errorf("unknown version: %v", err)
	}
	// the real sections do not fit the made-up city
	if err := run("testdata/xa-fixture.js", fixtureCommit, dir, &out); err == nil || !strings.Contains(err.Error(), "8号线") {
		t.Errorf("fixture with the real sections: %v", err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// --- checks on the committed layers ---

const layersDir = "../../plans/xian-2024/layers"

// TestCommittedLayersRoundTrip: reading and writing a layer unchanged gives
// back the same bytes, so the tool keeps the files' formatting.
func TestCommittedLayersRoundTrip(t *testing.T) {
	for _, name := range []string{"metro-stations.geojson", "metro-lines.geojson"} {
		b, err := os.ReadFile(filepath.Join(layersDir, name))
		if err != nil {
			t.Fatal(err)
		}
		l, err := readLayer(b)
		if err != nil {
			t.Fatal(err)
		}
		out, err := l.encode()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, b) {
			t.Errorf("%s: rewriting it unchanged changes it", name)
		}
	}
}

// TestCommittedLines: each line's attrs agree with its geometry.
func TestCommittedLines(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(layersDir, "metro-lines.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fc.Features {
		ls := f.Geometry.(orb.LineString)
		var attrs struct {
			Stations int     `json:"stations"`
			Loop     bool    `json:"loop"`
			KM       float64 `json:"drawn_length_km"`
		}
		raw, _ := json.Marshal(f.Properties["attrs"])
		if err := json.Unmarshal(raw, &attrs); err != nil {
			t.Fatal(err)
		}
		n := len(ls)
		if attrs.Loop {
			n--
		}
		if n != attrs.Stations || attrs.KM != round(LengthKM(ls), 1) || f.Properties["district"] != nil {
			t.Errorf("%s: %d points for %d stations, %.2f km drawn for %.1f, district %v", f.ID, len(ls), attrs.Stations, LengthKM(ls), attrs.KM, f.Properties["district"])
		}
	}
}

func orbDistance(a, b orb.Point) float64 {
	return LengthKM(orb.LineString{a, b}) * 1000
}

package main

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"

	"projectmap/geodata"
	"projectmap/internal/geomutil"
)

// synthLayer is the layer writeSynthGeodata adds: the embedded store's
// counterpart of PostGIS's `data synth` layer, for the tile runs of
// `make bench-http` on the embedded store (`serve --geodata DIR`).
const synthLayer = "synthetic"

// writeSynthGeodata copies the embedded geodata to dir and adds to plan
// a layer "synthetic" of n points of project 3, drawn from seed: spread
// uniformly by area over the districts, as PostGIS's `data synth` spreads
// its points (a district by its share of the city's area, then a point
// inside its polygon), so that the data check (sites inside their
// districts) passes and both stores' tile runs see alike densities.
func writeSynthGeodata(dir, plan string, n int, seed uint64) error {
	if err := os.CopyFS(dir, geodata.Files); err != nil {
		return fmt.Errorf("copying the geodata: %w", err)
	}
	planDir := filepath.Join(dir, "plans", plan)
	var city struct {
		City string `json:"city_id"`
	}
	planJSON, err := readJSONMap(filepath.Join(planDir, "plan.json"), &city)
	if err != nil {
		return err
	}
	districts, err := readDistricts(filepath.Join(dir, "cities", city.City, "districts.geojson"))
	if err != nil {
		return err
	}
	layers, _ := planJSON["layers"].([]any)
	planJSON["layers"] = append(layers, map[string]any{
		"id": synthLayer, "project": 3, "title": "合成点", "title_en": "Synthetic points",
		"description": "基准测试用的合成点，不是方案的内容。", "description_en": "Generated points for benchmarks, not part of the plan.",
	})
	if err := writeJSON(filepath.Join(planDir, "plan.json"), planJSON); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	cum := make([]float64, len(districts)) // cumulative areas
	total := 0.0
	for i, d := range districts {
		total += math.Abs(planar.Area(d.poly))
		cum[i] = total
	}
	fc := geojson.NewFeatureCollection()
	for i := range n {
		k, _ := slices.BinarySearch(cum, rng.Float64()*total)
		d := districts[min(k, len(districts)-1)]
		f := geojson.NewFeature(pointIn(rng, d.poly))
		id := fmt.Sprintf("synthetic-%06d", i)
		f.ID = id
		f.Properties = geojson.Properties{
			"id": id, "project": 3, "name": fmt.Sprintf("合成点%d", i), "name_en": fmt.Sprintf("Synthetic point %d", i),
			"district": d.code, "precision": "exact", "source": "基准测试生成", "source_en": "generated for benchmarks",
		}
		fc.Append(f)
	}
	return writeJSON(filepath.Join(planDir, "layers", synthLayer+".geojson"), fc)
}

type district struct {
	code string
	poly orb.Geometry
}

func readDistricts(path string) ([]district, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var ds []district
	for _, f := range fc.Features {
		code, _ := f.Properties["adcode"].(string)
		if code == "" {
			code = fmt.Sprint(f.ID)
		}
		ds = append(ds, district{code: code, poly: f.Geometry})
	}
	if len(ds) == 0 {
		return nil, fmt.Errorf("%s: no districts", path)
	}
	return ds, nil
}

// pointIn draws a point uniformly inside g by rejection from its bound,
// at least margin (about 100 m) from its boundary, so that the data check
// finds every point inside its district.
func pointIn(rng *rand.Rand, g orb.Geometry) orb.Point {
	const margin = 0.001
	b := g.Bound()
	for {
		p := orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
		q := orb.Point{round6(p[0]), round6(p[1])}
		if geomutil.Contains(g, q) && geomutil.Contains(g, orb.Point{q[0] - margin, q[1]}) && geomutil.Contains(g, orb.Point{q[0] + margin, q[1]}) &&
			geomutil.Contains(g, orb.Point{q[0], q[1] - margin}) && geomutil.Contains(g, orb.Point{q[0], q[1] + margin}) {
			return q
		}
	}
}

func round6(v float64) float64 { return float64(int64(v*1e6+0.5)) / 1e6 }

func readJSONMap(path string, into any) (map[string]any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, json.Unmarshal(b, into)
}

func writeJSON(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

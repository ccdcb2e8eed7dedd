package main

import (
	"os"
	"path/filepath"
	"testing"

	"projectmap/internal/dataset"
)

// The synthetic geodata loads as the server would load it, with the data
// check passing, and holds the points asked for, drawn the same from the
// same seed.
func TestWriteSynthGeodata(t *testing.T) {
	dirs := []string{filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")}
	for _, dir := range dirs {
		if err := writeSynthGeodata(dir, "xian-2024", 500, 7); err != nil {
			t.Fatal(err)
		}
	}
	ds, err := dataset.Load(os.DirFS(dirs[0]))
	if err != nil {
		t.Fatalf("the synthetic geodata does not load: %v", err)
	}
	if problems := dataset.Check(ds); len(problems) > 0 {
		t.Fatalf("the data check fails: %v", problems)
	}
	n := 0
	for _, p := range ds.Plans {
		for _, s := range p.Sites {
			if s.Layer == synthLayer {
				n++
			}
		}
	}
	if n != 500 {
		t.Errorf("%d synthetic sites, want 500", n)
	}
	a, _ := os.ReadFile(filepath.Join(dirs[0], "plans/xian-2024/layers/synthetic.geojson"))
	b, _ := os.ReadFile(filepath.Join(dirs[1], "plans/xian-2024/layers/synthetic.geojson"))
	if string(a) != string(b) {
		t.Error("the same seed drew different points")
	}
	if err := writeSynthGeodata(dirs[0], "xian-2024", 1, 7); err == nil {
		t.Error("writing over an existing directory did not fail")
	}
}

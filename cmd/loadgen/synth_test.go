package main

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"testing"

	"projectmap/internal/postgis"
)

// The boxes wrk/bbox.lua reads: one a line, four numbers, SynthBox on a
// side, inside Xi'an's extent.
func TestPrintSynthBoxes(t *testing.T) {
	var out bytes.Buffer
	if err := printSynthBoxes(&out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) < 10 {
		t.Fatalf("%d boxes, want one per district:\n%s", len(lines), out.String())
	}
	for _, line := range lines {
		f := strings.Split(line, ",")
		if len(f) != 4 {
			t.Fatalf("%q: not minLon,minLat,maxLon,maxLat", line)
		}
		var v [4]float64
		for i, s := range f {
			n, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatalf("%q: %v", line, err)
			}
			v[i] = n
		}
		if w, h := v[2]-v[0], v[3]-v[1]; math.Abs(w-postgis.SynthBox) > 1e-5 || math.Abs(h-postgis.SynthBox) > 1e-5 {
			t.Errorf("%q: %g × %g, want %g on a side", line, w, h, postgis.SynthBox)
		}
		if v[0] < 107 || v[2] > 110 || v[1] < 33 || v[3] > 35 {
			t.Errorf("%q: outside Xi'an", line)
		}
	}
}

package main

import (
	"fmt"
	"io"

	"projectmap/geodata"
	"projectmap/internal/dataset"
	"projectmap/internal/postgis"
)

// printSynthBoxes writes the boxes `projectmap data synth` times, one a
// line as minLon,minLat,maxLon,maxLat: postgis.SynthBox on a side, centred
// on each district's centroid. The bbox-miss run of `make bench-http`
// (wrk/bbox.lua) draws its boxes around these, so that the HTTP run asks
// what the scale run asks, from the same geodata, not from a copy.
func printSynthBoxes(w io.Writer) error {
	ds, err := dataset.Load(geodata.Files)
	if err != nil {
		return fmt.Errorf("loading geodata: %w", err)
	}
	for _, b := range postgis.SynthBoxes(ds.Districts) {
		if _, err := fmt.Fprintf(w, "%.6f,%.6f,%.6f,%.6f\n", b.Min[0], b.Min[1], b.Max[0], b.Max[1]); err != nil {
			return err
		}
	}
	return nil
}

// Command metro rewrites the metro stations and lines of project 1 from
// MetroMan's open data (github.com/metromancn/MetroMapOpenMiniProgram,
// src/data/xa.js, MIT): every station of the four sections takes its
// source position, converted GCJ-02 → WGS84, and each line is redrawn
// straight through its stations. The source file is not in the repository
// (see geodata/NOTICE.md for where to get it):
//
//	go run ./geodata/tools/metro -in /path/to/xa.js
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
)

func main() {
	in := flag.String("in", "", "MetroMan's src/data/xa.js (required)")
	commit := flag.String("commit", "", "the commit the file was read from, if it is not a known version")
	plan := flag.String("plan", "geodata/plans/xian-2024", "plan directory whose layers are rewritten")
	flag.Parse()
	if *in == "" {
		fmt.Fprintln(os.Stderr, "metro: -in /path/to/xa.js is required (see geodata/NOTICE.md)")
		os.Exit(2)
	}
	if err := run(*in, *commit, *plan, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "metro:", err)
		os.Exit(1)
	}
}

func run(in, commit, plan string, w io.Writer) error {
	b, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	if known, ok := KnownVersions[Digest(b)]; ok {
		if commit != "" && commit != known {
			return fmt.Errorf("%s is commit %s, not %s", in, known, commit)
		}
		commit = known
	} else if commit == "" {
		return fmt.Errorf("%s (sha256 %s) is not a known version: name its commit with -commit", in, Digest(b))
	}
	src, err := ParseSource(string(b))
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	dir := filepath.Join(plan, "layers")
	stations, err := readLayerFile(filepath.Join(dir, "metro-stations.geojson"))
	if err != nil {
		return err
	}
	lines, err := readLayerFile(filepath.Join(dir, "metro-lines.geojson"))
	if err != nil {
		return err
	}
	stated, err := statedKM(filepath.Join(plan, "projects", "01.json"))
	if err != nil {
		return err
	}
	res, err := Update(src, commit, stations, lines, Sections)
	if err != nil {
		return err
	}
	for name, l := range map[string]*layer{"metro-stations.geojson": stations, "metro-lines.geojson": lines} {
		out, err := l.encode()
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, name), out, 0o644); err != nil {
			return err
		}
	}
	report(w, res, stated, commit)
	return nil
}

func readLayerFile(path string) (*layer, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	l, err := readLayer(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return l, nil
}

// statedKM is project 1's stated route length (metric metro_km).
func statedKM(path string) (float64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	var p struct {
		Metrics []struct {
			Key    string  `json:"key"`
			Target float64 `json:"target"`
		} `json:"metrics"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	for _, m := range p.Metrics {
		if m.Key == "metro_km" {
			return m.Target, nil
		}
	}
	return 0, fmt.Errorf("%s: no metro_km metric", path)
}

func report(w io.Writer, res *Result, stated float64, commit string) {
	fmt.Fprintf(w, "MetroMan commit %s: %d stations placed, %d estimate kept\n", commit, len(res.Moves), len(res.Estimates))
	for _, l := range res.Lines {
		fmt.Fprintf(w, "  %-14s %2d stations  %5.1f km drawn\n", l.ID, l.Stations, l.KM)
	}
	total := res.TotalKM()
	fmt.Fprintf(w, "  total %.1f km drawn against the plan's %g km (ratio %.3f)\n", total, stated, total/stated)
	for _, e := range res.Estimates {
		fmt.Fprintf(w, "  %s kept as an estimate, %.2f km beyond %s\n", e.Name, e.KM, e.Prev)
	}
	fmt.Fprintln(w, "moves, old → new position:")
	for _, m := range res.Moves {
		fmt.Fprintf(w, "  %-7s line %-2s %6.0f m  %s\n", m.Name, m.Section, m.Meters, m.ID)
	}
	groups := []struct {
		name string
		keep func(Move) bool
	}{
		{"line 8 (incl. shared stations)", func(m Move) bool { return m.Section == "8" }},
		{"lines 10, 6, 5", func(m Move) bool { return m.Section != "8" }},
		{"all", func(Move) bool { return true }},
	}
	for _, g := range groups {
		med, most, who, n := moveStats(res.Moves, g.keep)
		fmt.Fprintf(w, "  %-31s %2d stations: median %.0f m, max %.0f m (%s)\n", g.name, n, med, most, who)
	}
}

// moveStats is the median and largest move of the stations kept.
func moveStats(moves []Move, keep func(Move) bool) (median, most float64, mostName string, n int) {
	var ds []float64
	for _, m := range moves {
		if keep(m) {
			ds = append(ds, m.Meters)
			if m.Meters > most {
				most, mostName = m.Meters, m.Name
			}
		}
	}
	if len(ds) == 0 {
		return 0, 0, "", 0
	}
	sort.Float64s(ds)
	mid := len(ds) / 2
	median = ds[mid]
	if len(ds)%2 == 0 {
		median = (ds[mid-1] + ds[mid]) / 2
	}
	return median, most, mostName, len(ds)
}

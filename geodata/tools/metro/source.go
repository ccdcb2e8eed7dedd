package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"projectmap/internal/gcj02"
)

// SourceStation is one entry of MetroMan's stationList: a GCJ-02 point.
type SourceStation struct {
	ID       int
	Name     string
	Lat, Lng float64 // GCJ-02
}

// SourceLine is one entry of lineList: its stations in running order, as
// ids into stationList (a loop repeats its first station at the end).
type SourceLine struct {
	Name     string
	Stations []int
}

// Source is a parsed MetroMan city file.
type Source struct {
	Lines    []SourceLine
	Stations map[int]SourceStation
}

// KnownVersions maps the SHA-256 of a MetroMan file (line breaks as LF) to
// the commit it was read from, so that the source texts written into the
// data can name the commit truthfully.
var KnownVersions = map[string]string{
	"13cb05e9d76418a778455999ce39d2de2511bed859dcf69589b88acb8ab9bd03": "eb2290f71b8d214593a3a6cd22855f4ca2dce174", // metromancn/MetroMapOpenMiniProgram src/data/xa.js
}

// Digest is the SHA-256 (hex) of the file with CRLF line breaks read as LF.
func Digest(b []byte) string {
	sum := sha256.Sum256([]byte(strings.ReplaceAll(string(b), "\r\n", "\n")))
	return hex.EncodeToString(sum[:])
}

// ParseSource reads lineList and stationList. It fails on anything it
// cannot read unambiguously: a missing field, a repeated station id, a
// line naming an unknown station, or a point outside China (which would
// mean lat and lng swapped or not GCJ-02 at all).
func ParseSource(text string) (*Source, error) {
	v, err := parseJSLiteral(text)
	if err != nil {
		return nil, err
	}
	root, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("top level is %T, want an object", v)
	}
	src := &Source{Stations: map[int]SourceStation{}}
	stations, ok := root["stationList"].([]any)
	if !ok {
		return nil, fmt.Errorf("no stationList array")
	}
	for i, e := range stations {
		st, err := sourceStation(e)
		if err != nil {
			return nil, fmt.Errorf("stationList[%d]: %w", i, err)
		}
		if _, dup := src.Stations[st.ID]; dup {
			return nil, fmt.Errorf("stationList[%d]: id %d appears twice", i, st.ID)
		}
		src.Stations[st.ID] = st
	}
	lines, ok := root["lineList"].([]any)
	if !ok {
		return nil, fmt.Errorf("no lineList array")
	}
	for i, e := range lines {
		l, err := sourceLine(e, src.Stations)
		if err != nil {
			return nil, fmt.Errorf("lineList[%d]: %w", i, err)
		}
		src.Lines = append(src.Lines, l)
	}
	return src, nil
}

func sourceStation(e any) (SourceStation, error) {
	m, ok := e.(map[string]any)
	if !ok {
		return SourceStation{}, fmt.Errorf("%T, want an object", e)
	}
	var st SourceStation
	var err error
	if st.ID, err = intField(m, "id"); err != nil {
		return st, err
	}
	if st.Name, ok = m["name"].(string); !ok || strings.TrimSpace(st.Name) == "" {
		return st, fmt.Errorf("id %d: no name", st.ID)
	}
	if st.Lat, err = floatField(m, "lat"); err != nil {
		return st, fmt.Errorf("%s: %w", st.Name, err)
	}
	if st.Lng, err = floatField(m, "lng"); err != nil {
		return st, fmt.Errorf("%s: %w", st.Name, err)
	}
	if gcj02.OutOfChina(st.Lng, st.Lat) {
		return st, fmt.Errorf("%s: lng %g, lat %g lies outside China", st.Name, st.Lng, st.Lat)
	}
	return st, nil
}

func sourceLine(e any, stations map[int]SourceStation) (SourceLine, error) {
	m, ok := e.(map[string]any)
	if !ok {
		return SourceLine{}, fmt.Errorf("%T, want an object", e)
	}
	var l SourceLine
	if l.Name, ok = m["name"].(string); !ok || l.Name == "" {
		return l, fmt.Errorf("no name")
	}
	ids, ok := m["stations"].([]any)
	if !ok || len(ids) < 2 {
		return l, fmt.Errorf("%s: no stations list", l.Name)
	}
	for _, x := range ids {
		id, err := toInt(x)
		if err != nil {
			return l, fmt.Errorf("%s: %w", l.Name, err)
		}
		if _, ok := stations[id]; !ok {
			return l, fmt.Errorf("%s: station id %d is not in stationList", l.Name, id)
		}
		l.Stations = append(l.Stations, id)
	}
	return l, nil
}

// Line returns the line of that name.
func (s *Source) Line(name string) (SourceLine, error) {
	for _, l := range s.Lines {
		if l.Name == name {
			return l, nil
		}
	}
	return SourceLine{}, fmt.Errorf("the source has no line %q", name)
}

// intField and floatField accept a number or a numeric string: the source
// writes ids as numbers and coordinates as strings.
func intField(m map[string]any, key string) (int, error) {
	v, ok := m[key]
	if !ok {
		return 0, fmt.Errorf("no %s", key)
	}
	n, err := toInt(v)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", key, err)
	}
	return n, nil
}

func toInt(v any) (int, error) {
	f, err := toFloat(v)
	if err != nil {
		return 0, err
	}
	if f != float64(int(f)) {
		return 0, fmt.Errorf("%v is not a whole number", v)
	}
	return int(f), nil
}

func floatField(m map[string]any, key string) (float64, error) {
	v, ok := m[key]
	if !ok {
		return 0, fmt.Errorf("no %s", key)
	}
	f, err := toFloat(v)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", key, err)
	}
	return f, nil
}

func toFloat(v any) (float64, error) {
	switch v := v.(type) {
	case float64:
		return v, nil
	case string:
		return strconv.ParseFloat(strings.TrimSpace(v), 64)
	}
	return 0, fmt.Errorf("%v (%T) is not a number", v, v)
}

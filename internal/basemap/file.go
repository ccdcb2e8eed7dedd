package basemap

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
)

// fileEntry is an entry of a --basemaps file: a full description, or
// "preset" with some fields to override.
type fileEntry struct {
	Preset string `json:"preset"`
	Basemap
}

// ReadFile reads a JSON list of basemaps. An entry naming a preset starts
// from it; its other fields replace the preset's. A key is never written
// in the file: key_env names the environment variable that holds it.
func ReadFile(path string, getenv func(string) string) ([]Basemap, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("%s: must be a JSON array of basemaps: %w", path, err)
	}
	list := make([]Basemap, 0, len(raw))
	for i, r := range raw {
		b, err := decodeEntry(r, getenv)
		if err != nil {
			return nil, fmt.Errorf("%s: basemaps[%d]: %w", path, i, err)
		}
		list = append(list, b)
	}
	return list, nil
}

func decodeEntry(r json.RawMessage, getenv func(string) string) (Basemap, error) {
	var head struct {
		Preset string `json:"preset"`
		Key    string `json:"key"`
	}
	if err := json.Unmarshal(r, &head); err != nil {
		return Basemap{}, err
	}
	if head.Key != "" {
		return Basemap{}, fieldErr("key", "may not be written in the file: name its environment variable in key_env")
	}
	var b Basemap
	if head.Preset != "" {
		p, ok := Preset(head.Preset, getenv)
		if !ok {
			return Basemap{}, fieldErr("preset", "%q is no preset: use osm, tianditu or amap", head.Preset)
		}
		b = p
	}
	dec := json.NewDecoder(bytes.NewReader(r))
	dec.DisallowUnknownFields()
	fe := fileEntry{Basemap: b}
	if err := dec.Decode(&fe); err != nil {
		return Basemap{}, err
	}
	b = fe.Basemap
	if b.KeyEnv != "" {
		b.Key = getenv(b.KeyEnv)
	}
	return b, nil
}

package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeBasemapFlags: the list comes from presets, a file or the one
// --basemap-url, and a bad entry stops the start with an error naming it.
func TestServeBasemapFlags(t *testing.T) {
	file := filepath.Join(t.TempDir(), "basemaps.json")
	if err := os.WriteFile(file, []byte(`[{"id":"own","name":"自有","url":"https://tiles.example.org/{z}/{x}/{y}.png","attribution":"own","crs":"gcj02"}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		ids  string
		err  string
	}{
		{"default is osm", nil, nil, "osm", ""},
		{"no basemap", []string{"--basemap-url", ""}, nil, "", ""},
		{"one template", []string{"--basemap-url", "https://{s}.t.example/{z}/{x}/{y}.png"}, nil, "default", ""},
		{"presets", []string{"--basemap-presets", "tianditu,amap,osm"}, map[string]string{"PROJECTMAP_TIANDITU_KEY": "k"}, "tianditu,amap,osm", ""},
		{"presets from env", nil, map[string]string{"PROJECTMAP_BASEMAP_PRESETS": "amap"}, "amap", ""},
		{"presets and file", []string{"--basemap-presets", "osm", "--basemaps", file}, nil, "osm,own", ""},
		{"tianditu needs its key", []string{"--basemap-presets", "tianditu"}, nil, "", "PROJECTMAP_TIANDITU_KEY"},
		{"unknown preset", []string{"--basemap-presets", "bing"}, nil, "", "--basemap-presets"},
		{"missing file", []string{"--basemaps", file + ".none"}, nil, "", "--basemaps"},
		{"both kinds", []string{"--basemap-presets", "osm", "--basemap-url", "https://t.example/{z}/{x}/{y}.png"}, nil, "", "--basemap-url"},
		{"bad template", []string{"--basemap-url", "https://tiles.{s}.example/{z}/{x}/{y}.png"}, nil, "", "--basemap-url"},
		{"template without z", []string{"--basemap-url", "https://t.example/{x}/{y}.png"}, nil, "", "url"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := parseServe(tc.args, func(k string) string { return tc.env[k] }, io.Discard)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one naming %s", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, b := range cfg.basemaps {
				ids = append(ids, b.ID)
			}
			if got := strings.Join(ids, ","); got != tc.ids {
				t.Errorf("basemaps %s, want %s", got, tc.ids)
			}
		})
	}
}

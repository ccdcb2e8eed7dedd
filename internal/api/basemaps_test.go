package api_test

import (
	"encoding/json"
	"strings"
	"testing"

	"projectmap/internal/api"
	"projectmap/internal/basemap"
)

// TestConfigBasemaps: /api/config lists the basemaps as the browser needs
// them (the 天地图 browser key filled into both templates, never the
// variable that holds it), the first as "basemap", and the CSP allows
// every basemap's tile hosts.
func TestConfigBasemaps(t *testing.T) {
	getenv := func(k string) string { return map[string]string{basemap.TiandituKeyEnv: "browserkey1"}[k] }
	list, err := basemap.Presets("tianditu,amap,osm", getenv)
	if err != nil {
		t.Fatal(err)
	}
	srv := newServerWith(t, api.Config{Basemaps: list})
	r := get(t, srv, "/api/config")
	var cfg struct {
		Basemap  map[string]any   `json:"basemap"`
		Basemaps []map[string]any `json:"basemaps"`
	}
	if err := json.Unmarshal(r.body, &cfg); err != nil {
		t.Fatal(err)
	}
	if len(cfg.Basemaps) != 3 || cfg.Basemap["id"] != "tianditu" {
		t.Fatalf("config basemaps %v, default %v", cfg.Basemaps, cfg.Basemap)
	}
	tdt := cfg.Basemaps[0]
	labels, _ := tdt["labels"].(map[string]any)
	if !strings.HasSuffix(tdt["url"].(string), "&tk=browserkey1") || labels == nil || !strings.HasSuffix(labels["url"].(string), "&tk=browserkey1") {
		t.Errorf("tianditu %v: want the key in the vector and label templates", tdt)
	}
	if _, has := tdt["key_env"]; has || strings.Contains(string(r.body), basemap.TiandituKeyEnv) {
		t.Errorf("the key's variable is in /api/config: %s", r.body)
	}
	if cfg.Basemaps[1]["crs"] != "gcj02" || cfg.Basemaps[2]["crs"] != "wgs84" {
		t.Errorf("crs of amap %v, osm %v", cfg.Basemaps[1]["crs"], cfg.Basemaps[2]["crs"])
	}
	csp := r.header.Get("Content-Security-Policy")
	for _, host := range []string{"https://*.tianditu.gov.cn", "https://*.is.autonavi.com", "https://tile.openstreetmap.org"} {
		if !strings.Contains(csp, "img-src 'self' data: blob: ") || !strings.Contains(csp, host) {
			t.Errorf("CSP lacks %s: %s", host, csp)
		}
	}
}

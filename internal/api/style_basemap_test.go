package api_test

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"projectmap/internal/api"
	"projectmap/internal/basemap"
	"projectmap/internal/storetest"
)

// The style draws the first WGS84 basemap of the list, with its own
// subdomains, its key, its label layer over the data and its 审图号; a
// GCJ-02 basemap (AMap) is never put under the WGS84 vector tiles.
func TestStyleBasemap(t *testing.T) {
	getenv := func(k string) string { return map[string]string{"PROJECTMAP_TIANDITU_KEY": "k123"}[k] }
	for _, c := range []struct {
		presets    string
		wantTiles  []string // the basemap source's tiles; nil: no basemap
		wantLabels bool
	}{
		{"amap,tianditu", []string{"https://t0.tianditu.gov.cn/", "https://t7.tianditu.gov.cn/"}, true},
		{"osm", []string{"tile.openstreetmap.org"}, false},
		{"amap", nil, false},
	} {
		t.Run(c.presets, func(t *testing.T) {
			list, err := basemap.Presets(c.presets, getenv)
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(api.New(api.Config{Store: storetest.Embedded(t), Basemaps: list, Now: func() time.Time { return fixedNow }}))
			t.Cleanup(srv.Close)
			r := get(t, srv, "/styles/schools.json")
			if r.status != 200 {
				t.Fatalf("%d %s", r.status, r.body)
			}
			style := decode[struct {
				Sources map[string]struct {
					Tiles       []string `json:"tiles"`
					Attribution string   `json:"attribution"`
				} `json:"sources"`
				Layers []struct {
					ID string `json:"id"`
				} `json:"layers"`
			}](t, r)
			src, ok := style.Sources["basemap"]
			if c.wantTiles == nil {
				if ok {
					t.Fatalf("a basemap source %v under WGS84 tiles, want none", src.Tiles)
				}
				return
			}
			joined := strings.Join(src.Tiles, " ")
			for _, w := range c.wantTiles {
				if !strings.Contains(joined, w) {
					t.Errorf("basemap tiles %v lack %q", src.Tiles, w)
				}
			}
			if strings.Contains(c.presets, "tianditu") && (!strings.Contains(joined, "tk=k123") || len(src.Tiles) != 8 || !strings.Contains(src.Attribution, "审图号")) {
				t.Errorf("天地图 source: %d tiles %v, attribution %q: want t0..t7 with tk= and the 审图号", len(src.Tiles), src.Tiles, src.Attribution)
			}
			_, hasLabels := style.Sources["basemap-labels"]
			if hasLabels != c.wantLabels {
				t.Errorf("label source %v, want %v", hasLabels, c.wantLabels)
			}
			if c.wantLabels && style.Layers[len(style.Layers)-1].ID != "basemap-labels" {
				t.Errorf("the labels are not drawn last, over the data: last layer %q", style.Layers[len(style.Layers)-1].ID)
			}
		})
	}
}

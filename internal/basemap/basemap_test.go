package basemap

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// TestTiandituPreset: the vector and label layers are 天地图's WMTS tiles
// on subdomains t0…t7 with the browser key from the environment filled
// in, and the 审图号 is shown.
func TestTiandituPreset(t *testing.T) {
	b, ok := Preset("tianditu", env(map[string]string{TiandituKeyEnv: "abc123"}))
	if !ok {
		t.Fatal("no tianditu preset")
	}
	if err := b.Check(); err != nil {
		t.Fatal(err)
	}
	p := b.Public()
	for _, tc := range []struct {
		name  string
		layer Layer
		want  string
	}{
		{"vec_w", Layer{p.URL, p.Subdomains}, "https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=abc123"},
		{"cva_w", *p.Labels, "https://t{s}.tianditu.gov.cn/cva_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=cva&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=abc123"},
	} {
		if tc.layer.URL != tc.want {
			t.Errorf("%s URL\n got %s\nwant %s", tc.name, tc.layer.URL, tc.want)
		}
		if got := strings.Join(tc.layer.Subdomains, ""); got != "01234567" {
			t.Errorf("%s subdomains %q, want 01234567", tc.name, got)
		}
		// A tile's URL, as Leaflet fills the template in.
		tile := strings.NewReplacer("{s}", tc.layer.Subdomains[3], "{z}", "12", "{x}", "3335", "{y}", "1631").Replace(tc.layer.URL)
		if !strings.HasPrefix(tile, "https://t3.tianditu.gov.cn/"+tc.name+"/wmts?") || !strings.Contains(tile, "TILEMATRIX=12&TILEROW=1631&TILECOL=3335&tk=abc123") {
			t.Errorf("%s tile %s", tc.name, tile)
		}
	}
	if p.Key != "" || p.KeyEnv != "" || p.Datum() != WGS84 || p.Approval == "" {
		t.Errorf("public entry %+v: want no key fields, wgs84 and a 审图号", p)
	}
}

func TestAmapAndOSMPresets(t *testing.T) {
	list, err := Presets("amap, osm", env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckList(list); err != nil {
		t.Fatal(err)
	}
	a, o := list[0].Public(), list[1].Public()
	if a.ID != "amap" || a.CRS != GCJ02 || strings.Join(a.Subdomains, ",") != "1,2,3,4" || !strings.HasPrefix(a.URL, "https://webrd0{s}.is.autonavi.com/appmaptile?") || a.Labels != nil {
		t.Errorf("amap %+v", a)
	}
	if o.ID != "osm" || o.CRS != WGS84 || o.URL != "https://tile.openstreetmap.org/{z}/{x}/{y}.png" {
		t.Errorf("osm %+v", o)
	}
	if _, err := Presets("osm,bing", env(nil)); err == nil || !strings.Contains(err.Error(), `"bing"`) {
		t.Errorf("unknown preset: %v", err)
	}
}

// TestCheck: one rule validates every entry, and its error names the field.
func TestCheck(t *testing.T) {
	ok := Basemap{ID: "x", Name: "X", URL: "https://{s}.x.example/{z}/{x}/{y}.png", Subdomains: []string{"a"}, Attribution: "X"}
	tiandituNoKey, _ := Preset("tianditu", env(nil))
	for _, tc := range []struct {
		name  string
		edit  func(*Basemap)
		field string
	}{
		{"ok", func(*Basemap) {}, ""},
		{"id", func(b *Basemap) { b.ID = "Bad id" }, "id"},
		{"name", func(b *Basemap) { b.Name = " " }, "name"},
		{"attribution", func(b *Basemap) { b.Attribution = "" }, "attribution"},
		{"crs", func(b *Basemap) { b.CRS = "bd09" }, "crs"},
		{"scheme", func(b *Basemap) { b.URL = "ftp://x/{z}/{x}/{y}" }, "url"},
		{"no z", func(b *Basemap) { b.URL = "https://{s}.x.example/{x}/{y}.png" }, "url"},
		{"s without subdomains", func(b *Basemap) { b.Subdomains = nil }, "subdomains"},
		{"subdomains without s", func(b *Basemap) { b.URL = "https://x.example/{z}/{x}/{y}.png" }, "subdomains"},
		{"bad subdomain", func(b *Basemap) { b.Subdomains = []string{"a.b"} }, "subdomains"},
		{"labels", func(b *Basemap) { b.Labels = &Layer{URL: "https://x.example/{z}/{x}.png"} }, "labels.url"},
		{"labels subdomains", func(b *Basemap) { b.Labels = &Layer{URL: "https://{s}.x.example/{z}/{x}/{y}.png"} }, "labels.subdomains"},
		{"key", func(b *Basemap) { b.KeyParam = "tk" }, "key"},
		{"key chars", func(b *Basemap) { b.KeyParam, b.Key = "tk", "a&b" }, "key"},
		{"key_param", func(b *Basemap) { b.KeyParam, b.Key = "t k", "a" }, "key_param"},
		{"max_zoom", func(b *Basemap) { b.MaxZoom = 30 }, "max_zoom"},
		{"tianditu without its key", func(b *Basemap) { *b = tiandituNoKey }, "key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := ok
			tc.edit(&b)
			err := b.Check()
			if tc.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			fe, isField := err.(*FieldError)
			if !isField || fe.Field != tc.field {
				t.Fatalf("error %v, want one naming %s", err, tc.field)
			}
		})
	}
	if err := tiandituNoKey.Check(); err == nil || !strings.Contains(err.Error(), TiandituKeyEnv) {
		t.Errorf("tianditu without key: %v, want it to name %s", err, TiandituKeyEnv)
	}
	if err := CheckList([]Basemap{ok, ok}); err == nil || !strings.Contains(err.Error(), "basemaps[1] (x).id") {
		t.Errorf("duplicate id: %v", err)
	}
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	write := func(s string) string {
		p := filepath.Join(dir, "b.json")
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	getenv := env(map[string]string{"MY_TDT": "k1", TiandituKeyEnv: "k0"})
	list, err := ReadFile(write(`[
		{"preset": "tianditu", "key_env": "MY_TDT", "approval": "GS(2099)1号"},
		{"id": "local", "name": "本地", "name_en": "Local", "url": "/tiles/base/{z}/{x}/{y}.png", "attribution": "local", "crs": "gcj02"}
	]`), getenv)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckList(list); err != nil {
		t.Fatal(err)
	}
	if list[0].Key != "k1" || list[0].Approval != "GS(2099)1号" || list[0].Labels == nil || list[1].Datum() != GCJ02 {
		t.Errorf("read %+v", list)
	}
	for _, tc := range []struct{ body, want string }{
		{`{"id": "x"}`, "JSON array"},
		{`[{"preset": "google"}]`, "basemaps[0]: preset"},
		{`[{"id": "x", "key": "secret"}]`, "basemaps[0]: key"},
		{`[{"id": "x", "colour": "red"}]`, `unknown field "colour"`},
	} {
		if _, err := ReadFile(write(tc.body), getenv); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.body, err, tc.want)
		}
	}
}

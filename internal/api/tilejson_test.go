package api_test

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"projectmap/internal/domain"
	"projectmap/internal/symbology"
)

// tileDocLayers are the layers the TileJSON and style tests describe:
// points, lines and a base layer of areas.
const tileDocLayers = "schools,metro-lines,districts"

// matchJSONGolden compares a JSON body, pretty-printed, with the server's
// URL and the state version (if given) replaced, with testdata/name;
// -update rewrites it. Both stores share one golden: they describe alike.
func matchJSONGolden(t *testing.T, name string, body []byte, srvURL, version string) {
	t.Helper()
	body = bytes.ReplaceAll(body, []byte(srvURL), []byte("http://projectmap.test"))
	if version != "" {
		body = bytes.ReplaceAll(body, []byte(`"`+version+`"`), []byte(`"VERSION"`))
		body = bytes.ReplaceAll(body, []byte("v="+url.QueryEscape(version)), []byte("v=VERSION"))
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, body, "", "  "); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, pretty.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), pretty.String()); diff != "" {
		t.Errorf("response differs from %s (-want +got):\n%s", file, diff)
	}
}

type tileJSON struct {
	TileJSON     string     `json:"tilejson"`
	Tiles        []string   `json:"tiles"`
	Bounds       [4]float64 `json:"bounds"`
	VectorLayers []struct {
		ID     string            `json:"id"`
		Fields map[string]string `json:"fields"`
	} `json:"vector_layers"`
}

func TestTileJSON(t *testing.T) {
	for _, st := range testStores(t) {
		t.Run(st.name, func(t *testing.T) {
			srv := newServer(t, st.store)
			version, ok, err := st.store.(domain.StateVersioned).StateVersion(t.Context())
			if err != nil || !ok || version == "" {
				t.Fatalf("state version %q %v %v", version, ok, err)
			}
			for _, c := range []struct{ path, golden string }{
				{"/tiles/" + tileDocLayers + ".json?asof=2024-07-01", "tilejson.golden.json"},
				{"/tiles/" + tileDocLayers + ".json?asof=2024-07-01&format=png", "tilejson-png.golden.json"},
				{"/styles/" + tileDocLayers + ".json?asof=2024-07-01", "style.golden.json"},
			} {
				r := get(t, srv, c.path)
				if r.status != 200 || r.header.Get("Content-Type") != "application/json" || r.header.Get("Cache-Control") != "no-cache" {
					t.Fatalf("%s: %d %q %q: %s", c.path, r.status, r.header.Get("Content-Type"), r.header.Get("Cache-Control"), r.body)
				}
				if strings.HasPrefix(c.golden, "tilejson") {
					checkTileJSON(t, c.path, decode[tileJSON](t, r), version)
				}
				matchJSONGolden(t, filepath.Join("tiles", c.golden), r.body, srv.URL, version)
			}
		})
	}
}

// checkTileJSON: one tile URL naming the plan, the date and the store's
// version; bounds that hold every layer's extent; a vector layer per
// collection, named by its id.
func checkTileJSON(t *testing.T, path string, doc tileJSON, version string) {
	t.Helper()
	if doc.TileJSON != "3.0.0" || len(doc.Tiles) != 1 {
		t.Fatalf("%s: tilejson %q, tiles %v", path, doc.TileJSON, doc.Tiles)
	}
	u, err := url.Parse(strings.NewReplacer("{z}", "0", "{x}", "0", "{y}", "0").Replace(doc.Tiles[0]))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if q.Get("v") != version || q.Get("plan") != "xian-2024" || q.Get("asof") != "2024-07-01" {
		t.Errorf("%s: tile URL %s: want v=%s, plan and asof", path, doc.Tiles[0], version)
	}
	if b := doc.Bounds; b[0] > 108.222 || b[1] > 33.7 || b[2] < 109.38 || b[3] < 34.74 {
		t.Errorf("%s: bounds %v do not hold the layers", path, b)
	}
	if strings.Contains(path, "format=png") {
		if !strings.Contains(u.Path, "/tiles/"+tileDocLayers+"/0/0/0.png") || len(doc.VectorLayers) != 0 {
			t.Errorf("%s: raster tile URL %s, %d vector layers", path, doc.Tiles[0], len(doc.VectorLayers))
		}
		return
	}
	if u.Path != "/ogc/tiles/WebMercatorQuad/0/0/0" || q.Get("collections") != tileDocLayers {
		t.Errorf("%s: tile URL %s", path, doc.Tiles[0])
	}
	var ids []string
	for _, l := range doc.VectorLayers {
		ids = append(ids, l.ID)
		if l.Fields["status"] == "" || l.Fields["precision"] == "" {
			t.Errorf("%s: layer %s lacks status or precision: %v", path, l.ID, l.Fields)
		}
	}
	if strings.Join(ids, ",") != tileDocLayers {
		t.Errorf("%s: vector layers %v", path, ids)
	}
}

// TestTileJSONErrors: bad layers, parameters and paths name what is wrong.
func TestTileJSONErrors(t *testing.T) {
	srv := newServer(t, testStores(t)[0].store)
	for _, c := range []struct {
		path   string
		status int
		param  string
	}{
		{"/tiles/nosuch.json", 400, "layers"},
		{"/tiles/.json", 400, "layers"},
		{"/tiles/schools,schools.json", 400, "layers"},
		{"/styles/schools,nosuch.json", 400, "layers"},
		{"/tiles/schools.json?format=svg", 400, "format"},
		{"/styles/schools.json?format=png", 400, "format"},
		{"/tiles/schools.json?asof=2024-13-01", 400, "asof"},
		{"/styles/schools.json?plan=nosuch", 400, "plan"},
		{"/tiles/schools.json?color=red", 400, "color"},
		{"/tiles/schools", 404, ""},
		{"/styles/schools.geojson", 404, ""},
	} {
		r := get(t, srv, c.path)
		if r.status != c.status {
			t.Errorf("%s: %d %s, want %d", c.path, r.status, r.body, c.status)
			continue
		}
		if c.param != "" {
			if e := decode[struct{ Param string }](t, r); e.Param != c.param {
				t.Errorf("%s: names %q, want %q: %s", c.path, e.Param, c.param, r.body)
			}
		}
	}
}

// TestSprite: the styles' sprite holds, at 1x and 2x, a symbol for every
// icon name the style's points can ask for (pm-<status>, pm-<status>-hollow),
// drawn by internal/render as the raster tiles draw them.
func TestSprite(t *testing.T) {
	srv := newServer(t, testStores(t)[0].store)
	for _, c := range []struct {
		suffix string
		ratio  int
	}{{"", 1}, {"@2x", 2}} {
		index := decode[map[string]struct{ X, Y, Width, Height, PixelRatio int }](t, get(t, srv, "/styles/sprite/symbols"+c.suffix+".json"))
		r := get(t, srv, "/styles/sprite/symbols"+c.suffix+".png")
		if r.status != 200 || r.header.Get("Content-Type") != "image/png" {
			t.Fatalf("sprite%s: %d %s", c.suffix, r.status, r.body)
		}
		img := decodePNG(t, r.body)
		for _, st := range symbology.Statuses() {
			for _, name := range []string{"pm-" + string(st.Status), "pm-" + string(st.Status) + "-hollow"} {
				ic, ok := index[name]
				if !ok || ic.PixelRatio != c.ratio || ic.Width != 24*c.ratio || ic.X+ic.Width > img.Bounds().Dx() || ic.Y+ic.Height > img.Bounds().Dy() {
					t.Errorf("sprite%s: icon %s %+v (sheet %v)", c.suffix, name, ic, img.Bounds())
					continue
				}
				// Its centre is its colour (solid) or white (hollow, rings).
				_, _, _, a := img.At(ic.X+ic.Width/2, ic.Y+ic.Height/2).RGBA()
				if a>>8 < 250 {
					t.Errorf("sprite%s: icon %s is transparent at its centre", c.suffix, name)
				}
			}
		}
		if len(index) != 2*len(symbology.Statuses()) {
			t.Errorf("sprite%s: %d icons", c.suffix, len(index))
		}
		matchGolden(t, "sprite"+strings.ReplaceAll(c.suffix, "@", "-")+".png", r.body)
	}
	for path, status := range map[string]int{"/styles/sprite/symbols.svg": 404, "/styles/sprite/symbols.png?x=1": 400} {
		if r := get(t, srv, path); r.status != status {
			t.Errorf("%s: %d, want %d", path, r.status, status)
		}
	}
}

// TestTileDocsInOpenAPI: the API definition lists the documents.
func TestTileDocsInOpenAPI(t *testing.T) {
	srv := newServer(t, testStores(t)[0].store)
	doc := decode[struct{ Paths map[string]any }](t, get(t, srv, "/ogc/api"))
	for _, p := range []string{"/tiles/{layers}.json", "/styles/{layers}.json", "/styles/sprite/{file}"} {
		if doc.Paths[p] == nil {
			t.Errorf("/ogc/api lacks %s", p)
		}
	}
}

// TestTileJSONVersionMoves: after a report, the TileJSON (even one the
// response cache held) names the store's new version in its tile URLs.
func TestTileJSONVersionMoves(t *testing.T) {
	forEachWritable(t, func(t *testing.T, ls *ledgerServer) {
		const path = "/tiles/old-communities.json"
		tileV := func() string {
			r := get(t, ls.Server, path)
			if r.status != 200 {
				t.Fatalf("%s: %d %s", path, r.status, r.body)
			}
			doc := decode[tileJSON](t, r)
			u, err := url.Parse(strings.NewReplacer("{", "", "}", "").Replace(doc.Tiles[0]))
			if err != nil {
				t.Fatal(err)
			}
			return u.Query().Get("v")
		}
		before := tileV()
		ls.mustFile(t, "editor", map[string]any{"site": "old-community-lintong-renhan", "reported_on": "2024-10-01", "status": "completed", "source": "通报"})
		after := tileV()
		now, _, err := ls.store.(domain.StateVersioned).StateVersion(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if before == "" || after == before || after != now {
			t.Errorf("v before the report %q, after %q, the store's %q", before, after, now)
		}
	})
}

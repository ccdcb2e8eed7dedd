package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestShareCardFilters: the address the page's 分享 button copies holds
// the whole map state (web/src/state.js formatHash), filters included; the
// card keeps them, in the map it opens and in its picture.
func TestShareCardFilters(t *testing.T) {
	st := testStores(t)[0]
	srv := newServer(t, st.store)
	var colls struct {
		Collections []struct {
			ID       string `json:"id"`
			Category int    `json:"category"`
		} `json:"collections"`
	}
	if r := get(t, srv, "/ogc/collections"); r.status != 200 || json.Unmarshal(r.body, &colls) != nil {
		t.Fatalf("/ogc/collections: %d %s", r.status, r.body)
	}
	cat := map[string]int{}
	for _, c := range colls.Collections {
		cat[c.ID] = c.Category
	}
	if cat["metro-lines"] == 0 || cat["metro-lines"] == cat["old-communities"] {
		t.Fatalf("categories %d and %d: the test wants two different ones", cat["metro-lines"], cat["old-communities"])
	}
	q := fmt.Sprintf("map=11/34.30000/108.95000&layers=metro-lines,old-communities&date=2024-09-30&cat=%d&district=%s&status=behind&basemap=nosuch&easy=1&lang=zh",
		cat["metro-lines"], "新城区")
	r := get(t, srv, "/share?"+q)
	if r.status != 200 {
		t.Fatalf("the page's state with its filters: %d %s", r.status, r.body)
	}
	card := parseShareCard(t, r.body)
	img := card.meta["og:image"]
	for _, want := range []string{"/static/metro-lines.png?", "district=610102", "status=behind"} {
		if !strings.Contains(img, want) {
			t.Errorf("og:image %q lacks %q (the category keeps metro-lines only; the district and status filter it)", img, want)
		}
	}
	wantHash := fmt.Sprintf("&cat=%d&district=610102&status=behind&easy=1&lang=zh", cat["metro-lines"])
	if len(card.links) == 0 || !strings.Contains(card.links[0], wantHash) || strings.Contains(card.links[0], "basemap=") {
		t.Errorf("map link %q: want %q in it and the unknown basemap dropped", card.links, wantHash)
	}
	if ir := get(t, srv, strings.TrimPrefix(img, srv.URL)); ir.status != 200 || ir.header.Get("Content-Type") != "image/png" {
		t.Errorf("og:image: %d %s", ir.status, ir.body)
	}
	for _, c := range []struct{ q, param string }{
		{"cat=99", "cat"}, {"cat=x", "cat"}, {"district=nosuch", "district"}, {"easy=2", "easy"},
	} {
		r := get(t, srv, "/share?"+c.q)
		if r.status != 400 || !strings.Contains(string(r.body), `"param":"`+c.param+`"`) {
			t.Errorf("%s: %d %s, want 400 naming %s", c.q, r.status, r.body, c.param)
		}
	}
}

// TestStaticMapDistrict: district= draws the project layers' sites of that
// district only, as the map's district filter does.
func TestStaticMapDistrict(t *testing.T) {
	st := testStores(t)[0]
	srv := newServer(t, st.store)
	const base = "/static/old-communities.png?bbox=108.80,34.15,109.10,34.40&size=600x400&asof=2024-09-30&legend=0"
	pic := func(extra string) []byte {
		t.Helper()
		r := get(t, srv, base+extra)
		if r.status != 200 || r.header.Get("Content-Type") != "image/png" {
			t.Fatalf("%s: %d %s", extra, r.status, r.body)
		}
		return r.body
	}
	all, xc, byName := pic(""), pic("&district=610102"), pic("&district="+"新城区")
	if bytes.Equal(all, xc) {
		t.Errorf("district=610102 drew the same picture as no district")
	}
	if !bytes.Equal(xc, byName) {
		t.Errorf("district=新城区 and district=610102 drew different pictures")
	}
	if r := get(t, srv, base+"&district=nosuch"); r.status != 400 || !strings.Contains(string(r.body), `"param":"district"`) {
		t.Errorf("district=nosuch: %d %s, want 400 naming district", r.status, r.body)
	}
}

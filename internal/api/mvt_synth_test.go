package api_test

import (
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"projectmap/internal/api"
	"projectmap/internal/dataset"
	"projectmap/internal/domain"
	"projectmap/internal/memstore"
	"projectmap/internal/postgis"
	"projectmap/internal/storetest"
)

// synthStore is the embedded store with a layer "synthetic" of n
// generated points of project 9 (half spread over the city's box, half
// crowded round its centre), for the dense-tile tests and benchmarks.
func synthStore(tb testing.TB, n int) (*memstore.Store, []orb.Point) {
	tb.Helper()
	// A copy of the shared dataset's latest plan: every other test (and
	// the PostGIS imports) reads the original.
	shared := storetest.Dataset(tb)
	ds := *shared
	ds.Plans = slices.Clone(shared.Plans)
	p := new(dataset.Plan)
	*p = *ds.Plans[len(ds.Plans)-1]
	p.Layers = slices.Clone(p.Layers)
	p.Sites = slices.Clone(p.Sites)
	ds.Plans[len(ds.Plans)-1] = p
	var project int
	for _, l := range p.Layers {
		if l.ID == "old-communities" {
			project = l.Project
		}
	}
	p.Layers = append(p.Layers, domain.Layer{ID: "synthetic", Project: project, Title: "合成点", TitleEN: "synthetic points"})
	rng := rand.New(rand.NewPCG(1, 2))
	pts := make([]orb.Point, n)
	for i := range pts {
		var pt orb.Point
		if i%2 == 0 {
			pt = orb.Point{107.7 + rng.Float64()*2.1, 33.7 + rng.Float64()*1.0}
		} else {
			pt = orb.Point{108.94 + rng.NormFloat64()*0.08, 34.26 + rng.NormFloat64()*0.06}
		}
		pts[i] = pt
		p.Sites = append(p.Sites, domain.Site{
			ID: fmt.Sprintf("synthetic-%06d", i), PlanID: p.ID, Project: project, Layer: "synthetic",
			Name: fmt.Sprintf("合成点%d", i), Geometry: pt, Precision: domain.PrecisionExact, Source: "生成", SourceEN: "generated",
		})
	}
	return memstore.New(&ds), pts
}

// TestMVTAggregation: on 100,000 points, no tile of the central column
// from z0 to z14 exceeds 500 KB; a dense tile is aggregated, its counts
// add up to the points inside it, and its status breakdown to each count.
func TestMVTAggregation(t *testing.T) {
	store, pts := synthStore(t, 100_000)
	srv := newServer(t, store)
	for z := 0; z <= 14; z++ {
		checkAggregation(t, srv, "/ogc/collections/synthetic/tiles/WebMercatorQuad", z, pts)
	}
}

// TestMVTAggregationPostGIS: the same of the z10 and z12 tiles of the
// centre on PostGIS's 100,000-point synthetic layer (postgis.LoadSynthetic;
// skipped with -short).
func TestMVTAggregationPostGIS(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 100,000 sites")
	}
	ctx := t.Context()
	store := storetest.PostGIS(t)
	ds := storetest.Dataset(t)
	p := ds.Latest()
	if _, err := postgis.LoadSynthetic(ctx, store.Pool(), p.ID, ds.Districts, 100_000, 1, false); err != nil {
		t.Fatal(err)
	}
	var page domain.SitePage
	for deadline := time.Now().Add(10 * time.Second); ; {
		var err error
		page, err = store.Sites(ctx, domain.SiteQuery{Plan: p.ID, Layer: postgis.SyntheticLayer})
		if err == nil && len(page.Sites) == 100_000 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	pts := make([]orb.Point, 0, len(page.Sites))
	for _, s := range page.Sites {
		pts = append(pts, s.Geometry.(orb.Point))
	}
	if len(pts) != 100_000 {
		t.Fatalf("%d synthetic sites", len(pts))
	}
	srv := newServer(t, store)
	for _, z := range []int{10, 12} {
		checkAggregation(t, srv, "/ogc/collections/"+postgis.SyntheticLayer+"/tiles/WebMercatorQuad", z, pts)
	}
}

// checkAggregation checks the tile of zoom z holding the city's centre.
func checkAggregation(t *testing.T, srv *httptest.Server, base string, z int, pts []orb.Point) {
	t.Helper()
	tl := maptile.At(orb.Point{108.94, 34.26}, maptile.Zoom(z))
	r := get(t, srv, fmt.Sprintf("%s/%d/%d/%d", base, z, tl.Y, tl.X))
	if r.status != 200 {
		t.Fatalf("z%d: %d", z, r.status)
	}
	if len(r.body) > 500_000 {
		t.Errorf("z%d: %d bytes, over 500 KB", z, len(r.body))
	}
	inside := 0
	b := tl.Bound()
	for _, p := range pts {
		// maptile's own test of which tile a point is in.
		if b.Contains(p) && maptile.At(p, maptile.Zoom(z)) == tl {
			inside++
		}
	}
	var feats []decodedFeature
	for _, fs := range decodeMVT(t, r.body) {
		feats = fs
	}
	aggregated := inside > 2000
	sum := 0
	for _, f := range feats {
		if (f.Properties["aggregated"] == true) != aggregated {
			t.Fatalf("z%d (%d points): aggregated=%v on a feature", z, inside, f.Properties["aggregated"])
		}
		if !aggregated {
			continue
		}
		c := int(f.Properties["count"].(float64))
		parts := 0
		for k, v := range f.Properties {
			if strings.HasPrefix(k, "n_") {
				parts += int(v.(float64))
			}
		}
		if parts != c || c <= 0 {
			t.Errorf("z%d: a cell of count %d has statuses adding up to %d", z, c, parts)
		}
		sum += c
	}
	if aggregated && sum != inside {
		t.Errorf("z%d: cells count %d points, the tile holds %d", z, sum, inside)
	}
	t.Logf("z%d: %d points, %d features, %d bytes", z, inside, len(feats), len(r.body))
}

// benchMVT times vector tiles of the 100,000-point layer on the embedded
// store, uncached (each request its own v=): the point index is built by
// the first request, before the timer starts. Like wrk, it asks for no
// gzip.
func benchMVT(b *testing.B, z int) {
	store, _ := synthStore(b, 100_000)
	srv := newServer(b, store)
	tl := maptile.At(orb.Point{108.94, 34.26}, maptile.Zoom(z))
	path := fmt.Sprintf("/ogc/collections/synthetic/tiles/WebMercatorQuad/%d/%d/%d?v=", z, tl.Y, tl.X)
	r := get(b, srv, path+"warm")
	if r.status != 200 {
		b.Fatalf("%d %s", r.status, r.body)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if r := get(b, srv, path+fmt.Sprint(i), "Accept-Encoding", "identity"); r.status != 200 {
			b.Fatalf("%d", r.status)
		}
	}
	b.ReportMetric(float64(len(r.body)), "tile-bytes")
}

func BenchmarkMVTz14(b *testing.B) { benchMVT(b, 14) }
func BenchmarkMVTz10(b *testing.B) { benchMVT(b, 10) }

// TestMVTConcurrent: tiles asked for at once, on a server that has built
// no index yet, and on several dates, are each the same as asked alone.
func TestMVTConcurrent(t *testing.T) {
	store, _ := synthStore(t, 20_000)
	// What is tested is that concurrent builds agree, not how fast they
	// are: a minute's deadline, so that a busy machine does not turn the
	// index builds into 503s.
	srv := httptest.NewServer(api.New(api.Config{Store: store, Now: func() time.Time { return fixedNow }, RequestTimeout: time.Minute}))
	t.Cleanup(srv.Close)
	paths := []string{
		"/ogc/collections/synthetic/tiles/WebMercatorQuad/" + tileOf(orb.Point{108.94, 34.26}, 10),
		"/ogc/collections/synthetic/tiles/WebMercatorQuad/" + tileOf(orb.Point{108.94, 34.26}, 14),
	}
	for i := range 4 {
		paths = append(paths, fmt.Sprintf("%s?asof=2024-%02d-01", paths[i%2], i+1))
	}
	got := make([]response, 2*len(paths))
	done := make(chan int)
	for i := range got {
		go func() {
			got[i] = get(t, srv, paths[i%len(paths)], "Accept-Encoding", "identity")
			done <- i
		}()
	}
	for range got {
		<-done
	}
	for i, r := range got {
		if want := get(t, srv, paths[i%len(paths)], "Accept-Encoding", "identity").body; r.status != 200 || string(r.body) != string(want) || len(want) == 0 {
			t.Errorf("%s: %d, %d bytes at once (%.100s), %d alone", paths[i%len(paths)], r.status, len(r.body), r.body, len(want))
		}
	}
}

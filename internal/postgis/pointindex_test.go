package postgis_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"projectmap/internal/domain"
	"projectmap/internal/postgis"
	"projectmap/internal/storetest"
)

// TestPointIndexAnswersAsTheDatabase: bbox pages answered from a layer's
// point index are the database's, on random boxes, boxes whose edges run
// through sites, points and lines as boxes, with a project, with offsets
// past the end; a layer that is not all points gets no index.
func TestPointIndexAnswersAsTheDatabase(t *testing.T) {
	ctx := context.Background()
	a, b := listeningPair(t)
	postgis.NoPointIndex(b)
	ds := storetest.Dataset(t)
	p := ds.Latest()
	if _, err := postgis.LoadSynthetic(ctx, a.Pool(), p.ID, ds.Districts, 3000, 1, false); err != nil {
		t.Fatal(err)
	}
	asof := domain.NewDate(2024, 12, 31)
	rnd := rand.New(rand.NewPCG(1, 2))
	for _, layer := range []string{postgis.SyntheticLayer, "metro-stations", "schools", "metro-lines"} {
		t.Run(layer, func(t *testing.T) {
			var sites []domain.Site
			waitFor(t, 5*time.Second, "the layer's sites", func() bool {
				page, err := a.Sites(ctx, domain.SiteQuery{Plan: p.ID, Layer: layer})
				sites = page.Sites
				return err == nil && len(sites) > 0
			})
			box := orb.Bound{Min: orb.Point{100, 30}, Max: orb.Point{120, 40}}
			a.Sites(ctx, domain.SiteQuery{Plan: p.ID, Layer: layer, BBox: &box}) // starts the index
			waitFor(t, 5*time.Second, "the index built", func() bool { return postgis.Indexed(a, p.ID, layer) })
			if want := layer != "metro-lines"; postgis.HasPointIndex(a, p.ID, layer) != want {
				t.Fatalf("a point index of %s: %v, want %v", layer, !want, want)
			}
			var boxes []orb.Bound
			for range 60 {
				x, y := 108.6+rnd.Float64()*0.8, 34+rnd.Float64()*0.5
				w, h := rnd.Float64()*0.2, rnd.Float64()*0.2
				boxes = append(boxes, orb.Bound{Min: orb.Point{x, y}, Max: orb.Point{x + w, y + h}})
			}
			for range 30 { // edges through sites, degenerate boxes on them
				s1, s2 := sites[rnd.IntN(len(sites))], sites[rnd.IntN(len(sites))]
				c1, c2 := s1.Geometry.Bound().Min, s2.Geometry.Bound().Min
				lo := orb.Point{min(c1[0], c2[0]), min(c1[1], c2[1])}
				hi := orb.Point{max(c1[0], c2[0]), max(c1[1], c2[1])}
				boxes = append(boxes, orb.Bound{Min: lo, Max: hi}, orb.Bound{Min: c1, Max: c1},
					orb.Bound{Min: orb.Point{c1[0], lo[1]}, Max: orb.Point{c1[0], hi[1]}})
			}
			for i, box := range boxes {
				for _, q := range []domain.SiteQuery{
					{Limit: 100},
					{Limit: 5, Offset: 3, AsOf: asof},
					{Limit: 10, Offset: 100000},
					{Project: sites[0].Project, AsOf: asof},
				} {
					q.Plan, q.Layer, q.BBox = p.ID, layer, &box
					got, err := a.Sites(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					want, err := b.Sites(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					if d := pageDiff(got, want); d != "" {
						t.Fatalf("box %d %v, %+v: %s", i, box, q, d)
					}
				}
			}
		})
	}
}

// pageDiff says how two pages differ, or "".
func pageDiff(got, want domain.SitePage) string {
	ids := func(p domain.SitePage) []string {
		var out []string
		for _, s := range p.Sites {
			out = append(out, s.ID)
		}
		return out
	}
	switch {
	case got.Matched != want.Matched:
		return fmt.Sprintf("matched %d, want %d", got.Matched, want.Matched)
	case !slices.Equal(ids(got), ids(want)):
		return fmt.Sprintf("sites %v, want %v", ids(got), ids(want))
	case len(got.Reports) != len(want.Reports):
		return fmt.Sprintf("%d reports, want %d", len(got.Reports), len(want.Reports))
	}
	for i := range got.Reports {
		if (got.Reports[i] == nil) != (want.Reports[i] == nil) || (got.Reports[i] != nil && got.Reports[i].ID != want.Reports[i].ID) {
			return fmt.Sprintf("report %d differs", i)
		}
	}
	return ""
}

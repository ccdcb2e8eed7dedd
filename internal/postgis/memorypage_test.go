package postgis_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"projectmap/internal/domain"
	"projectmap/internal/postgis"
	"projectmap/internal/storetest"
)

// TestMemoryPage: once a point layer is read into memory, its bbox pages
// need no database (they are answered with the tables locked) and are
// the database's, site for site and report for report, dated or not; a
// report filed through the other replica is on a's next page within a
// second, and one filed through a at once.
func TestMemoryPage(t *testing.T) {
	ctx := context.Background()
	a, ref := listeningPair(t)
	postgis.NoPointIndex(ref) // every answer of ref is the database's
	p := storetest.Dataset(t).Latest()
	site := siteOf(t, p, "old-community-lintong-renhan")
	box := orb.Bound{Min: orb.Point{107, 33}, Max: orb.Point{110, 35}}
	asof := domain.NewDate(2024, 12, 31)
	queries := []domain.SiteQuery{
		{Limit: 10},
		{Limit: 7, Offset: 5, AsOf: asof},
		{Limit: 1000, AsOf: asof},
		{Limit: 10, Offset: 100000},
	}
	for i := range queries {
		queries[i].Plan, queries[i].Layer, queries[i].BBox = p.ID, site.Layer, &box
	}
	same := func(what string) {
		t.Helper()
		for _, q := range queries {
			got, err := a.Sites(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			want, err := ref.Sites(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s, %+v: the page kept in memory differs from the database's:\n got %+v\nwant %+v", what, q, got, want)
			}
		}
	}
	fromMemory := func(what string) {
		t.Helper()
		waitFor(t, 15*time.Second, what+": pages read from memory", func() bool {
			for _, q := range queries {
				a.Sites(ctx, q) // starts the index and the layer's read
			}
			return locked(t, a, "sites, reports, retractions", func(ctx context.Context) error {
				for _, q := range queries {
					if _, err := a.Sites(ctx, q); err != nil {
						return err
					}
				}
				return nil
			}) == nil
		})
		same(what)
	}
	fromMemory("before any report")
	if !postgis.HasPointIndex(a, p.ID, site.Layer) {
		t.Fatalf("%s has no point index", site.Layer)
	}
	filed := fileOne(t, ref, report(site, domain.NewDate(2024, 11, 30), 0.5, domain.ReportInProgress))[0]
	carries := func(id int64) bool {
		page, err := a.Sites(ctx, domain.SiteQuery{Plan: p.ID, Layer: site.Layer, BBox: &box, AsOf: asof, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for i, s := range page.Sites {
			if s.ID == site.ID {
				return page.Reports[i] != nil && page.Reports[i].ID == id
			}
		}
		t.Fatalf("%s not on the page", site.ID)
		return false
	}
	waitFor(t, time.Second, "a's page carrying the other replica's report", func() bool { return carries(filed.ID) })
	fromMemory("after a report through the other replica")
	own := fileOne(t, a, report(site, domain.NewDate(2024, 12, 1), 1, domain.ReportCompleted))[0]
	if !carries(own.ID) {
		t.Errorf("a's next page does not carry its own report %d", own.ID)
	}
	fromMemory("after a's own report")
}

package postgis_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"projectmap/internal/domain"
	"projectmap/internal/postgis"
	"projectmap/internal/storetest"
)

// The benchmarks need TEST_DATABASE_URL (make bench); without it they skip.
// Each reports its median as well as Go's mean.

// cityBox is a district-sized box (0.1° × 0.1°, ≈ 100 km²) over the old city.
var cityBox = orb.Bound{Min: orb.Point{108.89, 34.21}, Max: orb.Point{108.99, 34.31}}

// timed runs op b.N times and reports the median time of one run.
func timed(b *testing.B, op func() error) {
	b.Helper()
	times := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		began := time.Now()
		if err := op(); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(began))
	}
	b.StopTimer()
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.ReportMetric(float64(times[len(times)/2])/float64(time.Millisecond), "ms/median")
}

// BenchmarkSitesBBox is the map's query on every layer: the sites in a
// district-sized box, limit 100, with the count.
func BenchmarkSitesBBox(b *testing.B) {
	s := storetest.PostGIS(b)
	p := storetest.Dataset(b).Latest()
	ctx := context.Background()
	for _, l := range p.Layers {
		b.Run(l.ID, func(b *testing.B) {
			q := domain.SiteQuery{Plan: p.ID, Layer: l.ID, BBox: &cityBox, Limit: 100}
			timed(b, func() error { _, err := s.Sites(ctx, q); return err })
		})
	}
}

// BenchmarkSite fetches single features, going round every site.
func BenchmarkSite(b *testing.B) {
	s := storetest.PostGIS(b)
	p := storetest.Dataset(b).Latest()
	ctx := context.Background()
	i := 0
	timed(b, func() error {
		site := p.Sites[i%len(p.Sites)]
		i++
		_, err := s.Site(ctx, p.ID, site.Layer, site.ID)
		return err
	})
}

// BenchmarkPlans reads every plan with its projects.
func BenchmarkPlans(b *testing.B) {
	s := storetest.PostGIS(b)
	ctx := context.Background()
	timed(b, func() error { _, err := s.Plans(ctx); return err })
}

// BenchmarkImport writes the whole geodata in one transaction, replacing
// what the previous run wrote (the checksum record is cleared first, so
// every run writes).
func BenchmarkImport(b *testing.B) {
	ctx := context.Background()
	s, err := postgis.Open(ctx, storetest.NewDatabase(b))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ds := storetest.Dataset(b)
	times := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		if _, err := s.Pool().Exec(ctx, `DELETE FROM dataset_imports`); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		began := time.Now()
		st, err := postgis.Import(ctx, s.Pool(), ds)
		if err != nil || st.Unchanged {
			b.Fatalf("import: %+v, %v", st, err)
		}
		times = append(times, time.Since(began))
	}
	b.StopTimer()
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.ReportMetric(float64(times[len(times)/2])/float64(time.Millisecond), "ms/median")
}

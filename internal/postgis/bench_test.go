package postgis_test

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

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

// statusAsOf is the date the status benchmarks ask about: the synthetic
// reports come to every tracking status then.
var statusAsOf = domain.NewDate(2024, 4, 30)

// synthStore is a store over the geodata and n synthetic sites, a share
// of them carrying reports, clustered as the scale run loads them.
func synthStore(b *testing.B, n int, reported float64) (*postgis.Store, string, []domain.District) {
	b.Helper()
	ctx := context.Background()
	s, err := postgis.Open(ctx, storetest.NewDatabase(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(s.Close)
	ds := storetest.Dataset(b)
	if _, err := postgis.Import(ctx, s.Pool(), ds); err != nil {
		b.Fatal(err)
	}
	plan := ds.Latest().ID
	if _, err := postgis.LoadSyntheticWith(ctx, s.Pool(), postgis.SynthOptions{Plan: plan, Districts: ds.Districts, N: n, Seed: 1,
		Cluster: true, Reported: reported, AsOf: statusAsOf}); err != nil {
		b.Fatal(err)
	}
	return s, plan, ds.Districts
}

// BenchmarkSitesStatus is the items request with status= at 100,000
// synthetic sites, half of them carrying reports: a district-sized box
// around each district's centroid in turn, limit 100, count included.
// "none" is the request without status or date, "asof" with a date (each
// site then carries its report), for comparison.
func BenchmarkSitesStatus(b *testing.B) {
	s, plan, districts := synthStore(b, 100_000, 0.5)
	boxes := postgis.SynthBoxes(districts)
	ctx := context.Background()
	for _, c := range []struct {
		name   string
		status domain.TrackingStatus
		asof   domain.Date
	}{
		{"none", "", domain.Date{}},
		{"asof", "", statusAsOf},
		{"behind", domain.TrackBehind, statusAsOf},
		{"unreported", domain.TrackUnreported, statusAsOf},
	} {
		b.Run(c.name, func(b *testing.B) {
			i := 0
			var matched int
			settle(b, s, func() {
				s.Sites(ctx, domain.SiteQuery{Plan: plan, Layer: postgis.SyntheticLayer, BBox: &boxes[0], Status: c.status, AsOf: c.asof, Limit: 100})
			})
			timed(b, func() error {
				q := domain.SiteQuery{Plan: plan, Layer: postgis.SyntheticLayer, BBox: &boxes[i%len(boxes)], Status: c.status, AsOf: c.asof, Limit: 100}
				i++
				page, err := s.Sites(ctx, q)
				matched += page.Matched
				return err
			})
			b.ReportMetric(float64(matched)/float64(b.N), "matched/op")
		})
	}
}

// BenchmarkFileReports files one report at a time, with an idempotency
// key and its audit entry, each acknowledged once committed: from one
// client, and from 16 at once.
func BenchmarkFileReports(b *testing.B) {
	s := storetest.PostGIS(b)
	p := storetest.Dataset(b).Latest()
	var sites []domain.Site
	for _, site := range p.Sites {
		if site.Project != 0 {
			sites = append(sites, site)
		}
	}
	ctx := context.Background()
	var n atomic.Int64
	fileOne := func() error {
		i := n.Add(1)
		site := sites[int(i)%len(sites)]
		f := 0.5
		r := domain.Report{Plan: p.ID, Project: site.Project, Layer: site.Layer, Site: site.ID, ReportedOn: domain.NewDate(2024, 6, 30),
			Fraction: &f, Progress: f, Status: domain.ReportInProgress, Source: "benchmark", ReportedBy: "基准测试", TokenID: "tok_bench"}
		_, err := s.FileReports(ctx, domain.Filing{Reports: []domain.Report{r}, Key: fmt.Sprintf("bench-%d", i), Digest: "d",
			Audit: domain.AuditEntry{Actor: "基准测试", TokenID: "tok_bench", Action: "report.file", Remote: "127.0.0.1"}})
		return err
	}
	b.Run("1-client", func(b *testing.B) {
		timed(b, fileOne)
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
	})
	b.Run("16-clients", func(b *testing.B) {
		const clients = 16
		var next atomic.Int64
		var wg sync.WaitGroup
		b.ResetTimer()
		for c := 0; c < clients; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for next.Add(1) <= int64(b.N) {
					if err := fileOne(); err != nil {
						b.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		b.StopTimer()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
	})
}

// settle asks once, then waits until what that started in the background
// (a layer read whole into memory) is done, so that the figure is of the
// served path rather than of the warm-up.
func settle(b *testing.B, s *postgis.Store, ask func()) {
	b.Helper()
	ask()
	deadline := time.Now().Add(time.Minute)
	for postgis.Warming(s) > 0 {
		if time.Now().After(deadline) {
			b.Fatal("a layer's read into memory did not end within a minute")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// BenchmarkTileFeatures cuts the tile over the old city of the 100,000
// synthetic sites (half of them reported) at a street zoom and a city
// zoom, without and with a date, and reports the features per tile.
func BenchmarkTileFeatures(b *testing.B) {
	s, plan, _ := synthStore(b, 100_000, 0.5)
	ctx := context.Background()
	centre := cityBox.Center()
	for _, z := range []int{14, 10} {
		for _, asof := range []domain.Date{{}, statusAsOf} {
			name := fmt.Sprintf("z%d/none", z)
			if !asof.IsZero() {
				name = fmt.Sprintf("z%d/asof", z)
			}
			b.Run(name, func(b *testing.B) {
				t := maptile.At(centre, maptile.Zoom(z))
				q := domain.TileQuery{Plan: plan, Layer: postgis.SyntheticLayer, Z: z, X: int(t.X), Y: int(t.Y), Extent: 4096, Buffer: 64, AsOf: asof}
				n := 0
				timed(b, func() error { fs, err := s.TileFeatures(ctx, q); n = len(fs); return err })
				b.ReportMetric(float64(n), "features")
			})
		}
	}
}

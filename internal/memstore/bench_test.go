package memstore_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"projectmap/internal/domain"
	"projectmap/internal/memstore"
	"projectmap/internal/storetest"
)

// BenchmarkFileReports measures durable report writes (one report a
// filing, fsynced before it returns) by 1 and by 16 concurrent clients.
func BenchmarkFileReports(b *testing.B) {
	r := draft(b, domain.ReportDraft{Project: 4, Schedule: "charging-piles", ReportedOn: "2024-06-30", Quantity: f64(2500)})
	for _, clients := range []int{1, 16} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			s := open(b, b.TempDir())
			var next atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			for c := 0; c < clients; c++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for n := next.Add(1); n <= int64(b.N); n = next.Add(1) {
						f := domain.Filing{Reports: []domain.Report{r}, Key: fmt.Sprint(n), Digest: "d", Audit: audit("tok_bench")}
						if _, err := s.FileReports(context.Background(), f); err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
		})
	}
}

// BenchmarkOpen measures building the store and replaying a journal of
// 100 filings of 100 reports each.
func BenchmarkOpen(b *testing.B) {
	dir := b.TempDir()
	s := open(b, dir)
	r := draft(b, domain.ReportDraft{Project: 4, Schedule: "charging-piles", ReportedOn: "2024-06-30", Quantity: f64(2500)})
	batch := make([]domain.Report, 100)
	for i := range batch {
		batch[i] = r
	}
	for i := 0; i < 100; i++ {
		file(b, s, domain.Filing{Reports: batch, Audit: audit("")})
	}
	s.Close()
	b.ResetTimer()
	for b.Loop() {
		s, err := memstore.Open(storetest.Dataset(b), dir)
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}

package api_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"projectmap/internal/api"
	"projectmap/internal/domain"
	"projectmap/internal/memstore"
	"projectmap/internal/storetest"
)

// BenchmarkItems serves whole layers in-process from the embedded store,
// with the response cache off, so that every request is built afresh:
// old-communities has the most features, districts the most vertices.
func BenchmarkItems(b *testing.B) {
	benchItems(b, api.Config{CacheBytes: -1}, "")
}

// BenchmarkCachedItems is BenchmarkItems answered from the response cache,
// gzip-encoded as browsers ask.
func BenchmarkCachedItems(b *testing.B) {
	benchItems(b, api.Config{}, "gzip")
}

func benchItems(b *testing.B, cfg api.Config, encoding string) {
	cfg.Store, cfg.Now = memstore.New(storetest.Dataset(b)), func() time.Time { return fixedNow }
	h := api.New(cfg)
	for _, layer := range []string{"old-communities", "metro-stations", "districts"} {
		b.Run(layer, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, "/ogc/collections/"+layer+"/items?limit=10000&asof=2024-09-30", nil)
			if encoding != "" {
				req.Header.Set("Accept-Encoding", encoding)
			}
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != 200 {
					b.Fatalf("status %d", rec.Code)
				}
				b.SetBytes(int64(rec.Body.Len()))
				io.Copy(io.Discard, rec.Body)
			}
		})
	}
}

// BenchmarkBBoxQuery asks the embedded store for the old city's sites.
func BenchmarkBBoxQuery(b *testing.B) {
	ctx := b.Context()
	store := memstore.New(storetest.Dataset(b))
	box := domainBound(108.90, 34.22, 109.00, 34.30)
	for _, layer := range []string{"metro-stations", "schools", "districts"} {
		b.Run(layer, func(b *testing.B) {
			for b.Loop() {
				if _, err := store.Sites(ctx, domain.SiteQuery{Plan: "xian-2024", Layer: layer, BBox: &box, Limit: 100}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkProgressAllSites computes the status of every site on a date.
func BenchmarkProgressAllSites(b *testing.B) {
	p := storetest.Dataset(b).Latest()
	asof := domain.NewDate(2024, 9, 30)
	b.ReportMetric(float64(len(p.Sites)), "sites")
	for b.Loop() {
		for _, s := range p.Sites {
			if pr := p.Project(s.Project); pr != nil {
				_ = pr.SiteProgress(s, asof)
			}
		}
	}
}

package api

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"projectmap/internal/memstore"
	"projectmap/internal/storetest"
)

// TestRenderSlots: with every render slot taken, a static map or a
// raster tile waits until its request's deadline, then gets 503 with
// Retry-After; once a slot is free, it is drawn.
func TestRenderSlots(t *testing.T) {
	const timeout = 300 * time.Millisecond
	h, s := newService(Config{
		Store:          memstore.New(storetest.Dataset(t)),
		Now:            func() time.Time { return time.Date(2024, 7, 1, 12, 0, 0, 0, time.UTC) },
		MaxRenders:     2,
		RequestTimeout: timeout,
		CacheBytes:     -1,
	})
	if cap(s.renders) != 2 {
		t.Fatalf("%d render slots, want 2 (Config.MaxRenders)", cap(s.renders))
	}
	paths := []string{
		"/static/housing-delivery.png?bbox=108.75,34.15,109.15,34.45&size=600x400",
		"/tiles/housing-delivery/11/1643/816.png",
	}
	serve := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec
	}
	for range cap(s.renders) {
		s.renders <- struct{}{}
	}
	for _, path := range paths {
		start := time.Now()
		rec := serve(path)
		waited := time.Since(start)
		if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
			t.Errorf("%s with every slot busy: %d, Retry-After %q: %s", path, rec.Code, rec.Header().Get("Retry-After"), rec.Body)
		}
		if waited < timeout*8/10 {
			t.Errorf("%s gave up after %v, before the request's deadline of %v", path, waited, timeout)
		}
	}
	<-s.renders // one slot free
	for _, path := range paths {
		if rec := serve(path); rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "image/png" {
			t.Errorf("%s with a free slot: %d %s", path, rec.Code, rec.Body)
		}
	}
	if n := len(s.renders); n != 1 {
		t.Errorf("%d slots held after the renders, want the 1 still taken by the test", n)
	}
}

func TestDefaultMaxRenders(t *testing.T) {
	_, s := newService(Config{Store: memstore.New(storetest.Dataset(t))})
	if cap(s.renders) != DefaultMaxRenders {
		t.Errorf("%d render slots by default, want %d", cap(s.renders), DefaultMaxRenders)
	}
}

package api_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"projectmap/internal/api"
	"projectmap/internal/domain"
	"projectmap/internal/storetest"
)

// gatedStore holds every Plans call until release is closed (or the
// request is cancelled), telling entered each time one starts: a request
// in flight for as long as a test needs, with no timing involved.
type gatedStore struct {
	domain.Store
	entered chan struct{}
	release chan struct{}
}

func newGatedStore(t *testing.T) *gatedStore {
	return &gatedStore{Store: storetest.Embedded(t), entered: make(chan struct{}, 16), release: make(chan struct{})}
}

func (g *gatedStore) Plans(ctx context.Context) ([]domain.Plan, error) {
	g.entered <- struct{}{}
	select {
	case <-g.release:
		return g.Store.Plans(ctx)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// serve runs one request through h; the recorder is ready once done closes.
func serve(h http.Handler, ctx context.Context, path string) (*httptest.ResponseRecorder, chan struct{}) {
	rec, done := httptest.NewRecorder(), make(chan struct{})
	req := httptest.NewRequest(http.MethodGet, path, nil).WithContext(ctx)
	go func() { defer close(done); h.ServeHTTP(rec, req) }()
	return rec, done
}

// TestShedding: with the one slot held by a gated request, a request
// past the cap (queued past its wait) is a 503 with Retry-After in the
// error shape; the probes are never shed; the held request still ends 200.
func TestShedding(t *testing.T) {
	cases := []struct {
		name      string
		queued    int
		wait      time.Duration
		path      string
		want      int
		wantRetry bool
	}{
		{"queue wait over", 1, time.Millisecond, "/ogc/collections", 503, true},
		{"healthz exempt", 1, time.Millisecond, "/healthz", 200, false},
		{"readyz exempt", 1, time.Millisecond, "/readyz", 200, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := newGatedStore(t)
			h := api.New(api.Config{Store: g, MaxInFlight: 1, MaxQueued: tc.queued, QueueWait: tc.wait})
			held, heldDone := serve(h, context.Background(), "/ogc/collections")
			<-g.entered
			rec, done := serve(h, context.Background(), tc.path)
			<-done
			if rec.Code != tc.want || (rec.Header().Get("Retry-After") != "") != tc.wantRetry {
				t.Errorf("%s: %d, Retry-After %q; want %d", tc.path, rec.Code, rec.Header().Get("Retry-After"), tc.want)
			}
			if tc.want == 503 {
				checkErrorShape(t, rec, "overloaded")
			}
			close(g.release)
			<-heldDone
			if held.Code != 200 {
				t.Errorf("the request in flight: %d, want 200", held.Code)
			}
		})
	}
}

// TestQueueFull: with the one slot held and the one queue place taken by
// a request waiting its turn, the next request is a 503 at once, not
// after the queue wait; the queued one is served once the slot frees.
func TestQueueFull(t *testing.T) {
	g := newGatedStore(t)
	h := api.New(api.Config{Store: g, MaxInFlight: 1, MaxQueued: 1, QueueWait: time.Minute})
	held, heldDone := serve(h, context.Background(), "/ogc/collections")
	<-g.entered
	queued, queuedDone := serve(h, context.Background(), "/ogc/collections?f=json")
	// Nothing tells when the second request has taken its queue place:
	// give it time to, then the third must find the queue full.
	time.Sleep(300 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	began := time.Now()
	rec, done := serve(h, ctx, "/api/projects")
	<-done
	if rec.Code != http.StatusServiceUnavailable || time.Since(began) > 2*time.Second {
		t.Fatalf("a request past a full queue: %d after %v, want 503 at once", rec.Code, time.Since(began))
	}
	checkErrorShape(t, rec, "overloaded")
	close(g.release)
	<-heldDone
	<-queuedDone
	if held.Code != 200 || queued.Code != 200 {
		t.Errorf("in flight %d, queued %d; want both 200", held.Code, queued.Code)
	}
}

// TestCancelledIs499: a request its client cancels is logged as 499 at
// info level, not as a 503 or an error.
func TestCancelledIs499(t *testing.T) {
	var logs syncBuffer
	g := newGatedStore(t)
	h := api.New(api.Config{Store: g, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	ctx, cancel := context.WithCancel(context.Background())
	_, done := serve(h, ctx, "/ogc/collections")
	<-g.entered
	cancel()
	<-done
	var line struct {
		Level  string `json:"level"`
		Msg    string `json:"msg"`
		Status int    `json:"status"`
	}
	out := logs.String()
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &line); err != nil {
		t.Fatalf("want one log line, got %v:\n%s", err, out)
	}
	if line.Level != "INFO" || line.Msg != "request" || line.Status != 499 {
		t.Errorf("log line %+v, want an INFO request line with status 499", line)
	}
}

// TestReadyzWhileDraining: once shutdown begins /readyz is 503 while the
// request in flight still completes.
func TestReadyzWhileDraining(t *testing.T) {
	g := newGatedStore(t)
	draining := make(chan struct{})
	h := api.New(api.Config{Store: g, Draining: draining})
	if rec, done := serve(h, context.Background(), "/readyz"); waitCode(done, rec) != 200 {
		t.Fatalf("readyz before shutdown: %d", rec.Code)
	}
	held, heldDone := serve(h, context.Background(), "/ogc/collections")
	<-g.entered
	close(draining)
	if rec, done := serve(h, context.Background(), "/readyz"); waitCode(done, rec) != 503 {
		t.Errorf("readyz while draining: %d, want 503", rec.Code)
	}
	close(g.release)
	if waitCode(heldDone, held) != 200 {
		t.Errorf("the request in flight: %d, want 200", held.Code)
	}
}

func waitCode(done chan struct{}, rec *httptest.ResponseRecorder) int {
	<-done
	return rec.Code
}

func checkErrorShape(t *testing.T, rec *httptest.ResponseRecorder, code string) {
	t.Helper()
	var body struct{ Code, Message string }
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Code != code || body.Message == "" {
		t.Errorf("error body %q, want code %q and a message", rec.Body.String(), code)
	}
}

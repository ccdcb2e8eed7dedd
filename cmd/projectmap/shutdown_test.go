package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"projectmap/internal/api"
	"projectmap/internal/storetest"
)

// TestShutdownSequence: on SIGTERM (ctx cancelled) /readyz turns 503
// while the server still answers, a request in flight completes, and
// then the server stops cleanly.
func TestShutdownSequence(t *testing.T) {
	draining := make(chan struct{})
	entered, release := make(chan struct{}), make(chan struct{})
	mux := http.NewServeMux()
	mux.Handle("/", api.New(api.Config{Store: storetest.Embedded(t), Draining: draining}))
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
		io.WriteString(w, "done")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The drain delay only has to outlast the polling of /readyz below.
	sc := shedConfig{drainDelay: 2 * time.Second, drainDeadline: 10 * time.Second}
	stopped := make(chan error, 1)
	go func() {
		stopped <- serveUntilDone(ctx, api.NewHTTPServer("", mux), ln, sc, draining, slog.New(slog.DiscardHandler))
	}()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	status := func(path string) int {
		res, err := client.Get(base + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer res.Body.Close()
		io.Copy(io.Discard, res.Body)
		return res.StatusCode
	}
	if got := status("/readyz"); got != 200 {
		t.Fatalf("/readyz before shutdown: %d", got)
	}
	slow := make(chan string, 1)
	go func() {
		res, err := client.Get(base + "/slow")
		if err != nil {
			slow <- err.Error()
			return
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		slow <- res.Status + " " + string(b)
	}()
	<-entered
	cancel() // as SIGTERM does
	for status("/readyz") != 503 {
		time.Sleep(5 * time.Millisecond)
	}
	close(release)
	if got := <-slow; got != "200 OK done" {
		t.Errorf("the request in flight: %q, want 200 OK done", got)
	}
	if err := <-stopped; err != nil {
		t.Errorf("serveUntilDone: %v", err)
	}
	if _, err := client.Get(base + "/readyz"); err == nil {
		t.Errorf("the server still answers after shutdown")
	}
}

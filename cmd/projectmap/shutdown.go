package main

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"net"
	"net/http"
	"time"

	"projectmap/internal/api"
)

// Defaults of the shutdown sequence: a load balancer polling /readyz
// every second or so sees the 503 within the delay and stops sending.
const (
	defaultDrainDelay    = 2 * time.Second
	defaultDrainDeadline = 10 * time.Second
)

func shedFlags(fs *flag.FlagSet, sc *shedConfig) {
	fs.IntVar(&sc.maxInFlight, "max-in-flight", api.DefaultMaxInFlight, "requests at work at once; more wait in a queue")
	fs.IntVar(&sc.maxQueued, "max-queued", api.DefaultMaxQueued, "requests waiting for a turn; more are answered 503 with Retry-After")
	fs.DurationVar(&sc.queueWait, "queue-wait", api.DefaultQueueWait, "longest wait for a turn before a 503 with Retry-After")
	fs.DurationVar(&sc.drainDelay, "drain-delay", defaultDrainDelay, "on SIGTERM, how long /readyz answers 503 before the listener closes")
	fs.DurationVar(&sc.drainDeadline, "drain-deadline", defaultDrainDeadline, "on SIGTERM, how long requests in flight may take to finish after that")
}

func (sc shedConfig) check() error {
	switch {
	case sc.maxInFlight <= 0:
		return errors.New("--max-in-flight must be positive")
	case sc.maxQueued <= 0:
		return errors.New("--max-queued must be positive")
	case sc.queueWait <= 0:
		return errors.New("--queue-wait must be positive")
	case sc.drainDelay < 0 || sc.drainDeadline <= 0:
		return errors.New("--drain-delay must not be negative and --drain-deadline must be positive")
	}
	return nil
}

// serveUntilDone serves until ctx ends (SIGTERM or interrupt), then shuts
// down in order: /readyz turns 503 (draining is closed) while requests are
// still served for the drain delay, so that a load balancer stops sending
// new ones; then the listener closes and requests in flight finish.
func serveUntilDone(ctx context.Context, srv *http.Server, ln net.Listener, sc shedConfig, draining chan<- struct{}, log *slog.Logger) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: /readyz answers 503", "drain_delay", sc.drainDelay.String())
	close(draining)
	select {
	case <-time.After(sc.drainDelay):
	case err := <-errc:
		return err
	}
	log.Info("shutting down: draining requests in flight", "deadline", sc.drainDeadline.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), sc.drainDeadline)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

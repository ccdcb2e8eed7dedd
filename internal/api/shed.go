package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// Defaults of the load-shedding settings, chosen for a 2-core machine:
// 8 requests at work keep both cores busy while some wait on the
// database (one pool connection each, at the default pool size), and a
// client waits at most about a second for a turn. More at work would only
// share the cores thinner and hold more memory.
const (
	DefaultMaxInFlight = 8
	DefaultMaxQueued   = 512
	DefaultQueueWait   = time.Second
)

// statusClientClosed is nginx's 499: the client went away before it was
// answered. It is logged, and nobody receives it.
const statusClientClosed = 499

// errOverloaded is a request shed because the server is full: 503 with
// Retry-After.
var errOverloaded = errors.New("too many requests in flight")

// shedder caps the requests at work. Past the cap a request waits its
// turn in a bounded queue, for at most wait; beyond either bound it is
// answered 503 at once, so the server sheds load instead of drowning.
type shedder struct {
	slots  chan struct{}
	queue  chan struct{}
	wait   time.Duration
	exempt map[string]bool // route paths never shed: the health probes
}

func newShedder(inFlight, queued int, wait time.Duration) *shedder {
	return &shedder{
		slots:  make(chan struct{}, inFlight),
		queue:  make(chan struct{}, queued),
		wait:   wait,
		exempt: map[string]bool{"/healthz": true, "/readyz": true},
	}
}

func (s *shedder) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.exempt[c.Path()] {
			return next(c)
		}
		if err := s.acquire(c.Request().Context()); err != nil {
			if errors.Is(err, errOverloaded) {
				c.Response().Header().Set("Retry-After", "1")
			}
			return err
		}
		defer func() { <-s.slots }()
		return next(c)
	}
}

// acquire takes a slot, waiting in the queue if there is room in it. A
// client that leaves while queued costs nothing more.
func (s *shedder) acquire(ctx context.Context) error {
	select {
	case s.slots <- struct{}{}:
		return nil
	default:
	}
	select {
	case s.queue <- struct{}{}:
		defer func() { <-s.queue }()
	default:
		return errOverloaded
	}
	t := time.NewTimer(s.wait)
	defer t.Stop()
	select {
	case s.slots <- struct{}{}:
		return nil
	case <-t.C:
		return errOverloaded
	case <-ctx.Done():
		return ctx.Err()
	}
}

// clientGone reports whether the client cancelled the request (closed
// or reset its connection): its answer is a 499 nobody reads, not a
// failure of the service.
func clientGone(r *http.Request) bool {
	return errors.Is(r.Context().Err(), context.Canceled)
}

// stillWanted is checked before costly work on a response (building,
// encoding, compressing, hashing), so that nothing is built for a client
// that has left.
func stillWanted(c echo.Context) error {
	return c.Request().Context().Err()
}

// orDefault is v, or def when v is not positive.
func orDefault[T int | int64 | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// errDraining is /readyz's answer once shutdown has begun.
var errDraining = errors.New("the server is shutting down")

// draining reports whether shutdown has begun (Config.Draining closed).
func (s *server) draining() bool {
	select {
	case <-s.cfg.Draining:
		return true
	default:
		return false
	}
}

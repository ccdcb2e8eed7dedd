package postgis

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// ledgerChannel is where migration 0003's trigger announces each write
// of the ledger, with its version, when the write commits, and 0005's
// each change of the plan data, with "d" and the new data version.
const ledgerChannel = "projectmap_ledger"

// Listening: a quiet channel is checked this often (a ping that also
// catches a version the channel missed), and a lost connection retried
// after a backoff that doubles up to maxBackoff.
const (
	quietCheck   = 5 * time.Second
	firstBackoff = 100 * time.Millisecond
	maxBackoff   = 10 * time.Second
	// maxCached bounds the entries kept in one generation.
	maxCached = 1024
)

// ledgerCache keeps what is costly and changes only with the ledger
// (the latest reports and the site tallies of a plan on a date, report
// queries) until a write is heard of: every announcement on the channel,
// and every write of this store, starts a new generation and drops what
// was kept. While the listener is not listening, nothing is kept and every
// read goes to the database: another process's write could not be heard
// of, and correctness comes first.
type ledgerCache struct {
	mu         sync.Mutex
	up         bool   // LISTENing
	generation uint64 // writes heard of
	data       int64  // the data version, as last heard of (while up)
	entries    map[ledgerKey]any

	// The state version (statever.go): state was read in generation
	// stateGeneration, and is current while that is still the generation.
	state           string
	stateGeneration uint64
	stateFresh      bool
	flight          *stateFlight // the read under way, if any
	stateReads      int          // how many were made (tests count them)

	quiet time.Duration // how often a quiet channel is checked; 0: quietCheck

	start  sync.Once
	cancel context.CancelFunc
	done   chan struct{}
	// firstUp is closed when the listener is up for the first time: a
	// store just opened waits for it briefly before it answers that it
	// cannot tell its state version.
	firstUp     chan struct{}
	firstUpOnce sync.Once
	started     time.Time // when startListening began; read after it
}

// ledgerKey names one cached answer.
type ledgerKey struct {
	what  string // "latest", "tallies", "reports"
	plan  string
	asof  string
	query any // a domain.ReportQuery, comparable
}

// quietEvery is how often the listener checks a quiet channel.
func (c *ledgerCache) quietEvery() time.Duration {
	if c.quiet > 0 {
		return c.quiet
	}
	return quietCheck
}

// current returns the generation to key a read by, and false when the
// cache may not be used.
func (c *ledgerCache) current() (uint64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.generation, c.up
}

func (c *ledgerCache) get(k ledgerKey, g uint64) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.up || c.generation != g {
		return nil, false
	}
	got, ok := c.entries[k]
	return got, ok
}

// put keeps an answer read in generation g, unless a write has been heard
// of since (the answer may predate it) or the listener dropped.
func (c *ledgerCache) put(k ledgerKey, g uint64, got any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.up || c.generation != g {
		return
	}
	if len(c.entries) >= maxCached {
		clear(c.entries)
	}
	c.entries[k] = got
}

// heard records a write, committed: announced on the channel, found by a
// check, or made by this store (so that it reads its own writes at once).
func (c *ledgerCache) heard() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.generation++
	clear(c.entries)
}

// heardData records a change of the plan data to version v, committed:
// announced (0005) or found by a check. Versions only grow, so an older
// one announced late changes nothing.
func (c *ledgerCache) heardData(v int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.data = max(c.data, v)
}

// dataVersion is the data version as last heard of, and whether it may be
// used (the store is listening); otherwise it must be read.
func (c *ledgerCache) dataVersion() (int64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.data, c.up
}

// versions are the data version and the generation to key a read by,
// and whether they may be used (the store is listening).
func (c *ledgerCache) versions() (data int64, generation uint64, up bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.data, c.generation, c.up
}

// listening switches the cache on, at data version data, or off; either
// way a new generation begins (writes may have gone unheard while it was
// off).
func (c *ledgerCache) listening(up bool, data int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.up, c.data = up, data
	c.generation++
	clear(c.entries)
	if up {
		c.firstUpOnce.Do(func() { close(c.firstUp) })
	}
}

// Listening reports whether the store is listening for other processes'
// writes, and so keeps report-dependent answers in memory.
func (s *Store) Listening() bool {
	_, up := s.ledger.current()
	return up
}

// cachedLedger returns the answer to key for the current generation,
// reading it with load when it is not kept (or may not be).
func cachedLedger[T any](s *Store, key ledgerKey, load func() (T, error), clone func(T) T) (T, error) {
	s.startListening()
	g, up := s.ledger.current()
	if !up {
		return load()
	}
	if got, ok := s.ledger.get(key, g); ok {
		return clone(got.(T)), nil
	}
	got, err := load()
	if err == nil {
		s.ledger.put(key, g, clone(got))
	}
	return got, err
}

// startListening starts the listener, once, on the first read that
// could use the cache: stores that never read the ledger hold no
// connection for it.
func (s *Store) startListening() {
	s.ledger.start.Do(func() {
		ctx, cancel := context.WithCancel(context.Background())
		s.ledger.cancel, s.ledger.done = cancel, make(chan struct{})
		s.ledger.started = time.Now()
		go s.listen(ctx)
	})
}

// stopListening stops the listener and waits for it to let go of its
// connection.
func (s *Store) stopListening() {
	s.ledger.start.Do(func() {}) // never start after Close
	if s.ledger.cancel != nil {
		s.ledger.cancel()
		<-s.ledger.done
	}
}

// listen keeps a connection LISTENing until ctx ends, reconnecting with
// backoff whenever it is lost.
func (s *Store) listen(ctx context.Context) {
	defer close(s.ledger.done)
	backoff := firstBackoff
	for {
		began := time.Now()
		err := s.listenOnce(ctx)
		s.ledger.listening(false, 0)
		if ctx.Err() != nil {
			return
		}
		if time.Since(began) > maxBackoff {
			backoff = firstBackoff // it had been working
		}
		_ = err // the next attempt says whether the database is back
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// listenOnce takes a connection of its own out of the pool, LISTENs on
// it, and follows the channel until the connection fails or ctx ends.
func (s *Store) listenOnce(ctx context.Context) error {
	pooled, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	conn := pooled.Hijack() // held for good: not the pool's to hand out
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{ledgerChannel}.Sanitize()); err != nil {
		return err
	}
	// Read after LISTEN: a write that takes a later version is heard of.
	var last seen
	if err := conn.QueryRow(ctx, sitesVersionSQL).Scan(&last.data, &last.ledger); err != nil {
		return err
	}
	s.ledger.listening(true, last.data)
	for {
		wait, cancel := context.WithTimeout(ctx, s.ledger.quietEvery())
		n, err := conn.WaitForNotification(wait)
		cancel()
		switch {
		case err == nil:
			if last.note(n.Payload) {
				s.ledger.heardData(last.data)
			}
			s.ledger.heard()
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, context.DeadlineExceeded) || wait.Err() != nil:
			// Quiet: check the connection still answers, and that no
			// version went by unheard.
			var now seen
			check, cancel := context.WithTimeout(ctx, quietCheck)
			err := conn.QueryRow(check, sitesVersionSQL).Scan(&now.data, &now.ledger)
			cancel()
			if err != nil {
				return err
			}
			if now != last {
				s.ledger.heardData(now.data)
				s.ledger.heard()
				last = now
			}
		default:
			return err
		}
	}
}

// seen is the last data and ledger versions a listener knows of.
type seen struct{ data, ledger int64 }

// note takes in the payload of an announcement: a ledger version, or "d"
// and a data version (then it returns true). Versions only grow (ledger
// commits may announce them out of order), so the larger is kept.
func (l *seen) note(payload string) (data bool) {
	v, data := strings.CutPrefix(payload, "d")
	n, err := strconv.ParseInt(v, 10, 64)
	switch {
	case err != nil:
		return false
	case data:
		l.data = max(l.data, n)
	default:
		l.ledger = max(l.ledger, n)
	}
	return data
}

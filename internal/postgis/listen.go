package postgis

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// ledgerChannel is where migration 0003's trigger announces each write
// of the ledger, with its version, when the write commits.
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
	entries    map[ledgerKey]any

	start  sync.Once
	cancel context.CancelFunc
	done   chan struct{}
}

// ledgerKey names one cached answer.
type ledgerKey struct {
	what  string // "latest", "tallies", "reports"
	plan  string
	asof  string
	query any // a domain.ReportQuery, comparable
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

// listening switches the cache on or off; either way a new generation
// begins (writes may have gone unheard while it was off).
func (c *ledgerCache) listening(up bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.up = up
	c.generation++
	clear(c.entries)
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
		s.ledger.listening(false)
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
	var last int64
	if err := conn.QueryRow(ctx, ledgerVersionSQL).Scan(&last); err != nil {
		return err
	}
	s.ledger.listening(true)
	for {
		wait, cancel := context.WithTimeout(ctx, quietCheck)
		n, err := conn.WaitForNotification(wait)
		cancel()
		switch {
		case err == nil:
			s.ledger.heard()
			if v, err := strconv.ParseInt(n.Payload, 10, 64); err == nil {
				last = max(last, v)
			}
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, context.DeadlineExceeded) || wait.Err() != nil:
			// Quiet: check the connection still answers, and that no
			// version went by unheard.
			var v int64
			check, cancel := context.WithTimeout(ctx, quietCheck)
			err := conn.QueryRow(check, ledgerVersionSQL).Scan(&v)
			cancel()
			if err != nil {
				return err
			}
			if v != last {
				s.ledger.heard()
				last = v
			}
		default:
			return err
		}
	}
}

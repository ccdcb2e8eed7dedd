package postgis

import (
	"context"
	"fmt"
	"time"
)

// stateVersionSQL reads, from one snapshot, what StateVersion names: the
// plan data's version and how many ledger rows have committed. Reports
// and retractions are append-only, so their count grows with every
// commit, in commit order; the ledger_version sequence cannot serve, as a
// write takes its number when it starts and commits may announce them out
// of order.
const stateVersionSQL = `SELECT (SELECT version FROM data_version),
	(SELECT count(*) FROM reports) + (SELECT count(*) FROM retractions)`

// stateFlight is one read of the state version, shared by every caller
// that asks while it runs.
type stateFlight struct {
	generation uint64 // of the ledger cache when the read began
	done       chan struct{}
	version    string
	err        error
}

// StateVersion names the version of everything a public read returns,
// as "d<data version>.l<ledger rows>": the same string on every store over
// the same committed state. It is kept in memory while the store listens
// and read again (once, however many ask at a time) after every write
// heard of. While the store is not listening, ok is false and nothing is
// read: another process's write could go unheard, so no answer may be
// kept under the version. The first call starts the listener.
func (s *Store) StateVersion(ctx context.Context) (string, bool, error) {
	if err := ctx.Err(); err != nil {
		return "", false, err
	}
	s.startListening()
	c := &s.ledger
	s.awaitFirstListen(ctx)
	c.mu.Lock()
	if !c.up {
		c.mu.Unlock()
		return "", false, nil
	}
	if c.stateFresh && c.stateGeneration == c.generation {
		v := c.state
		c.mu.Unlock()
		return v, true, nil
	}
	f := c.flight
	if f == nil || f.generation != c.generation {
		f = &stateFlight{generation: c.generation, done: make(chan struct{})}
		c.flight = f
		go s.readState(f)
	}
	c.mu.Unlock()
	select {
	case <-f.done:
	case <-ctx.Done():
		return "", false, mapErr(ctx, ctx.Err())
	}
	if f.err != nil {
		return "", false, f.err
	}
	return f.version, true, nil
}

// firstListenWait bounds how long the first requests of a store wait for
// its listener to come up: a few round trips, normally.
const firstListenWait = 2 * time.Second

// awaitFirstListen waits, within ctx and firstListenWait of the
// listener's start, until the listener has been up once, so that the first answers
// of a new store are cached and tagged as every later one is (a client
// holding the first ETag then gets a 304). Later, a listener that is down
// is not waited for.
func (s *Store) awaitFirstListen(ctx context.Context) {
	select {
	case <-s.ledger.firstUp:
		return
	default:
	}
	wait := time.Until(s.ledger.started.Add(firstListenWait))
	if wait <= 0 {
		return
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-s.ledger.firstUp:
	case <-t.C:
	case <-ctx.Done():
	}
}

// readState reads the state version for f, in the background so that a
// caller that gives up leaves it to the others, bounded like a quiet
// check. The version read is kept only if no write was heard of since
// the read began: one heard of meanwhile may have committed after the
// read's snapshot, and keeping the older version would hide it for good.
// Callers that joined before that write still get the version read.
func (s *Store) readState(f *stateFlight) {
	ctx, cancel := context.WithTimeout(context.Background(), quietCheck)
	defer cancel()
	var data, rows int64
	err := s.pool.QueryRow(ctx, stateVersionSQL).Scan(&data, &rows)
	if err != nil {
		f.err = mapErr(ctx, err)
	} else {
		f.version = fmt.Sprintf("d%d.l%d", data, rows)
	}
	c := &s.ledger
	c.mu.Lock()
	c.stateReads++
	if err == nil && c.up && c.generation == f.generation {
		c.state, c.stateGeneration, c.stateFresh = f.version, f.generation, true
	}
	if c.flight == f {
		c.flight = nil
	}
	c.mu.Unlock()
	close(f.done)
}

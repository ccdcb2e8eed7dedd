package memstore

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"projectmap/internal/dataset"
	"projectmap/internal/domain"
	"projectmap/internal/journal"
)

// Option configures Open.
type Option func(*Store)

// WithLogger sets where Open logs what it repairs (a torn last record
// cut off after a crash); the default is slog.Default().
func WithLogger(log *slog.Logger) Option {
	return func(s *Store) { s.log = log }
}

// Open builds the store over a dataset with its ledger in dataDir: the
// journal dataDir/ledger.jsonl (see internal/journal), created with the
// directory if need be, and replayed. Every write is appended and fsynced
// before it returns. Several processes may open one directory at once
// (the server and "projectmap report add"): each sees the others' writes
// before it answers a ledger read. Close the store when done.
func Open(ds *dataset.Dataset, dataDir string, opts ...Option) (*Store, error) {
	if dataDir == "" {
		return nil, errors.New("memstore: no data directory")
	}
	s := New(ds)
	for _, o := range opts {
		o(s)
	}
	j, err := journal.Open(dataDir, s.apply, s.log)
	if err != nil {
		return nil, err
	}
	s.j = j
	return s, nil
}

// apply is the journal's ApplyFunc.
func (s *Store) apply(rec journal.Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.led.apply(rec)
}

// Close closes the journal; the store then refuses writes. Everything a
// write returned for is already on disk. A store from New has nothing to
// close.
func (s *Store) Close() error {
	if s.j == nil {
		return nil
	}
	return s.j.Close()
}

// JournalPath is the journal's file, or "" for a read-only store.
func (s *Store) JournalPath() string {
	if s.j == nil {
		return ""
	}
	return s.j.Path()
}

// follow takes in what other processes appended to the journal since the
// last look; when none did, it costs one fstat.
func (s *Store) follow() error {
	if s.j == nil || !s.j.Behind() {
		return nil
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return journalError(s.j.Follow())
}

var errReadOnly = domain.Errorf(domain.ErrUnavailable,
	"the embedded store is read-only: it was opened without a data directory (memstore.New); open it with memstore.Open to take writes")

// write runs one ledger write: under wmu and the journal's exclusive
// lock, with the ledger caught up on other processes' writes, prepare
// validates against the ledger and returns the record to append (nil to
// append nothing, e.g. an idempotent replay); the record is fsynced, then
// applied. prepare may read s.led without mu: only journal records change
// it, and they are applied under wmu.
func (s *Store) write(prepare func(l *ledger, now time.Time) (*journal.Record, error)) error {
	if s.j == nil {
		return errReadOnly
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	err := s.j.Append(func() (*journal.Record, error) { return prepare(s.led, s.now()) })
	var de *domain.Error
	if errors.As(err, &de) {
		return err
	}
	return journalError(err)
}

// journalError classifies a journal failure: a closed store or a disk
// that fails is unavailable; a journal that cannot be read is internal
// (the operator must look at the line it names).
func journalError(err error) error {
	var ce *journal.CorruptError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, journal.ErrClosed):
		return &domain.Error{Kind: domain.ErrUnavailable, Message: "the embedded store is closed", Err: err}
	case errors.As(err, &ce):
		return &domain.Error{Kind: domain.ErrInternal, Message: "the ledger journal cannot be read", Err: err}
	}
	return &domain.Error{Kind: domain.ErrUnavailable, Message: "the ledger journal cannot be written", Err: err}
}

// stamp is the time a write records: the caller's, or now, in UTC, to the
// microsecond (what PostgreSQL keeps, so that both stores answer alike).
func stamp(t, now time.Time) time.Time {
	if t.IsZero() {
		t = now
	}
	return t.UTC().Truncate(time.Microsecond)
}

func auditEntry(e domain.AuditEntry, l *ledger, now time.Time, action, target string) domain.AuditEntry {
	e.ID = l.lastAudit + 1
	e.At = stamp(e.At, now)
	if e.Action == "" {
		e.Action = action
	}
	if e.Target == "" {
		e.Target = target
	}
	return e
}

func reportIDs(rs []domain.Report) string {
	s := ""
	for i, r := range rs {
		if i > 0 {
			s += ","
		}
		s += fmt.Sprint(r.ID)
	}
	return s
}

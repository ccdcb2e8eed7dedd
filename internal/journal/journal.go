// Package journal is an append-only log of JSON lines in a data
// directory, made to be the durable half of an in-memory store.
//
// Each line is one record in a versioned envelope with a CRC-32C of its
// type and payload (see envelope). Append writes one line and fsyncs the
// file before it returns. Open replays every line; a damaged last line,
// the trace of a crash mid-write, is cut off with a warning, while a
// damaged line anywhere else is an error naming its line number: records
// are never dropped silently nor rewritten.
//
// Several processes may hold one journal open at once (the server and
// "projectmap report add"): appends take an exclusive flock on a lock file
// beside the journal and first replay what others appended, and Follow
// (under a shared lock) reads new lines into a reader's state.
package journal

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
)

// Names of the files the journal keeps in its directory.
const (
	FileName = "ledger.jsonl"
	LockName = "ledger.lock"
)

// ErrClosed is returned by a journal after Close.
var ErrClosed = errors.New("journal: closed")

// CorruptError says which line of the journal cannot be read, and why.
type CorruptError struct {
	Path   string
	Line   int   // 1-based
	Offset int64 // of the line's first byte
	Err    error
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("%s: line %d (byte %d): %v", e.Path, e.Line, e.Offset, e.Err)
}

func (e *CorruptError) Unwrap() error { return e.Err }

// ApplyFunc takes a record into the caller's state. It is called in
// journal order, once per record, from Open, Follow and Append, on the
// caller's goroutine; the caller makes that safe (memstore holds its write
// lock around those calls). An error stops the replay and names the line.
type ApplyFunc func(Record) error

// Journal is an open journal. Its methods are safe for concurrent use.
type Journal struct {
	path  string
	apply ApplyFunc
	log   *slog.Logger

	mu     sync.Mutex // serialises reading, appending and closing
	f      *os.File   // the journal, opened for appending
	lock   *os.File   // the lock file other processes flock too
	lines  int        // records applied so far
	closed bool

	end   atomic.Int64 // offset just past the last record applied
	stale atomic.Int64 // size at which the tail was last found incomplete, or -1
}

// Open opens the journal in dir, creating dir and the journal if need be,
// and replays every record into apply. log receives the warning when a
// torn tail is cut off; nil means slog.Default().
func Open(dir string, apply ApplyFunc, log *slog.Logger) (*Journal, error) {
	if log == nil {
		log = slog.Default()
	}
	if err := makeDir(dir); err != nil {
		return nil, fmt.Errorf("journal: data directory: %w", err)
	}
	j := &Journal{path: filepath.Join(dir, FileName), apply: apply, log: log}
	j.stale.Store(-1)
	var err error
	if j.lock, err = openFile(filepath.Join(dir, LockName), os.O_RDWR); err != nil {
		return nil, err
	}
	if err := flock(j.lock, lockExclusive); err != nil {
		j.lock.Close()
		return nil, err
	}
	defer flock(j.lock, unlock)
	if j.f, err = openFile(j.path, os.O_RDWR|os.O_APPEND); err != nil {
		j.lock.Close()
		return nil, err
	}
	if err := j.scan(true); err != nil {
		j.f.Close()
		j.lock.Close()
		return nil, err
	}
	return j, nil
}

// openFile opens name, creating it if it does not exist; a file created
// is made durable with its directory entry before it is used.
func openFile(name string, flag int) (*os.File, error) {
	f, err := os.OpenFile(name, flag|os.O_CREATE|os.O_EXCL, 0o640)
	if errors.Is(err, fs.ErrExist) {
		if f, err = os.OpenFile(name, flag, 0); err != nil {
			return nil, fmt.Errorf("journal: %w", err)
		}
		return f, nil
	}
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, fmt.Errorf("journal: %w", err)
	}
	if err := syncDir(filepath.Dir(name)); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// makeDir creates dir and any missing parents, syncing each parent so
// that the new entries survive a crash.
func makeDir(dir string) error {
	dir = filepath.Clean(dir)
	fi, err := os.Stat(dir)
	switch {
	case err == nil && fi.IsDir():
		return nil
	case err == nil:
		return fmt.Errorf("%s is not a directory", dir)
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	parent := filepath.Dir(dir)
	if parent != dir {
		if err := makeDir(parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, 0o750); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	return syncDir(parent)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("journal: sync %s: %w", dir, err)
	}
	return nil
}

// Path is the journal file's path.
func (j *Journal) Path() string { return j.path }

// Behind reports, at the cost of one fstat, whether the file holds more
// than has been applied: another process appended (or left a torn tail
// that Follow already found incomplete; that is not reported again until
// the size changes).
func (j *Journal) Behind() bool {
	fi, err := j.f.Stat()
	if err != nil {
		return true // let Follow report the error
	}
	size := fi.Size()
	return size != j.end.Load() && size != j.stale.Load()
}

// Follow applies the records other processes appended since the last
// read. An incomplete tail is left for the next writer to repair.
func (j *Journal) Follow() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return ErrClosed
	}
	if err := flock(j.lock, lockShared); err != nil {
		return err
	}
	defer flock(j.lock, unlock)
	return j.scan(false)
}

// Append writes the record prepare returns as one line and fsyncs it,
// then applies it. It holds the exclusive lock throughout and first
// applies what other processes appended, so prepare sees the latest state:
// it validates against that state and returns the record to write, or nil
// to write nothing, or an error, which Append returns.
func (j *Journal) Append(prepare func() (*Record, error)) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return ErrClosed
	}
	if err := flock(j.lock, lockExclusive); err != nil {
		return err
	}
	defer flock(j.lock, unlock)
	if err := j.scan(true); err != nil {
		return err
	}
	rec, err := prepare()
	if err != nil || rec == nil {
		return err
	}
	line, err := encodeLine(*rec)
	if err != nil {
		return err
	}
	// Apply the record as a replay will read it back, not as given.
	written, err := decodeLine(line)
	if err != nil {
		return fmt.Errorf("journal: cannot read back the line it would write: %w", err)
	}
	start := j.end.Load()
	if err := j.write(line); err != nil {
		// Leave no partial line behind; if even that fails, the next
		// writer or Open cuts it off as a torn tail.
		if terr := j.f.Truncate(start); terr == nil {
			j.f.Sync()
		}
		return fmt.Errorf("journal: append to %s: %w", j.path, err)
	}
	j.lines++
	j.end.Store(start + int64(len(line)))
	if err := j.apply(written); err != nil {
		return &CorruptError{Path: j.path, Line: j.lines, Offset: start, Err: fmt.Errorf("written but not applied: %w", err)}
	}
	return nil
}

func (j *Journal) write(line []byte) error {
	if _, err := j.f.Write(line); err != nil {
		return err
	}
	return j.f.Sync()
}

// Close closes the journal's files. It does not wait for anything: every
// record Append returned for is already durable.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return nil
	}
	j.closed = true
	err := j.f.Close()
	if lerr := j.lock.Close(); err == nil {
		err = lerr
	}
	return err
}

// scan applies the lines past the last one applied. With repair (under
// the exclusive lock) a damaged last line is cut off; without, it is left
// alone, for it may be a write that its writer's next Open will repair.
// A damaged line with more after it is an error either way.
func (j *Journal) scan(repair bool) error {
	fi, err := j.f.Stat()
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	size, pos := fi.Size(), j.end.Load()
	if size < pos {
		return &CorruptError{Path: j.path, Line: j.lines, Offset: size,
			Err: fmt.Errorf("the journal shrank from %d to %d bytes: records were removed", pos, size)}
	}
	r := bufio.NewReaderSize(io.NewSectionReader(j.f, pos, size-pos), 64<<10)
	for pos < size {
		line, err := r.ReadBytes('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("journal: read %s: %w", j.path, err)
		}
		n := j.lines + 1
		var rec Record
		derr := fmt.Errorf("%w: no newline, the line was cut short", errDamaged)
		if err == nil {
			rec, derr = decodeLine(line)
		}
		if derr != nil {
			if errors.Is(derr, errDamaged) && pos+int64(len(line)) == size {
				return j.tornTail(repair, pos, size, n, derr)
			}
			return &CorruptError{Path: j.path, Line: n, Offset: pos, Err: derr}
		}
		if err := j.apply(rec); err != nil {
			return &CorruptError{Path: j.path, Line: n, Offset: pos, Err: err}
		}
		j.lines = n
		pos += int64(len(line))
		j.end.Store(pos)
	}
	j.stale.Store(-1)
	return nil
}

// tornTail deals with a damaged last line at pos: cut off when repairing,
// else remembered as seen so that Behind does not report it again.
func (j *Journal) tornTail(repair bool, pos, size int64, line int, why error) error {
	if !repair {
		j.stale.Store(size)
		return nil
	}
	j.log.Warn("journal: cutting off a torn last record, the trace of a crash mid-write",
		"path", j.path, "line", line, "offset", pos, "bytes", size-pos, "reason", why.Error())
	if err := j.f.Truncate(pos); err != nil {
		return fmt.Errorf("journal: cut off torn tail of %s: %w", j.path, err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	j.stale.Store(-1)
	return nil
}

//go:build !unix

package journal

import (
	"errors"
	"os"
)

const (
	lockShared = iota
	lockExclusive
	unlock
)

// flock is not available here; the journal refuses to open rather than
// risk two processes writing it at once.
func flock(f *os.File, how int) error {
	return errors.New("journal: file locking is not supported on this system")
}

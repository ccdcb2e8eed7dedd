//go:build unix

package journal

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

const (
	lockShared    = unix.LOCK_SH
	lockExclusive = unix.LOCK_EX
	unlock        = unix.LOCK_UN
)

// flock takes or releases an advisory lock on f. Locks belong to the open
// file, so two journals opened in one process exclude each other too.
func flock(f *os.File, how int) error {
	for {
		err := unix.Flock(int(f.Fd()), how)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return fmt.Errorf("journal: flock %s: %w", f.Name(), err)
		}
		return nil
	}
}

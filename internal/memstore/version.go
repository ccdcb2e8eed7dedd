package memstore

import (
	"context"
	"fmt"
)

// SitesVersion names the version of what Sites returns: the geodata never
// changes, so it is the ledger's last report and retraction, which set
// the sites' status. A download reads it around every page, so that it
// never joins pages of two versions.
func (s *Store) SitesVersion(ctx context.Context) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return fmt.Sprintf("%d.%d", s.led.lastReport, s.led.lastRetraction), nil
}

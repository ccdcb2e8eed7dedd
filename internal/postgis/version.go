package postgis

import (
	"context"
	"fmt"
)

// sitesVersionSQL reads both versions a Sites read depends on: the plan
// data's (bumped by triggers) and the ledger's (reports set the status).
const sitesVersionSQL = `SELECT (SELECT version FROM data_version), (SELECT last_value FROM ledger_version)`

// SitesVersion names the version of what Sites returns. A download reads
// it around every page, so that it never joins pages of two versions.
// The ledger's sequence moves when a write starts, so a filing that began
// before the first read and commits mid-download goes unseen; imports,
// whose trigger commits with them, never do.
func (s *Store) SitesVersion(ctx context.Context) (string, error) {
	var data, ledger int64
	if err := s.pool.QueryRow(ctx, sitesVersionSQL).Scan(&data, &ledger); err != nil {
		return "", mapErr(ctx, err)
	}
	return fmt.Sprintf("%d.%d", data, ledger), nil
}

package memstore

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
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
	if err := s.follow(); err != nil {
		return "", err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return fmt.Sprintf("%d.%d", s.led.lastReport, s.led.lastRetraction), nil
}

// StateVersion names the version of everything a read returns: a digest
// of the data the store was built from (so that a restart on other
// geodata never passes for the same version) and the ledger's last report
// and retraction, after taking in other processes' writes. It is always
// known.
func (s *Store) StateVersion(ctx context.Context) (string, bool, error) {
	v, err := s.SitesVersion(ctx)
	if err != nil {
		return "", false, err
	}
	return s.dataDigest() + "." + v, true, nil
}

// dataDigest is a digest of the plans, districts, zones and sites, made
// once.
func (s *Store) dataDigest() string {
	s.digestOnce.Do(func() {
		h := sha256.New()
		enc := json.NewEncoder(h)
		_ = enc.Encode(s.plans)
		_ = enc.Encode(s.districts)
		_ = enc.Encode(s.zones)
		for _, p := range s.plans {
			for _, l := range s.order[p.ID] {
				_ = enc.Encode(l.sites)
			}
		}
		s.digest = base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:9])
	})
	return s.digest
}

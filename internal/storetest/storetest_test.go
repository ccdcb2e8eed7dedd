package storetest_test

import (
	"testing"

	"projectmap/internal/domain"
	"projectmap/internal/storetest"
)

// TestStores runs the suite on every store there is.
func TestStores(t *testing.T) {
	for _, s := range storetest.Stores(t) {
		t.Run(s.Name, func(t *testing.T) {
			storetest.Run(t, func(*testing.T) domain.Store { return s.Store })
		})
	}
}

// TestLedger runs the ledger suite on every store, each subtest on a
// fresh one: the embedded store on a data directory of its own, PostGIS
// on a scratch database of its own.
func TestLedger(t *testing.T) {
	for _, s := range storetest.Writable(t) {
		t.Run(s.Name, func(t *testing.T) { storetest.RunLedger(t, s.New) })
	}
}

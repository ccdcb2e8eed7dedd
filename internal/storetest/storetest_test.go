package storetest_test

import (
	"testing"

	"projectmap/internal/domain"
	"projectmap/internal/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// TestStores runs the suite on every store there is.
func TestStores(t *testing.T) {
	for _, s := range storetest.Stores(t) {
		t.Run(s.Name, func(t *testing.T) {
			storetest.Run(t, func(*testing.T) domain.Store { return s.Store })
		})
	}
}

// TestExpectedIsTheEmbeddedStore checks the reference answers against the
// embedded store on every query of the suite's table, so that the suite
// itself is known to be right.
func TestEmbeddedEqualsItself(t *testing.T) {
	e := storetest.Embedded(t)
	storetest.Compare(t, e, e)
}

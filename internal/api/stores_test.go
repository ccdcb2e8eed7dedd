package api_test

import (
	"testing"

	"github.com/paulmach/orb"

	"projectmap/internal/storetest"
)

// testStores lists the stores every API test runs against: the embedded
// one, and PostGIS when TEST_DATABASE_URL reaches a server (required in
// CI), in a scratch database of the test's own, built from the real
// migrations and dropped when the test ends.
func testStores(t *testing.T) []namedStore {
	var out []namedStore
	for _, s := range storetest.Stores(t) {
		out = append(out, namedStore{s.Name, s.Store})
	}
	return out
}

func domainBound(minLon, minLat, maxLon, maxLat float64) orb.Bound {
	return orb.Bound{Min: orb.Point{minLon, minLat}, Max: orb.Point{maxLon, maxLat}}
}

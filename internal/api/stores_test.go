package api_test

import (
	"testing"

	"github.com/paulmach/orb"

	"projectmap/internal/memstore"
)

// testStores lists the stores every API test runs against.
func testStores(t *testing.T) []namedStore {
	return []namedStore{{"embedded", memstore.New(loadDataset(t))}}
}

func domainBound(minLon, minLat, maxLon, maxLat float64) orb.Bound {
	return orb.Bound{Min: orb.Point{minLon, minLat}, Max: orb.Point{maxLon, maxLat}}
}

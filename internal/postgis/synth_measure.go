package postgis

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"projectmap/internal/domain"
)

// SynthTiming is how fast the bbox query ran.
type SynthTiming struct {
	Queries int
	Median  time.Duration
	P90     time.Duration
	Matched float64 // mean number of sites a query matched
}

// MeasureBBox times the query the map makes: the synthetic sites in a
// SynthBox-sized box centred on each district's centroid in turn, limit
// 100, through the store (the count and the page, as the API asks). It
// runs one warm-up round, then rounds more, and returns the median.
func MeasureBBox(ctx context.Context, s *Store, plan string, districts []domain.District, rounds int) (SynthTiming, error) {
	return MeasureSites(ctx, s, domain.SiteQuery{Plan: plan, Layer: SyntheticLayer, Limit: 100}, districts, rounds)
}

// SynthBoxes are the boxes the scale run queries: SynthBox on a side,
// centred on each district's centroid.
func SynthBoxes(districts []domain.District) []orb.Bound {
	boxes := make([]orb.Bound, len(districts))
	for i, d := range districts {
		c, _ := planar.CentroidArea(d.Geometry)
		h := SynthBox / 2
		boxes[i] = orb.Bound{Min: orb.Point{c[0] - h, c[1] - h}, Max: orb.Point{c[0] + h, c[1] + h}}
	}
	return boxes
}

// MeasureSites times query q (its plan, layer, status, date and limit) in
// a SynthBox-sized box centred on each district's centroid in turn, as
// MeasureBBox does.
func MeasureSites(ctx context.Context, s *Store, q domain.SiteQuery, districts []domain.District, rounds int) (SynthTiming, error) {
	boxes := SynthBoxes(districts)
	var times []time.Duration
	var matched int
	for round := 0; round <= rounds; round++ {
		for i := range boxes {
			q.BBox = &boxes[i]
			began := time.Now()
			page, err := s.Sites(ctx, q)
			took := time.Since(began)
			if err != nil {
				return SynthTiming{}, err
			}
			if round == 0 {
				continue // warm-up
			}
			times = append(times, took)
			matched += page.Matched
		}
	}
	if len(times) == 0 {
		return SynthTiming{}, fmt.Errorf("no queries measured")
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	return SynthTiming{
		Queries: len(times),
		Median:  times[len(times)/2],
		P90:     times[len(times)*9/10],
		Matched: float64(matched) / float64(len(times)),
	}, nil
}

package api

import (
	"context"
	"net/url"
	"strconv"

	"projectmap/internal/domain"
)

// The map's filters as a URL names them (web/src/state.js): one reading
// of each for the items, the static maps and the share cards.

// districtFilter reads district= for plan p (zero when absent), as
// parseDistrict does, looking up the city's districts only when asked.
func (s *server) districtFilter(ctx context.Context, q url.Values, p domain.Plan) (districtPick, error) {
	if q.Get("district") == "" {
		return districtPick{}, nil
	}
	districts, zones, err := s.cityDistricts(ctx, p)
	if err != nil {
		return districtPick{}, err
	}
	return parseDistrict(q, p, districts, zones)
}

// parseCategory reads cat=, one of plan p's categories by number (0 when
// absent).
func parseCategory(q url.Values, p domain.Plan) (int, error) {
	v := q.Get("cat")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err == nil {
		for _, c := range p.Categories {
			if c.Number == n {
				return n, nil
			}
		}
	}
	return 0, domain.Invalid("cat", "%q is not a category number of plan %s (1–%d)", v, p.ID, len(p.Categories))
}

// layerCategory is a layer's category: its own, or its project's (0 for
// a base layer).
func layerCategory(p domain.Plan, l domain.LayerInfo) int {
	if l.Category != 0 {
		return l.Category
	}
	for _, pr := range p.Projects {
		if pr.Number == l.Project {
			return pr.Category
		}
	}
	return 0
}

// inCategory tells whether a layer is shown under category cat: a layer
// of no category (the base) always is (web/src/filters.js inCategory).
func inCategory(p domain.Plan, l domain.LayerInfo, cat int) bool {
	c := layerCategory(p, l)
	return cat == 0 || c == 0 || c == cat
}

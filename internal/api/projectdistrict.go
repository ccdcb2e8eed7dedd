package api

import (
	"context"
	"net/url"

	"projectmap/internal/domain"
)

// projectsIn returns the numbers of plan p's projects that reach district
// (an adcode or zone id, see parseDistrict): those with a share allocated
// to it, or with a site of theirs there. The sites are asked of the store
// with the same filter as items' district=, one counted query a layer, so
// the list and the map agree.
func (s *server) projectsIn(ctx context.Context, p domain.Plan, district string) (map[int]bool, error) {
	in := map[int]bool{}
	for _, pr := range p.Projects {
		if allocatesTo(pr.Allocations, district) {
			in[pr.Number] = true
		}
	}
	for _, l := range p.Layers {
		if l.Project == 0 || in[l.Project] {
			continue
		}
		page, err := s.cfg.Store.Sites(ctx, domain.SiteQuery{Plan: p.ID, Layer: l.ID, District: district, Limit: 1})
		if err != nil {
			return nil, err
		}
		if page.Matched > 0 {
			in[l.Project] = true
		}
	}
	return in, nil
}

// allocatesTo tells whether any allocation, or one it includes, goes to
// recipient id.
func allocatesTo(as []domain.Allocation, id string) bool {
	for _, a := range as {
		if a.Recipient == id || allocatesTo(a.Includes, id) {
			return true
		}
	}
	return false
}

// districtProjects reads district= (v) for the project list: nil when
// absent (every project), else the projects that reach the district.
func (s *server) districtProjects(ctx context.Context, p domain.Plan, v string) (map[int]bool, error) {
	if v == "" {
		return nil, nil
	}
	d, err := s.districtFilter(ctx, url.Values{"district": {v}}, p)
	if err != nil {
		return nil, err
	}
	return s.projectsIn(ctx, p, d.Code)
}

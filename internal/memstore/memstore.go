// Package memstore is the embedded store: the data of geodata/ held in
// memory, each layer with an R-tree over its features' bounds.
package memstore

import (
	"context"
	"sort"

	"github.com/tidwall/rtree"

	"projectmap/internal/dataset"
	"projectmap/internal/domain"
	"projectmap/internal/geomutil"
)

// Store serves a loaded dataset. It is safe for concurrent use: nothing
// changes after New.
type Store struct {
	plans     []domain.Plan
	districts []domain.District
	zones     []domain.Zone
	layers    map[string]map[string]*layer // plan id → layer id → layer
	infos     map[string][]domain.LayerInfo
	zoneOf    map[string]bool
}

type layer struct {
	sites []domain.Site
	index rtree.RTreeG[int]
}

var _ domain.Store = (*Store)(nil)

// New builds the store from a dataset.
func New(ds *dataset.Dataset) *Store {
	s := &Store{
		districts: ds.Districts, zones: ds.Zones,
		layers: map[string]map[string]*layer{}, infos: map[string][]domain.LayerInfo{},
		zoneOf: map[string]bool{},
	}
	for _, z := range ds.Zones {
		s.zoneOf[z.ID] = true
	}
	for _, p := range ds.Plans {
		plan := p.Plan
		plan.Projects = p.Projects
		s.plans = append(s.plans, plan)
		byLayer := map[string]*layer{}
		for _, l := range p.Layers {
			byLayer[l.ID] = &layer{}
		}
		for _, site := range p.Sites {
			l := byLayer[site.Layer]
			if site.Geometry != nil { // unlocated sites are never in a bbox
				b := site.Geometry.Bound()
				l.index.Insert(b.Min, b.Max, len(l.sites))
			}
			l.sites = append(l.sites, site)
		}
		s.layers[p.ID] = byLayer
		for _, l := range p.Layers {
			info := domain.LayerInfo{Layer: l, Count: len(byLayer[l.ID].sites)}
			located := 0
			for _, site := range byLayer[l.ID].sites {
				if site.Geometry == nil {
					continue
				}
				if located == 0 {
					info.Extent = site.Geometry.Bound()
				} else {
					info.Extent = info.Extent.Union(site.Geometry.Bound())
				}
				located++
			}
			s.infos[p.ID] = append(s.infos[p.ID], info)
		}
	}
	return s
}

func (s *Store) Kind() string                   { return "embedded" }
func (s *Store) Ping(ctx context.Context) error { return ctx.Err() }

func (s *Store) Plans(ctx context.Context) ([]domain.Plan, error) {
	return s.plans, ctx.Err()
}

func (s *Store) Districts(ctx context.Context) ([]domain.District, []domain.Zone, error) {
	return s.districts, s.zones, ctx.Err()
}

func (s *Store) Layers(ctx context.Context, plan string) ([]domain.LayerInfo, error) {
	infos, ok := s.infos[plan]
	if !ok {
		return nil, domain.Errorf(domain.ErrNotFound, "no plan %q", plan)
	}
	return infos, ctx.Err()
}

func (s *Store) layer(plan, id string) (*layer, error) {
	byLayer, ok := s.layers[plan]
	if !ok {
		return nil, domain.Errorf(domain.ErrNotFound, "no plan %q", plan)
	}
	l, ok := byLayer[id]
	if !ok {
		return nil, domain.Errorf(domain.ErrNotFound, "no collection %q", id)
	}
	return l, nil
}

func (s *Store) Sites(ctx context.Context, q domain.SiteQuery) (domain.SitePage, error) {
	if err := ctx.Err(); err != nil {
		return domain.SitePage{}, err
	}
	l, err := s.layer(q.Plan, q.Layer)
	if err != nil {
		return domain.SitePage{}, err
	}
	var candidates []int
	if q.BBox != nil {
		l.index.Search(q.BBox.Min, q.BBox.Max, func(_, _ [2]float64, i int) bool {
			if geomutil.Intersects(l.sites[i].Geometry, *q.BBox) {
				candidates = append(candidates, i)
			}
			return true
		})
		sort.Ints(candidates)
	}
	page := domain.SitePage{Sites: []domain.Site{}}
	visit := func(i int) {
		site := &l.sites[i]
		if q.Project != 0 && site.Project != q.Project {
			return
		}
		if q.District != "" && !s.inDistrict(site, q.District) {
			return
		}
		if page.Matched >= q.Offset && (q.Limit == 0 || len(page.Sites) < q.Limit) {
			page.Sites = append(page.Sites, *site)
		}
		page.Matched++
	}
	if q.BBox != nil {
		for _, i := range candidates {
			visit(i)
		}
	} else {
		for i := range l.sites {
			visit(i)
		}
	}
	return page, nil
}

// inDistrict matches a district adcode, or a zone id against the site's zone.
func (s *Store) inDistrict(site *domain.Site, id string) bool {
	if s.zoneOf[id] {
		return site.Zone == id
	}
	return site.District == id
}

func (s *Store) Site(ctx context.Context, plan, layerID, id string) (domain.Site, error) {
	if err := ctx.Err(); err != nil {
		return domain.Site{}, err
	}
	l, err := s.layer(plan, layerID)
	if err != nil {
		return domain.Site{}, err
	}
	for _, site := range l.sites {
		if site.ID == id {
			return site, nil
		}
	}
	return domain.Site{}, domain.Errorf(domain.ErrNotFound, "no feature %q in collection %q", id, layerID)
}

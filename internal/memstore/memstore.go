// Package memstore is the embedded store: the data of geodata/ held in
// memory, each layer with an R-tree over its features' bounds, and the
// ledger (reports, retractions, tokens, audit) kept in memory too, made
// durable by an append-only journal in a data directory (see Open and
// internal/journal). The geodata itself is never written.
package memstore

import (
	"context"
	"log/slog"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/tidwall/rtree"

	"projectmap/internal/dataset"
	"projectmap/internal/domain"
	"projectmap/internal/geomutil"
	"projectmap/internal/journal"
)

// Store serves a loaded dataset and its ledger. It is safe for concurrent
// use. The geodata never changes after New; the ledger changes only by
// appending to the journal, and is guarded so:
//
//   - wmu serialises everything that applies journal records: writes
//     (validate, append and fsync, apply) and following other processes'
//     appends. A writer validates under wmu alone, since nothing else
//     changes the ledger meanwhile, so readers are not held up by fsync.
//   - mu guards the ledger's maps; apply takes it for writing, readers
//     for reading.
//
// Lock order: wmu, then the journal's own lock and flock, then mu.
type Store struct {
	plans     []domain.Plan
	districts []domain.District
	zones     []domain.Zone
	layers    map[string]map[string]*layer // plan id → layer id → layer
	infos     map[string][]domain.LayerInfo
	zoneOf    map[string]bool
	byID      map[string]map[string]siteRef // plan id → site id → where it is
	order     map[string][]*layer           // plan id → layers in the plan's order

	j   *journal.Journal // nil: opened by New, read-only
	wmu sync.Mutex
	mu  sync.RWMutex
	led *ledger
	log *slog.Logger
	now func() time.Time

	digestOnce sync.Once // dataDigest, made on first use
	digest     string
}

type layer struct {
	info  domain.Layer
	sites []domain.Site
	track []siteTrack // aligned with sites
	ids   map[string]int
	index rtree.RTreeG[int]
}

// siteRef finds a site by id: its layer and index there.
type siteRef struct {
	layer *layer
	i     int
}

var _ domain.Store = (*Store)(nil)

// New builds a read-only store over a dataset: every read works, over an
// empty ledger, and every ledger write fails with ErrUnavailable. It is
// for tests and tools that only read; a tracker that takes reports opens
// the store with Open and a data directory.
func New(ds *dataset.Dataset) *Store {
	s := &Store{
		districts: ds.Districts, zones: ds.Zones,
		layers: map[string]map[string]*layer{}, infos: map[string][]domain.LayerInfo{},
		zoneOf: map[string]bool{}, byID: map[string]map[string]siteRef{}, order: map[string][]*layer{},
		led: newLedger(), log: slog.Default(), now: time.Now,
	}
	for _, z := range ds.Zones {
		s.zoneOf[z.ID] = true
	}
	for _, p := range ds.Plans {
		plan := p.Plan
		plan.Projects = p.Projects
		s.plans = append(s.plans, plan)
		s.addPlan(p, plan)
	}
	return s
}

func (s *Store) addPlan(p *dataset.Plan, plan domain.Plan) {
	byLayer := map[string]*layer{}
	for _, l := range p.Layers {
		nl := &layer{info: l, ids: map[string]int{}}
		byLayer[l.ID] = nl
		s.order[p.ID] = append(s.order[p.ID], nl)
	}
	byID := map[string]siteRef{}
	curves := curveCache{}
	for _, site := range p.Sites {
		l := byLayer[site.Layer]
		if site.Geometry != nil { // unlocated sites are never in a bbox
			b := site.Geometry.Bound()
			l.index.Insert(b.Min, b.Max, len(l.sites))
		}
		l.ids[site.ID] = len(l.sites)
		byID[site.ID] = siteRef{layer: l, i: len(l.sites)}
		l.sites = append(l.sites, site)
		l.track = append(l.track, trackOf(plan, l.info, site, curves))
	}
	s.layers[p.ID] = byLayer
	s.byID[p.ID] = byID
	for _, l := range p.Layers {
		info := domain.LayerInfo{Layer: l, Count: len(byLayer[l.ID].sites)}
		located := 0
		for _, site := range byLayer[l.ID].sites {
			if site.Geometry == nil {
				continue
			}
			info.GeometryType = domain.AddGeometryType(info.GeometryType, site.Geometry.GeoJSONType())
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

func (s *Store) Kind() string                   { return "embedded" }
func (s *Store) Ping(ctx context.Context) error { return ctx.Err() }

// DataVersion is always 0: the geodata never changes after New.
func (s *Store) DataVersion(ctx context.Context) (int64, error) { return 0, ctx.Err() }

var _ domain.Versioned = (*Store)(nil)

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

// Sites runs a query. With AsOf, each site on the page carries the report
// that speaks for it; with Status, only the sites of that tracking status
// on AsOf match (sites of no project have none, and never match). The
// status is computed per candidate from its precomputed curve and the
// ledger's per-site index: bounded work per site, no copying.
func (s *Store) Sites(ctx context.Context, q domain.SiteQuery) (domain.SitePage, error) {
	if err := ctx.Err(); err != nil {
		return domain.SitePage{}, err
	}
	l, err := s.layer(q.Plan, q.Layer)
	if err != nil {
		return domain.SitePage{}, err
	}
	if err := checkTracking(q); err != nil {
		return domain.SitePage{}, err
	}
	tracking := !q.AsOf.IsZero()
	var pl *planLedger
	if tracking {
		if err := s.follow(); err != nil {
			return domain.SitePage{}, err
		}
		s.mu.RLock()
		defer s.mu.RUnlock()
		pl = s.led.plans[q.Plan]
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
	if tracking {
		page.Reports = []*domain.Report{}
	}
	visit := func(i int) {
		site := &l.sites[i]
		if q.Project != 0 && site.Project != q.Project {
			return
		}
		if q.District != "" && !s.inDistrict(site, q.District) {
			return
		}
		var rep *domain.Report
		if q.Status != "" {
			st, r, ok := s.led.siteStatus(pl, site, &l.track[i], q.AsOf)
			if !ok || st != q.Status {
				return
			}
			rep = r
		}
		if page.Matched >= q.Offset && (q.Limit == 0 || len(page.Sites) < q.Limit) {
			page.Sites = append(page.Sites, *site)
			if tracking {
				if q.Status == "" {
					rep = s.led.effective(pl, site, &l.track[i], q.AsOf)
				}
				page.Reports = append(page.Reports, s.led.view(rep))
			}
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

func checkTracking(q domain.SiteQuery) error {
	switch {
	case q.Status != "" && !q.Status.Valid():
		return domain.Invalid("status", "%q is not a tracking status (completed, on_track, behind, not_started, suspended, unreported)", q.Status)
	case q.Status != "" && q.AsOf.IsZero():
		return domain.Invalid("asof", "a status filter needs the date it is computed on")
	}
	return nil
}

// inDistrict matches a district adcode, or a zone id against the site's zone.
// A line or area crossing borders has no district but lists the districts
// it crosses in attrs.districts, and matches each of them.
func (s *Store) inDistrict(site *domain.Site, id string) bool {
	if s.zoneOf[id] {
		return site.Zone == id
	}
	return site.District == id || crosses(site.Attrs["districts"], id)
}

// crosses reports whether attrs.districts ([]string from the loader, or
// []any once decoded from JSON) holds the adcode.
func crosses(districts any, adcode string) bool {
	switch ds := districts.(type) {
	case []string:
		return slices.Contains(ds, adcode)
	case []any:
		return slices.Contains(ds, any(adcode))
	}
	return false
}

func (s *Store) Site(ctx context.Context, plan, layerID, id string) (domain.Site, error) {
	if err := ctx.Err(); err != nil {
		return domain.Site{}, err
	}
	l, err := s.layer(plan, layerID)
	if err != nil {
		return domain.Site{}, err
	}
	i, ok := l.ids[id]
	if !ok {
		return domain.Site{}, domain.Errorf(domain.ErrNotFound, "no feature %q in collection %q", id, layerID)
	}
	return l.sites[i], nil
}

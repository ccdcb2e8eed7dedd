package api

import (
	"context"
	"slices"
	"sync"

	"github.com/paulmach/orb"

	"projectmap/internal/domain"
	"projectmap/internal/tiles"
)

// maxPointIndexes bounds the layer indexes kept at one state version
// (one per plan, layer and date asked for: a tile of every layer on two
// dates needs some 70); past it the oldest is dropped.
const maxPointIndexes = 256

// pointIndexes keeps, per state version, an in-memory index of each point
// layer asked for in a tile (plan, layer, asof), with every site's tile
// properties and status computed once: point tiles, sparse or dense, are
// then cut without a store query. A version that moves (an import, a
// report, a retraction) drops them all.
type pointIndexes struct {
	mu      sync.Mutex
	version string
	entries map[string]*pointEntry
	order   []string // keys, oldest first: the first goes when full
}

type pointEntry struct {
	done chan struct{}
	ix   *pointLayer
	err  error
}

// pointLayer is one layer's index of points, its other sites in world
// coordinates (shapes: lines and polygons, kept for a store that cuts no
// tiles itself), and the sites both point at.
type pointLayer struct {
	ix     *tiles.Index
	shapes []shape
	sites  []tileSite
}

type shape struct {
	world orb.Geometry // tiles.World of the site's geometry
	bound orb.Bound    // of world
	ref   int
}

// tileSite is what a point feature carries (tileProps), kept small.
type tileSite struct {
	site   domain.Site
	status domain.TrackingStatus
	report *domain.Report
}

// pointIndex returns the index of a layer on asof, nil when the store
// cannot name its state version (nothing may then be kept).
func (s *server) pointIndex(ctx context.Context, p domain.Plan, l domain.LayerInfo, asof domain.Date) (*pointLayer, error) {
	vs, ok := s.cfg.Store.(domain.StateVersioned)
	if !ok {
		return nil, nil
	}
	v, ok, err := vs.StateVersion(ctx)
	if err != nil || !ok {
		return nil, err
	}
	key := p.ID + "\x00" + l.ID + "\x00" + asof.String()
	e, lead := s.points.claim(v, key)
	if e == nil {
		return nil, nil
	}
	if lead {
		e.ix, e.err = s.buildPointLayer(ctx, p, l, asof)
		close(e.done)
		if e.err != nil {
			s.points.forget(v, key)
		}
		return e.ix, e.err
	}
	select {
	case <-e.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if e.err != nil {
		return s.buildPointLayer(ctx, p, l, asof)
	}
	return e.ix, nil
}

func (pi *pointIndexes) claim(v, key string) (*pointEntry, bool) {
	pi.mu.Lock()
	defer pi.mu.Unlock()
	if pi.entries == nil || pi.version != v {
		pi.version, pi.entries, pi.order = v, map[string]*pointEntry{}, nil
	}
	if e := pi.entries[key]; e != nil {
		return e, false
	}
	if len(pi.order) >= maxPointIndexes {
		delete(pi.entries, pi.order[0])
		pi.order = pi.order[1:]
	}
	e := &pointEntry{done: make(chan struct{})}
	pi.entries[key] = e
	pi.order = append(pi.order, key)
	return e, true
}

func (pi *pointIndexes) forget(v, key string) {
	pi.mu.Lock()
	defer pi.mu.Unlock()
	if pi.version == v && pi.entries[key] != nil {
		delete(pi.entries, key)
		pi.order = slices.DeleteFunc(pi.order, func(k string) bool { return k == key })
	}
}

// buildPointLayer reads the whole layer once, with its reports on asof.
func (s *server) buildPointLayer(ctx context.Context, p domain.Plan, l domain.LayerInfo, asof domain.Date) (*pointLayer, error) {
	page, err := s.cfg.Store.Sites(ctx, domain.SiteQuery{Plan: p.ID, Layer: l.ID, AsOf: asof})
	if err != nil {
		return nil, err
	}
	return newPointLayer(newLookup(p, nil, nil), page, asof), nil
}

// newPointLayer indexes the located sites of a page.
func newPointLayer(look *lookup, page domain.SitePage, asof domain.Date) *pointLayer {
	pl := &pointLayer{}
	var pts []tiles.Point
	for i, site := range page.Sites {
		if site.Geometry == nil || !site.Located() {
			continue
		}
		r := reportAt(page, i)
		st := siteStatus(look, site, r, asof)
		if g, isPoint := site.Geometry.(orb.Point); isPoint {
			pts = append(pts, tiles.Point{At: g, Class: statusClass(st), Ref: len(pl.sites)})
		} else {
			w := tiles.World(site.Geometry)
			pl.shapes = append(pl.shapes, shape{world: w, bound: w.Bound(), ref: len(pl.sites)})
		}
		pl.sites = append(pl.sites, tileSite{site: site, status: st, report: r})
	}
	pl.ix = tiles.NewIndex(pts)
	return pl
}

package postgis

import "projectmap/internal/domain"

// A bbox page of a point layer whose matches the point index found is
// read from the entity cache when every site of it is kept there for the
// same data version (and, for a dated page, the report that speaks for
// each, for the current ledger generation): no round trip at all, which
// at 100,000 sites is most of what a miss costs (the database read and
// the decoding of 100 rows). A page that misses is read from the
// database, and starts a whole-layer read into the cache (warm.go), so
// that later pages hit. The answer is the database's: the cache holds
// what Site and SiteReport return, and is dropped with the version.

// memoryPage assembles the page found from the entity cache; ok is false
// if any of it is not kept (or the layer is not known to exist, or the
// versions moved since the index was asked).
func (s *Store) memoryPage(q domain.SiteQuery, lookUp bool, found indexedPage) (domain.SitePage, bool) {
	if found.ix.ids == nil {
		return domain.SitePage{}, false
	}
	v, g, up := s.ledger.versions()
	if !up || v != found.version {
		return domain.SitePage{}, false
	}
	page := domain.SitePage{Matched: found.matched, Sites: make([]domain.Site, 0, len(found.ords))}
	if !q.AsOf.IsZero() {
		page.Reports = make([]*domain.Report, 0, len(found.ords))
	}
	asof := domain.Date{}
	if lookUp {
		asof = q.AsOf
	}
	if !s.entities.page(&page, q.Plan, q.Layer, found, asof, g) {
		s.warm(q.Plan, q.Layer, asof)
		return domain.SitePage{}, false
	}
	// The plan and the layer exist: a page with no sites says so only
	// if the layers kept in memory list them.
	return page, s.knownLayer(q.Plan, q.Layer)
}

// page appends the sites of found's ords (and with a non-zero asof their
// reports, else nil reports where page has Reports) to page; false if
// any is not kept.
func (c *entityCache) page(page *domain.SitePage, plan, layer string, found indexedPage, asof domain.Date, g uint64) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.data != found.version || (!asof.IsZero() && c.generation != g) {
		return false
	}
	for _, ord := range found.ords {
		id, ok := found.ix.ids[ord]
		if !ok {
			return false
		}
		e, ok := c.sites[siteKey{plan, id}]
		if !ok || e.site.Layer != layer {
			return false
		}
		page.Sites = append(page.Sites, e.site)
		switch {
		case !asof.IsZero():
			r, ok := c.reports[reportKey{plan, layer, id, asof}]
			if !ok {
				return false
			}
			page.Reports = append(page.Reports, cloneReport(r.report))
		case page.Reports != nil:
			page.Reports = append(page.Reports, nil)
		}
	}
	return true
}

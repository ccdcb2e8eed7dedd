package postgis

import (
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"projectmap/internal/domain"
)

// maxEntityBytes bounds the memory the entity cache holds, estimated
// from what each entry was decoded from: about 100,000 small sites (or a
// few thousand big polygons) and their reports.
const maxEntityBytes = 96 << 20

// entityCache keeps single sites and the report that speaks for each,
// as Site, SiteByID and SiteReport return them, so that a feature asked
// for again needs no round trip. Sites are kept for a data version,
// reports for a ledger generation (which every write heard of, data
// changes included, moves): as with ledgerCache, only while the store
// listens, and an answer read while the version moved is not kept.
// Entries past the byte budget are dropped at random, which costs
// nothing to track and, under uniform traffic, keeps as many hits as an LRU.
type entityCache struct {
	mu         sync.RWMutex
	data       int64 // the data version sites are of
	generation uint64
	sites      map[siteKey]cachedSite
	reports    map[reportKey]cachedReport
	siteBytes  int
	repBytes   int
	warmed     map[warmKey]time.Time // when each layer was last read whole (warm.go)
	tooBig     map[warmKey]int64     // the data version at which a layer's read did not fit
	warming    atomic.Int32          // whole-layer reads under way
}

// siteKey names a site by plan and id: ids are unique in a plan, and
// Site checks the layer.
type siteKey struct{ plan, id string }

type cachedSite struct {
	site  domain.Site
	bytes int
}

type reportKey struct {
	plan, layer, id string
	asof            domain.Date
}

type cachedReport struct {
	report *domain.Report // nil: none speaks for the site
	bytes  int
}

// The fixed part of an entry's size: the struct, the map slot, and
// what decoding a row allocates beside it.
var (
	siteOverhead   = int(unsafe.Sizeof(domain.Site{})) + 128
	reportOverhead = int(unsafe.Sizeof(domain.Report{})) + 96
	keyOverhead    = int(unsafe.Sizeof(reportKey{})) + 32
)

// site returns the site kept for key at data version v.
func (c *entityCache) site(key siteKey, v int64) (domain.Site, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.data != v {
		return domain.Site{}, false
	}
	e, ok := c.sites[key]
	return e.site, ok
}

// putSite keeps a site read at data version v, of about bytes. It
// returns false if it could not without dropping another (the cache is
// full) or the cache has moved on to a later version.
func (c *entityCache) putSite(key siteKey, v int64, site domain.Site, bytes int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at(v, c.generation)
	if c.data != v {
		return false // read at an older version than one kept meanwhile
	}
	if old, ok := c.sites[key]; ok {
		c.siteBytes -= old.bytes
	}
	c.sites[key] = cachedSite{site, bytes}
	c.siteBytes += bytes
	return !c.shed()
}

// report returns the report kept for key in generation g.
func (c *entityCache) report(key reportKey, g uint64) (*domain.Report, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.generation != g {
		return nil, false
	}
	e, ok := c.reports[key]
	return cloneReport(e.report), ok
}

// putReport keeps a report read in generation g (at data version v).
func (c *entityCache) putReport(key reportKey, v int64, g uint64, r *domain.Report) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at(v, g)
	if c.generation != g {
		return
	}
	bytes := keyOverhead + len(key.id) + len(key.layer) + len(key.plan)
	if r != nil {
		bytes += reportOverhead + len(r.Schedule) + len(r.Metric) + len(r.Source) + len(r.EvidenceURL) + len(r.Note) + len(r.ReportedBy) + len(r.TokenID)
	}
	if old, ok := c.reports[key]; ok {
		c.repBytes -= old.bytes
	}
	c.reports[key] = cachedReport{cloneReport(r), bytes}
	c.repBytes += bytes
	c.shed()
}

// at moves the cache on to data version v and generation g, dropping
// what is older; it never moves back. Called with mu held.
func (c *entityCache) at(v int64, g uint64) {
	if c.sites == nil || v > c.data {
		c.data, c.sites, c.siteBytes = v, map[siteKey]cachedSite{}, 0
	}
	if c.reports == nil || g > c.generation {
		c.generation, c.reports, c.repBytes = g, map[reportKey]cachedReport{}, 0
	}
}

// shed drops entries at random, a site and a report in turn, until the
// cache is within its budget; it reports whether it had to. Called with
// mu held.
func (c *entityCache) shed() bool {
	full := false
	for c.siteBytes+c.repBytes > maxEntityBytes {
		full = true
		for k, e := range c.sites {
			delete(c.sites, k)
			c.siteBytes -= e.bytes
			break
		}
		for k, e := range c.reports {
			delete(c.reports, k)
			c.repBytes -= e.bytes
			break
		}
	}
	return full
}

// cloneReport copies a report, so that callers never share one.
func cloneReport(r *domain.Report) *domain.Report {
	if r == nil {
		return nil
	}
	c := *r
	return &c
}

// siteBytes estimates what a site decoded from x holds.
func siteBytes(x *siteScan) int {
	s := &x.s
	return siteOverhead + len(s.ID) + len(s.PlanID) + len(s.Layer) + len(s.Name) + len(s.NameEN) + len(s.District) +
		len(s.Zone) + len(s.Source) + len(s.SourceEN) + len(s.Schedule) + 2*len(x.milestones) + 3*len(x.attrs) + 2*len(x.wkb)
}

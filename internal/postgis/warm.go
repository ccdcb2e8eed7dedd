package postgis

import (
	"context"
	"time"

	"projectmap/internal/domain"
)

// A layer whose single features are asked for is read whole, once, in
// the background, into the entity cache: features asked for at random
// then need no round trip after the first few, instead of after each has
// been asked for once. The reports go with every write heard of, so a
// layer is read again at most every warmEvery, and only layers small
// enough to fit the cache are.
const (
	warmEvery    = 10 * time.Second
	maxWarmSites = 150_000
	warmTimeout  = 30 * time.Second
)

// warmKey names one whole-layer read: the sites with their reports on
// asof, or without reports for a zero asof.
type warmKey struct {
	plan, layer string
	asof        domain.Date
}

// claimWarm reports whether the caller should read the layer now: none
// began within warmEvery.
func (c *entityCache) claimWarm(k warmKey, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.warmed == nil {
		c.warmed = map[warmKey]time.Time{}
	}
	if last, ok := c.warmed[k]; ok && now.Sub(last) < warmEvery {
		return false
	}
	if v, ok := c.tooBig[k]; ok && v == c.data {
		return false // it did not fit at this data version
	}
	if len(c.warmed) >= 1024 {
		clear(c.warmed)
	}
	c.warmed[k] = now
	return true
}

// unfit records that the layer did not fit the cache at data version v:
// reading it again every warmEvery would only load the database.
func (c *entityCache) unfit(k warmKey, v int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tooBig == nil || len(c.tooBig) >= 1024 {
		c.tooBig = map[warmKey]int64{}
	}
	c.tooBig[k] = v
}

// warm starts reading a layer's sites and their reports on asof into the
// entity cache, unless one began lately or the layer is too big.
func (s *Store) warm(plan, layer string, asof domain.Date) {
	k := warmKey{plan, layer, asof}
	if !s.entities.claimWarm(k, time.Now()) {
		return
	}
	s.entities.warming.Add(1)
	go func() {
		defer s.entities.warming.Add(-1)
		ctx, cancel := context.WithTimeout(context.Background(), warmTimeout)
		defer cancel()
		_ = s.warmLayer(ctx, k) // a failed read only leaves the cache cold
	}()
}

func (s *Store) warmLayer(ctx context.Context, k warmKey) error {
	infos, err := s.Layers(ctx, k.plan)
	if err != nil {
		return err
	}
	fits := false
	for _, li := range infos {
		if li.ID == k.layer {
			fits = li.Count <= maxWarmSites
		}
	}
	if !fits {
		return nil
	}
	v, g, up := s.ledger.versions()
	if !up {
		return nil
	}
	q := domain.SiteQuery{Plan: k.plan, Layer: k.layer, AsOf: k.asof}
	pageSQL, pageArgs := sitesPageSQL(q)
	rows, err := s.pool.Query(ctx, pageSQL, pageArgs...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var matched int
	var x siteScan
	var r reportScan
	dest := append([]any{&matched}, x.dest()...)
	if !k.asof.IsZero() { // an undated read (a page's, memorypage.go) has no reports
		dest = append(dest, r.dest()...)
	}
	for rows.Next() {
		x.s = domain.Site{PlanID: k.plan, Layer: k.layer}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		site, err := x.site()
		if err != nil {
			return err
		}
		key := siteKey{k.plan, site.ID}
		if !s.entities.putSite(key, v, site, siteBytes(&x)) {
			s.entities.unfit(k, v) // moved on, or full: not again at this version
			return nil
		}
		if !k.asof.IsZero() {
			s.entities.putReport(reportKey{k.plan, k.layer, site.ID, k.asof}, v, g, r.report())
		}
	}
	return rows.Err()
}

package postgis

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"projectmap/internal/domain"
)

// Sites runs a query: one page of it in the layer's order and the count
// of all it matches, in one statement; the plan and layer are checked in
// the same round trip, unless the layers kept in memory list them. A
// Status filter is applied in that statement, next to the data (see
// sitesPageSQL), and with an AsOf each site comes with the report that
// speaks for it. While the store listens, a bbox page of a point layer
// finds its matches in memory (pointindex.go), and a dated page of a
// layer no report reaches skips the report lookup (reportless.go), and
// such a page whose sites are all kept in memory needs no round trip
// (memorypage.go).
func (s *Store) Sites(ctx context.Context, q domain.SiteQuery) (domain.SitePage, error) {
	if err := ctx.Err(); err != nil {
		return domain.SitePage{}, err
	}
	if err := checkSiteQuery(q); err != nil {
		return domain.SitePage{}, err
	}
	s.startListening() // what is kept in memory needs it
	page := domain.SitePage{Sites: []domain.Site{}}
	withReports := !q.AsOf.IsZero()
	if withReports {
		page.Reports = []*domain.Report{}
	}
	var planExists, layerExists bool
	batch := &pgx.Batch{}
	if s.knownLayer(q.Plan, q.Layer) {
		planExists, layerExists = true, true
	} else {
		batch.Queue(layerExistsSQL, q.Plan, q.Layer).QueryRow(func(row pgx.Row) error {
			return row.Scan(&planExists, &layerExists)
		})
	}
	read := q
	if withReports && q.Status == "" && s.reportless(ctx, q.Plan, q.Layer) {
		read = withoutReports(q) // every site's report is nil
	}
	lookUp := !read.AsOf.IsZero()
	pageSQL, pageArgs := sitesPageSQL(read)
	found, indexed := s.indexedPage(read)
	if indexed {
		if kept, ok := s.memoryPage(q, lookUp, found); ok {
			return kept, nil
		}
		pageSQL, pageArgs = sitesPageByOrdSQL(read, found.ords, found.matched)
	}
	batch.Queue(pageSQL, pageArgs...).Query(func(rows pgx.Rows) error {
		return eachSite(rows, q.Plan, q.Layer, []any{&page.Matched}, nil, lookUp, func(site domain.Site, r *domain.Report) error {
			page.Sites = append(page.Sites, site)
			if lookUp || withReports {
				page.Reports = append(page.Reports, r)
			}
			return nil
		})
	})
	if err := s.pool.SendBatch(ctx, batch).Close(); err != nil {
		return domain.SitePage{}, mapErr(ctx, err)
	}
	if err := notFound(q.Plan, q.Layer, planExists, layerExists); err != nil {
		return domain.SitePage{}, err
	}
	if indexed {
		page.Matched = found.matched // also when the page is past the end
	} else if len(page.Sites) == 0 && q.Offset > 0 {
		countSQL, countArgs := sitesCountSQL(q)
		if err := s.pool.QueryRow(ctx, countSQL, countArgs...).Scan(&page.Matched); err != nil {
			return domain.SitePage{}, mapErr(ctx, err)
		}
	}
	return page, nil
}

// knownLayer reports whether the layers kept in memory for the current
// data version (while the store listens) list layer in plan, so that a
// page need not check that both exist.
func (s *Store) knownLayer(plan, layer string) bool {
	v, up := s.ledger.dataVersion()
	if !up {
		return false
	}
	s.cache.mu.Lock()
	defer s.cache.mu.Unlock()
	if s.cache.version != v {
		return false
	}
	for _, li := range s.cache.layers[plan] {
		if li.ID == layer {
			return true
		}
	}
	return false
}

// checkSiteQuery refuses what a store cannot answer rather than ignore it.
func checkSiteQuery(q domain.SiteQuery) error {
	switch {
	case q.Limit < 0 || q.Offset < 0:
		return domain.Invalid("limit", "limit and offset must not be negative")
	case q.Status != "" && !q.Status.Valid():
		return domain.Invalid("status", "%q is not a tracking status", q.Status)
	case q.Status != "" && q.AsOf.IsZero():
		return domain.Invalid("asof", "a status is that of a date: give asof with status")
	}
	return nil
}

// Site returns one site of a layer. While the store listens, a site
// once read is kept for the data version (entities.go).
func (s *Store) Site(ctx context.Context, plan, layer, id string) (domain.Site, error) {
	if err := ctx.Err(); err != nil {
		return domain.Site{}, err
	}
	s.startListening()
	v, _, up := s.ledger.versions()
	key := siteKey{plan, id}
	if up {
		if site, ok := s.entities.site(key, v); ok && site.Layer == layer {
			return site, nil
		}
	}
	x := siteScan{s: domain.Site{PlanID: plan, Layer: layer}}
	err := s.pool.QueryRow(ctx, siteSQL, plan, layer, id).Scan(x.dest()...)
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.Site{}, s.siteNotFound(ctx, plan, layer, id)
	}
	if err != nil {
		return domain.Site{}, mapErr(ctx, err)
	}
	return s.keepSite(key, v, up, &x)
}

// keepSite decodes a site read at data version v and, if the store was
// listening, keeps it.
func (s *Store) keepSite(key siteKey, v int64, up bool, x *siteScan) (domain.Site, error) {
	site, err := x.site()
	if err == nil && up {
		s.entities.putSite(key, v, site, siteBytes(x))
	}
	return site, err
}

// siteNotFound says what is missing: the plan, the layer or the site.
func (s *Store) siteNotFound(ctx context.Context, plan, layer, id string) error {
	var planExists, layerExists bool
	if err := s.pool.QueryRow(ctx, layerExistsSQL, plan, layer).Scan(&planExists, &layerExists); err != nil {
		return mapErr(ctx, err)
	}
	if err := notFound(plan, layer, planExists, layerExists); err != nil {
		return err
	}
	return domain.Errorf(domain.ErrNotFound, "no feature %q in collection %q", id, layer)
}

// SiteByID returns a site of the plan by its id alone: site ids are
// unique across a plan's layers (a unique index keeps them so). It is
// kept as Site keeps it.
func (s *Store) SiteByID(ctx context.Context, plan, id string) (domain.Site, error) {
	if err := ctx.Err(); err != nil {
		return domain.Site{}, err
	}
	s.startListening()
	v, _, up := s.ledger.versions()
	key := siteKey{plan, id}
	if up {
		if site, ok := s.entities.site(key, v); ok {
			return site, nil
		}
	}
	x := siteScan{s: domain.Site{PlanID: plan}}
	err := s.pool.QueryRow(ctx, siteByIDSQL, plan, id).Scan(append([]any{&x.s.Layer}, x.dest()...)...)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		var exists bool
		if err := s.pool.QueryRow(ctx, planExistsSQL, plan).Scan(&exists); err != nil {
			return domain.Site{}, mapErr(ctx, err)
		}
		if !exists {
			return domain.Site{}, domain.Errorf(domain.ErrNotFound, "no plan %q", plan)
		}
		return domain.Site{}, domain.Errorf(domain.ErrNotFound, "plan %s has no site %q", plan, id)
	case err != nil:
		return domain.Site{}, mapErr(ctx, err)
	}
	return s.keepSite(key, v, up, &x)
}

// SiteReport returns the report that speaks for a site on asof, as
// SitePage.Reports does: its own latest, else its inherited schedule's,
// never a retracted one; nil for none or for a zero asof. An unknown site
// is ErrNotFound. While the store listens, the answer is kept until a
// write is heard of (entities.go).
func (s *Store) SiteReport(ctx context.Context, plan, layer, id string, asof domain.Date) (*domain.Report, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if asof.IsZero() { // like a query without AsOf: no report
		_, err := s.Site(ctx, plan, layer, id)
		return nil, err
	}
	s.startListening()
	v, g, up := s.ledger.versions()
	key := reportKey{plan, layer, id, asof}
	if up {
		if r, ok := s.entities.report(key, g); ok {
			return r, nil
		}
		s.warm(plan, layer, asof)
	}
	var r reportScan
	err := s.pool.QueryRow(ctx, siteReportSQL(), plan, layer, id, asof.Time()).Scan(r.dest()...)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil, s.siteNotFound(ctx, plan, layer, id)
	case err != nil:
		return nil, mapErr(ctx, err)
	}
	got := r.report()
	if up {
		s.entities.putReport(key, v, g, got)
	}
	return got, nil
}

// eachSite reads rows of a site's columns (siteScan), with the columns
// of before ahead of them, those of after behind, and, withReport, the
// report's columns (reportScan) last; fn gets each site of plan's layer
// and its report (nil without). Sites and TileFeatures read alike.
func eachSite(rows pgx.Rows, plan, layer string, before, after []any, withReport bool, fn func(domain.Site, *domain.Report) error) error {
	defer rows.Close()
	x := siteScan{}
	var r reportScan
	dest := append(append(append([]any{}, before...), x.dest()...), after...)
	if withReport {
		dest = append(dest, r.dest()...)
	}
	for rows.Next() {
		x.s = domain.Site{PlanID: plan, Layer: layer}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		site, err := x.site()
		if err != nil {
			return err
		}
		var rep *domain.Report
		if withReport {
			rep = r.report()
		}
		if err := fn(site, rep); err != nil {
			return err
		}
	}
	return rows.Err()
}

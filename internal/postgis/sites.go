package postgis

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"projectmap/internal/domain"
)

// Sites runs a query: one page of it in the layer's order and the count
// of all it matches, in one statement; the plan and layer are checked in
// the same round trip. A Status filter is applied in that statement, next
// to the data (see sitesPageSQL), and with an AsOf each site comes with
// the report that speaks for it.
func (s *Store) Sites(ctx context.Context, q domain.SiteQuery) (domain.SitePage, error) {
	if err := ctx.Err(); err != nil {
		return domain.SitePage{}, err
	}
	if err := checkSiteQuery(q); err != nil {
		return domain.SitePage{}, err
	}
	page := domain.SitePage{Sites: []domain.Site{}}
	withReports := !q.AsOf.IsZero()
	if withReports {
		page.Reports = []*domain.Report{}
	}
	var planExists, layerExists bool
	batch := &pgx.Batch{}
	batch.Queue(layerExistsSQL, q.Plan, q.Layer).QueryRow(func(row pgx.Row) error {
		return row.Scan(&planExists, &layerExists)
	})
	pageSQL, pageArgs := sitesPageSQL(q)
	batch.Queue(pageSQL, pageArgs...).Query(func(rows pgx.Rows) error {
		defer rows.Close()
		x := siteScan{s: domain.Site{PlanID: q.Plan, Layer: q.Layer}}
		var r reportScan
		dest := append([]any{&page.Matched}, x.dest()...)
		if withReports {
			dest = append(dest, r.dest()...)
		}
		for rows.Next() {
			x.s = domain.Site{PlanID: q.Plan, Layer: q.Layer}
			if err := rows.Scan(dest...); err != nil {
				return err
			}
			site, err := x.site()
			if err != nil {
				return err
			}
			page.Sites = append(page.Sites, site)
			if withReports {
				page.Reports = append(page.Reports, r.report())
			}
		}
		return rows.Err()
	})
	if err := s.pool.SendBatch(ctx, batch).Close(); err != nil {
		return domain.SitePage{}, mapErr(ctx, err)
	}
	if err := notFound(q.Plan, q.Layer, planExists, layerExists); err != nil {
		return domain.SitePage{}, err
	}
	if len(page.Sites) == 0 && q.Offset > 0 {
		countSQL, countArgs := sitesCountSQL(q)
		if err := s.pool.QueryRow(ctx, countSQL, countArgs...).Scan(&page.Matched); err != nil {
			return domain.SitePage{}, mapErr(ctx, err)
		}
	}
	return page, nil
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

// Site returns one site of a layer.
func (s *Store) Site(ctx context.Context, plan, layer, id string) (domain.Site, error) {
	if err := ctx.Err(); err != nil {
		return domain.Site{}, err
	}
	site, err := scanSite(s.pool.QueryRow(ctx, siteSQL, plan, layer, id), plan, layer)
	if err == nil {
		return site, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return domain.Site{}, mapErr(ctx, err)
	}
	return domain.Site{}, s.siteNotFound(ctx, plan, layer, id)
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
// unique across a plan's layers (a unique index keeps them so).
func (s *Store) SiteByID(ctx context.Context, plan, id string) (domain.Site, error) {
	if err := ctx.Err(); err != nil {
		return domain.Site{}, err
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
	return x.site()
}

// SiteReport returns the report that speaks for a site on asof, as
// SitePage.Reports does: its own latest, else its inherited schedule's,
// never a retracted one; nil for none or for a zero asof. An unknown site
// is ErrNotFound.
func (s *Store) SiteReport(ctx context.Context, plan, layer, id string, asof domain.Date) (*domain.Report, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if asof.IsZero() { // like a query without AsOf: no report
		_, err := s.Site(ctx, plan, layer, id)
		return nil, err
	}
	var r reportScan
	err := s.pool.QueryRow(ctx, siteReportSQL(), plan, layer, id, asof.Time()).Scan(r.dest()...)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil, s.siteNotFound(ctx, plan, layer, id)
	case err != nil:
		return nil, mapErr(ctx, err)
	}
	return r.report(), nil
}

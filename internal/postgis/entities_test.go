package postgis_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"projectmap/internal/domain"
	"projectmap/internal/postgis"
	"projectmap/internal/storetest"
)

// locked runs read while another connection holds tables locked against
// every access: it succeeds only if read needs none of them. Taking the
// locks may deadlock with a read the store makes in the background (a
// layer read whole, an index built); it is then tried again.
func locked(t *testing.T, s *postgis.Store, tables string, read func(ctx context.Context) error) error {
	t.Helper()
	ctx := context.Background()
	for try := 1; ; try++ {
		tx, err := s.Pool().Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		_, err = tx.Exec(ctx, `LOCK TABLE `+tables+` IN ACCESS EXCLUSIVE MODE`)
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "40P01" && try < 10 {
			tx.Rollback(ctx)
			time.Sleep(50 * time.Millisecond)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		bounded, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancel()
		return read(bounded)
	}
}

// TestInMemoryReads: while a store listens, the data version, a site
// read once and its report need no database: they are answered with the
// tables locked.
func TestInMemoryReads(t *testing.T) {
	a, _ := listeningPair(t)
	p := storetest.Dataset(t).Latest()
	site := siteOf(t, p, "old-community-lintong-renhan")
	asof := domain.NewDate(2024, 12, 31)
	ctx := context.Background()
	read := func(ctx context.Context) error {
		if _, err := a.Plans(ctx); err != nil {
			return err
		}
		if _, err := a.Layers(ctx, p.ID); err != nil {
			return err
		}
		if _, _, err := a.Districts(ctx); err != nil {
			return err
		}
		if _, err := a.Site(ctx, p.ID, site.Layer, site.ID); err != nil {
			return err
		}
		if _, err := a.SiteByID(ctx, p.ID, site.ID); err != nil {
			return err
		}
		_, err := a.SiteReport(ctx, p.ID, site.Layer, site.ID, asof)
		return err
	}
	if err := read(ctx); err != nil {
		t.Fatal(err)
	}
	if err := locked(t, a, "data_version, sites, reports, retractions, plans, layers", read); err != nil {
		t.Errorf("reads kept in memory went to the database: %v", err)
	}
}

// TestEntityCacheFollowsWrites: a site's report kept in memory moves on
// the writer's own filing at once and on the other replica within a
// second; a site renamed in the database is read again once the change
// is announced.
func TestEntityCacheFollowsWrites(t *testing.T) {
	ctx := context.Background()
	a, b := listeningPair(t)
	p := storetest.Dataset(t).Latest()
	site := siteOf(t, p, "old-community-lintong-renhan")
	asof := domain.NewDate(2024, 12, 31)
	reportOf := func(s *postgis.Store) *domain.Report {
		t.Helper()
		r, err := s.SiteReport(ctx, p.ID, site.Layer, site.ID, asof)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	for _, s := range []*postgis.Store{a, b} {
		if r := reportOf(s); r != nil {
			t.Fatalf("a report before any was filed: %+v", r)
		}
	}
	filed := fileOne(t, a, report(site, domain.NewDate(2024, 11, 30), 1, domain.ReportCompleted))[0]
	if r := reportOf(a); r == nil || r.ID != filed.ID {
		t.Errorf("the writer's report after its own filing: %+v, want report %d", r, filed.ID)
	}
	waitFor(t, time.Second, "b seeing a's report", func() bool { r := reportOf(b); return r != nil && r.ID == filed.ID })

	nameOf := func(s *postgis.Store) string {
		got, err := s.Site(ctx, p.ID, site.Layer, site.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.Name
	}
	byID := func(s *postgis.Store) string {
		got, err := s.SiteByID(ctx, p.ID, site.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.Name
	}
	before := nameOf(b)
	byID(b)
	if _, err := a.Pool().Exec(ctx, `UPDATE sites SET name = name || '（改）' WHERE plan_id = $1 AND id = $2`, p.ID, site.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, time.Second, "b reading the renamed site", func() bool { return nameOf(b) == before+"（改）" && byID(b) == before+"（改）" })
	// A site asked for in another layer than its own is not found, kept or not.
	if _, err := b.Site(ctx, p.ID, "metro-stations", site.ID); domain.KindOf(err) != domain.ErrNotFound {
		t.Errorf("the site in another layer: %v, want not found", err)
	}
}

// TestWarmLayer: one feature asked for with its report brings its whole
// layer into memory, so that the others need no database either.
func TestWarmLayer(t *testing.T) {
	a, _ := listeningPair(t)
	p := storetest.Dataset(t).Latest()
	asof := domain.NewDate(2024, 12, 31)
	ctx := context.Background()
	var layer []domain.Site
	for _, s := range p.Sites {
		if s.Layer == "old-communities" {
			layer = append(layer, s)
		}
	}
	if len(layer) < 10 {
		t.Fatalf("%d old communities", len(layer))
	}
	if _, err := a.SiteReport(ctx, p.ID, layer[0].Layer, layer[0].ID, asof); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the layer read into memory", func() bool { return postgis.CachedSites(a) >= len(layer) })
	last := layer[len(layer)-1]
	err := locked(t, a, "sites, reports, retractions", func(ctx context.Context) error {
		if _, err := a.Site(ctx, p.ID, last.Layer, last.ID); err != nil {
			return err
		}
		_, err := a.SiteReport(ctx, p.ID, last.Layer, last.ID, asof)
		return err
	})
	if err != nil {
		t.Errorf("a site of the layer read whole went to the database: %v", err)
	}
}

// TestReportlessPage: a dated page of a layer no report reaches carries
// no report for any site, and one filed since is on the next page: at
// once through the writer, within a second through the other replica.
func TestReportlessPage(t *testing.T) {
	ctx := context.Background()
	a, b := listeningPair(t)
	p := storetest.Dataset(t).Latest()
	site := siteOf(t, p, "old-community-lintong-renhan")
	q := domain.SiteQuery{Plan: p.ID, Layer: site.Layer, AsOf: domain.NewDate(2024, 12, 31), Limit: 1000}
	reported := func(s *postgis.Store) int {
		t.Helper()
		page, err := s.Sites(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Reports) != len(page.Sites) {
			t.Fatalf("%d reports for %d sites", len(page.Reports), len(page.Sites))
		}
		n := 0
		for _, r := range page.Reports {
			if r != nil {
				n++
			}
		}
		return n
	}
	if n := reported(a) + reported(b); n != 0 {
		t.Fatalf("%d reports before any was filed", n)
	}
	fileOne(t, a, report(site, domain.NewDate(2024, 11, 30), 1, domain.ReportCompleted))
	if n := reported(a); n != 1 {
		t.Errorf("the writer's page after its filing: %d reports, want 1", n)
	}
	waitFor(t, time.Second, "b's page carrying a's report", func() bool { return reported(b) == 1 })
	// A schedule report reaches the sites that inherit it.
	var inheriting domain.Site
	for _, s := range p.Sites {
		if s.Project != 0 && s.Layer != site.Layer {
			var inherits *string
			if err := a.Pool().QueryRow(ctx, `SELECT inherits FROM sites WHERE plan_id = $1 AND id = $2`, p.ID, s.ID).Scan(&inherits); err != nil && err != pgx.ErrNoRows {
				t.Fatal(err)
			}
			if inherits != nil {
				inheriting, q.Layer = s, s.Layer
				break
			}
		}
	}
	if inheriting.ID == "" {
		t.Skip("no site inherits a schedule")
	}
	before := reported(a)
	var schedule string
	if err := a.Pool().QueryRow(ctx, `SELECT inherits FROM sites WHERE plan_id = $1 AND id = $2`, p.ID, inheriting.ID).Scan(&schedule); err != nil {
		t.Fatal(err)
	}
	fileOne(t, a, scheduleReport(p.ID, inheriting.Project, schedule, domain.NewDate(2024, 11, 30), 0.5, domain.ReportInProgress))
	if n := reported(a); n <= before {
		t.Errorf("after a schedule report, %d sites of %s carry reports, before %d", n, q.Layer, before)
	}
}

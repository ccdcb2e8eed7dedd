package postgis_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/tern/v2/migrate"

	"projectmap/internal/domain"
	"projectmap/internal/postgis"
	"projectmap/internal/storetest"
	"projectmap/migrations"
)

// curves reads every site's stored curve and inheritance as text.
func curves(t *testing.T, s *postgis.Store) map[string]string {
	t.Helper()
	rows, err := s.Pool().Query(context.Background(), `SELECT layer_id || '/' || id,
		COALESCE(planned_dates::text, 'NULL') || ' ' || COALESCE(planned_fractions::text, 'NULL') || ' ' || COALESCE(inherits, '-')
		FROM sites`)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		out[k] = v
	}
	return out
}

// TestSiteCurves: every site is stored with the domain's curve and
// inheritance, and planned_at evaluates the curve as Curve.At does.
func TestSiteCurves(t *testing.T) {
	ctx := context.Background()
	s := storetest.PostGIS(t)
	p := storetest.Dataset(t).Latest()
	for _, site := range p.Sites {
		pr := p.Project(site.Project)
		var c domain.Curve
		inherits := ""
		if pr != nil {
			c = pr.SiteCurve(site)
			inherits = pr.InheritsFrom(*p.Layer(site.Layer), site)
		}
		var dates []time.Time
		var fractions []float64
		var gotInherits *string
		if err := s.Pool().QueryRow(ctx, `SELECT planned_dates, planned_fractions, inherits FROM sites WHERE plan_id = $1 AND id = $2`,
			p.ID, site.ID).Scan(&dates, &fractions, &gotInherits); err != nil {
			t.Fatal(err)
		}
		if len(dates) != len(c.Dates) || deref(gotInherits) != inherits {
			t.Errorf("%s: %d dates, inherits %q; want %d, %q", site.ID, len(dates), deref(gotInherits), len(c.Dates), inherits)
			continue
		}
		for i := range dates {
			if domain.DateOf(dates[i]) != c.Dates[i] || fractions[i] != c.Fractions[i] {
				t.Errorf("%s: point %d is %s %v, want %s %v", site.ID, i, domain.DateOf(dates[i]), fractions[i], c.Dates[i], c.Fractions[i])
			}
		}
		if pr == nil || len(c.Dates) == 0 {
			continue
		}
		for _, d := range []domain.Date{c.Dates[0].AddDays(-1), c.Dates[0], c.Dates[len(c.Dates)-1], c.Dates[len(c.Dates)-1].AddDays(1), p.LastDay()} {
			var planned float64
			if err := s.Pool().QueryRow(ctx, `SELECT planned_at(planned_dates, planned_fractions, $3) FROM sites WHERE plan_id = $1 AND id = $2`,
				p.ID, site.ID, d.Time()).Scan(&planned); err != nil {
				t.Fatal(err)
			}
			if want := pr.SiteProgress(site, d).Planned; planned != want {
				t.Errorf("%s on %s: planned_at %v, SiteProgress %v", site.ID, d, planned, want)
			}
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// TestMigrationFillsCurves: a database that held sites before migration
// 0003 (here: migrated down to 0002, which drops the columns) gets every
// site's curve computed by Migrate, equal to what an import writes.
func TestMigrationFillsCurves(t *testing.T) {
	ctx := context.Background()
	s := storetest.PostGIS(t)
	want := curves(t, s)
	migrateDownTo(t, s.Pool(), 2)
	if err := postgis.Migrate(ctx, s.Pool()); err != nil {
		t.Fatal(err)
	}
	got := curves(t, s)
	if len(got) != len(want) {
		t.Fatalf("%d sites after migrating, want %d", len(got), len(want))
	}
	for k, w := range want {
		if got[k] != w || strings.Contains(got[k], "NULL") {
			t.Errorf("%s: %s after migrating, %s after importing", k, got[k], w)
		}
	}
}

// TestCollectionCurves: a collection's sites of a project get the
// project's curve, and a store that keeps tallies in memory sees the
// import (it rewrites sites, which announces a ledger write).
func TestCollectionCurves(t *testing.T) {
	ctx := context.Background()
	s := storetest.PostGIS(t)
	p := storetest.Dataset(t).Latest()
	asof := p.LastDay()
	count := func() int {
		tallies, err := s.SiteTallies(ctx, p.ID, asof)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, tally := range tallies {
			if tally.Project == 4 {
				n += tally.Sites
			}
		}
		return n
	}
	before := count()
	waitFor(t, 5*time.Second, "listening", s.Listening)
	count()
	one := `{"type":"FeatureCollection","features":[{"type":"Feature","id":"c1","geometry":{"type":"Point","coordinates":[108.95,34.25]},
		"properties":{"name":"桩","schedule":"charging-piles"}}]}`
	meta := postgis.CollectionMeta{Title: "充电站", Project: 4, Precision: domain.PrecisionExact, Source: "test"}
	if _, err := postgis.ImportGeoJSON(ctx, s.Pool(), p.ID, "city-chargers", strings.NewReader(one), meta); err != nil {
		t.Fatal(err)
	}
	waitFor(t, time.Second, "the tallies counting the new site", func() bool { return count() == before+1 })
	site, err := s.SiteByID(ctx, p.ID, "c1")
	if err != nil {
		t.Fatal(err)
	}
	fileOne(t, s, report(site, asof, 0.2, domain.ReportInProgress))
	page, err := s.Sites(ctx, domain.SiteQuery{Plan: p.ID, Layer: "city-chargers", Status: domain.TrackBehind, AsOf: asof})
	if err != nil || page.Matched != 1 {
		t.Errorf("the collection's site 20%% done at the year's end: %+v, %v; want behind", page, err)
	}
	// A feature id that is a site of another layer is refused.
	dup := strings.Replace(one, `"c1"`, `"old-community-lintong-renhan"`, 1)
	if _, err := postgis.ImportGeoJSON(ctx, s.Pool(), p.ID, "dups", strings.NewReader(dup), meta); domain.KindOf(err) != domain.ErrInvalid {
		t.Errorf("a collection reusing a site id: %v, want invalid", err)
	}
}

// migrateDownTo migrates the database back to schema version v, so that a
// test can check what the later migrations do to data written before them.
func migrateDownTo(t *testing.T, pool *pgxpool.Pool, v int32) {
	t.Helper()
	ctx := context.Background()
	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	m, err := migrate.NewMigrator(ctx, conn.Conn(), "public.schema_version")
	if err == nil {
		err = m.LoadMigrations(migrations.Files)
	}
	if err == nil {
		err = m.MigrateTo(ctx, v)
	}
	if err != nil {
		t.Fatalf("migrating down to %04d: %v", v, err)
	}
}

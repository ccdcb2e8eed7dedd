package postgis_test

import (
	"context"
	"testing"

	"projectmap/internal/domain"
	"projectmap/internal/postgis"
	"projectmap/internal/storetest"
)

// A filing and a re-import each move the version a download checks
// between its pages.
func TestSitesVersion(t *testing.T) {
	ctx := context.Background()
	s := storetest.PostGIS(t)
	ds := storetest.Dataset(t)
	p := ds.Latest()
	version := func() string {
		t.Helper()
		v, err := s.SitesVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	before := version()
	if again := version(); again != before {
		t.Fatalf("version %q, then %q with no write", before, again)
	}
	site := siteOf(t, p, "old-community-lintong-renhan")
	fileOne(t, s, report(site, domain.NewDate(2024, 6, 30), 0.5, domain.ReportInProgress))
	filed := version()
	if filed == before {
		t.Errorf("version %q before and after a filing", before)
	}
	if _, err := s.Pool().Exec(ctx, `DELETE FROM dataset_imports`); err != nil {
		t.Fatal(err)
	}
	if _, err := postgis.Import(ctx, s.Pool(), ds); err != nil {
		t.Fatal(err)
	}
	if imported := version(); imported == filed {
		t.Errorf("version %q before and after a re-import", filed)
	}
}

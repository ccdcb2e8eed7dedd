package postgis_test

import (
	"context"
	"strings"
	"testing"

	"projectmap/internal/dataset"
	"projectmap/internal/domain"
	"projectmap/internal/postgis"
	"projectmap/internal/storetest"
)

// importTwoCities imports geodata/ with the made-up second city into a
// fresh database.
func importTwoCities(t *testing.T) (*postgis.Store, *dataset.Dataset) {
	t.Helper()
	s := freshStore(t)
	ds := storetest.TwoCities(t)
	if _, err := postgis.Import(context.Background(), s.Pool(), ds); err != nil {
		t.Fatal(err)
	}
	return s, ds
}

// TestAllocationOfAnotherCity: the database itself refuses a quota that
// one city's plan gives to another city's district, even when the loader
// is bypassed.
func TestAllocationOfAnotherCity(t *testing.T) {
	s, ds := importTwoCities(t)
	p := ds.Plan(storetest.OtherPlan)
	pr := &p.Projects[0]
	allocs := append([]domain.Allocation{}, pr.Allocations...)
	allocs[1].Recipient = "610113" // 雁塔区, of Xi'an
	pr.Allocations = allocs
	_, err := postgis.Import(context.Background(), s.Pool(), ds)
	if err == nil || !strings.Contains(err.Error(), "not a district or zone of the plan's city") {
		t.Errorf("importing a Yunxi quota for a Xi'an district: %v, want refused", err)
	}
}

// TestCollectionOfAnotherCity: a collection imported into a plan takes
// its own city's districts only, and derives a missing district from them.
func TestCollectionOfAnotherCity(t *testing.T) {
	s, _ := importTwoCities(t)
	ctx := context.Background()
	meta := postgis.CollectionMeta{Title: "站牌", Precision: domain.PrecisionExact, Source: "测试", SourceEN: "test"}
	feature := func(props string) string {
		return `{"type":"FeatureCollection","features":[{"type":"Feature","id":"c1","geometry":{"type":"Point","coordinates":[100.05,25.05]},
			"properties":{"name":"站牌"` + props + `}}]}`
	}
	if _, err := postgis.ImportGeoJSON(ctx, s.Pool(), storetest.OtherPlan, "stops", strings.NewReader(feature(`,"district":"610113"`)), meta); domain.KindOf(err) != domain.ErrInvalid {
		t.Errorf("a Yunxi collection naming a Xi'an district: %v, want invalid", err)
	}
	if _, err := postgis.ImportGeoJSON(ctx, s.Pool(), storetest.OtherPlan, "stops", strings.NewReader(feature("")), meta); err != nil {
		t.Fatal(err)
	}
	site, err := s.Site(ctx, storetest.OtherPlan, "stops", "c1")
	if err != nil {
		t.Fatal(err)
	}
	if site.District != "990102" || site.Source != "测试" || site.SourceEN != "test" {
		t.Errorf("the collection's site: district %q, source %q / %q; want 990102, 测试 / test", site.District, site.Source, site.SourceEN)
	}
}

// TestMigrationNamesXian: a database that held the data before migration
// 0004 (here: migrated down to 0003) finds its plan and districts in
// Xi'an after it, as they were.
func TestMigrationNamesXian(t *testing.T) {
	ctx := context.Background()
	s := storetest.PostGIS(t)
	migrateDownTo(t, s.Pool(), 3)
	if err := postgis.Migrate(ctx, s.Pool()); err != nil {
		t.Fatal(err)
	}
	plans, err := s.Plans(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range plans {
		if p.CityID != "xian" {
			t.Errorf("plan %s of city %q after migrating, want xian", p.ID, p.CityID)
		}
	}
	districts, zones, err := s.Districts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(districts) == 0 || len(zones) == 0 {
		t.Fatalf("%d districts and %d zones after migrating", len(districts), len(zones))
	}
	for _, d := range districts {
		if d.City != "xian" {
			t.Errorf("district %s of city %q after migrating, want xian", d.Adcode, d.City)
		}
	}
	for _, z := range zones {
		if z.City != "xian" {
			t.Errorf("zone %s of city %q after migrating, want xian", z.ID, z.City)
		}
	}
}

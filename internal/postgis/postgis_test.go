package postgis_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"

	"projectmap/geodata"
	"projectmap/internal/dataset"
	"projectmap/internal/domain"
	"projectmap/internal/postgis"
	"projectmap/internal/storetest"
)

// TestConformance runs the one suite on the PostGIS store.
func TestConformance(t *testing.T) {
	s := storetest.PostGIS(t)
	storetest.Run(t, func(*testing.T) domain.Store { return s })
}

// TestSameAsEmbedded compares every site of every layer of the two stores.
func TestSameAsEmbedded(t *testing.T) {
	storetest.Compare(t, storetest.Embedded(t), storetest.PostGIS(t))
}

// TestConcurrentReaders runs 16 readers at once, each checking its answers
// against the embedded store.
func TestConcurrentReaders(t *testing.T) {
	db := storetest.PostGIS(t)
	ref := storetest.Embedded(t)
	ds := storetest.Dataset(t)
	p := ds.Latest()
	ctx := context.Background()
	boxes := []orb.Bound{
		{Min: orb.Point{108.90, 34.23}, Max: orb.Point{108.98, 34.29}},
		{Min: orb.Point{108.7, 34.0}, Max: orb.Point{109.2, 34.5}},
		{Min: orb.Point{107.0, 33.0}, Max: orb.Point{110.0, 35.0}},
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				l := p.Layers[(g+i)%len(p.Layers)]
				q := domain.SiteQuery{Plan: p.ID, Layer: l.ID, BBox: &boxes[(g+i)%len(boxes)], Limit: 10, Offset: i % 3}
				want, err1 := ref.Sites(ctx, q)
				got, err2 := db.Sites(ctx, q)
				if err1 != nil || err2 != nil {
					errs <- fmt.Errorf("reader %d: %v / %v", g, err1, err2)
					return
				}
				if got.Matched != want.Matched || len(got.Sites) != len(want.Sites) {
					errs <- fmt.Errorf("reader %d, %s: %d/%d sites, want %d/%d", g, l.ID, len(got.Sites), got.Matched, len(want.Sites), want.Matched)
					return
				}
				for j := range want.Sites {
					if got.Sites[j].ID != want.Sites[j].ID {
						errs <- fmt.Errorf("reader %d, %s: site %d is %s, want %s", g, l.ID, j, got.Sites[j].ID, want.Sites[j].ID)
						return
					}
				}
				if i%5 == 0 {
					if _, err := db.Plans(ctx); err != nil {
						errs <- fmt.Errorf("reader %d: Plans: %v", g, err)
						return
					}
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// tables are every table Import writes.
var tables = []string{"cities", "districts", "zones", "plans", "categories", "agencies", "projects", "metrics",
	"schedules", "milestones", "allocations", "layers", "sites"}

// digest returns each table's row count and the md5 of its rows, without
// the import time, so that two states of the database can be compared.
func digest(t *testing.T, pool *pgxpool.Pool) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, table := range append(tables, "dataset_imports") {
		var n int
		var sum string
		sql := `SELECT count(*), COALESCE(md5(string_agg((to_jsonb(t) - 'imported_at')::text, '|' ORDER BY (to_jsonb(t) - 'imported_at')::text)), '')
			FROM ` + pgx.Identifier{table}.Sanitize() + ` t`
		if err := pool.QueryRow(context.Background(), sql).Scan(&n, &sum); err != nil {
			t.Fatal(err)
		}
		out[table] = fmt.Sprintf("%d rows, md5 %s", n, sum)
	}
	return out
}

func sameDigest(t *testing.T, what string, before, after map[string]string, skip ...string) {
	t.Helper()
	for table, b := range before {
		if contains(skip, table) {
			continue
		}
		if after[table] != b {
			t.Errorf("%s: table %s changed from %s to %s", what, table, b, after[table])
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// freshStore returns a store of its own over a new migrated database.
func freshStore(t *testing.T) *postgis.Store {
	t.Helper()
	s, err := postgis.Open(context.Background(), storetest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func TestImportTwice(t *testing.T) {
	s := freshStore(t)
	ds := storetest.Dataset(t)
	ctx := context.Background()
	first, err := postgis.Import(ctx, s.Pool(), ds)
	if err != nil {
		t.Fatal(err)
	}
	if first.Unchanged || first.Sites == 0 || len(first.Checksum) != 64 {
		t.Fatalf("first import: %+v", first)
	}
	before := digest(t, s.Pool())
	second, err := postgis.Import(ctx, s.Pool(), ds)
	if err != nil {
		t.Fatal(err)
	}
	if !second.Unchanged || second.Checksum != first.Checksum {
		t.Errorf("second import: %+v, want unchanged with checksum %s", second, first.Checksum)
	}
	sameDigest(t, "second import", before, digest(t, s.Pool()))

	// Forced to write again (the record of the import gone), it writes the same rows.
	if _, err := s.Pool().Exec(ctx, `DELETE FROM dataset_imports`); err != nil {
		t.Fatal(err)
	}
	third, err := postgis.Import(ctx, s.Pool(), ds)
	if err != nil || third.Unchanged {
		t.Fatalf("forced import: %+v, %v", third, err)
	}
	sameDigest(t, "forced re-import", before, digest(t, s.Pool()), "dataset_imports")
	storetest.Compare(t, storetest.Embedded(t), s)
}

// TestImportRollsBack feeds imports that fail at different points, on a
// database holding the data and on an empty one: each must leave every
// table as it was.
func TestImportRollsBack(t *testing.T) {
	s := freshStore(t)
	ctx := context.Background()
	empty := digest(t, s.Pool())
	bad := []struct {
		name   string
		mutate func(p *dataset.Plan)
		want   string // in the error
	}{
		{"a site's precision", func(p *dataset.Plan) { p.Sites[len(p.Sites)-1].Precision = "guessed" }, "sites_precision_check"},
		{"a site off the globe", func(p *dataset.Plan) { p.Sites[3].Geometry = orb.Point{108.9, 95} }, "sites_geom_check"},
		{"a repeated site", func(p *dataset.Plan) { p.Sites = append(p.Sites, p.Sites[5]) }, "sites_pkey"},
		{"a zero quota", func(p *dataset.Plan) { p.Projects[3].Allocations[0].Quantity = 0 }, "allocations_quantity_check"},
		{"an unknown recipient", func(p *dataset.Plan) { p.Projects[3].Allocations[0].Recipient = "nowhere" }, "not a district or zone of the plan's city, nor an agency"},
		{"a milestone in another year", func(p *dataset.Plan) {
			m := &p.Projects[0].Schedules[0].Milestones[0]
			m.Date = domain.NewDate(2019, 1, 31)
			m.Start = nil
		}, "outside the plan's year"},
		{"a gap in the project numbers", func(p *dataset.Plan) {
			// Project 1 goes, with its layers and sites: 2..30 is not 1..n.
			p.Projects = p.Projects[1:]
			var layers []domain.Layer
			for _, l := range p.Layers {
				if l.Project != 1 {
					layers = append(layers, l)
				}
			}
			p.Layers = layers
			var sites []domain.Site
			for _, s := range p.Sites {
				if s.Project != 1 {
					sites = append(sites, s)
				}
			}
			p.Sites = sites
		}, "numbered 1..n"},
	}
	for _, state := range []string{"empty", "imported"} {
		if state == "imported" {
			if _, err := postgis.Import(ctx, s.Pool(), storetest.Dataset(t)); err != nil {
				t.Fatal(err)
			}
		}
		before := digest(t, s.Pool())
		if state == "empty" {
			sameDigest(t, "nothing imported", empty, before)
		}
		for _, tt := range bad {
			t.Run(state+"/"+tt.name, func(t *testing.T) {
				ds, err := dataset.Load(geodata.Files) // a copy of its own to spoil
				if err != nil {
					t.Fatal(err)
				}
				tt.mutate(ds.Latest())
				_, err = postgis.Import(ctx, s.Pool(), ds)
				if err == nil {
					t.Fatal("the import succeeded")
				}
				if !strings.Contains(err.Error(), tt.want) {
					t.Errorf("error %q does not mention %q", err, tt.want)
				}
				sameDigest(t, "failed import", before, digest(t, s.Pool()))
			})
		}
	}
}

const goodCollection = `{"type": "FeatureCollection", "features": [
  {"type": "Feature", "id": "pile-1", "geometry": {"type": "Point", "coordinates": [108.9402, 34.2610]},
   "properties": {"name": "钟楼充电站", "name_en": "Bell Tower charging station", "operator": "city", "piles": 12}},
  {"type": "Feature", "id": 7, "geometry": {"type": "LineString", "coordinates": [[108.90, 34.20], [108.95, 34.25]]},
   "properties": {"name": "线路", "precision": "street", "district": "610113", "source": "survey 2024"}},
  {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[108.93, 34.25], [108.95, 34.25], [108.95, 34.27], [108.93, 34.25]]]},
   "properties": {"name": "片区", "project": 15, "attrs": {"households": 300}}}
]}`

func TestImportGeoJSON(t *testing.T) {
	s := freshStore(t)
	ctx := context.Background()
	ds := storetest.Dataset(t)
	if _, err := postgis.Import(ctx, s.Pool(), ds); err != nil {
		t.Fatal(err)
	}
	meta := postgis.CollectionMeta{Title: "充电站", TitleEN: "Charging stations", Project: 4, Precision: domain.PrecisionExact,
		Source: "city charging-station register", File: "stations.geojson"}
	n, err := postgis.ImportGeoJSON(ctx, s.Pool(), "", "city-chargers", strings.NewReader(goodCollection), meta)
	if err != nil || n != 3 {
		t.Fatalf("ImportGeoJSON = %d, %v; want 3 features", n, err)
	}
	layers, err := s.Layers(ctx, ds.Latest().ID)
	if err != nil {
		t.Fatal(err)
	}
	last := layers[len(layers)-1]
	if len(layers) != len(ds.Latest().Layers)+1 || last.ID != "city-chargers" || last.Count != 3 || last.Project != 4 || last.Title != "充电站" {
		t.Fatalf("layers end with %+v, want the collection with 3 features", last)
	}
	page, err := s.Sites(ctx, domain.SiteQuery{Plan: ds.Latest().ID, Layer: "city-chargers"})
	if err != nil {
		t.Fatal(err)
	}
	got := page.Sites
	if len(got) != 3 || got[0].ID != "pile-1" || got[1].ID != "7" || got[2].ID != "city-chargers-3" {
		t.Fatalf("sites %v", got)
	}
	// The point lies in 碑林区 (the Bell Tower) and gets it from the geometry.
	if got[0].District != "610103" || got[0].Attrs["district_from"] != "geometry" || got[0].Attrs["piles"] != 12.0 ||
		got[0].Precision != domain.PrecisionExact || got[0].Project != 4 || got[0].Source != meta.Source {
		t.Errorf("first site %+v", got[0])
	}
	if got[1].District != "610113" || got[1].Precision != domain.PrecisionStreet || got[1].Source != "survey 2024" {
		t.Errorf("second site %+v", got[1])
	}
	if got[2].Project != 15 || got[2].Attrs["households"] != 300.0 {
		t.Errorf("third site %+v", got[2])
	}
	// The embedded data is untouched by the collection.
	storetest.Run(t, func(*testing.T) domain.Store { return planLayersOnly{s} })

	// Imported again, the collection is replaced, not added to.
	one := `{"type": "FeatureCollection", "features": [{"type": "Feature", "id": "only",
		"geometry": {"type": "Point", "coordinates": [108.95, 34.25]}, "properties": {"name": "唯一"}}]}`
	if n, err := postgis.ImportGeoJSON(ctx, s.Pool(), "", "city-chargers", strings.NewReader(one), meta); err != nil || n != 1 {
		t.Fatalf("re-import = %d, %v", n, err)
	}
	page, err = s.Sites(ctx, domain.SiteQuery{Plan: ds.Latest().ID, Layer: "city-chargers"})
	if err != nil || page.Matched != 1 {
		t.Fatalf("after re-import: %d sites, %v", page.Matched, err)
	}
	// A collection cannot take the name of one of the plan's own layers.
	_, err = postgis.ImportGeoJSON(ctx, s.Pool(), "", ds.Latest().Layers[2].ID, strings.NewReader(one), meta)
	if domain.KindOf(err) != domain.ErrConflict {
		t.Errorf("import over a plan layer: %v, want a conflict", err)
	}
	_, err = postgis.ImportGeoJSON(ctx, s.Pool(), "no-such-plan", "x", strings.NewReader(one), meta)
	if domain.KindOf(err) != domain.ErrNotFound {
		t.Errorf("import into an unknown plan: %v, want not found", err)
	}
	// Importing the geodata again keeps the collection.
	if _, err := s.Pool().Exec(ctx, `DELETE FROM dataset_imports`); err != nil {
		t.Fatal(err)
	}
	if _, err := postgis.Import(ctx, s.Pool(), ds); err != nil {
		t.Fatal(err)
	}
	if page, err := s.Sites(ctx, domain.SiteQuery{Plan: ds.Latest().ID, Layer: "city-chargers"}); err != nil || page.Matched != 1 {
		t.Errorf("collection after re-importing the geodata: %d sites, %v", page.Matched, err)
	}
}

// planLayersOnly hides imported collections, to run the suite on a store
// that also holds one.
type planLayersOnly struct{ *postgis.Store }

func (s planLayersOnly) Layers(ctx context.Context, plan string) ([]domain.LayerInfo, error) {
	infos, err := s.Store.Layers(ctx, plan)
	if len(infos) > 0 && infos[len(infos)-1].ID == "city-chargers" {
		infos = infos[:len(infos)-1]
	}
	return infos, err
}

func (s planLayersOnly) Plans(ctx context.Context) ([]domain.Plan, error) {
	plans, err := s.Store.Plans(ctx)
	for i := range plans {
		if n := len(plans[i].Layers); n > 0 && plans[i].Layers[n-1].ID == "city-chargers" {
			plans[i].Layers = plans[i].Layers[:n-1]
		}
	}
	return plans, err
}

func TestImportGeoJSONBadFeatures(t *testing.T) {
	s := freshStore(t)
	ctx := context.Background()
	if _, err := postgis.Import(ctx, s.Pool(), storetest.Dataset(t)); err != nil {
		t.Fatal(err)
	}
	before := digest(t, s.Pool())
	bad := `{"type": "FeatureCollection", "features": [
	  {"type": "Feature", "id": "a", "geometry": {"type": "Point", "coordinates": [108.94, 34.26]}, "properties": {"name": "好"}},
	  {"type": "Feature", "id": "b", "geometry": null, "properties": {"name": "无位置"}},
	  {"type": "Feature", "id": "c", "geometry": {"type": "Point", "coordinates": [108.94, 95]}, "properties": {"name": "北极以北"}},
	  {"type": "Feature", "id": "a", "geometry": {"type": "Point", "coordinates": [108.95, 34.26]}, "properties": {"name": "重复"}},
	  {"type": "Feature", "id": "e", "geometry": {"type": "Point", "coordinates": [108.95, 34.26]}, "properties": {"name": "区", "district": "999999"}},
	  {"type": "Feature", "id": "f", "geometry": {"type": "Point", "coordinates": [108.95, 34.26]}, "properties": {"name_en": "nameless"}},
	  {"type": "Feature", "id": "g", "geometry": {"type": "Polygon", "coordinates": [[[108.9, 34.2], [109.0, 34.2], [109.0, 34.3]]]}, "properties": {"name": "开口"}},
	  {"type": "Feature", "id": "h", "geometry": {"type": "Point", "coordinates": [108.95, 34.26]}, "properties": {"name": "项目", "project": 99}},
	  {"type": "Feature", "id": "i", "geometry": {"type": "Point", "coordinates": [108.95, 34.26]}, "properties": {"name": "精度", "precision": "guess"}}
	]}`
	meta := postgis.CollectionMeta{Precision: domain.PrecisionExact, Source: "test"}
	n, err := postgis.ImportGeoJSON(ctx, s.Pool(), "", "bad-things", strings.NewReader(bad), meta)
	if n != 0 || err == nil {
		t.Fatalf("ImportGeoJSON = %d, %v; want an error", n, err)
	}
	if domain.KindOf(err) != domain.ErrInvalid {
		t.Errorf("kind %s, want invalid", domain.KindOf(err))
	}
	want := map[string]string{
		"features[1]": "no geometry",
		"features[2]": "not a WGS84 lon/lat",
		"features[3]": `id "a" is already used by features[0]`,
		"features[4]": "not a district adcode",
		"features[5]": "properties.name is missing",
		"features[6]": "ring needs at least four points",
		"features[7]": "not a project of the plan",
		"features[8]": "is not one of exact",
	}
	got := map[string]string{}
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var de *domain.Error
		if errors.As(e, &de) {
			got[de.Param] = de.Message
		}
	}
	for param, reason := range want {
		if !strings.Contains(got[param], reason) {
			t.Errorf("%s: %q, want it to say %q", param, got[param], reason)
		}
	}
	if len(got) != len(want) {
		t.Errorf("reported %v, want exactly %d bad features", got, len(want))
	}
	sameDigest(t, "rejected collection", before, digest(t, s.Pool()))
}

// TestUnavailable checks that a database out of reach is ErrUnavailable,
// and that the store recovers by itself once the database answers again.
func TestUnavailable(t *testing.T) {
	ctx := context.Background()
	pool, err := postgis.NewPool(ctx, "postgres://postgres@127.0.0.1:1/nothing?sslmode=disable&connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	down := postgis.New(pool)
	defer down.Close()
	if err := down.Ping(ctx); domain.KindOf(err) != domain.ErrUnavailable {
		t.Errorf("Ping of a closed port: %v, want unavailable", err)
	}
	if _, err := down.Sites(ctx, domain.SiteQuery{Plan: "xian-2024", Layer: "districts"}); domain.KindOf(err) != domain.ErrUnavailable {
		t.Errorf("Sites of a closed port: %v, want unavailable", err)
	}
	if _, err := postgis.Open(ctx, "postgres://postgres@127.0.0.1:1/nothing?sslmode=disable&connect_timeout=2"); domain.KindOf(err) != domain.ErrUnavailable {
		t.Errorf("Open of a closed port: %v, want unavailable", err)
	}
	if _, err := postgis.Open(ctx, "postgres://%zz"); domain.KindOf(err) != domain.ErrInvalid {
		t.Errorf("Open of a malformed URL: %v, want invalid", err)
	}

	// Every connection of a live store killed, as when the server restarts.
	s := freshStore(t)
	ds := storetest.Dataset(t)
	if _, err := postgis.Import(ctx, s.Pool(), ds); err != nil {
		t.Fatal(err)
	}
	q := domain.SiteQuery{Plan: ds.Latest().ID, Layer: ds.Latest().Layers[0].ID}
	if _, err := s.Sites(ctx, q); err != nil {
		t.Fatal(err)
	}
	var killed int
	err = s.Pool().QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid()`).Scan(&killed)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	recovered := false
	for i := 0; i < 10 && !recovered; i++ {
		_, err := s.Sites(ctx, q)
		switch {
		case err == nil:
			recovered = true
		case domain.KindOf(err) != domain.ErrUnavailable:
			t.Fatalf("after the connections were killed: %v, want unavailable", err)
		}
	}
	if !recovered {
		t.Error("the store did not recover")
	}
}

func TestMigrations(t *testing.T) {
	ctx := context.Background()
	s := freshStore(t) // NewDatabase has migrated it
	if n, err := postgis.Pending(ctx, s.Pool()); err != nil || n != 0 {
		t.Errorf("Pending after migrating = %d, %v; want 0", n, err)
	}
	if err := postgis.Migrate(ctx, s.Pool()); err != nil {
		t.Errorf("migrating again: %v", err)
	}
	v, err := postgis.SchemaVersion(ctx, s.Pool())
	if err != nil || v < 1 {
		t.Errorf("SchemaVersion = %d, %v", v, err)
	}
	// A database that was never migrated lacks every migration, and asking does not change it.
	if _, err := s.Pool().Exec(ctx, `DROP TABLE public.schema_version`); err != nil {
		t.Fatal(err)
	}
	if n, err := postgis.Pending(ctx, s.Pool()); err != nil || n != v {
		t.Errorf("Pending on an unmigrated database = %d, %v; want %d", n, err, v)
	}
	var exists bool
	if err := s.Pool().QueryRow(ctx, `SELECT to_regclass('public.schema_version') IS NOT NULL`).Scan(&exists); err != nil || exists {
		t.Errorf("Pending created the version table (%v, %v)", exists, err)
	}
	// The ledger of 0003 replaced 0001's unused progress_reports.
	if err := s.Pool().QueryRow(ctx, `SELECT to_regclass('public.progress_reports') IS NOT NULL`).Scan(&exists); err != nil || exists {
		t.Errorf("progress_reports still exists (%v, %v)", exists, err)
	}
}

// TestLengthsKM checks PostGIS's spheroid lengths of the metro lines
// against the data summary's (orb, on a sphere): within 0.5%.
func TestLengthsKM(t *testing.T) {
	s := storetest.PostGIS(t)
	p := storetest.Dataset(t).Latest()
	want := dataset.Summarize(p).Metro.PerLineKM
	got, err := s.LengthsKM(context.Background(), p.ID, "metro-lines")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) || len(got) == 0 {
		t.Fatalf("lengths of %d lines, want %d", len(got), len(want))
	}
	for id, km := range want {
		if g := got[id]; g < km*0.995 || g > km*1.005 {
			t.Errorf("%s: %.3f km, want %.2f within 0.5%%", id, g, km)
		}
	}
	if _, err := s.LengthsKM(context.Background(), p.ID, "no-such-layer"); domain.KindOf(err) != domain.ErrNotFound {
		t.Errorf("unknown layer: %v", err)
	}
}

// TestCacheFollowsTheData checks that plans, districts and layers kept in
// memory are read again once the data changes, here by a collection import.
func TestCacheFollowsTheData(t *testing.T) {
	ctx := context.Background()
	s := freshStore(t)
	ds := storetest.Dataset(t)
	if _, err := postgis.Import(ctx, s.Pool(), ds); err != nil {
		t.Fatal(err)
	}
	plan := ds.Latest().ID
	before, err := s.Layers(ctx, plan)
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.Layers(ctx, plan)
	if err != nil || len(again) != len(before) {
		t.Fatalf("cached layers: %d, %v", len(again), err)
	}
	one := `{"type":"FeatureCollection","features":[{"type":"Feature","id":"c1","geometry":{"type":"Point","coordinates":[108.95,34.25]},"properties":{"name":"桩"}}]}`
	meta := postgis.CollectionMeta{Title: "充电站", TitleEN: "Chargers", Precision: domain.PrecisionExact, Source: "test"}
	if _, err := postgis.ImportGeoJSON(ctx, s.Pool(), "", "cache-test", strings.NewReader(one), meta); err != nil {
		t.Fatal(err)
	}
	// The store listens from its first read: it hears of the import (0005)
	// within moments, as it would of another process's.
	var after []domain.LayerInfo
	waitFor(t, time.Second, "the layers after an import", func() bool {
		after, err = s.Layers(ctx, plan)
		return err != nil || len(after) == len(before)+1
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before)+1 || after[len(after)-1].ID != "cache-test" {
		t.Errorf("after an import the store still lists %d layers, want %d with cache-test", len(after), len(before)+1)
	}
}

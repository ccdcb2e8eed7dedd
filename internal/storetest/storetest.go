// Package storetest is the one conformance suite every domain.Store must
// pass, and the helpers that give tests the stores to run it on: the
// embedded store, and a PostGIS store in a scratch database when
// TEST_DATABASE_URL points at a server (skipped without one, except in CI).
//
// Two stores that pass Run answer alike: the same ids in the same order,
// the same counts, the same properties, geometry equal within 1e-7°.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"

	"projectmap/geodata"
	"projectmap/internal/dataset"
	"projectmap/internal/domain"
	"projectmap/internal/geomutil"
	"projectmap/internal/memstore"
)

// Tolerance is how far apart two stores' coordinates may be, in degrees.
const Tolerance = 1e-7

// Named is a store under the name its subtests run as.
type Named struct {
	Name  string
	Store domain.Store
}

var data struct {
	once     sync.Once
	ds       *dataset.Dataset
	err      error
	embedded *memstore.Store
}

func loadDataset() (*dataset.Dataset, error) {
	data.once.Do(func() {
		data.ds, data.err = dataset.Load(geodata.Files)
		if data.err == nil {
			data.embedded = memstore.New(data.ds)
		}
	})
	return data.ds, data.err
}

// Dataset returns geodata/ as loaded once per test binary; the suite's
// expectations come from it.
func Dataset(tb testing.TB) *dataset.Dataset {
	tb.Helper()
	ds, err := loadDataset()
	if err != nil {
		tb.Fatalf("loading geodata: %v", err)
	}
	return ds
}

// Embedded returns the embedded store over the dataset, built once.
func Embedded(tb testing.TB) domain.Store {
	Dataset(tb)
	return data.embedded
}

// Stores returns every store a test should run against: the embedded one
// and, when a PostGIS server answers at TEST_DATABASE_URL, a PostGIS store
// holding the same data. Without a server it logs why and returns the
// embedded store alone, except in CI (CI=true), where it fails tb.
func Stores(tb testing.TB) []Named {
	tb.Helper()
	stores := []Named{{Name: "embedded", Store: Embedded(tb)}}
	if _, reason := serverURL(); reason != "" {
		if inCI() {
			tb.Fatalf("PostGIS is required in CI: %s; %s", reason, hint)
		}
		tb.Logf("only the embedded store: %s; %s", reason, hint)
		return stores
	}
	return append(stores, Named{Name: "postgis", Store: PostGIS(tb)})
}

// StoresOf is Stores over another dataset, such as TwoCities: the
// embedded store over ds and, when a server answers, PostGIS with ds
// imported into a scratch database of tb's own.
func StoresOf(tb testing.TB, ds *dataset.Dataset) []Named {
	tb.Helper()
	stores := []Named{{Name: "embedded", Store: memstore.New(ds)}}
	if _, reason := serverURL(); reason != "" {
		if inCI() {
			tb.Fatalf("PostGIS is required in CI: %s; %s", reason, hint)
		}
		tb.Logf("only the embedded store: %s; %s", reason, hint)
		return stores
	}
	s, err := openImported(NewDatabase(tb), ds)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	return append(stores, Named{Name: "postgis", Store: s})
}

// Run runs the whole suite against the store newStore returns. The suite
// only reads: newStore may hand out one store for every subtest.
func Run(t *testing.T, newStore func(t *testing.T) domain.Store) {
	RunData(t, Dataset(t), newStore)
}

// RunData is Run with the expectations of another dataset than
// geodata/, the one the store was built from.
func RunData(t *testing.T, ds *dataset.Dataset, newStore func(t *testing.T) domain.Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, ds *dataset.Dataset, s domain.Store)
	}{
		{"Kind", testKind},
		{"Ping", testPing},
		{"Plans", testPlans},
		{"Districts", testDistricts},
		{"Layers", testLayers},
		{"LayersUnknownPlan", testLayersUnknownPlan},
		{"SitesAll", testSitesAll},
		{"SitesQueries", testSitesQueries},
		{"SitesPaging", testSitesPaging},
		{"SitesCrossingBorders", testSitesCrossingBorders},
		{"SitesNotFound", testSitesNotFound},
		{"Site", testSite},
		{"SiteNotFound", testSiteNotFound},
		{"Cancelled", testCancelled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, ds, newStore(t)) })
	}
}

func testKind(t *testing.T, _ *dataset.Dataset, s domain.Store) {
	if k := s.Kind(); k != "embedded" && k != "postgis" {
		t.Errorf("Kind() = %q, want embedded or postgis", k)
	}
}

func testPing(t *testing.T, _ *dataset.Dataset, s domain.Store) {
	if err := s.Ping(context.Background()); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

func testPlans(t *testing.T, ds *dataset.Dataset, s domain.Store) {
	plans, err := s.Plans(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(plans) != len(ds.Plans) {
		t.Fatalf("%d plans, want %d", len(plans), len(ds.Plans))
	}
	for i, want := range ds.Plans {
		got := plans[i]
		if d := jsonDiff(want.Plan, got); d != "" {
			t.Errorf("plan %s (-want +got):\n%s", want.ID, d)
		}
		if len(got.Projects) != len(want.Projects) {
			t.Errorf("plan %s: %d projects, want %d", want.ID, len(got.Projects), len(want.Projects))
			continue
		}
		for j := range want.Projects {
			if d := jsonDiff(want.Projects[j], got.Projects[j]); d != "" {
				t.Errorf("plan %s project %d (-want +got):\n%s", want.ID, want.Projects[j].Number, d)
			}
			// Progress is computed from the schedules: it must not depend on the store.
			for _, asof := range []domain.Date{domain.NewDate(want.Year, 1, 1), domain.NewDate(want.Year, 7, 15), domain.NewDate(want.Year, 12, 31)} {
				if w, g := want.Projects[j].Progress(asof), got.Projects[j].Progress(asof); !reflect.DeepEqual(w, g) {
					t.Errorf("plan %s project %d progress on %s: %+v, want %+v", want.ID, want.Projects[j].Number, asof, g, w)
				}
			}
		}
	}
}

func testDistricts(t *testing.T, ds *dataset.Dataset, s domain.Store) {
	districts, zones, err := s.Districts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(districts) != len(ds.Districts) || len(zones) != len(ds.Zones) {
		t.Fatalf("%d districts and %d zones, want %d and %d", len(districts), len(zones), len(ds.Districts), len(ds.Zones))
	}
	for i, want := range ds.Districts {
		got := districts[i]
		if d := jsonDiff(want, got); d != "" {
			t.Errorf("district %d (-want +got):\n%s", i, d)
		}
		if msg := GeometryDiff(want.Geometry, got.Geometry); msg != "" {
			t.Errorf("district %s geometry: %s", want.Adcode, msg)
		}
	}
	for i, want := range ds.Zones {
		got := zones[i]
		if d := jsonDiff(want, got); d != "" {
			t.Errorf("zone %d (-want +got):\n%s", i, d)
		}
		if msg := GeometryDiff(want.Point, got.Point); msg != "" {
			t.Errorf("zone %s point: %s", want.ID, msg)
		}
	}
}

func testLayers(t *testing.T, ds *dataset.Dataset, s domain.Store) {
	for _, p := range ds.Plans {
		infos, err := s.Layers(context.Background(), p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(infos) != len(p.Layers) {
			t.Fatalf("plan %s: %d layers, want %d", p.ID, len(infos), len(p.Layers))
		}
		for i, want := range p.Layers {
			got := infos[i]
			if d := jsonDiff(want, got.Layer); d != "" {
				t.Errorf("layer %d (-want +got):\n%s", i, d)
			}
			sites := layerSites(p, want.ID)
			if got.Count != len(sites) {
				t.Errorf("layer %s: count %d, want %d", want.ID, got.Count, len(sites))
			}
			var extent orb.Bound // of the located sites; zero if none is
			located := 0
			for _, site := range sites {
				if site.Geometry == nil {
					continue
				}
				if located == 0 {
					extent = site.Geometry.Bound()
				} else {
					extent = extent.Union(site.Geometry.Bound())
				}
				located++
			}
			if !boundsNear(got.Extent, extent) {
				t.Errorf("layer %s: extent %v, want %v", want.ID, got.Extent, extent)
			}
		}
	}
}

func testLayersUnknownPlan(t *testing.T, _ *dataset.Dataset, s domain.Store) {
	_, err := s.Layers(context.Background(), "no-such-plan")
	wantKind(t, "Layers(no-such-plan)", err, domain.ErrNotFound)
}

// testSitesAll reads every layer whole and checks every site.
func testSitesAll(t *testing.T, ds *dataset.Dataset, s domain.Store) {
	for _, p := range ds.Plans {
		for _, l := range p.Layers {
			page, err := s.Sites(context.Background(), domain.SiteQuery{Plan: p.ID, Layer: l.ID})
			if err != nil {
				t.Fatalf("layer %s: %v", l.ID, err)
			}
			want := layerSites(p, l.ID)
			if page.Matched != len(want) {
				t.Errorf("layer %s: matched %d, want %d", l.ID, page.Matched, len(want))
			}
			compareSites(t, l.ID, want, page.Sites)
		}
	}
}

// siteCase is one query and how to find its answer in the dataset.
type siteCase struct {
	name  string
	query domain.SiteQuery
}

// queryCases builds the table of queries: every layer under bboxes of
// several kinds, filtered by project, district and zone, and combined.
func queryCases(ds *dataset.Dataset) []siteCase {
	boxes := []struct {
		name string
		box  orb.Bound
	}{
		{"city centre", orb.Bound{Min: orb.Point{108.90, 34.23}, Max: orb.Point{108.98, 34.29}}},
		{"district-sized", orb.Bound{Min: orb.Point{108.85, 34.15}, Max: orb.Point{108.95, 34.25}}},
		{"whole city", orb.Bound{Min: orb.Point{107.0, 33.0}, Max: orb.Point{110.0, 35.0}}},
		{"east", orb.Bound{Min: orb.Point{109.0, 34.2}, Max: orb.Point{109.5, 34.6}}},
		{"nothing there", orb.Bound{Min: orb.Point{100.0, 20.0}, Max: orb.Point{100.1, 20.1}}},
		{"thin strip", orb.Bound{Min: orb.Point{108.9402, 33.5}, Max: orb.Point{108.9402, 35.0}}},
	}
	var cases []siteCase
	for _, p := range ds.Plans {
		for _, l := range p.Layers {
			q := domain.SiteQuery{Plan: p.ID, Layer: l.ID}
			for _, b := range boxes {
				bq := q
				bq.BBox = &b.box
				cases = append(cases, siteCase{l.ID + "/bbox " + b.name, bq})
			}
			sites := layerSites(p, l.ID)
			if len(sites) == 0 {
				continue
			}
			if located := locatedSites(sites); len(located) > 0 {
				// A point box on a vertex of the first located site.
				first := firstPoint(located[0].Geometry)
				pq := q
				pq.BBox = &orb.Bound{Min: first, Max: first}
				cases = append(cases, siteCase{l.ID + "/bbox on a vertex", pq})
				// The extent of the middle one.
				mid := located[len(located)/2].Geometry.Bound()
				mq := q
				mq.BBox = &mid
				cases = append(cases, siteCase{l.ID + "/bbox of a site", mq})
			}
			if pr := sites[0].Project; pr != 0 {
				prq := q
				prq.Project = pr
				cases = append(cases, siteCase{fmt.Sprintf("%s/project %d", l.ID, pr), prq})
				other := q
				other.Project = pr + 1
				cases = append(cases, siteCase{fmt.Sprintf("%s/project %d", l.ID, pr+1), other})
			}
			for _, d := range []string{"610113", "610104", "610116"} {
				dq := q
				dq.District = d
				cases = append(cases, siteCase{l.ID + "/district " + d, dq})
			}
			for _, z := range ds.Zones {
				zq := q
				zq.District = z.ID
				cases = append(cases, siteCase{l.ID + "/zone " + z.ID, zq})
			}
			both := q
			both.BBox = &boxes[1].box
			both.District = "610113"
			both.Limit = 3
			both.Offset = 1
			cases = append(cases, siteCase{l.ID + "/bbox district limit offset", both})
			lim := q
			lim.Limit = 5
			lim.Offset = 2
			cases = append(cases, siteCase{l.ID + "/limit 5 offset 2", lim})
			past := q
			past.Offset = len(sites) + 10
			cases = append(cases, siteCase{l.ID + "/offset past the end", past})
		}
	}
	return cases
}

func testSitesQueries(t *testing.T, ds *dataset.Dataset, s domain.Store) {
	for _, c := range queryCases(ds) {
		t.Run(c.name, func(t *testing.T) {
			page, err := s.Sites(context.Background(), c.query)
			if err != nil {
				t.Fatal(err)
			}
			want, matched := Expected(ds, c.query)
			if page.Matched != matched {
				t.Errorf("matched %d, want %d", page.Matched, matched)
			}
			if page.Sites == nil {
				t.Errorf("Sites is nil, want an empty list")
			}
			compareSites(t, c.query.Layer, want, page.Sites)
		})
	}
}

func testSitesPaging(t *testing.T, ds *dataset.Dataset, s domain.Store) {
	for _, p := range ds.Plans {
		for _, l := range p.Layers {
			for _, size := range []int{1, 7, 100} {
				var got []domain.Site
				for offset := 0; ; offset += size {
					page, err := s.Sites(context.Background(), domain.SiteQuery{Plan: p.ID, Layer: l.ID, Limit: size, Offset: offset})
					if err != nil {
						t.Fatal(err)
					}
					if len(page.Sites) > size {
						t.Fatalf("layer %s: page of %d with limit %d", l.ID, len(page.Sites), size)
					}
					got = append(got, page.Sites...)
					if offset+size >= page.Matched {
						break
					}
				}
				compareSites(t, fmt.Sprintf("%s paged by %d", l.ID, size), layerSites(p, l.ID), got)
			}
		}
	}
}

// crossesDistrict reports whether a line or area without a district lists
// the adcode among the districts it crosses (attrs.districts).
func crossesDistrict(s domain.Site, adcode string) bool {
	ds, _ := s.Attrs["districts"].([]string)
	for _, d := range ds {
		if d == adcode {
			return true
		}
	}
	return false
}

// testSitesCrossingBorders: a line or area crossing district borders has no
// district of its own, yet the district filter finds it under every
// district it crosses.
func testSitesCrossingBorders(t *testing.T, ds *dataset.Dataset, s domain.Store) {
	n := 0
	for _, p := range ds.Plans {
		for _, site := range p.Sites {
			crossed, _ := site.Attrs["districts"].([]string)
			for _, d := range crossed {
				n++
				page, err := s.Sites(context.Background(), domain.SiteQuery{Plan: p.ID, Layer: site.Layer, District: d})
				if err != nil {
					t.Fatal(err)
				}
				found := false
				for _, got := range page.Sites {
					found = found || got.ID == site.ID
				}
				if !found {
					t.Errorf("%s/%s: district=%s does not find %s, which crosses it", p.ID, site.Layer, d, site.ID)
				}
			}
		}
	}
	if n == 0 && len(ds.Plans) > 0 && ds.Plans[0].ID == "xian-2024" {
		t.Error("no site crosses a district border: the case tests nothing")
	}
}

func testSitesNotFound(t *testing.T, ds *dataset.Dataset, s domain.Store) {
	p := ds.Latest()
	for _, q := range []domain.SiteQuery{
		{Plan: "no-such-plan", Layer: p.Layers[0].ID},
		{Plan: p.ID, Layer: "no-such-layer"},
		{Plan: "no-such-plan", Layer: "no-such-layer", BBox: &orb.Bound{Max: orb.Point{1, 1}}},
	} {
		_, err := s.Sites(context.Background(), q)
		wantKind(t, fmt.Sprintf("Sites(%s/%s)", q.Plan, q.Layer), err, domain.ErrNotFound)
	}
}

func testSite(t *testing.T, ds *dataset.Dataset, s domain.Store) {
	for _, p := range ds.Plans {
		for _, want := range p.Sites {
			got, err := s.Site(context.Background(), p.ID, want.Layer, want.ID)
			if err != nil {
				t.Errorf("Site(%s): %v", want.ID, err)
				continue
			}
			compareSites(t, want.Layer, []domain.Site{want}, []domain.Site{got})
		}
	}
}

func testSiteNotFound(t *testing.T, ds *dataset.Dataset, s domain.Store) {
	p := ds.Latest()
	site := p.Sites[len(p.Sites)-1]
	other := p.Layers[0].ID
	if other == site.Layer {
		other = p.Layers[1].ID
	}
	for _, c := range [][3]string{
		{"no-such-plan", site.Layer, site.ID},
		{p.ID, "no-such-layer", site.ID},
		{p.ID, site.Layer, "no-such-site"},
		{p.ID, other, site.ID}, // a site asked for in another layer
	} {
		_, err := s.Site(context.Background(), c[0], c[1], c[2])
		wantKind(t, fmt.Sprintf("Site(%s, %s, %s)", c[0], c[1], c[2]), err, domain.ErrNotFound)
	}
}

// testCancelled checks that every method gives up on a cancelled context
// and says so with the context's error.
func testCancelled(t *testing.T, ds *dataset.Dataset, s domain.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p := ds.Latest()
	site := p.Sites[0]
	calls := map[string]func() error{
		"Ping":  func() error { return s.Ping(ctx) },
		"Plans": func() error { _, err := s.Plans(ctx); return err },
		"Districts": func() error {
			_, _, err := s.Districts(ctx)
			return err
		},
		"Layers": func() error { _, err := s.Layers(ctx, p.ID); return err },
		"Sites": func() error {
			_, err := s.Sites(ctx, domain.SiteQuery{Plan: p.ID, Layer: site.Layer})
			return err
		},
		"Site": func() error { _, err := s.Site(ctx, p.ID, site.Layer, site.ID); return err },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, context.Canceled) {
			t.Errorf("%s on a cancelled context: %v, want context.Canceled", name, err)
		}
	}
}

// Expected answers q from the dataset directly: the reference every store
// is held to. It returns the page and the number matched in all.
func Expected(ds *dataset.Dataset, q domain.SiteQuery) ([]domain.Site, int) {
	p := ds.Plan(q.Plan)
	if p == nil {
		return nil, 0
	}
	zone := ds.Zone(q.District) != nil
	page := []domain.Site{}
	matched := 0
	for _, s := range layerSites(p, q.Layer) {
		if q.BBox != nil && !geomutil.Intersects(s.Geometry, *q.BBox) {
			continue
		}
		if q.Project != 0 && s.Project != q.Project {
			continue
		}
		if q.District != "" && (zone && s.Zone != q.District || !zone && s.District != q.District && !crossesDistrict(s, q.District)) {
			continue
		}
		if matched >= q.Offset && (q.Limit == 0 || len(page) < q.Limit) {
			page = append(page, s)
		}
		matched++
	}
	return page, matched
}

// locatedSites drops the sites without a place (nil geometry).
func locatedSites(sites []domain.Site) []domain.Site {
	var out []domain.Site
	for _, s := range sites {
		if s.Geometry != nil {
			out = append(out, s)
		}
	}
	return out
}

func layerSites(p *dataset.Plan, layer string) []domain.Site {
	var out []domain.Site
	for _, s := range p.Sites {
		if s.Layer == layer {
			out = append(out, s)
		}
	}
	return out
}

// compareSites reports any difference between two lists of sites: ids and
// order, properties (as their JSON) and geometry within Tolerance.
func compareSites(t testing.TB, what string, want, got []domain.Site) {
	t.Helper()
	if w, g := siteIDs(want), siteIDs(got); !reflect.DeepEqual(w, g) {
		t.Errorf("%s: ids (-want +got):\n%s", what, cmp.Diff(w, g))
		return
	}
	for i := range want {
		if d := jsonDiff(want[i], got[i]); d != "" {
			t.Errorf("%s: site %s (-want +got):\n%s", what, want[i].ID, d)
		}
		if msg := GeometryDiff(want[i].Geometry, got[i].Geometry); msg != "" {
			t.Errorf("%s: site %s geometry: %s", what, want[i].ID, msg)
		}
	}
}

func siteIDs(sites []domain.Site) []string {
	ids := make([]string, len(sites))
	for i, s := range sites {
		ids[i] = s.ID
	}
	return ids
}

// jsonDiff compares two values as the API would write them.
func jsonDiff(want, got any) string {
	return cmp.Diff(asJSON(want), asJSON(got))
}

func asJSON(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return "cannot marshal: " + err.Error()
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return "cannot unmarshal: " + err.Error()
	}
	return out
}

// GeometryDiff says how two geometries differ: in type, in shape, or by a
// coordinate further apart than Tolerance. It returns "" when they match.
func GeometryDiff(want, got orb.Geometry) string {
	if want == nil || got == nil {
		if want == nil && got == nil {
			return ""
		}
		return fmt.Sprintf("%T, want %T", got, want)
	}
	if reflect.TypeOf(want) != reflect.TypeOf(got) {
		return fmt.Sprintf("type %T, want %T", got, want)
	}
	var wp, gp []orb.Point
	var ws, gs []int
	flatten(want, &wp, &ws)
	flatten(got, &gp, &gs)
	if !reflect.DeepEqual(ws, gs) {
		return fmt.Sprintf("shape %v, want %v", gs, ws)
	}
	for i := range wp {
		if math.Abs(wp[i][0]-gp[i][0]) > Tolerance || math.Abs(wp[i][1]-gp[i][1]) > Tolerance {
			return fmt.Sprintf("point %d is %v, want %v", i, gp[i], wp[i])
		}
	}
	return ""
}

// flatten lists g's points and the sizes of its parts.
func flatten(g orb.Geometry, pts *[]orb.Point, shape *[]int) {
	switch g := g.(type) {
	case orb.Point:
		*pts = append(*pts, g)
		*shape = append(*shape, 1)
	case orb.MultiPoint:
		*pts = append(*pts, g...)
		*shape = append(*shape, len(g))
	case orb.LineString:
		*pts = append(*pts, g...)
		*shape = append(*shape, len(g))
	case orb.Ring:
		*pts = append(*pts, g...)
		*shape = append(*shape, len(g))
	case orb.MultiLineString:
		*shape = append(*shape, -len(g))
		for _, ls := range g {
			flatten(ls, pts, shape)
		}
	case orb.Polygon:
		*shape = append(*shape, -len(g))
		for _, r := range g {
			flatten(r, pts, shape)
		}
	case orb.MultiPolygon:
		*shape = append(*shape, -len(g))
		for _, p := range g {
			flatten(p, pts, shape)
		}
	case orb.Collection:
		*shape = append(*shape, -len(g))
		for _, c := range g {
			flatten(c, pts, shape)
		}
	}
}

func firstPoint(g orb.Geometry) orb.Point {
	var pts []orb.Point
	var shape []int
	flatten(g, &pts, &shape)
	return pts[0]
}

func boundsNear(a, b orb.Bound) bool {
	for i := 0; i < 2; i++ {
		if math.Abs(a.Min[i]-b.Min[i]) > Tolerance || math.Abs(a.Max[i]-b.Max[i]) > Tolerance {
			return false
		}
	}
	return true
}

func wantKind(t testing.TB, what string, err error, kind domain.Kind) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, want %s", what, kind)
		return
	}
	if got := domain.KindOf(err); got != kind {
		t.Errorf("%s: %v (kind %s), want kind %s", what, err, got, kind)
	}
}

// Compare checks that got answers exactly as want does: the same plans,
// districts and layers, and every site of every layer with the same id,
// order, properties and geometry within Tolerance, read whole, one by one
// and under bbox queries.
func Compare(t *testing.T, want, got domain.Store) {
	ctx := context.Background()
	wantPlans, err := want.Plans(ctx)
	if err != nil {
		t.Fatal(err)
	}
	gotPlans, err := got.Plans(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := jsonDiff(wantPlans, gotPlans); d != "" {
		t.Errorf("plans (-want +got):\n%s", d)
	}
	for i := range wantPlans {
		if i < len(gotPlans) {
			if d := jsonDiff(wantPlans[i].Projects, gotPlans[i].Projects); d != "" {
				t.Errorf("projects of %s (-want +got):\n%s", wantPlans[i].ID, d)
			}
		}
	}
	wd, wz, err := want.Districts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	gd, gz, err := got.Districts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := jsonDiff([]any{wd, wz}, []any{gd, gz}); d != "" {
		t.Errorf("districts and zones (-want +got):\n%s", d)
	}
	for i := range wd {
		if i < len(gd) {
			if msg := GeometryDiff(wd[i].Geometry, gd[i].Geometry); msg != "" {
				t.Errorf("district %s: %s", wd[i].Adcode, msg)
			}
		}
	}
	for _, p := range wantPlans {
		wl, err := want.Layers(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		gl, err := got.Layers(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(wl) != len(gl) {
			t.Fatalf("plan %s: %d layers, want %d", p.ID, len(gl), len(wl))
		}
		for i, l := range wl {
			if d := jsonDiff(l, gl[i]); d != "" || l.Count != gl[i].Count || !boundsNear(l.Extent, gl[i].Extent) {
				t.Errorf("layer %s: %+v, want %+v %s", l.ID, gl[i], l, d)
			}
			wp, err := want.Sites(ctx, domain.SiteQuery{Plan: p.ID, Layer: l.ID})
			if err != nil {
				t.Fatal(err)
			}
			gp, err := got.Sites(ctx, domain.SiteQuery{Plan: p.ID, Layer: l.ID})
			if err != nil {
				t.Fatal(err)
			}
			if wp.Matched != gp.Matched {
				t.Errorf("layer %s: matched %d, want %d", l.ID, gp.Matched, wp.Matched)
			}
			compareSites(t, l.ID, wp.Sites, gp.Sites)
			for _, s := range wp.Sites {
				one, err := got.Site(ctx, p.ID, l.ID, s.ID)
				if err != nil {
					t.Errorf("Site(%s): %v", s.ID, err)
					continue
				}
				compareSites(t, l.ID+" one by one", []domain.Site{s}, []domain.Site{one})
				if s.Geometry == nil {
					continue
				}
				b := s.Geometry.Bound()
				wb, err1 := want.Sites(ctx, domain.SiteQuery{Plan: p.ID, Layer: l.ID, BBox: &b})
				gb, err2 := got.Sites(ctx, domain.SiteQuery{Plan: p.ID, Layer: l.ID, BBox: &b})
				if err1 != nil || err2 != nil {
					t.Fatalf("bbox of %s: %v %v", s.ID, err1, err2)
				}
				if wb.Matched != gb.Matched {
					t.Errorf("bbox of %s: matched %d, want %d", s.ID, gb.Matched, wb.Matched)
				}
				compareSites(t, l.ID+" bbox of "+s.ID, wb.Sites, gb.Sites)
			}
		}
	}
}

// Factory makes fresh writable stores under one name.
type Factory struct {
	Name string
	New  func(t *testing.T) domain.Store
}

// Writable returns a factory for each store: the embedded store on a
// fresh data directory, and PostGIS on a fresh scratch database when a
// server answers at TEST_DATABASE_URL (required in CI, as for Stores).
func Writable(tb testing.TB) []Factory {
	tb.Helper()
	out := []Factory{{Name: "embedded", New: func(t *testing.T) domain.Store { return EmbeddedWritable(t) }}}
	if _, reason := serverURL(); reason != "" {
		if inCI() {
			tb.Fatalf("PostGIS is required in CI: %s; %s", reason, hint)
		}
		tb.Logf("only the embedded store: %s; %s", reason, hint)
		return out
	}
	return append(out, Factory{Name: "postgis", New: func(t *testing.T) domain.Store { return PostGIS(t) }})
}

// EmbeddedWritable returns an embedded store over the geodata that keeps
// its ledger in a data directory of tb's own, closed when tb ends.
func EmbeddedWritable(tb testing.TB) *memstore.Store {
	tb.Helper()
	s, err := memstore.Open(Dataset(tb), tb.TempDir())
	if err != nil {
		tb.Fatalf("opening the embedded store: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

package api_test

import (
	"fmt"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"testing"

	"projectmap/internal/dataset"
	"projectmap/internal/domain"
	"projectmap/internal/storetest"
)

// TestTwoCities serves a second, small, made-up city's plan beside Xi'an's
// (storetest.TwoCities, written to a temporary directory) on every store,
// and checks that nothing of one leaks into the other: config, districts,
// counts, coverage, search and the district= filter.
func TestTwoCities(t *testing.T) {
	ds := storetest.TwoCities(t)
	for _, s := range storetest.StoresOf(t, ds) {
		t.Run(s.Name, func(t *testing.T) {
			srv := newServer(t, s.Store)
			t.Run("config", func(t *testing.T) { checkTwoCitiesConfig(t, srv, ds) })
			for _, p := range ds.Plans {
				t.Run(p.ID, func(t *testing.T) {
					c := newCityCase(ds, p)
					c.collections(t, srv)
					c.coverage(t, srv)
					c.elsewhere(t, srv)
					c.filters(t, srv)
					c.projects(t, srv)
				})
			}
		})
	}
}

type configPlans struct {
	Plan   string   `json:"plan"`
	City   cityJSON `json:"city"`
	Year   int      `json:"year"`
	Center [2]float64
	Plans  []struct {
		ID   string   `json:"id"`
		Year int      `json:"year"`
		City cityJSON `json:"city"`
	} `json:"plans"`
}

type cityJSON struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	NameEN string `json:"name_en"`
}

// checkTwoCitiesConfig: every plan listed with its city and year, the
// latest by default, plan= choosing another, centred on its own city.
func checkTwoCitiesConfig(t *testing.T, srv *httptest.Server, ds *dataset.Dataset) {
	for _, path := range []string{"/api/config", "/api/config?plan=" + storetest.OtherPlan} {
		cfg := decode[configPlans](t, get(t, srv, path))
		if len(cfg.Plans) != len(ds.Plans) {
			t.Fatalf("%s lists %d plans, want %d", path, len(cfg.Plans), len(ds.Plans))
		}
		for i, want := range ds.Plans {
			got := cfg.Plans[i]
			c := ds.City(want.CityID)
			if got.ID != want.ID || got.Year != want.Year || got.City != (cityJSON{c.ID, c.Name, c.NameEN}) {
				t.Errorf("%s plans[%d] = %+v, want %s %d of %+v", path, i, got, want.ID, want.Year, *c)
			}
		}
	}
	def := decode[configPlans](t, get(t, srv, "/api/config"))
	if latest := ds.Latest(); def.Plan != latest.ID || def.City.ID != latest.CityID || def.Year != latest.Year {
		t.Errorf("default config: plan %s of %+v, want the latest, %s of %s", def.Plan, def.City, latest.ID, latest.CityID)
	}
	other := decode[configPlans](t, get(t, srv, "/api/config?plan="+storetest.OtherPlan))
	if other.Plan != storetest.OtherPlan || other.City.ID != storetest.OtherCity || other.City.NameEN != "Yunxi" {
		t.Errorf("config?plan=%s: plan %s of %+v", storetest.OtherPlan, other.Plan, other.City)
	}
	// The made-up city lies in 100.0–100.2 E, 25.0–25.1 N.
	if c := other.Center; c[0] < 25 || c[0] > 25.1 || c[1] < 100 || c[1] > 100.2 {
		t.Errorf("config?plan=%s is centred on %v, outside its city", storetest.OtherPlan, c)
	}
	if c := def.Center; c[0] < 34 || c[0] > 34.5 || c[1] < 108.7 || c[1] > 109.2 {
		t.Errorf("Xi'an's config is centred on %v", c)
	}
}

// cityCase is one plan and what belongs to its city, and to the other.
type cityCase struct {
	ds         *dataset.Dataset
	plan       *dataset.Plan
	own, other map[string]bool // adcodes and zone ids
	ownNames   map[string]bool // district and zone names, Chinese and English
	otherNames map[string]bool
	otherBox   string // the other city's extent, as a bbox parameter
}

func newCityCase(ds *dataset.Dataset, p *dataset.Plan) *cityCase {
	c := &cityCase{ds: ds, plan: p, own: map[string]bool{}, other: map[string]bool{}, ownNames: map[string]bool{}, otherNames: map[string]bool{}}
	for _, city := range ds.Cities {
		ids, names := c.own, c.ownNames
		if city.ID != p.CityID {
			ids, names = c.other, c.otherNames
		}
		districts, zones := ds.CityDistricts(city.ID)
		for _, d := range districts {
			ids[d.Adcode], names[d.Name], names[d.NameEN] = true, true, true
		}
		for _, z := range zones {
			ids[z.ID], names[z.Name], names[z.NameEN] = true, true, true
		}
		if city.ID != p.CityID && len(districts) > 0 {
			b := districts[0].Geometry.Bound()
			for _, d := range districts[1:] {
				b = b.Union(d.Geometry.Bound())
			}
			c.otherBox = fmt.Sprintf("%g,%g,%g,%g", b.Min[0], b.Min[1], b.Max[0], b.Max[1])
		}
	}
	return c
}

func (c *cityCase) q(path string, params ...string) string {
	v := url.Values{"plan": {c.plan.ID}}
	for i := 0; i+1 < len(params); i += 2 {
		v.Set(params[i], params[i+1])
	}
	return path + "?" + v.Encode()
}

// collections: the plan's collections and no other's, each counting and
// listing its own sites only, every district and zone one of its city's.
// The map's search box searches these same items.
func (c *cityCase) collections(t *testing.T, srv *httptest.Server) {
	cols := decode[struct {
		Collections []struct {
			ID       string `json:"id"`
			Features int    `json:"features"`
		} `json:"collections"`
	}](t, get(t, srv, c.q("/ogc/collections")))
	if len(cols.Collections) != len(c.plan.Layers) {
		t.Fatalf("%d collections, want %d", len(cols.Collections), len(c.plan.Layers))
	}
	for i, l := range c.plan.Layers {
		want := siteIDsOf(c.plan, l.ID)
		if col := cols.Collections[i]; col.ID != l.ID || col.Features != len(want) {
			t.Errorf("collection %d: %s with %d features, want %s with %d", i, col.ID, col.Features, l.ID, len(want))
		}
		it := decode[items](t, get(t, srv, c.q("/ogc/collections/"+l.ID+"/items", "limit", "10000")))
		if got := it.ids(); it.NumberMatched != len(want) || !slices.Equal(got, want) {
			t.Errorf("%s: matched %d, ids %v; want %v", l.ID, it.NumberMatched, got, want)
		}
		for _, f := range it.Features {
			for _, key := range []string{"district", "zone", "recipient"} {
				if v, _ := f.Properties[key].(string); v != "" && !c.own[v] {
					t.Errorf("%s/%s: %s %q is not of city %s", l.ID, f.ID, key, v, c.plan.CityID)
				}
			}
			for _, key := range []string{"name", "name_en", "district_name", "district_name_en", "zone_name", "zone_name_en"} {
				if v, _ := f.Properties[key].(string); c.otherNames[v] && !c.ownNames[v] {
					t.Errorf("%s/%s: %s %q is the other city's", l.ID, f.ID, key, v)
				}
			}
		}
	}
	districts, _ := c.ds.CityDistricts(c.plan.CityID)
	var want []string
	for _, d := range districts {
		want = append(want, "district-"+d.Adcode)
	}
	it := decode[items](t, get(t, srv, c.q("/ogc/collections/districts/items")))
	if !slices.Equal(it.ids(), want) {
		t.Errorf("districts: %v, want %v", it.ids(), want)
	}
	quality := decode[struct {
		Features map[string]int `json:"features_per_layer"`
	}](t, get(t, srv, c.q("/api/data-quality")))
	for _, l := range c.plan.Layers {
		if n := len(siteIDsOf(c.plan, l.ID)); quality.Features[l.ID] != n {
			t.Errorf("data-quality counts %d features in %s, want %d", quality.Features[l.ID], l.ID, n)
		}
	}
	if len(quality.Features) != len(c.plan.Layers) {
		t.Errorf("data-quality counts %d layers, want %d", len(quality.Features), len(c.plan.Layers))
	}
}

// coverage: one row per district and zone of the plan's city, in order.
func (c *cityCase) coverage(t *testing.T, srv *httptest.Server) {
	cov := decode[struct {
		Plan string `json:"plan"`
		Rows []struct {
			Recipient string `json:"recipient"`
			Values    map[string]struct {
				Quantity float64 `json:"quantity"`
			} `json:"values"`
		} `json:"rows"`
	}](t, get(t, srv, c.q("/api/coverage")))
	districts, zones := c.ds.CityDistricts(c.plan.CityID)
	var want, got []string
	for _, d := range districts {
		want = append(want, d.Adcode)
	}
	for _, z := range zones {
		want = append(want, z.ID)
	}
	for _, r := range cov.Rows {
		got = append(got, r.Recipient)
	}
	if cov.Plan != c.plan.ID || !slices.Equal(got, want) {
		t.Errorf("coverage of %s: rows %v, want %v", cov.Plan, got, want)
	}
	if c.plan.ID == storetest.OtherPlan {
		q := map[string]float64{}
		for _, r := range cov.Rows {
			q[r.Recipient] = r.Values["shelter-quotas"].Quantity
		}
		if want := map[string]float64{"990101": 3, "990102": 1, "yunxi-gaoxin": 0}; !reflect.DeepEqual(q, want) {
			t.Errorf("coverage of the shelter quotas: %v, want %v", q, want)
		}
	}
}

// elsewhere: a box over the other city finds nothing in any collection.
func (c *cityCase) elsewhere(t *testing.T, srv *httptest.Server) {
	for _, l := range c.plan.Layers {
		it := decode[items](t, get(t, srv, c.q("/ogc/collections/"+l.ID+"/items", "bbox", c.otherBox)))
		if it.NumberMatched != 0 {
			t.Errorf("%s: %d features in the other city's box %s: %v", l.ID, it.NumberMatched, c.otherBox, it.ids())
		}
	}
}

// filters: district= takes the plan's own districts and zones, by code or
// name, and refuses the other city's (400, not an empty page); a feature
// of the other plan is not found.
func (c *cityCase) filters(t *testing.T, srv *httptest.Server) {
	for id := range c.other {
		if r := get(t, srv, c.q("/ogc/collections/districts/items", "district", id)); r.status != 400 {
			t.Errorf("district=%s of the other city: %d, want 400", id, r.status)
		}
	}
	for name := range c.otherNames {
		if c.ownNames[name] {
			continue
		}
		if r := get(t, srv, c.q("/ogc/collections/districts/items", "district", name)); r.status != 400 {
			t.Errorf("district=%s of the other city: %d, want 400", name, r.status)
		}
	}
	districts, zones := c.ds.CityDistricts(c.plan.CityID)
	d := districts[0]
	for _, v := range []string{d.Adcode, d.Name, d.NameEN} {
		it := decode[items](t, get(t, srv, c.q("/ogc/collections/districts/items", "district", v)))
		if !slices.Equal(it.ids(), []string{"district-" + d.Adcode}) {
			t.Errorf("district=%s: %v", v, it.ids())
		}
	}
	z := zones[0]
	it := decode[items](t, get(t, srv, c.q("/ogc/collections/development-zones/items", "district", z.ID)))
	if !slices.Equal(it.ids(), []string{"zone-" + z.ID}) {
		t.Errorf("district=%s: %v", z.ID, it.ids())
	}
	for id := range c.other {
		if _, isDistrict := districtOf(c.ds, id); isDistrict {
			if r := get(t, srv, c.q("/ogc/collections/districts/items/district-"+id)); r.status != 404 {
				t.Errorf("the other city's district-%s: %d, want 404", id, r.status)
			}
		}
	}
}

// projects: the plan's own projects, numbered as in its data.
func (c *cityCase) projects(t *testing.T, srv *httptest.Server) {
	res := decode[struct {
		Plan struct {
			ID     string `json:"id"`
			CityID string `json:"city_id"`
		} `json:"plan"`
		Projects []struct {
			Number int    `json:"number"`
			Title  string `json:"title"`
		} `json:"projects"`
	}](t, get(t, srv, c.q("/api/projects")))
	if res.Plan.ID != c.plan.ID || res.Plan.CityID != c.plan.CityID || len(res.Projects) != len(c.plan.Projects) {
		t.Fatalf("projects of %s (city %s): %d, want %d of %s", res.Plan.ID, res.Plan.CityID, len(res.Projects), len(c.plan.Projects), c.plan.ID)
	}
	for i, pr := range c.plan.Projects {
		if res.Projects[i].Number != pr.Number || res.Projects[i].Title != pr.Title {
			t.Errorf("project %d: %+v, want %d %s", i, res.Projects[i], pr.Number, pr.Title)
		}
	}
}

func siteIDsOf(p *dataset.Plan, layer string) []string {
	ids := []string{}
	for _, s := range p.Sites {
		if s.Layer == layer {
			ids = append(ids, s.ID)
		}
	}
	return ids
}

func districtOf(ds *dataset.Dataset, id string) (domain.District, bool) {
	if d := ds.District(id); d != nil {
		return *d, true
	}
	return domain.District{}, false
}

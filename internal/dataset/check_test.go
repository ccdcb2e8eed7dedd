package dataset_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"projectmap/internal/dataset"
	"projectmap/internal/domain"
)

const (
	districtsFile = `{"type":"FeatureCollection","features":[{"type":"Feature","id":"610115","geometry":{"type":"Polygon","coordinates":[[[109,34],[109.5,34],[109.5,34.5],[109,34.5],[109,34]]]},"properties":{"adcode":"610115","name":"临潼区","name_en":"Lintong District","population_2020":675961,"precision":"approximate","source":"测试","source_en":"test"}}]}`
	zonesFile     = `{"type":"FeatureCollection","features":[{"type":"Feature","id":"gaoxin","geometry":{"type":"Point","coordinates":[109.2,34.2]},"properties":{"name":"高新区","name_en":"Hi-tech Zone","district":"610115","precision":"zone","source":"测试","source_en":"test"}}]}`
	planFile      = `{"id":"t-2024","city_id":"t","city":"T","city_en":"T","year":2024,"title":"t","title_en":"t","issued_by":"o","issued_by_en":"o","issued_on":"2024-03-13","time_zone":"Asia/Shanghai","source":"s",
		"categories":[{"number":1,"name":"住房保障","name_en":"Housing"}],
		"layers":[{"id":"old-communities","project":15,"title":"老旧小区改造","title_en":"Old communities","description":"说明","description_en":"d"},
		          {"id":"circles","project":15,"derived_metric":"old_communities","title":"c","title_en":"c","description":"说明","description_en":"d"}]}`
	projectFile = `{"plan":"t-2024","number":15,"category":1,"title":"老旧小区改造","title_en":"Old communities","agencies":["市住建局"],"target":"完成改造","target_en":"t","funding":"f","measures":[],
		"metrics":[{"key":"old_communities","name":"老旧小区","name_en":"old communities","unit":"个","target":2}],
		"schedules":[{"id":"renovation","name":"n","name_en":"n","metric":"old_communities","milestones":[{"start":"2024-07-01","date":"2024-09-30","quantities":{"old_communities":1},"text":"三季度"},{"date":"2024-12-31","quantities":{"old_communities":2},"text":"四季度"}]}],
		"allocations":[{"metric":"old_communities","recipient":"610115","as_written":"临潼区2个","quantity":2}]}`
	siteFile = `{"type":"FeatureCollection","features":[
		{"type":"Feature","id":"old-community-renhan","geometry":{"type":"Point","coordinates":[109.2,34.3]},"properties":{"id":"old-community-renhan","project":15,"name":"任韩小区","name_en":"Renhan","district":"610115","precision":"town","source":"镇中心","source_en":"town centre"}},
		{"type":"Feature","id":"old-community-other","geometry":{"type":"Point","coordinates":[109.3,34.3]},"properties":{"project":15,"name":"其他小区","name_en":"Other","precision":"town","source":"镇中心","source_en":"town centre"}}]}`
)

func validFS() fstest.MapFS {
	return fstest.MapFS{
		"cities/t/city.json":                          {Data: []byte(`{"id":"t","name":"T市","name_en":"T","adcode":"610100"}`)},
		"cities/t/districts.geojson":                  {Data: []byte(districtsFile)},
		"cities/t/zones.geojson":                      {Data: []byte(zonesFile)},
		"plans/t-2024/plan.json":                      {Data: []byte(planFile)},
		"plans/t-2024/recipients.json":                {Data: []byte(`[]`)},
		"plans/t-2024/projects/15.json":               {Data: []byte(projectFile)},
		"plans/t-2024/layers/old-communities.geojson": {Data: []byte(siteFile)},
	}
}

func TestLoadValid(t *testing.T) {
	ds, err := dataset.Load(validFS())
	if err != nil {
		t.Fatal(err)
	}
	p := ds.Latest()
	if p == nil || p.ID != "t-2024" || len(p.Projects) != 1 {
		t.Fatalf("plan not loaded: %+v", p)
	}
	got := map[string]string{}
	for _, s := range p.Sites {
		got[s.ID] = s.District
	}
	want := map[string]string{"old-community-renhan": "610115", "old-community-other": "610115", "circles-610115": "610115"}
	for id, d := range want {
		if got[id] != d {
			t.Errorf("site %s: district %q, want %q (derived from geometry where not given)", id, got[id], d)
		}
	}
}

// TestLoadRejects breaks one thing at a time; every problem must name the
// file, the feature where there is one, and why.
func TestLoadRejects(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		from    string
		to      string
		wantMsg []string
	}{
		{"unknown property", "plans/t-2024/layers/old-communities.geojson", `"name_en":"Renhan"`, `"name_en":"Renhan","colour":"red"`, []string{"old-communities.geojson", "old-community-renhan", "colour"}},
		{"duplicate id", "plans/t-2024/layers/old-communities.geojson", `"id":"old-community-other"`, `"id":"old-community-renhan"`, []string{"old-community-renhan", "already used"}},
		{"non-slug id", "plans/t-2024/layers/old-communities.geojson", `"id":"old-community-other"`, `"id":"Old Community"`, []string{"ASCII slug"}},
		{"outside its district", "plans/t-2024/layers/old-communities.geojson", `[109.2,34.3]`, `[108.2,34.3]`, []string{"old-community-renhan", "outside its district 临潼区"}},
		{"district-precision point outside its district", "plans/t-2024/layers/old-communities.geojson", `[109.2,34.3]},"properties":{"id":"old-community-renhan","project":15,"name":"任韩小区","name_en":"Renhan","district":"610115","precision":"town"`, `[107,33]},"properties":{"id":"old-community-renhan","project":15,"name":"任韩小区","name_en":"Renhan","district":"610115","precision":"district"`, []string{"old-community-renhan", "outside its district"}},
		{"swapped coordinates", "plans/t-2024/layers/old-communities.geojson", `[109.2,34.3]`, `[34.3,109.2]`, []string{"old-community-renhan", "invalid geometry"}},
		{"bad precision", "plans/t-2024/layers/old-communities.geojson", `"precision":"town","source":"镇中心","source_en":"town centre"}},`, `"precision":"roughly","source":"镇中心","source_en":"town centre"}},`, []string{"precision \"roughly\""}},
		{"no source", "plans/t-2024/layers/old-communities.geojson", `"source":"镇中心","source_en":"town centre"}},`, `"source":""}},`, []string{"source is empty"}},
		{"unknown schedule", "plans/t-2024/layers/old-communities.geojson", `"source":"镇中心","source_en":"town centre"}},`, `"source":"镇中心","source_en":"town centre","schedule":"nope"}},`, []string{"schedule \"nope\""}},
		{"milestone outside the year", "plans/t-2024/projects/15.json", `"date":"2024-12-31"`, `"date":"2025-01-31"`, []string{"15.json", "outside the plan's year 2024"}},
		{"milestones out of order", "plans/t-2024/projects/15.json", `"date":"2024-12-31"`, `"date":"2024-08-31"`, []string{"15.json", "before the previous milestone"}},
		{"unknown recipient", "plans/t-2024/projects/15.json", `"recipient":"610115"`, `"recipient":"610199"`, []string{"15.json", "610199", "not a known district"}},
		{"bad date", "plans/t-2024/projects/15.json", `"date":"2024-12-31"`, `"date":"2024-12-32"`, []string{"15.json", "not a date"}},
		{"unclosed ring", "cities/t/districts.geojson", `[109,34.5],[109,34]`, `[109,34.5],[109,34.1]`, []string{"districts.geojson", "610115", "not closed"}},
		{"not JSON", "plans/t-2024/plan.json", `{"id"`, `{id`, []string{"plan.json", "invalid JSON"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := validFS()
			data := string(fsys[tt.file].Data)
			if !strings.Contains(data, tt.from) {
				t.Fatalf("test broken: %q not in %s", tt.from, tt.file)
			}
			fsys[tt.file] = &fstest.MapFile{Data: []byte(strings.Replace(data, tt.from, tt.to, 1))}
			_, err := dataset.Load(fsys)
			var problems dataset.Problems
			if !errors.As(err, &problems) {
				t.Fatalf("Load accepted it (err %v)", err)
			}
			msg := problems.Error()
			for _, w := range tt.wantMsg {
				if !strings.Contains(msg, w) {
					t.Errorf("problems do not mention %q:\n%s", w, msg)
				}
			}
		})
	}
}

// TestDistrictShare holds lines and areas to the 5% rule: a stated
// district may have at most 5% of the feature outside it; without one,
// the loader derives the district (at least 95% inside) or the districts
// crossed with their shares. A second district lies east of 临潼区.
func TestDistrictShare(t *testing.T) {
	const east = `{"type":"Feature","id":"610116","geometry":{"type":"Polygon","coordinates":[[[109.5,34],[110,34],[110,34.5],[109.5,34.5],[109.5,34]]]},"properties":{"adcode":"610116","name":"长安区","name_en":"Chang'an District","population_2020":1,"precision":"approximate","source":"测试","source_en":"test"}}`
	point := `{"type":"Point","coordinates":[109.2,34.3]}`
	line := func(from, to float64) string {
		return fmt.Sprintf(`{"type":"LineString","coordinates":[[%g,34.3],[%g,34.3]]}`, from, to)
	}
	tests := []struct {
		name      string
		geometry  string
		district  bool // keep the stated district 610115
		wantErr   string
		wantDist  string
		wantCross map[string]float64
	}{
		{"line 30% outside its district", line(109.15, 109.65), true, "30% of its length lies outside its district 临潼区 (610115)", "", nil},
		{"line 3% outside its district", line(109.015, 109.515), true, "", "610115", nil},
		{"area 20% outside its district", `{"type":"Polygon","coordinates":[[[109.1,34.1],[109.6,34.1],[109.6,34.2],[109.1,34.2],[109.1,34.1]]]}`, true, "20% of its area lies outside its district 临潼区 (610115)", "", nil},
		{"line 3% outside, no district: derived", line(109.015, 109.515), false, "", "610115", nil},
		{"line across a border, no district: the districts crossed", line(109.15, 109.65), false, "", "", map[string]float64{"610115": 0.7, "610116": 0.3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := validFS()
			d := string(fsys["cities/t/districts.geojson"].Data)
			fsys["cities/t/districts.geojson"] = &fstest.MapFile{Data: []byte(strings.Replace(d, `}}]}`, `}},`+east+`]}`, 1))}
			// The other site follows, as a layer holds one geometry type.
			other := line(109.3, 109.35)
			if !strings.HasPrefix(tt.geometry, `{"type":"LineString"`) {
				other = `{"type":"Polygon","coordinates":[[[109.3,34.3],[109.31,34.3],[109.31,34.31],[109.3,34.3]]]}`
			}
			s := strings.Replace(siteFile, point, tt.geometry, 1)
			s = strings.Replace(s, `{"type":"Point","coordinates":[109.3,34.3]}`, other, 1)
			if !tt.district {
				s = strings.Replace(s, `"district":"610115",`, "", 1)
			}
			fsys["plans/t-2024/layers/old-communities.geojson"] = &fstest.MapFile{Data: []byte(s)}
			ds, err := dataset.Load(fsys)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "old-community-renhan") {
					t.Fatalf("want a problem naming old-community-renhan and %q, got %v", tt.wantErr, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var site domain.Site
			for _, x := range ds.Latest().Sites {
				if x.ID == "old-community-renhan" {
					site = x
				}
			}
			if site.District != tt.wantDist {
				t.Errorf("district %q, want %q", site.District, tt.wantDist)
			}
			if tt.wantCross == nil {
				if _, ok := site.Attrs["districts"]; ok {
					t.Errorf("attrs.districts %v, want none", site.Attrs["districts"])
				}
				return
			}
			if got := site.Attrs["districts"]; !reflect.DeepEqual(got, []string{"610115", "610116"}) {
				t.Errorf("attrs.districts %v, want largest share first", got)
			}
			if got := site.Attrs["district_shares"]; !reflect.DeepEqual(got, tt.wantCross) {
				t.Errorf("attrs.district_shares %v, want %v", got, tt.wantCross)
			}
		})
	}
}

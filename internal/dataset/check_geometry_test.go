package dataset_test

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"projectmap/internal/dataset"
)

// A second allocation of the fixture's metric, to a development zone.
const (
	zoneAllocation = `"allocations":[{"metric":"old_communities","recipient":"610115","as_written":"临潼区2个","quantity":2},{"metric":"old_communities","recipient":"gaoxin","as_written":"高新区1个","quantity":1}]`
	zonesLayer     = `,{"id":"circles-zones","project":15,"derived_metric":"old_communities","group":"circles","title":"c","title_en":"c","description":"说明","description_en":"d"}]}`
	renhanPoint    = `"geometry":{"type":"Point","coordinates":[109.2,34.3]}`
	otherPoint     = `"geometry":{"type":"Point","coordinates":[109.3,34.3]}`
	square         = `[[109.2,34.2],[109.3,34.2],[109.3,34.3],[109.2,34.3],[109.2,34.2]]`
)

type edit struct{ file, from, to string }

// TestOneGeometryTypePerLayer: a layer holds one GeoJSON geometry type
// (null geometries aside), and layers split off another are grouped right.
func TestOneGeometryTypePerLayer(t *testing.T) {
	plan, project, sites := "plans/t-2024/plan.json", "plans/t-2024/projects/15.json", "plans/t-2024/layers/old-communities.geojson"
	tests := []struct {
		name    string
		edits   []edit
		wantMsg []string // nil: the data is valid
	}{
		{"points only", nil, nil},
		{"a line among points", []edit{{sites, otherPoint, `"geometry":{"type":"LineString","coordinates":[[109.3,34.3],[109.31,34.31]]}`}},
			[]string{"old-communities.geojson", "old-communities", "mixes geometry types (LineString 1, Point 1)", `"group": "old-communities"`}},
		{"an area among points", []edit{{sites, otherPoint, `"geometry":{"type":"Polygon","coordinates":[` + square + `]}`}},
			[]string{"old-communities", "(Point 1, Polygon 1)"}},
		{"Polygon beside MultiPolygon is two types", []edit{
			{sites, renhanPoint, `"geometry":{"type":"Polygon","coordinates":[` + square + `]}`},
			{sites, otherPoint, `"geometry":{"type":"MultiPolygon","coordinates":[[` + square + `]]}`}},
			[]string{"old-communities", "(MultiPolygon 1, Polygon 1)"}},
		{"a null geometry counts as none", []edit{{sites, otherPoint + `,"properties":{`, `"geometry":null,"properties":{"attrs":{"location_unknown":true},`}}, nil},
		{"zone points beside district areas", []edit{{project, `"allocations":[{"metric":"old_communities","recipient":"610115","as_written":"临潼区2个","quantity":2}]`, zoneAllocation}},
			[]string{"plan.json", "circles", "(MultiPolygon 1, Point 1)"}},
		{"zone points in their own layer", []edit{
			{project, `"allocations":[{"metric":"old_communities","recipient":"610115","as_written":"临潼区2个","quantity":2}]`, zoneAllocation},
			{plan, `"description":"说明","description_en":"d"}]}`, `"description":"说明","description_en":"d"}` + zonesLayer}}, nil},
		{"group names no layer", []edit{{plan, `"title":"c","title_en":"c"`, `"group":"nowhere","title":"c","title_en":"c"`}},
			[]string{"plan.json", "circles", `group "nowhere" is not another layer`}},
		{"group of another project", []edit{{plan, `{"id":"old-communities","project":15,`, `{"id":"old-communities","project":15,"group":"districts",`},
			{plan, `"description":"说明","description_en":"d"}]}`, `"description":"说明","description_en":"d"},{"id":"districts","title":"区县","title_en":"Districts","description":"说明","description_en":"d"}]}`}},
			[]string{"old-communities", "project 15 grouped with districts, a layer of project 0"}},
		{"zone layer of another metric", []edit{
			{plan, `"description":"说明","description_en":"d"}]}`, `"description":"说明","description_en":"d"}` + strings.Replace(zonesLayer, `"derived_metric":"old_communities"`, `"derived_metric":"old_communitiez"`, 1)}},
			[]string{"circles-zones", `circles-zones with its derived_metric "old_communities"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := validFS()
			for _, e := range tt.edits {
				data := string(fsys[e.file].Data)
				if !strings.Contains(data, e.from) {
					t.Fatalf("test broken: %q not in %s", e.from, e.file)
				}
				fsys[e.file] = &fstest.MapFile{Data: []byte(strings.Replace(data, e.from, e.to, 1))}
			}
			ds, err := dataset.Load(fsys)
			if tt.wantMsg == nil {
				if err != nil {
					t.Fatalf("valid data rejected: %v", err)
				}
				return
			}
			var problems dataset.Problems
			if !errors.As(err, &problems) {
				t.Fatalf("Load accepted it (err %v); sites %+v", err, ds.Latest().Sites)
			}
			for _, w := range tt.wantMsg {
				if !strings.Contains(problems.Error(), w) {
					t.Errorf("problems do not mention %q:\n%s", w, problems.Error())
				}
			}
		})
	}
}

// TestZoneLayerKeepsIDs: with a <id>-zones layer the zone points move
// there under the ids they had, and the districts stay, as MultiPolygons.
func TestZoneLayerKeepsIDs(t *testing.T) {
	fsys := validFS()
	for _, e := range []edit{
		{"plans/t-2024/projects/15.json", `"allocations":[{"metric":"old_communities","recipient":"610115","as_written":"临潼区2个","quantity":2}]`, zoneAllocation},
		{"plans/t-2024/plan.json", `"description":"说明","description_en":"d"}]}`, `"description":"说明","description_en":"d"}` + zonesLayer},
	} {
		fsys[e.file] = &fstest.MapFile{Data: []byte(strings.Replace(string(fsys[e.file].Data), e.from, e.to, 1))}
	}
	ds, err := dataset.Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range ds.Latest().Sites {
		got[s.ID] = s.Layer + " " + s.Geometry.GeoJSONType()
	}
	want := map[string]string{"circles-610115": "circles MultiPolygon", "circles-gaoxin": "circles-zones Point"}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s: %q, want %q", id, got[id], w)
		}
	}
}

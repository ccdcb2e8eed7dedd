package api_test

import (
	"net/http/httptest"
	"testing"
)

// TestCollectionsStateTheirGeometryType: every collection states one
// geometry type, that of each of its located features, and a layer split
// off another names it in group.
func TestCollectionsStateTheirGeometryType(t *testing.T) {
	forEachStore(t, func(t *testing.T, srv *httptest.Server) {
		colls := decode[struct {
			Collections []struct {
				ID           string `json:"id"`
				GeometryType string `json:"geometryType"`
				Group        string `json:"group"`
			} `json:"collections"`
		}](t, get(t, srv, "/ogc/collections"))
		groups := map[string]string{}
		for _, c := range colls.Collections {
			groups[c.ID] = c.Group
			if c.GeometryType == "" || c.GeometryType == "Geometry" {
				t.Errorf("%s: geometryType %q, want one type", c.ID, c.GeometryType)
				continue
			}
			it := decode[items](t, get(t, srv, "/ogc/collections/"+c.ID+"/items?limit=10000"))
			for _, f := range it.Features {
				if f.Geometry != nil && f.Geometry["type"] != c.GeometryType {
					t.Errorf("%s: feature %s is a %v, the collection states %s", c.ID, f.ID, f.Geometry["type"], c.GeometryType)
				}
			}
		}
		for id, want := range map[string]string{"service-circles-zones": "service-circles", "ring-road-nodes-lines": "ring-road-nodes", "service-circles": ""} {
			if got, ok := groups[id]; !ok || got != want {
				t.Errorf("%s: group %q (listed %v), want %q", id, got, ok, want)
			}
		}
	})
}

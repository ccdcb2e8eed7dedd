package api_test

import (
	"net/http/httptest"
	"testing"
)

// TestStrictParameters: a query string that cannot be read whole is a 400
// naming the parameter, on every endpoint, never an answer without the
// filter; so are a repeated parameter and a blank value.
func TestStrictParameters(t *testing.T) {
	forEachStore(t, func(t *testing.T, srv *httptest.Server) {
		items := "/ogc/collections/old-communities/items"
		tests := []struct {
			path  string
			param string
		}{
			{items + "?project=1;x", "project"},
			{items + "?bbox=108;34;109;35", "bbox"},
			{items + "?district=610115;x", "district"},
			{items + "?limit=5;offset=2", "limit"},
			{items + "?x;y=1", "x;y"},
			{items + "?district=%20", "district"},
			{items + "?district=+", "district"},
			{items + "?project=", "project"},
			{items + "?project", "project"},
			{items + "?bbox=", "bbox"},
			{items + "?asof=", "asof"},
			{items + "?status=%09", "status"},
			{items + "?f=", "f"},
			{items + "?plan=", "plan"},
			{items + "?project=%zz", "project"},
			{items + "?%zz=1", "%zz"},
			{items + "?=1", ""},
			{items + "?project=1&project=1", "project"},
			{items + "?district=610117&district=610115", "district"},
			{items + "?f=csv&project=1;x", "project"},
			{items + "?f=csv&f=csv", "f"},
			{"/ogc/collections/intersections/items/x?asof=2024-01-01;x", "asof"},
			{"/ogc/collections/intersections/items/x?asof=", "asof"},
			{"/ogc/collections?plan=%", "plan"},
			{"/ogc/collections/schools?plan=a;b", "plan"},
			{"/ogc?f=json;x", "f"},
			{"/api/projects?asof=2024-07-01;x", "asof"},
			{"/api/projects?status=", "status"},
			{"/api/projects?category=1&category=2", "category"},
			{"/api/projects/1?asof=%20", "asof"},
			{"/api/reports?project=1;x", "project"},
			{"/api/reports?site=", "site"},
			{"/api/reports?limit=1&limit=2", "limit"},
			{"/api/reports.atom?project=1;x", "project"},
			{"/api/reports/1?plan=", "plan"},
			{"/api/coverage?f=csv;x", "f"},
			{"/api/nearest?from=a;b", "from"},
			{"/api/nearest?to=", "to"},
			{"/api/data-quality?plan=%2", "plan"},
			{"/api/config?plan=;", "plan"},
		}
		for _, tt := range tests {
			t.Run(tt.path, func(t *testing.T) {
				r := get(t, srv, tt.path)
				if r.status != 400 {
					t.Fatalf("status %d, want 400: %.300s", r.status, r.body)
				}
				body := decode[errorResponse](t, r)
				if body.Code != "invalid_parameter" || body.Message == "" || body.Param != tt.param {
					t.Errorf("got code %q param %q (%s), want invalid_parameter naming %q", body.Code, body.Param, body.Message, tt.param)
				}
			})
		}
	})
}

// TestEscapedSemicolon: a ";" written as %3B is part of a value, not a
// separator, and is judged by the parameter's own rule.
func TestEscapedSemicolon(t *testing.T) {
	forEachStore(t, func(t *testing.T, srv *httptest.Server) {
		r := get(t, srv, "/ogc/collections/old-communities/items?project=1%3Bx")
		if r.status != 400 || decode[errorResponse](t, r).Param != "project" {
			t.Fatalf("status %d: %.300s", r.status, r.body)
		}
		r = get(t, srv, "/ogc/collections/old-communities/items?district=610117&&limit=1&")
		if r.status != 200 || decode[items](t, r).NumberMatched != 41 {
			t.Fatalf("empty pieces between \"&\": status %d: %.300s", r.status, r.body)
		}
	})
}

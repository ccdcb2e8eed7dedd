package api_test

import (
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
)

type projectsDoc struct {
	Projects []struct {
		Number      int      `json:"number"`
		Status      string   `json:"status"`
		Collections []string `json:"collections"`
		Allocations []struct {
			Recipient string `json:"recipient"`
			Includes  []struct {
				Recipient string `json:"recipient"`
			} `json:"includes"`
		} `json:"allocations"`
	} `json:"projects"`
}

func (d projectsDoc) numbers() []int {
	var out []int
	for _, p := range d.Projects {
		out = append(out, p.Number)
	}
	return out
}

// wantInDistrict works out, from the public API alone, which projects
// reach a district: a share allocated to it, or a site there that
// items?district= returns.
func wantInDistrict(t *testing.T, srv *httptest.Server, all projectsDoc, adcode string) []int {
	var want []int
	for _, p := range all.Projects {
		in := false
		for _, a := range p.Allocations {
			in = in || a.Recipient == adcode
			for _, inc := range a.Includes {
				in = in || inc.Recipient == adcode
			}
		}
		for _, id := range p.Collections {
			if in {
				break
			}
			it := decode[items](t, get(t, srv, "/ogc/collections/"+id+"/items?limit=1&district="+adcode))
			in = it.NumberMatched > 0
		}
		if in {
			want = append(want, p.Number)
		}
	}
	return want
}

// TestProjectsDistrict checks /api/projects?district= against the items'
// own district filter, in every spelling of the district, alone and with
// status=, on both stores.
func TestProjectsDistrict(t *testing.T) {
	forEachStore(t, func(t *testing.T, srv *httptest.Server) {
		all := decode[projectsDoc](t, get(t, srv, "/api/projects?asof=2024-12-31"))
		for _, adcode := range []string{"610115", "610117", "610102"} {
			want := wantInDistrict(t, srv, all, adcode)
			if len(want) == 0 || len(want) == len(all.Projects) {
				t.Fatalf("district %s: %d of %d projects, want some but not all", adcode, len(want), len(all.Projects))
			}
			got := decode[projectsDoc](t, get(t, srv, "/api/projects?asof=2024-12-31&district="+adcode))
			if !slices.Equal(got.numbers(), want) {
				t.Errorf("district=%s: projects %v, want %v", adcode, got.numbers(), want)
			}
		}
		tests := []struct {
			query string
			same  string // the same answer as this query
		}{
			{"district=临潼区", "district=610115"},
			{"district=临潼", "district=610115"},
			{"district=Lintong District", "district=610115"},
			{"district=610115&status=unreported", "district=610115"}, // no report filed: all unreported
			{"district=610115&category=5", ""},
		}
		for _, tt := range tests {
			got := decode[projectsDoc](t, get(t, srv, "/api/projects?asof=2024-12-31&"+encode(tt.query)))
			if tt.same == "" {
				if len(got.Projects) == 0 {
					t.Errorf("%s: no project", tt.query)
				}
				continue
			}
			want := decode[projectsDoc](t, get(t, srv, "/api/projects?asof=2024-12-31&"+tt.same))
			if !slices.Equal(got.numbers(), want.numbers()) {
				t.Errorf("%s: projects %v, want those of %s: %v", tt.query, got.numbers(), tt.same, want.numbers())
			}
		}
		none := decode[projectsDoc](t, get(t, srv, "/api/projects?asof=2024-12-31&district=610115&status=completed"))
		if len(none.Projects) != 0 {
			t.Errorf("district and status=completed with no report: %v, want none", none.numbers())
		}
		for _, bad := range []string{"district=nowhere", "district=110101", "district=610115&district=610117"} {
			r := get(t, srv, "/api/projects?"+encode(bad))
			body := decode[struct {
				Param string `json:"param"`
			}](t, r)
			if r.status != 400 || body.Param != "district" {
				t.Errorf("%s: %d param %q, want 400 naming district: %s", bad, r.status, body.Param, r.body)
			}
		}
	})
}

// encode escapes a query's values (names and values as written).
func encode(q string) string {
	v, err := url.ParseQuery(q)
	if err != nil {
		panic(err)
	}
	return v.Encode()
}

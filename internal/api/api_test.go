package api_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"projectmap/internal/dataset"
	"projectmap/internal/domain"
	"projectmap/internal/memstore"
	"projectmap/internal/storetest"
)

func TestEndpointsAnswer(t *testing.T) {
	forEachStore(t, func(t *testing.T, srv *httptest.Server) {
		tests := []struct {
			path      string
			mediaType string
			contains  []string
		}{
			{"/healthz", "application/json", []string{`"status":"ok"`}},
			{"/readyz", "application/json", []string{`"status":"ready"`}},
			{"/ogc", "application/json", []string{`"rel":"service-desc"`, `"rel":"conformance"`, `"rel":"data"`}},
			{"/ogc/", "application/json", []string{`"rel":"data"`}},
			{"/ogc/api", "application/vnd.oai.openapi+json;version=3.0", []string{`"openapi":"3.0.3"`, `/collections/{collectionId}/items`,
				`"/api/reports"`, `"/api/reports/{id}/retract"`, `"/api/reports.atom"`, `"unreported"`, `"bearer"`, `"Idempotency-Key"`, `"reportDraft"`,
				`"/static/{layers}.png"`, `"/share"`}},
			{"/ogc/conformance", "application/json", []string{"conf/core", "conf/geojson", "conf/oas30"}},
			{"/ogc/collections", "application/json", []string{`"id":"intersections"`, `"title":"主干道交叉口微改造"`, `"title_en":"Arterial intersection upgrades"`, `"bbox"`}},
			{"/ogc/collections/metro-lines", "application/json", []string{`"id":"metro-lines"`, `"rel":"items"`}},
			{"/ogc/collections/intersections/items", "application/geo+json", []string{`"numberMatched":16`, `"precision"`, `"source"`, `"status"`}},
			{"/ogc/collections/intersections/items?f=json", "application/geo+json", []string{`"numberMatched":16`}},
			{"/ogc/collections/intersections/items?plan=xian-2024", "application/geo+json", []string{`"numberMatched":16`}},
			{"/ogc/collections/old-communities/items/old-community-lintong-renhan", "application/geo+json", []string{`"name":"任韩小区"`}},
			{"/api/projects", "application/json", []string{`"number":30`, `"category_name":"交通出行"`}},
			{"/api/projects/4", "application/json", []string{`"charging_piles"`, `"collections":["charging-piles","charging-piles-zones","parking","parking-zones"]`}},
			{"/api/projects?category=5", "application/json", []string{`"number":15`}},
			{"/api/data-quality", "application/json", []string{`"parking_spaces"`, `"match":false`}},
			{"/api/config", "application/json", []string{`"basemap"`, `"today":"2024-07-15"`, `"default_date":"2024-07-15"`, `"time_zone":"Asia/Shanghai"`, `"range":{"from":"2024-01-01","to":"2024-12-31"}`, `"tolerance":0.1`}},
			{"/api/reports", "application/json", []string{`"reports":[]`, `"numberMatched":0`}},
			{"/api/reports.atom", "application/atom+xml; charset=utf-8", []string{`<feed xmlns="http://www.w3.org/2005/Atom">`}},
			{"/", "text/html; charset=utf-8", []string{"<title>map</title>"}},
		}
		for _, tt := range tests {
			t.Run(tt.path, func(t *testing.T) {
				r := get(t, srv, tt.path)
				if r.status != http.StatusOK {
					t.Fatalf("status %d: %.300s", r.status, r.body)
				}
				if ct := r.header.Get("Content-Type"); ct != tt.mediaType {
					t.Errorf("Content-Type %q, want %q", ct, tt.mediaType)
				}
				for _, want := range tt.contains {
					if !bytes.Contains(r.body, []byte(want)) {
						t.Errorf("body lacks %s: %.400s", want, r.body)
					}
				}
			})
		}
	})
}

func TestBadInput(t *testing.T) {
	forEachStore(t, func(t *testing.T, srv *httptest.Server) {
		items := "/ogc/collections/old-communities/items"
		tests := []struct {
			path   string
			status int
			param  string
		}{
			{items + "?colour=red", 400, "colour"},
			{items + "?bbox=1,2,3", 400, "bbox"},
			{items + "?bbox=a,b,c,d", 400, "bbox"},
			{items + "?bbox=108,34,109,95", 400, "bbox"},
			{items + "?bbox=109,34,108,35", 400, "bbox"},
			{items + "?bbox=108,35,109,34", 400, "bbox"},
			{items + "?bbox=NaN,34,109,35", 400, "bbox"},
			{items + "?bbox=-200,34,109,35", 400, "bbox"},
			{items + "?limit=0", 400, "limit"},
			{items + "?limit=-5", 400, "limit"},
			{items + "?limit=ten", 400, "limit"},
			{items + "?limit=99999999999999999999", 400, "limit"},
			{items + "?offset=-1", 400, "offset"},
			{items + "?offset=x", 400, "offset"},
			{items + "?project=99", 400, "project"},
			{items + "?project=abc", 400, "project"},
			{items + "?district=nowhere", 400, "district"},
			{items + "?status=done", 400, "status"},
			{items + "?status=delayed", 400, "status"},
			{items + "?status=in_progress", 400, "status"},
			{items + "?asof=2024-13-01", 400, "asof"},
			{items + "?asof=yesterday", 400, "asof"},
			{items + "?asof=9999-01-01", 400, "asof"},
			{items + "?plan=nope", 400, "plan"},
			{items + "?f=xml", 400, "f"},
			{items + "?limit=5&limit=6", 400, "limit"},
			{"/ogc/collections/nowhere/items", 404, ""},
			{"/ogc/collections/nowhere", 404, ""},
			{"/ogc/collections/intersections/items/no-such-feature", 404, ""},
			{"/ogc/collections/intersections/items/x?asof=bad", 400, "asof"},
			{"/ogc/collections?x=1", 400, "x"},
			{"/ogc/conformance?f=html", 400, "f"},
			{"/api/projects/abc", 400, "number"},
			{"/api/projects/99", 404, ""},
			{"/api/projects?asof=2024-02-30", 400, "asof"},
			{"/api/projects?category=11", 400, "category"},
			{"/api/projects?category=x", 400, "category"},
			{"/api/projects?status=done", 400, "status"},
			{"/api/projects?district=nowhere", 400, "district"},
			{"/api/projects/4?status=behind", 400, "status"},
			{"/no/such/path", 404, ""},
			{"/api/nothing", 404, ""},
		}
		for _, tt := range tests {
			t.Run(tt.path, func(t *testing.T) {
				r := get(t, srv, tt.path)
				if r.status != tt.status {
					t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
				}
				body := decode[struct {
					Code    string `json:"code"`
					Message string `json:"message"`
					Param   string `json:"param"`
				}](t, r)
				if body.Code == "" || body.Message == "" {
					t.Errorf("error body lacks code or message: %s", r.body)
				}
				if body.Param != tt.param {
					t.Errorf("param %q, want %q (%s)", body.Param, tt.param, body.Message)
				}
			})
		}
	})
}

// TestNeverInternalError throws odd but possible requests at every
// endpoint: none may produce a 500.
func TestNeverInternalError(t *testing.T) {
	forEachStore(t, func(t *testing.T, srv *httptest.Server) {
		paths := []string{"/ogc", "/ogc/collections", "/ogc/collections/schools", "/ogc/collections/schools/items", "/ogc/collections/schools/items/x", "/api/projects", "/api/projects/1", "/api/data-quality", "/api/config",
			"/api/reports", "/api/reports/1", "/api/reports.atom", "/api/audit"}
		for _, bad := range []string{"/ogc/collections/schools/items/a%00b", "/ogc/collections/schools/items/%C3%28", "/ogc/collections/%C3%28/items", "/ogc/collections/schools/items?district=%C3%28", "/api/projects?plan=%00"} {
			if r := get(t, srv, bad); r.status >= 500 {
				t.Errorf("GET %s: %d %s", bad, r.status, r.body)
			}
		}
		queries := []string{"", "?", "?&&", "?bbox=", "?bbox=,,,", "?limit=", "?asof=", "?district=%E4%B8%B4", "?project=0", "?status=", "?offset=999999", "?bbox=108.9,34.2,108.9,34.2", "?asof=0001-01-01", "?plan=%00", "?%ff=1",
			"?site=%00", "?since=0001-01-01&until=9999-12-31", "?schedule=%C3%28", "?asof=2200-12-31"}
		for _, p := range paths {
			for _, q := range queries {
				r := get(t, srv, p+q)
				if r.status >= 500 {
					t.Errorf("GET %s%s: %d %s", p, q, r.status, r.body)
				}
			}
		}
	})
}

func TestItemsFilters(t *testing.T) {
	forEachStore(t, func(t *testing.T, srv *httptest.Server) {
		tests := []struct {
			query   string
			layer   string
			matched int
		}{
			{"", "old-communities", 74},
			{"?district=610117", "old-communities", 41},
			{"?district=高陵区", "old-communities", 41},
			{"?district=高陵", "old-communities", 41},
			{"?district=Gaoling District", "old-communities", 41},
			{"?district=临潼区", "old-communities", 16},
			{"?project=15", "old-communities", 74},
			{"?project=3", "old-communities", 0},
			{"", "service-circles", 13},
			{"", "service-circles-zones", 6},
			{"?district=gaoxin", "service-circles", 0},
			{"?district=gaoxin", "service-circles-zones", 1},
			{"", "intersections", 16},
			{"?bbox=73,18,135,54", "intersections", 16},
			{"?bbox=100,20,101,21", "intersections", 0},
			// With no report filed, nothing is completed, on track or
			// behind on any date: everything is unreported.
			{"?asof=2024-07-31&status=completed", "intersections", 0},
			{"?asof=2024-12-31&status=completed", "intersections", 0},
			{"?asof=2023-12-01&status=not_started", "intersections", 0},
			{"?asof=2024-12-31&status=behind", "intersections", 0},
			{"?asof=2024-12-31&status=unreported", "intersections", 16},
			{"?status=unreported", "old-communities", 74},
			{"?status=unreported&district=610117", "old-communities", 41},
			{"?status=unreported", "districts", 0},
		}
		for _, tt := range tests {
			t.Run(tt.layer+tt.query, func(t *testing.T) {
				r := get(t, srv, "/ogc/collections/"+tt.layer+"/items"+strings.ReplaceAll(tt.query, " ", "%20"))
				if r.status != 200 {
					t.Fatalf("status %d: %s", r.status, r.body)
				}
				it := decode[items](t, r)
				if it.NumberMatched != tt.matched || it.NumberReturned != min(tt.matched, 100) || len(it.Features) != it.NumberReturned {
					t.Errorf("matched %d returned %d features %d, want %d matched", it.NumberMatched, it.NumberReturned, len(it.Features), tt.matched)
				}
			})
		}
	})
}

func TestEveryFeatureCarriesTheCommonProperties(t *testing.T) {
	forEachStore(t, func(t *testing.T, srv *httptest.Server) {
		colls := decode[struct {
			Collections []struct{ ID string } `json:"collections"`
		}](t, get(t, srv, "/ogc/collections"))
		if len(colls.Collections) < 20 {
			t.Fatalf("only %d collections", len(colls.Collections))
		}
		for _, c := range colls.Collections {
			it := decode[items](t, get(t, srv, "/ogc/collections/"+c.ID+"/items?limit=10000&asof=2024-06-30"))
			if it.NumberMatched == 0 {
				t.Errorf("%s: empty", c.ID)
			}
			for _, f := range it.Features {
				for _, k := range []string{"project", "name", "district", "status", "planned", "planned_status", "due",
					"reported", "reported_status", "reported_on", "reported_by", "report_source", "report_url", "report_id",
					"report_schedule", "precision", "source"} {
					if _, ok := f.Properties[k]; !ok {
						t.Errorf("%s/%s lacks %s", c.ID, f.ID, k)
					}
				}
				if _, ok := f.Properties["progress"]; ok {
					t.Errorf("%s/%s still carries the old progress", c.ID, f.ID)
				}
				if f.Properties["project"].(float64) != 0 && (f.Properties["status"] != "unreported" || f.Properties["planned_status"] == nil) {
					t.Errorf("%s/%s: status %v planned_status %v, want unreported and a plan", c.ID, f.ID, f.Properties["status"], f.Properties["planned_status"])
				}
				if f.Properties["project"].(float64) == 0 && (f.Properties["status"] != nil || f.Properties["planned"] != nil || f.Properties["due"] != nil) {
					t.Errorf("%s/%s is a base feature but carries a status", c.ID, f.ID)
				}
			}
		}
	})
}

func TestServiceCircleQuotasAddUpTo42(t *testing.T) {
	forEachStore(t, func(t *testing.T, srv *httptest.Server) {
		var sum float64
		for _, layer := range []string{"service-circles", "service-circles-zones"} { // districts, zones
			it := decode[items](t, get(t, srv, "/ogc/collections/"+layer+"/items"))
			for _, f := range it.Features {
				sum += f.Properties["quantity"].(float64)
			}
		}
		if sum != 42 {
			t.Errorf("service-circle quotas add up to %g, want 42", sum)
		}
	})
}

// TestPagingToTheEnd follows next links from the first page to the last,
// then prev links back, as GDAL and QGIS do.
func TestPagingToTheEnd(t *testing.T) {
	forEachStore(t, func(t *testing.T, srv *httptest.Server) {
		all := decode[items](t, get(t, srv, "/ogc/collections/old-communities/items?limit=1000&district=610117"))
		next := "/ogc/collections/old-communities/items?limit=5&district=610117"
		var seen []string
		pages := 0
		var last items
		for next != "" {
			pages++
			if pages > 20 {
				t.Fatal("paging does not end")
			}
			it := decode[items](t, get(t, srv, next))
			if it.NumberMatched != 41 {
				t.Errorf("page %d: numberMatched %d, want 41", pages, it.NumberMatched)
			}
			seen = append(seen, it.ids()...)
			last = it
			next = ""
			if href := it.link("next"); href != "" {
				u, err := url.Parse(href)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.HasPrefix(href, srv.URL) || u.Query().Get("district") != "610117" {
					t.Errorf("next link %s loses the server or the filter", href)
				}
				next = u.RequestURI()
			}
		}
		if pages != 9 {
			t.Errorf("%d pages, want 9", pages)
		}
		if diff := cmp.Diff(all.ids(), seen); diff != "" {
			t.Errorf("paged ids differ from the whole (-whole +paged):\n%s", diff)
		}
		prev := last.link("prev")
		if prev == "" {
			t.Fatal("last page has no prev link")
		}
		u, _ := url.Parse(prev)
		back := decode[items](t, get(t, srv, u.RequestURI()))
		if diff := cmp.Diff(all.ids()[35:40], back.ids()); diff != "" {
			t.Errorf("prev page (-want +got):\n%s", diff)
		}
		if first := decode[items](t, get(t, srv, "/ogc/collections/old-communities/items?limit=5&district=610117")); first.link("prev") != "" {
			t.Error("first page has a prev link")
		}
	})
}

func TestLimitIsClamped(t *testing.T) {
	srv := newServer(t, memstore.New(storetest.Dataset(t)))
	it := decode[items](t, get(t, srv, "/ogc/collections/old-communities/items?limit=20000"))
	if it.NumberReturned != 74 {
		t.Errorf("returned %d", it.NumberReturned)
	}
	self, _ := url.Parse(it.link("self"))
	if self.Query().Get("limit") != "10000" {
		t.Errorf("self link limit %s, want the clamped 10000", self.Query().Get("limit"))
	}
	def := decode[items](t, get(t, srv, "/ogc/collections/schools/items"))
	if def.NumberReturned > 100 {
		t.Errorf("default page has %d features, want at most 100", def.NumberReturned)
	}
}

func TestETagRoundTrip(t *testing.T) {
	forEachStore(t, func(t *testing.T, srv *httptest.Server) {
		for _, enc := range []string{"identity", "gzip"} {
			path := "/ogc/collections/intersections/items?asof=2024-09-01"
			r := get(t, srv, path, "Accept-Encoding", enc)
			tag := r.header.Get("ETag")
			if r.status != 200 || !strings.HasPrefix(tag, `"`) || strings.HasPrefix(tag, "W/") {
				t.Fatalf("%s: status %d, ETag %q: want a strong ETag", enc, r.status, tag)
			}
			if r.header.Get("Cache-Control") == "" {
				t.Errorf("%s: no Cache-Control", enc)
			}
			if enc == "gzip" && r.header.Get("Content-Encoding") != "gzip" {
				t.Errorf("gzip was asked for but not given")
			}
			again := get(t, srv, path, "Accept-Encoding", enc, "If-None-Match", tag)
			if again.status != http.StatusNotModified || len(again.body) != 0 {
				t.Errorf("%s: If-None-Match gave %d with %d bytes, want 304 and none", enc, again.status, len(again.body))
			}
			other := get(t, srv, "/ogc/collections/intersections/items?asof=2024-12-31", "Accept-Encoding", enc, "If-None-Match", tag)
			if other.status != 200 {
				t.Errorf("%s: a different date matched the old ETag", enc)
			}
		}
	})
}

func TestCORS(t *testing.T) {
	srv := newServer(t, memstore.New(storetest.Dataset(t)))
	r := get(t, srv, "/ogc/collections", "Origin", "https://news.example")
	if got := r.header.Get("Access-Control-Allow-Origin"); got != "*" {
		t.Errorf("Access-Control-Allow-Origin %q, want *", got)
	}
}

// TestProgressFollowsTheDate: the planned state follows the schedule;
// with no report the tracking status stays unreported on every date.
func TestProgressFollowsTheDate(t *testing.T) {
	forEachStore(t, func(t *testing.T, srv *httptest.Server) {
		tests := []struct {
			asof    string
			planned domain.PlanStatus
			value   float64
		}{
			{"2023-12-31", "not_due", 0},
			{"2024-03-31", "under_way", 1150.0 / 4700},
			{"2024-12-31", "due", 1},
		}
		for _, tt := range tests {
			doc := decode[projectResponse](t, get(t, srv, "/api/projects/4?asof="+tt.asof))
			found := false
			for _, s := range doc.Project.Schedules {
				if s.ID == "charging-piles" {
					found = true
					if s.Planned.Status != tt.planned || abs(s.Planned.Planned-tt.value) > 1e-4 {
						t.Errorf("%s: piles planned %+v, want %s %.4f", tt.asof, s.Planned, tt.planned, tt.value)
					}
					if s.Status != "unreported" || s.Reported != nil || s.Due != "2024-12-31" {
						t.Errorf("%s: piles status %s reported %v due %s, want unreported, none, 2024-12-31", tt.asof, s.Status, s.Reported, s.Due)
					}
				}
			}
			if !found {
				t.Errorf("no charging-piles schedule")
			}
			if doc.Project.Status != "unreported" || doc.Project.Reported != nil {
				t.Errorf("%s: project status %s reported %v", tt.asof, doc.Project.Status, doc.Project.Reported)
			}
		}
	})
}

type projectResponse struct {
	Project struct {
		Status    string           `json:"status"`
		Planned   domain.Progress  `json:"planned"`
		Reported  *json.RawMessage `json:"reported"`
		Schedules []struct {
			ID       string           `json:"id"`
			Planned  domain.Progress  `json:"planned"`
			Due      string           `json:"due"`
			Status   string           `json:"status"`
			Reported *json.RawMessage `json:"reported"`
		} `json:"schedules"`
	} `json:"project"`
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

// TestGolden pins whole responses; refresh with go test ./internal/api -update.
func TestGolden(t *testing.T) {
	forEachStore(t, func(t *testing.T, srv *httptest.Server) {
		tests := []struct{ name, path string }{
			{"intersections-2024-09-01", "/ogc/collections/intersections/items?asof=2024-09-01"},
			{"housing-delivery-2024-04-30", "/ogc/collections/housing-delivery/items?asof=2024-04-30&limit=3"},
			{"project-04-2024-07-01", "/api/projects/4?asof=2024-07-01"},
			{"conformance", "/ogc/conformance"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := get(t, srv, tt.path)
				matchJSONGolden(t, tt.name+".golden.json", r.body, srv.URL, "")
			})
		}
	})
}

func TestCSVDownload(t *testing.T) {
	forEachStore(t, func(t *testing.T, srv *httptest.Server) {
		r := get(t, srv, "/ogc/collections/old-communities/items?f=csv&district=610115&asof=2024-12-31")
		if r.status != 200 || r.header.Get("Content-Type") != "text/csv; charset=utf-8" {
			t.Fatalf("status %d, type %q", r.status, r.header.Get("Content-Type"))
		}
		if !strings.Contains(r.header.Get("Content-Disposition"), `filename="old-communities-2024-12-31.csv"`) {
			t.Errorf("Content-Disposition %q", r.header.Get("Content-Disposition"))
		}
		body := strings.TrimPrefix(string(r.body), "\ufeff")
		rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 17 {
			t.Fatalf("%d rows, want a header and 16 临潼 communities", len(rows))
		}
		col := map[string]int{}
		for i, h := range rows[0] {
			col[h] = i
		}
		found := false
		for _, row := range rows[1:] {
			if row[col["name"]] == "任韩小区" {
				found = true
				if row[col["status"]] != "unreported" || row[col["planned_status"]] != "due" || row[col["planned"]] != "1" ||
					row[col["reported"]] != "" || row[col["precision"]] == "" || row[col["lon"]] == "" {
					t.Errorf("任韩小区 row %v", row)
				}
			}
		}
		if !found {
			t.Error("任韩小区 not in the CSV")
		}
	})
}

// TestCoverage is the planners' table: quotas per district and per
// 100,000 residents, as JSON and CSV.
func TestCoverage(t *testing.T) {
	forEachStore(t, func(t *testing.T, srv *httptest.Server) {
		doc := decode[struct {
			Metrics []struct{ Layer string } `json:"metrics"`
			Rows    []struct {
				Recipient string `json:"recipient"`
				Values    map[string]struct {
					Quantity float64  `json:"quantity"`
					Per100k  *float64 `json:"per_100k"`
				} `json:"values"`
			} `json:"rows"`
		}](t, get(t, srv, "/api/coverage"))
		if len(doc.Rows) != 20 || len(doc.Metrics) < 9 {
			t.Fatalf("%d rows and %d metrics, want 13 districts + 7 zones and every quota layer", len(doc.Rows), len(doc.Metrics))
		}
		var circles float64
		for _, r := range doc.Rows {
			v := r.Values["service-circles"]
			circles += v.Quantity
			if r.Recipient == "610102" && (v.Quantity != 4 || v.Per100k == nil || *v.Per100k != 0.647) {
				t.Errorf("新城区 circles %+v, want 4 and 0.647 per 100k (617,986 residents)", v)
			}
			if r.Recipient == "gaoxin" && v.Per100k != nil {
				t.Errorf("a zone has no population, yet per_100k = %v", *v.Per100k)
			}
		}
		if circles != 42 {
			t.Errorf("circles add up to %g, want 42", circles)
		}
		r := get(t, srv, "/api/coverage?f=csv")
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(r.body), "\ufeff"))).ReadAll()
		if err != nil || len(rows) != 21 {
			t.Fatalf("CSV: %d rows, %v", len(rows), err)
		}
		if r := get(t, srv, "/api/coverage?f=pdf"); r.status != 400 {
			t.Errorf("f=pdf: %d", r.status)
		}
	})
}

func TestHEAD(t *testing.T) {
	forEachStore(t, func(t *testing.T, srv *httptest.Server) {
		for _, path := range []string{"/healthz", "/ogc", "/ogc/collections/intersections/items", "/api/projects", "/"} {
			req, _ := http.NewRequest(http.MethodHead, srv.URL+path, nil)
			res, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != 200 || len(body) != 0 {
				t.Errorf("HEAD %s: %d with %d bytes, want 200 and none", path, res.StatusCode, len(body))
			}
			if path != "/healthz" && res.Header.Get("ETag") == "" {
				t.Errorf("HEAD %s: no ETag", path)
			}
		}
		req, _ := http.NewRequest(http.MethodHead, srv.URL+"/ogc/collections/nowhere", nil)
		if res, err := srv.Client().Do(req); err != nil || res.StatusCode != 404 {
			t.Errorf("HEAD of an unknown collection: %v %v", res, err)
		}
	})
}

// TestDataQualityDescribesTheStore: the report served equals the one
// "projectmap data summary" prints for the geodata the store was loaded from.
func TestDataQualityDescribesTheStore(t *testing.T) {
	want, err := json.Marshal(dataset.Summarize(storetest.Dataset(t).Latest()))
	if err != nil {
		t.Fatal(err)
	}
	forEachStore(t, func(t *testing.T, srv *httptest.Server) {
		r := get(t, srv, "/api/data-quality")
		var got, exp any
		json.Unmarshal(r.body, &got)
		json.Unmarshal(want, &exp)
		if diff := cmp.Diff(exp, got); diff != "" {
			t.Errorf("data-quality differs from data summary (-summary +served):\n%s", diff)
		}
	})
}

// TestNearest is the planners' "how far to the nearest metro station?".
func TestNearest(t *testing.T) {
	forEachStore(t, func(t *testing.T, srv *httptest.Server) {
		doc := decode[struct {
			Rows []struct {
				ID       string  `json:"id"`
				Nearest  string  `json:"nearest"`
				Meters   float64 `json:"meters"`
				Within   bool    `json:"within_15_min_walk"`
				Reliable bool    `json:"reliable"`
			} `json:"rows"`
		}](t, get(t, srv, "/api/nearest?from=intersections&to=metro-stations"))
		if len(doc.Rows) != 16 {
			t.Fatalf("%d rows, want one per intersection", len(doc.Rows))
		}
		for _, r := range doc.Rows {
			if r.Nearest == "" || r.Meters < 0 || r.Meters > 60000 || r.Within != (r.Meters <= 1200) {
				t.Errorf("row %+v", r)
			}
		}
		for path, status := range map[string]int{
			"/api/nearest?from=old-communities":                         400,
			"/api/nearest?from=nowhere&to=metro-stations":               400,
			"/api/nearest?from=old-communities&to=metro-stations&f=csv": 200,
		} {
			if r := get(t, srv, path); r.status != status {
				t.Errorf("%s: %d, want %d", path, r.status, status)
			}
		}
	})
}

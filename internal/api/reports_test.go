package api_test

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestReportsQueries files a small ledger and reads it back through every
// filter, paged, newest first.
func TestReportsQueries(t *testing.T) {
	forEachWritable(t, func(t *testing.T, ls *ledgerServer) {
		ls.mustFile(t, "editor",
			map[string]any{"project": 4, "schedule": "charging-piles", "reported_on": "2024-06-30", "quantity": 2300, "source": "六月台账"},
			map[string]any{"project": 4, "schedule": "charging-piles", "reported_on": "2024-09-30", "quantity": 3500, "source": "九月台账"},
			map[string]any{"project": 4, "schedule": "parking", "reported_on": "2024-09-30", "milestone": 3, "source": "九月台账"},
			map[string]any{"project": 1, "schedule": "line-8", "reported_on": "2024-08-31", "milestone": 7, "source": "市轨道集团"},
			map[string]any{"site": "metro-station-beichen-east-rd", "reported_on": "2024-09-15", "status": "in_progress", "fraction": 0.8, "source": "车站"},
			map[string]any{"site": "old-community-lintong-renhan", "reported_on": "2024-10-01", "status": "completed", "source": "通报"},
		)
		tests := []struct {
			query string
			ids   []string // "schedule|site|reported_on" of each report: newest first, ties by the later filed
		}{
			{"", []string{"|old-community-lintong-renhan|2024-10-01", "parking||2024-09-30", "charging-piles||2024-09-30", "|metro-station-beichen-east-rd|2024-09-15", "line-8||2024-08-31", "charging-piles||2024-06-30"}},
			{"?project=4", []string{"parking||2024-09-30", "charging-piles||2024-09-30", "charging-piles||2024-06-30"}},
			{"?project=4&schedule=charging-piles", []string{"charging-piles||2024-09-30", "charging-piles||2024-06-30"}},
			{"?schedule=line-8", []string{"line-8||2024-08-31"}},
			{"?site=metro-station-beichen-east-rd", []string{"|metro-station-beichen-east-rd|2024-09-15", "line-8||2024-08-31"}},
			{"?site=old-community-baqiao-dianchangyiqu", nil},
			{"?since=2024-09-01", []string{"|old-community-lintong-renhan|2024-10-01", "parking||2024-09-30", "charging-piles||2024-09-30", "|metro-station-beichen-east-rd|2024-09-15"}},
			{"?until=2024-08-31", []string{"line-8||2024-08-31", "charging-piles||2024-06-30"}},
			{"?since=2024-09-30&until=2024-09-30", []string{"parking||2024-09-30", "charging-piles||2024-09-30"}},
			{"?project=15&since=2024-11-01", nil},
		}
		for _, tt := range tests {
			t.Run(tt.query, func(t *testing.T) {
				r := get(t, ls.Server, "/api/reports"+tt.query)
				if r.status != 200 || r.header.Get("Cache-Control") != "no-cache" {
					t.Fatalf("status %d, Cache-Control %q: %s", r.status, r.header.Get("Cache-Control"), r.body)
				}
				page := decode[reportList](t, r)
				var got []string
				for _, rep := range page.Reports {
					got = append(got, rep.Schedule+"|"+rep.Site+"|"+rep.ReportedOn.String())
				}
				if strings.Join(got, " ") != strings.Join(tt.ids, " ") || page.NumberMatched != len(tt.ids) || page.NumberReturned != len(tt.ids) {
					t.Errorf("got %v (matched %d), want %v", got, page.NumberMatched, tt.ids)
				}
			})
		}
		// Paging: two at a time, following next links to the end.
		var seen []int64
		next := "/api/reports?limit=2"
		for pages := 0; next != ""; pages++ {
			if pages > 5 {
				t.Fatal("paging does not end")
			}
			page := decode[reportList](t, get(t, ls.Server, next))
			if page.NumberMatched != 6 || (pages > 0) != hasRel(page, "prev") {
				t.Errorf("page %d: matched %d, prev link %v", pages, page.NumberMatched, hasRel(page, "prev"))
			}
			for _, r := range page.Reports {
				seen = append(seen, r.ID)
			}
			next = ""
			for _, l := range page.Links {
				if l.Rel == "next" {
					u, _ := url.Parse(l.Href)
					next = u.RequestURI()
				}
			}
		}
		all := decode[reportList](t, get(t, ls.Server, "/api/reports"))
		if len(seen) != 6 {
			t.Fatalf("paging saw %d reports", len(seen))
		}
		for i, r := range all.Reports {
			if seen[i] != r.ID {
				t.Errorf("paged order differs at %d: %v", i, seen)
			}
		}
	})
}

func hasRel(p reportList, rel string) bool {
	for _, l := range p.Links {
		if l.Rel == rel {
			return true
		}
	}
	return false
}

// TestReportsBadInput: every bad parameter is a 400 naming it.
func TestReportsBadInput(t *testing.T) {
	forEachStore(t, func(t *testing.T, srv *httptest.Server) {
		tests := []struct {
			path   string
			status int
			param  string
		}{
			{"/api/reports?project=99", 400, "project"},
			{"/api/reports?project=four", 400, "project"},
			{"/api/reports?schedule=ballet", 400, "schedule"},
			{"/api/reports?project=4&schedule=line-8", 400, "schedule"},
			{"/api/reports?site=nowhere", 400, "site"},
			{"/api/reports?site=metro-station-beichen-east-rd&project=4", 400, "site"},
			{"/api/reports?since=2024-13-01", 400, "since"},
			{"/api/reports?until=yesterday", 400, "until"},
			{"/api/reports?since=2024-10-01&until=2024-09-01", 400, "until"},
			{"/api/reports?limit=0", 400, "limit"},
			{"/api/reports?offset=-1", 400, "offset"},
			{"/api/reports?colour=red", 400, "colour"},
			{"/api/reports?plan=nope", 400, "plan"},
			{"/api/reports?f=csv", 400, "f"},
			{"/api/reports/abc", 400, "id"},
			{"/api/reports/0", 400, "id"},
			{"/api/reports/999999", 404, ""},
			{"/api/reports.atom?project=99", 400, "project"},
			{"/api/reports.atom?since=2024-01-01", 400, "since"},
			{"/api/audit", 401, ""},
			{"/api/tokens", 401, ""},
		}
		for _, tt := range tests {
			t.Run(tt.path, func(t *testing.T) {
				r := get(t, srv, tt.path)
				if r.status != tt.status {
					t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
				}
				e := decode[errorResponse](t, r)
				if e.Code == "" || e.Message == "" || e.Param != tt.param {
					t.Errorf("error %+v, want param %q", e, tt.param)
				}
			})
		}
	})
}

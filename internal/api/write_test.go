package api_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"projectmap/internal/api"
)

// TestFileOneReport files a JSON report and reads it back.
func TestFileOneReport(t *testing.T) {
	forEachWritable(t, func(t *testing.T, ls *ledgerServer) {
		r := ls.file(t, "reporter4", `{"project":4,"schedule":"charging-piles","reported_on":"2024-09-30","quantity":3200,
			"source":"市发改委 2024年9月工作台账","evidence_url":"https://fgw.xa.gov.cn/a.html","note":"累计"}`)
		if r.status != http.StatusCreated {
			t.Fatalf("status %d: %s", r.status, r.body)
		}
		reps := decode[filed](t, r).Reports
		if len(reps) != 1 {
			t.Fatalf("%d reports", len(reps))
		}
		rep := reps[0]
		if rep.ID == 0 || rep.ReportedBy != "reporter4" || rep.Status != "in_progress" || abs(rep.Progress-3200.0/4700) > 1e-9 || rep.Metric != "charging_piles" {
			t.Errorf("report %+v", rep)
		}
		loc := r.header.Get("Location")
		if !strings.HasSuffix(loc, "/api/reports/"+itoa(rep.ID)) {
			t.Errorf("Location %q", loc)
		}
		if r.header.Get("ETag") != "" || r.header.Get("Cache-Control") != "no-store" || r.header.Get("Idempotent-Replayed") != "" {
			t.Errorf("a write's headers: ETag %q Cache-Control %q Replayed %q", r.header.Get("ETag"), r.header.Get("Cache-Control"), r.header.Get("Idempotent-Replayed"))
		}
		if r.header.Get("X-Request-ID") == "" {
			t.Error("no X-Request-ID")
		}
		back := get(t, ls.Server, strings.TrimPrefix(loc, ls.URL))
		if back.status != 200 || back.header.Get("Cache-Control") != "no-cache" {
			t.Fatalf("GET %s: %d %s", loc, back.status, back.body)
		}
		if got := decode[struct {
			ID         int64  `json:"id"`
			Source     string `json:"source"`
			ReportedBy string `json:"reported_by"`
		}](t, back); got.ID != rep.ID || got.Source != "市发改委 2024年9月工作台账" || got.ReportedBy != "reporter4" {
			t.Errorf("read back %+v", got)
		}
	})
}

// TestFileBadInput: every field invalid in turn, each a 422 naming it, or
// a 400/413/415 for a body that is not a report at all; nothing is filed.
// A quantity above the target is allowed and flagged.
func TestFileBadInput(t *testing.T) {
	forEachWritable(t, func(t *testing.T, ls *ledgerServer) {
		ok := `"project":23,"reported_on":"2024-06-30","source":"市文旅局 月报"`
		tests := []struct {
			name, contentType, body string
			headers                 []string
			status                  int
			param                   string
		}{
			{"no project", "", `{"reported_on":"2024-06-30","fraction":0.5,"source":"x"}`, nil, 422, "[0].project"},
			{"unknown project", "", `{"project":99,"reported_on":"2024-06-30","fraction":0.5,"source":"x"}`, nil, 422, "[0].project"},
			{"unknown schedule", "", `{` + ok + `,"schedule":"ballet","fraction":0.5}`, nil, 422, "[0].schedule"},
			{"unknown site", "", `{"site":"nowhere","reported_on":"2024-06-30","status":"completed","source":"x"}`, nil, 422, "[0].site"},
			{"base site", "", `{"site":"district-610102","reported_on":"2024-06-30","status":"completed","source":"x"}`, nil, 422, "[0].site"},
			{"site and schedule", "", `{"site":"old-community-lintong-renhan","schedule":"old-communities","reported_on":"2024-06-30","status":"completed","source":"x"}`, nil, 422, "[0].schedule"},
			{"no date", "", `{"project":23,"fraction":0.5,"source":"x"}`, nil, 422, "[0].reported_on"},
			{"bad date", "", `{"project":23,"reported_on":"30/06/2024","fraction":0.5,"source":"x"}`, nil, 422, "[0].reported_on"},
			{"future date", "", `{"project":23,"reported_on":"2024-11-21","fraction":0.5,"source":"x"}`, nil, 422, "[0].reported_on"},
			{"before the plan year", "", `{"project":23,"reported_on":"2023-12-31","fraction":0.5,"source":"x"}`, nil, 422, "[0].reported_on"},
			{"two measures", "", `{` + ok + `,"fraction":0.5,"quantity":500}`, nil, 422, "[0].quantity"},
			{"negative quantity", "", `{` + ok + `,"quantity":-1}`, nil, 422, "[0].quantity"},
			{"fraction above 1", "", `{` + ok + `,"fraction":1.5}`, nil, 422, "[0].fraction"},
			{"milestone out of range", "", `{` + ok + `,"milestone":9}`, nil, 422, "[0].milestone"},
			{"no measure", "", `{` + ok + `}`, nil, 422, "[0].quantity"},
			{"unknown status", "", `{` + ok + `,"status":"done"}`, nil, 422, "[0].status"},
			{"contradicting status", "", `{` + ok + `,"fraction":0.5,"status":"completed"}`, nil, 422, "[0].status"},
			{"no source", "", `{"project":23,"reported_on":"2024-06-30","fraction":0.5}`, nil, 422, "[0].source"},
			{"source too long", "", `{"project":23,"reported_on":"2024-06-30","fraction":0.5,"source":"` + strings.Repeat("长", 1001) + `"}`, nil, 422, "[0].source"},
			{"control character", "", `{"project":23,"reported_on":"2024-06-30","fraction":0.5,"source":"a\u0007b"}`, nil, 422, "[0].source"},
			{"bad evidence url", "", `{` + ok + `,"fraction":0.5,"evidence_url":"javascript:alert(1)"}`, nil, 422, "[0].evidence_url"},
			{"reporter in the body", "", `{` + ok + `,"fraction":0.5,"reported_by":"someone else"}`, nil, 422, "reported_by"},
			{"wrong type", "", `{` + ok + `,"fraction":"half"}`, nil, 422, "fraction"},
			{"empty array", "", `[]`, nil, 422, "reports"},
			{"malformed JSON", "", `{"project":23,`, nil, 400, "body"},
			{"empty body", "", ``, nil, 400, "body"},
			{"bad Idempotency-Key", "", `{` + ok + `,"fraction":0.5}`, []string{"Idempotency-Key", "a key with spaces"}, 400, "Idempotency-Key"},
			{"unknown parameter", "", `{` + ok + `,"fraction":0.5}`, nil, 400, ""},
			{"form body", "application/x-www-form-urlencoded", `project=23`, nil, 415, ""},
			{"no Content-Type", "-", `{` + ok + `,"fraction":0.5}`, nil, 415, ""},
			{"GBK CSV", "text/csv; charset=gbk", "project,reported_on,source\n", nil, 415, ""},
			{"too large", "text/csv", "project,reported_on,fraction,source\n" + strings.Repeat("23,2024-06-30,0.5,"+strings.Repeat("x", 900)+"\n", 6000), nil, 413, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ct := tt.contentType
				switch ct {
				case "":
					ct = "application/json"
				case "-":
					ct = ""
				}
				path := "/api/reports"
				if tt.name == "unknown parameter" {
					path += "?colour=red"
				}
				h := append([]string{"Authorization", "Bearer " + ls.secrets["editor"]}, tt.headers...)
				if ct != "" {
					h = append(h, "Content-Type", ct)
				}
				r := do(t, ls.Server, http.MethodPost, path, tt.body, h...)
				if r.status != tt.status {
					t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
				}
				e := decode[errorResponse](t, r)
				if e.Code == "" || e.Message == "" {
					t.Errorf("error body %s", r.body)
				}
				if tt.param != "" && e.Param != tt.param {
					t.Errorf("param %q, want %q (%s)", e.Param, tt.param, e.Message)
				}
				if tt.status == 422 && (e.Code != "unprocessable" || len(e.Errors) == 0 || e.Errors[0].Message == "") {
					t.Errorf("a 422 lists its problems: %s", r.body)
				}
			})
		}
		if n := ls.reportCount(t); n != 0 {
			t.Errorf("%d reports filed by bad requests", n)
		}
		// A quantity above the target is kept as reported and flagged.
		over := ls.file(t, "editor", `{"project":4,"schedule":"charging-piles","reported_on":"2024-10-31","quantity":5100,"source":"台账"}`)
		if over.status != 201 {
			t.Fatalf("quantity above the target: %d %s", over.status, over.body)
		}
		if rep := decode[filed](t, over).Reports[0]; !rep.ExceedsTarget || rep.Progress != 1 || *rep.Quantity != 5100 || rep.Status != "completed" {
			t.Errorf("quantity above the target: %+v", rep)
		}
	})
}

// TestFileLedgerCSV files a monthly ledger, all or nothing.
func TestFileLedgerCSV(t *testing.T) {
	forEachWritable(t, func(t *testing.T, ls *ledgerServer) {
		h := []string{"Content-Type", "text/csv; charset=utf-8", "Authorization", "Bearer " + ls.secrets["editor"]}
		bad := "\ufeff项目,进度计划,点位,报告日期,数量,比例,状态,来源\n" +
			"4,charging-piles,,2024-09-30,3200,,,市发改委台账\n" +
			"4,charging-piles,,2024-12-30,3300,,,市发改委台账\n" + // future
			"15,,old-community-lintong-renhan,2024-10-01,,,completed,\n" + // no source
			"x,,,2024-10-01,,0.5,,月报\n" + // not a project number
			"23,,,2024-10-01,,0.5,,月报\n"
		r := do(t, ls.Server, http.MethodPost, "/api/reports", bad, h...)
		if r.status != 422 {
			t.Fatalf("bad ledger: %d %s", r.status, r.body)
		}
		e := decode[errorResponse](t, r)
		var lines []int
		for _, p := range e.Errors {
			lines = append(lines, p.Line)
		}
		if len(lines) != 3 || lines[0] != 3 || lines[1] != 4 || lines[2] != 5 || e.Errors[1].Field != "source" {
			t.Errorf("problems at lines %v (%s), want 3, 4 and 5", lines, r.body)
		}
		if !strings.HasPrefix(e.Param, "line ") {
			t.Errorf("param %q does not name the line", e.Param)
		}
		if n := ls.reportCount(t); n != 0 {
			t.Fatalf("a bad ledger filed %d reports; it must file none", n)
		}
		good := "project,schedule,site,reported_on,quantity,fraction,status,source,note\r\n" +
			"4,charging-piles,,2024-09-30,\"3,200\",,,市发改委台账,\r\n" +
			"15,,old-community-lintong-renhan,2024-10-01,,,completed,临潼区住建局通报,\"多行\n备注\"\r\n" +
			"23,,,2024-10-01,,80%,,月报,\r\n"
		r = do(t, ls.Server, http.MethodPost, "/api/reports", good, h...)
		if r.status != 201 {
			t.Fatalf("good ledger: %d %s", r.status, r.body)
		}
		reps := decode[filed](t, r).Reports
		if len(reps) != 3 || reps[1].Site != "old-community-lintong-renhan" || reps[2].Fraction == nil || *reps[2].Fraction != 0.8 || reps[1].Note != "多行\n备注" {
			t.Errorf("filed %+v", reps)
		}
		if r.header.Get("Location") != "" {
			t.Errorf("Location %q for several reports", r.header.Get("Location"))
		}
		if n := ls.reportCount(t); n != 3 {
			t.Errorf("%d reports after the ledger, want 3", n)
		}
	})
}

// TestBodyLimitWithoutLength: a chunked body is cut off at the limit too.
func TestBodyLimitWithoutLength(t *testing.T) {
	small := func(c *api.Config) { c.MaxBody = 1024 }
	forEachWritable(t, func(t *testing.T, ls *ledgerServer) {
		body := io.MultiReader(strings.NewReader("project,reported_on,fraction,source\n"), strings.NewReader(strings.Repeat("23,2024-06-30,0.5,月报\n", 200)))
		req, err := http.NewRequest(http.MethodPost, ls.URL+"/api/reports", body)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "text/csv")
		req.Header.Set("Authorization", "Bearer "+ls.secrets["editor"])
		res, err := ls.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if req.ContentLength > 0 || res.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("length %d: status %d, want 413", req.ContentLength, res.StatusCode)
		}
		if n := ls.reportCount(t); n != 0 {
			t.Errorf("%d reports filed", n)
		}
	}, small)
}

// TestConcurrentWriters: 50 clients filing at once, each retrying once
// with its key, lose nothing and file nothing twice.
func TestConcurrentWriters(t *testing.T) {
	forEachWritable(t, func(t *testing.T, ls *ledgerServer) {
		const writers = 50
		ids := make([][2]int64, writers)
		var wg sync.WaitGroup
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				body := fmt.Sprintf(`{"project":23,"reported_on":"2024-09-30","fraction":%g,"source":"月报 %d"}`, float64(i)/100, i)
				key := fmt.Sprintf("writer-%d", i)
				for try := range 2 {
					r := ls.file(t, "editor", body, "Idempotency-Key", key)
					if r.status != 201 {
						t.Errorf("writer %d try %d: %d %s", i, try, r.status, r.body)
						return
					}
					var f filed
					if err := json.Unmarshal(r.body, &f); err != nil || len(f.Reports) != 1 {
						t.Errorf("writer %d: %s", i, r.body)
						return
					}
					ids[i][try] = f.Reports[0].ID
				}
			}()
		}
		wg.Wait()
		seen := map[int64]bool{}
		for i, pair := range ids {
			if pair[0] == 0 || pair[0] != pair[1] || seen[pair[0]] {
				t.Errorf("writer %d got ids %v", i, pair)
			}
			seen[pair[0]] = true
		}
		if n := ls.reportCount(t); n != writers {
			t.Errorf("%d reports, want %d", n, writers)
		}
	})
}

package api_test

import (
	"net/http"
	"strings"
	"testing"

	"projectmap/internal/api"
	"projectmap/internal/storetest"
)

// TestAuthMatrix: filing and retracting need a live token in scope.
func TestAuthMatrix(t *testing.T) {
	forEachWritable(t, func(t *testing.T, ls *ledgerServer) {
		target := ls.mustFile(t, "editor", map[string]any{"project": 4, "schedule": "charging-piles", "reported_on": "2024-09-30", "quantity": 3200, "source": "台账"})[0]
		body := `{"project":4,"schedule":"charging-piles","reported_on":"2024-10-31","quantity":3900,"source":"台账"}`
		tests := []struct {
			name          string
			authorization string
			status        int
		}{
			{"none", "", 401},
			{"not bearer", "Basic " + "dXNlcjpwYXNz", 401},
			{"empty bearer", "Bearer ", 401},
			{"bad", "Bearer pm_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 401},
			{"garbage", "Bearer letmein", 401},
			{"revoked", "Bearer " + ls.secrets["revoked"], 401},
			{"out of scope", "Bearer " + ls.secrets["reporter15"], 403},
			{"in scope, lower-case scheme", "bearer " + ls.secrets["reporter4"], 201},
			{"in scope", "Bearer " + ls.secrets["reporter4"], 201},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				h := []string{"Content-Type", "application/json"}
				if tt.authorization != "" {
					h = append(h, "Authorization", tt.authorization)
				}
				check := func(what string, r response, want int) {
					t.Helper()
					if r.status != want {
						t.Fatalf("%s: status %d, want %d: %s", what, r.status, want, r.body)
					}
					if want == 401 {
						if ch := r.header.Get("WWW-Authenticate"); !strings.HasPrefix(ch, "Bearer") {
							t.Errorf("%s: WWW-Authenticate %q", what, ch)
						}
						if e := decode[errorResponse](t, r); e.Code != "unauthorized" {
							t.Errorf("%s: code %q", what, e.Code)
						}
					}
					if want == 403 {
						if e := decode[errorResponse](t, r); e.Code != "forbidden" {
							t.Errorf("%s: code %q", what, e.Code)
						}
					}
				}
				check("file", do(t, ls.Server, http.MethodPost, "/api/reports", body, h...), tt.status)
				// The retraction comes last: once in scope, it succeeds once.
				if tt.name == "in scope, lower-case scheme" {
					return
				}
				check("retract", do(t, ls.Server, http.MethodPost, "/api/reports/"+itoa(target.ID)+"/retract", `{"reason":"wrong figure"}`, h...), tt.status)
			})
		}
		if n := ls.reportCount(t); n != 3 {
			t.Errorf("%d reports, want the first and the two filed in scope", n)
		}
	})
}

// TestIdempotentRetries: a retry with the same key files nothing new.
func TestIdempotentRetries(t *testing.T) {
	forEachWritable(t, func(t *testing.T, ls *ledgerServer) {
		body := `[{"project":4,"schedule":"charging-piles","reported_on":"2024-09-30","quantity":3200,"source":"台账"},
			{"project":23,"reported_on":"2024-09-30","fraction":0.9,"source":"月报"}]`
		first := ls.file(t, "editor", body, "Idempotency-Key", "ledger-2024-09")
		if first.status != 201 || first.header.Get("Idempotent-Replayed") != "" {
			t.Fatalf("first: %d %v %s", first.status, first.header, first.body)
		}
		want := decode[filed](t, first).Reports
		for i := range 3 {
			again := ls.file(t, "editor", body, "Idempotency-Key", "ledger-2024-09")
			if again.status != 201 || again.header.Get("Idempotent-Replayed") != "true" {
				t.Fatalf("retry %d: %d %v %s", i, again.status, again.header, again.body)
			}
			got := decode[filed](t, again).Reports
			if len(got) != 2 || got[0].ID != want[0].ID || got[1].ID != want[1].ID {
				t.Errorf("retry %d gave %+v, want the first filing's reports", i, got)
			}
		}
		if n := ls.reportCount(t); n != 2 {
			t.Errorf("%d reports after retries, want 2", n)
		}
		other := ls.file(t, "editor", strings.Replace(body, "3200", "3300", 1), "Idempotency-Key", "ledger-2024-09")
		if other.status != 422 {
			t.Errorf("same key, other body: %d %s, want 422", other.status, other.body)
		}
		// Keys belong to their token: another token's same key is its own.
		mine := ls.file(t, "reporter4", `{"project":4,"schedule":"charging-piles","reported_on":"2024-10-31","quantity":3900,"source":"台账"}`, "Idempotency-Key", "ledger-2024-09")
		if mine.status != 201 || mine.header.Get("Idempotent-Replayed") != "" {
			t.Errorf("another token's key: %d %s", mine.status, mine.body)
		}
		// Without a key, the same body files again: a retry needs a key.
		if r := ls.file(t, "editor", body); r.status != 201 || ls.reportCount(t) != 5 {
			t.Errorf("without a key: %d, %d reports", r.status, ls.reportCount(t))
		}

		id := want[0].ID
		r1 := ls.retract(t, "editor", id, `{"reason":"double-counted"}`, "Idempotency-Key", "retract-1")
		r2 := ls.retract(t, "editor", id, `{"reason":"double-counted"}`, "Idempotency-Key", "retract-1")
		if r1.status != 201 || r2.status != 201 || r2.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("retract and retry: %d, %d %v %s", r1.status, r2.status, r2.header, r2.body)
		}
		type retracted struct {
			Retraction struct{ ID int64 } `json:"retraction"`
		}
		if a, b := decode[retracted](t, r1), decode[retracted](t, r2); a.Retraction.ID == 0 || a.Retraction.ID != b.Retraction.ID {
			t.Errorf("retraction ids %d and %d", a.Retraction.ID, b.Retraction.ID)
		}
		// The same key on another report is another request: refused.
		if r := ls.retract(t, "editor", want[1].ID, `{"reason":"double-counted"}`, "Idempotency-Key", "retract-1"); r.status != 422 {
			t.Errorf("a retraction key reused on another report: %d %s", r.status, r.body)
		}
	})
}

// TestRetract: a retraction is a new record; the report stays, marked.
func TestRetract(t *testing.T) {
	forEachWritable(t, func(t *testing.T, ls *ledgerServer) {
		rep := ls.mustFile(t, "reporter4", map[string]any{"project": 4, "schedule": "charging-piles", "reported_on": "2024-09-30", "quantity": 3200, "source": "台账"})[0]
		tests := []struct {
			name, path, body, contentType string
			status                        int
			param                         string
		}{
			{"no reason", "/api/reports/" + itoa(rep.ID) + "/retract", `{"reason":"  "}`, "application/json", 422, "reason"},
			{"empty body", "/api/reports/" + itoa(rep.ID) + "/retract", ``, "application/json", 400, "body"},
			{"unknown field", "/api/reports/" + itoa(rep.ID) + "/retract", `{"why":"x"}`, "application/json", 400, "why"},
			{"reason not text", "/api/reports/" + itoa(rep.ID) + "/retract", `{"reason":5}`, "application/json", 400, "reason"},
			{"not JSON", "/api/reports/" + itoa(rep.ID) + "/retract", `reason=x`, "text/plain", 415, ""},
			{"unknown report", "/api/reports/999999/retract", `{"reason":"x"}`, "application/json", 404, ""},
			{"bad id", "/api/reports/abc/retract", `{"reason":"x"}`, "application/json", 400, "id"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := do(t, ls.Server, http.MethodPost, tt.path, tt.body, "Content-Type", tt.contentType, "Authorization", "Bearer "+ls.secrets["reporter4"])
				if r.status != tt.status {
					t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
				}
				if e := decode[errorResponse](t, r); e.Param != tt.param {
					t.Errorf("param %q, want %q (%s)", e.Param, tt.param, e.Message)
				}
			})
		}
		r := ls.retract(t, "reporter4", rep.ID, `{"reason":"figure double-counted"}`)
		if r.status != 201 {
			t.Fatalf("retract: %d %s", r.status, r.body)
		}
		got := decode[struct {
			Retraction struct {
				Report      int64  `json:"report"`
				Reason      string `json:"reason"`
				RetractedBy string `json:"retracted_by"`
			} `json:"retraction"`
			Report struct {
				ID         int64           `json:"id"`
				Retraction *map[string]any `json:"retraction"`
			} `json:"report"`
		}](t, r)
		if got.Retraction.Report != rep.ID || got.Retraction.Reason != "figure double-counted" || got.Retraction.RetractedBy != "reporter4" || got.Report.ID != rep.ID || got.Report.Retraction == nil {
			t.Errorf("retraction response %s", r.body)
		}
		if again := ls.retract(t, "editor", rep.ID, `{"reason":"again"}`); again.status != 409 {
			t.Errorf("retracting twice: %d %s, want 409", again.status, again.body)
		}
		list := decode[reportList](t, get(t, ls.Server, "/api/reports"))
		if list.NumberMatched != 1 || list.Reports[0].Retraction == nil {
			t.Errorf("the retracted report is kept and marked: %+v", list)
		}
		// A retracted report speaks for nothing: the project is unreported again.
		doc := decode[projectResponse](t, get(t, ls.Server, "/api/projects/4?asof=2024-10-01"))
		if doc.Project.Status != "unreported" {
			t.Errorf("project 4 after the retraction: %s", doc.Project.Status)
		}
	})
}

// TestRateLimit: each token has its own budget of writes; beyond it 429.
func TestRateLimit(t *testing.T) {
	limited := func(c *api.Config) { c.WriteRate, c.WriteBurst = 0.5, 2 }
	forEachWritable(t, func(t *testing.T, ls *ledgerServer) {
		body := `{"project":23,"reported_on":"2024-09-30","fraction":0.9,"source":"月报"}`
		for i := range 2 {
			if r := ls.file(t, "editor", body); r.status != 201 {
				t.Fatalf("write %d: %d %s", i, r.status, r.body)
			}
		}
		r := ls.file(t, "editor", body)
		if r.status != 429 || r.header.Get("Retry-After") != "2" {
			t.Fatalf("third write: %d, Retry-After %q: %s", r.status, r.header.Get("Retry-After"), r.body)
		}
		if e := decode[errorResponse](t, r); e.Code != "rate_limited" {
			t.Errorf("code %q", e.Code)
		}
		if r := ls.file(t, "reporter3", body); r.status != 201 {
			t.Errorf("another token is limited too: %d %s", r.status, r.body)
		}
		// Reads are not limited.
		for range 5 {
			if r := get(t, ls.Server, "/api/reports"); r.status != 200 {
				t.Fatalf("read: %d", r.status)
			}
		}
		if n := ls.reportCount(t); n != 3 {
			t.Errorf("%d reports, want 3", n)
		}
	}, limited)
}

// TestCORSPreflight: another origin may write only with a bearer token.
func TestCORSPreflight(t *testing.T) {
	srv := newServer(t, storetest.Embedded(t))
	r := do(t, srv, http.MethodOptions, "/api/reports", "", "Origin", "https://newsroom.example",
		"Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization, content-type, idempotency-key")
	if r.status != http.StatusNoContent {
		t.Fatalf("preflight: %d", r.status)
	}
	for h, want := range map[string]string{"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "POST", "Access-Control-Allow-Headers": "Idempotency-Key"} {
		if got := r.header.Get(h); !strings.Contains(got, want) {
			t.Errorf("%s %q lacks %s", h, got, want)
		}
	}
	if got := r.header.Get("Access-Control-Allow-Credentials"); got != "" {
		t.Errorf("credentials allowed: %q", got)
	}
}

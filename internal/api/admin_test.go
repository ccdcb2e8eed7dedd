package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestAuditAndTokens: the audit and token management are for admins.
func TestAuditAndTokens(t *testing.T) {
	forEachWritable(t, func(t *testing.T, ls *ledgerServer) {
		admin := []string{"Authorization", "Bearer " + ls.secrets["admin"]}
		for _, path := range []string{"/api/audit", "/api/tokens"} {
			if r := get(t, ls.Server, path, "Authorization", "Bearer "+ls.secrets["editor"]); r.status != 403 {
				t.Errorf("%s as an editor: %d", path, r.status)
			}
			if r := get(t, ls.Server, path, "Authorization", "Bearer "+ls.secrets["revoked"]); r.status != 401 {
				t.Errorf("%s revoked: %d", path, r.status)
			}
			r := get(t, ls.Server, path, admin...)
			if r.status != 200 || r.header.Get("Cache-Control") != "no-store" {
				t.Errorf("%s as admin: %d, Cache-Control %q", path, r.status, r.header.Get("Cache-Control"))
			}
		}
		tokens := get(t, ls.Server, "/api/tokens", admin...)
		if strings.Contains(string(tokens.body), ls.secrets["editor"]) || strings.Contains(string(tokens.body), `"hash"`) || !strings.Contains(string(tokens.body), `"revoked_at"`) {
			t.Errorf("token list %s", tokens.body)
		}
		post := func(path, body string, h ...string) response {
			return do(t, ls.Server, http.MethodPost, path, body, append([]string{"Content-Type", "application/json"}, h...)...)
		}
		if r := post("/api/tokens", `{"name":"区住建局","role":"reporter","projects":[15]}`, "Authorization", "Bearer "+ls.secrets["editor"]); r.status != 403 {
			t.Errorf("an editor making a token: %d", r.status)
		}
		if r := post("/api/tokens", `{"name":"x","role":"boss"}`, admin...); r.status != 422 || decode[errorResponse](t, r).Param != "role" {
			t.Errorf("a bad role: %d %s", r.status, r.body)
		}
		r := post("/api/tokens", `{"name":"区住建局","role":"reporter","projects":[15]}`, admin...)
		if r.status != 201 || r.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("creating a token: %d %s", r.status, r.body)
		}
		made := decode[struct {
			Secret string `json:"secret"`
			Token  struct {
				ID string `json:"id"`
			} `json:"token"`
		}](t, r)
		h := []string{"Authorization", "Bearer " + made.Secret}
		body := `{"site":"old-community-lintong-renhan","reported_on":"2024-10-01","status":"completed","source":"通报"}`
		if r := post("/api/reports", body, h...); r.status != 201 {
			t.Errorf("filing with the new token: %d %s", r.status, r.body)
		}
		if r := post("/api/tokens/"+made.Token.ID+"/revoke", ``, "Authorization", "Bearer "+ls.secrets["editor"]); r.status != 403 {
			t.Errorf("an editor revoking: %d", r.status)
		}
		if r := post("/api/tokens/tok_nope/revoke", ``, admin...); r.status != 404 {
			t.Errorf("revoking an unknown token: %d %s", r.status, r.body)
		}
		if r := post("/api/tokens/"+made.Token.ID+"/revoke", ``, admin...); r.status != 200 {
			t.Fatalf("revoking: %d %s", r.status, r.body)
		}
		if r := post("/api/reports", body, h...); r.status != 401 {
			t.Errorf("filing with a revoked token: %d", r.status)
		}
		audit := decode[struct {
			Audit []struct {
				Action string `json:"action"`
				Actor  string `json:"actor"`
			} `json:"audit"`
		}](t, get(t, ls.Server, "/api/audit?limit=3", admin...))
		if len(audit.Audit) != 3 || audit.Audit[0].Action != "token.revoke" || audit.Audit[1].Action != "report.file" || audit.Audit[1].Actor != "区住建局" || audit.Audit[2].Action != "token.create" {
			t.Errorf("audit, newest first: %+v", audit.Audit)
		}
	})
}

// TestWritesChangeWhatIsServed: data GETs revalidate (no-cache) and their
// ETags change after a filing; writes carry no ETag.
func TestWritesChangeWhatIsServed(t *testing.T) {
	forEachWritable(t, func(t *testing.T, ls *ledgerServer) {
		paths := []string{
			"/ogc/collections/old-communities/items?asof=2024-11-01",
			"/ogc/collections/old-communities/items/old-community-lintong-renhan?asof=2024-11-01",
			"/api/projects?asof=2024-11-01", "/api/projects/15?asof=2024-11-01",
			"/api/reports", "/api/reports.atom", "/api/config",
		}
		tags := map[string]string{}
		for _, p := range paths {
			r := get(t, ls.Server, p)
			if r.status != 200 || r.header.Get("Cache-Control") != "no-cache" || r.header.Get("ETag") == "" {
				t.Errorf("%s: %d, Cache-Control %q, ETag %q", p, r.status, r.header.Get("Cache-Control"), r.header.Get("ETag"))
			}
			tags[p] = r.header.Get("ETag")
		}
		w := ls.file(t, "reporter15", `{"site":"old-community-lintong-renhan","reported_on":"2024-10-01","status":"completed","source":"通报"}`)
		if w.status != 201 || w.header.Get("ETag") != "" {
			t.Fatalf("write: %d, ETag %q", w.status, w.header.Get("ETag"))
		}
		for _, p := range paths {
			if p == "/api/config" {
				continue // a report within the year does not move the slider
			}
			r := get(t, ls.Server, p, "If-None-Match", tags[p])
			if r.status != 200 || r.header.Get("ETag") == tags[p] {
				t.Errorf("%s after a filing: %d, ETag unchanged", p, r.status)
			}
		}
	})
}

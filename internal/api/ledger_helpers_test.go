package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"projectmap/internal/api"
	"projectmap/internal/domain"
	"projectmap/internal/ledger"
	"projectmap/internal/memstore"
	"projectmap/internal/storetest"
)

// writeNow is "now" for the tests that file reports: late in the plan's
// year, so that reports can be dated up to 2024-11-20.
var writeNow = time.Date(2024, 11, 20, 2, 0, 0, 0, time.UTC)

// writableStores returns a fresh, writable store of each kind, holding the
// geodata and no reports: the embedded one with its journal in a temporary
// directory, and PostGIS in a scratch database when a server answers
// (required in CI).
func writableStores(t *testing.T) []namedStore {
	t.Helper()
	var out []namedStore
	for _, s := range storetest.Stores(t) {
		if s.Name == "embedded" {
			m, err := memstore.Open(storetest.Dataset(t), t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { m.Close() })
			s.Store = m
		}
		out = append(out, namedStore{s.Name, s.Store})
	}
	return out
}

// ledgerServer is the whole service over a writable store, with a token
// of every kind the auth matrix needs.
type ledgerServer struct {
	*httptest.Server
	store   domain.Store
	plan    domain.Plan
	secrets map[string]string       // by token name: admin, editor, reporter4, reporter15, revoked
	tokens  map[string]domain.Token // by the same names
}

// ledgerConfig adjusts the server's Config before it starts.
type ledgerConfig func(*api.Config)

func newLedgerServer(t *testing.T, store domain.Store, opts ...ledgerConfig) *ledgerServer {
	t.Helper()
	cfg := api.Config{Store: store, Now: func() time.Time { return writeNow }, WriteRate: 1000, WriteBurst: 1000}
	for _, o := range opts {
		o(&cfg)
	}
	p := storetest.Dataset(t).Latest()
	ls := &ledgerServer{store: store, plan: p.Plan, secrets: map[string]string{}, tokens: map[string]domain.Token{}}
	ls.plan.Projects = p.Projects
	svc := &ledger.Service{Store: store, Now: cfg.Now}
	op := ledger.Operator("test", "测试")
	for _, tk := range []struct {
		name     string
		role     domain.Role
		projects []int
	}{
		{"admin", domain.RoleAdmin, nil}, {"editor", domain.RoleEditor, nil},
		{"reporter4", domain.RoleReporter, []int{4}}, {"reporter15", domain.RoleReporter, []int{15}},
		{"reporter3", domain.RoleReporter, []int{1, 3, 23}}, {"revoked", domain.RoleEditor, nil},
	} {
		secret, tok, err := svc.CreateToken(context.Background(), ls.plan, op, tk.name, tk.role, tk.projects)
		if err != nil {
			t.Fatal(err)
		}
		ls.secrets[tk.name], ls.tokens[tk.name] = secret, tok
	}
	if err := svc.RevokeToken(context.Background(), op, ls.tokens["revoked"].ID); err != nil {
		t.Fatal(err)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	ls.Server = httptest.NewServer(api.New(cfg))
	t.Cleanup(ls.Close)
	return ls
}

// forEachWritable runs f on a fresh ledger server over every store kind.
func forEachWritable(t *testing.T, f func(t *testing.T, ls *ledgerServer), opts ...ledgerConfig) {
	for _, s := range writableStores(t) {
		t.Run(s.name, func(t *testing.T) { f(t, newLedgerServer(t, s.store, opts...)) })
	}
}

// do sends a request; headers come in name, value pairs.
func do(t testing.TB, srv *httptest.Server, method, path, body string, headers ...string) response {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{res.StatusCode, res.Header, b}
}

// file posts a JSON body with the named token ("" for none).
func (ls *ledgerServer) file(t testing.TB, token, body string, headers ...string) response {
	t.Helper()
	h := append([]string{"Content-Type", "application/json"}, headers...)
	if token != "" {
		h = append(h, "Authorization", "Bearer "+ls.secrets[token])
	}
	return do(t, ls.Server, http.MethodPost, "/api/reports", body, h...)
}

// mustFile files reports and returns them, failing unless 201.
func (ls *ledgerServer) mustFile(t testing.TB, token string, drafts ...map[string]any) []domain.Report {
	t.Helper()
	b, err := json.Marshal(drafts)
	if err != nil {
		t.Fatal(err)
	}
	r := ls.file(t, token, string(b))
	if r.status != http.StatusCreated {
		t.Fatalf("filing: %d %s", r.status, r.body)
	}
	return decode[filed](t, r).Reports
}

func (ls *ledgerServer) retract(t testing.TB, token string, id int64, body string, headers ...string) response {
	t.Helper()
	h := append([]string{"Content-Type", "application/json"}, headers...)
	if token != "" {
		h = append(h, "Authorization", "Bearer "+ls.secrets[token])
	}
	return do(t, ls.Server, http.MethodPost, "/api/reports/"+itoa(id)+"/retract", body, h...)
}

func itoa(id int64) string {
	b, _ := json.Marshal(id)
	return string(b)
}

type filed struct {
	Reports []domain.Report `json:"reports"`
}

type errorResponse struct {
	Code    string           `json:"code"`
	Message string           `json:"message"`
	Param   string           `json:"param"`
	Errors  []domain.Problem `json:"errors"`
}

type reportList struct {
	Reports        []domain.Report `json:"reports"`
	NumberMatched  int             `json:"numberMatched"`
	NumberReturned int             `json:"numberReturned"`
	Links          []struct {
		Href string `json:"href"`
		Rel  string `json:"rel"`
	} `json:"links"`
}

// reportCount is how many reports the ledger holds.
func (ls *ledgerServer) reportCount(t testing.TB) int {
	t.Helper()
	r := get(t, ls.Server, "/api/reports?limit=1")
	if r.status != 200 {
		t.Fatalf("listing reports: %d %s", r.status, r.body)
	}
	return decode[reportList](t, r).NumberMatched
}

package ledger_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"projectmap/internal/domain"
	"projectmap/internal/ledger"
	"projectmap/internal/memstore"
	"projectmap/internal/storetest"
)

// now is the service's clock: reports may be dated up to the city's today.
var now = time.Date(2024, 10, 10, 2, 0, 0, 0, time.UTC)

// writable returns a fresh, writable store of each kind: the embedded one
// with its journal in a temporary directory, and PostGIS in a scratch
// database when a server answers (required in CI).
func writable(t *testing.T) []storetest.Named {
	t.Helper()
	var out []storetest.Named
	for _, s := range storetest.Stores(t) {
		if s.Name == "embedded" {
			m, err := memstore.Open(storetest.Dataset(t), t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { m.Close() })
			s.Store = m
		}
		out = append(out, s)
	}
	return out
}

func plan(t *testing.T) domain.Plan {
	p := storetest.Dataset(t).Latest()
	plan := p.Plan
	plan.Projects = p.Projects
	return plan
}

func f64(v float64) *float64 { return &v }

// fixture is a service over one store with tokens of every role.
type fixture struct {
	svc                              *ledger.Service
	plan                             domain.Plan
	admin, editor, reporter, revoked ledger.Actor
	secrets                          map[string]string // by token name
}

func newFixture(t *testing.T, store domain.Store) fixture {
	t.Helper()
	ctx := context.Background()
	fx := fixture{svc: &ledger.Service{Store: store, Now: func() time.Time { return now }}, plan: plan(t), secrets: map[string]string{}}
	op := ledger.Operator("tester", "运维")
	mk := func(name string, role domain.Role, projects ...int) ledger.Actor {
		secret, tok, err := fx.svc.CreateToken(ctx, fx.plan, op, name, role, projects)
		if err != nil {
			t.Fatalf("creating %s: %v", name, err)
		}
		fx.secrets[name] = secret
		return ledger.Actor{Token: tok, Remote: "192.0.2.7", RequestID: "req-" + name}
	}
	fx.admin = mk("管理员", domain.RoleAdmin)
	fx.editor = mk("市住建局", domain.RoleEditor)
	fx.reporter = mk("市发改委", domain.RoleReporter, 4)
	fx.revoked = mk("已撤销", domain.RoleEditor)
	if err := fx.svc.RevokeToken(ctx, fx.admin, fx.revoked.Token.ID); err != nil {
		t.Fatal(err)
	}
	return fx
}

func wantKind(t *testing.T, what string, err error, kind domain.Kind) *domain.Error {
	t.Helper()
	var de *domain.Error
	if !errors.As(err, &de) || de.Kind != kind {
		t.Fatalf("%s: err %v, want kind %v", what, err, kind)
	}
	return de
}

func TestAuthenticate(t *testing.T) {
	for _, s := range writable(t) {
		t.Run(s.Name, func(t *testing.T) {
			fx := newFixture(t, s.Store)
			ctx := context.Background()
			for name, secret := range map[string]string{
				"none":    "",
				"garbage": "letmein",
				"unknown": "pm_" + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
				"revoked": fx.secrets["已撤销"],
			} {
				_, err := fx.svc.Authenticate(ctx, secret)
				de := wantKind(t, name, err, domain.ErrUnauthorized)
				if secret != "" && strings.Contains(de.Error(), secret) {
					t.Errorf("%s: the error repeats the secret", name)
				}
			}
			tok, err := fx.svc.Authenticate(ctx, fx.secrets["市发改委"])
			if err != nil || tok.ID != fx.reporter.Token.ID || tok.Role != domain.RoleReporter {
				t.Errorf("live token: %+v, %v", tok, err)
			}
		})
	}
}

func TestFile(t *testing.T) {
	for _, s := range writable(t) {
		t.Run(s.Name, func(t *testing.T) {
			fx := newFixture(t, s.Store)
			ctx := context.Background()
			drafts := []domain.ReportDraft{
				{Project: 4, Schedule: "charging-piles", ReportedOn: "2024-09-30", Quantity: f64(3200), Source: "市发改委 九月台账"},
				{Project: 4, Schedule: "charging-piles", ReportedOn: "2024-10-10", Quantity: f64(5000), Source: "市发改委 十月台账"},
			}
			res, err := fx.svc.File(ctx, fx.plan, fx.reporter, drafts, nil, ledger.Write{Key: "k1", Digest: "d1"})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Reports) != 2 || res.Replayed {
				t.Fatalf("result %+v", res)
			}
			r0, r1 := res.Reports[0], res.Reports[1]
			if r0.ID == 0 || r0.ReportedBy != "市发改委" || r0.TokenID != fx.reporter.Token.ID || r0.Status != domain.ReportInProgress {
				t.Errorf("first report %+v", r0)
			}
			if !r1.ExceedsTarget || r1.Status != domain.ReportCompleted || r1.Progress != 1 {
				t.Errorf("a quantity above the target: %+v, want kept, flagged and completed", r1)
			}
			again, err := fx.svc.File(ctx, fx.plan, fx.reporter, drafts, nil, ledger.Write{Key: "k1", Digest: "d1"})
			if err != nil || !again.Replayed || len(again.Reports) != 2 || again.Reports[0].ID != r0.ID || again.Reports[1].ID != r1.ID {
				t.Errorf("replay: %+v, %v; want the same reports", again, err)
			}
			_, err = fx.svc.File(ctx, fx.plan, fx.reporter, drafts[:1], nil, ledger.Write{Key: "k1", Digest: "other"})
			wantKind(t, "reused key", err, domain.ErrUnprocessable)
			page, err := s.Store.Reports(ctx, domain.ReportQuery{Plan: fx.plan.ID})
			if err != nil || page.Matched != 2 {
				t.Errorf("%d reports stored, want 2 (%v)", page.Matched, err)
			}
			entries, err := s.Store.Audit(ctx, 0)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, e := range entries {
				if e.Action == "report.file" && e.TokenID == fx.reporter.Token.ID {
					found = true
					if e.Remote != "192.0.2.7" || e.RequestID != "req-市发改委" || e.Actor != "市发改委" {
						t.Errorf("audit entry %+v", e)
					}
				}
			}
			if !found {
				t.Errorf("no audit entry for the filing in %+v", entries)
			}
		})
	}
}

func TestFileRejects(t *testing.T) {
	for _, s := range writable(t) {
		t.Run(s.Name, func(t *testing.T) {
			fx := newFixture(t, s.Store)
			ctx := context.Background()
			good := domain.ReportDraft{Project: 23, ReportedOn: "2024-06-30", Fraction: f64(0.5), Source: "月报"}
			tests := []struct {
				name     string
				actor    ledger.Actor
				drafts   []domain.ReportDraft
				lines    []int
				w        ledger.Write
				kind     domain.Kind
				param    string
				problems []string
			}{
				{"nothing", fx.editor, nil, nil, ledger.Write{}, domain.ErrUnprocessable, "reports", nil},
				{"bad key", fx.editor, []domain.ReportDraft{good}, nil, ledger.Write{Key: "a b"}, domain.ErrInvalid, "Idempotency-Key", nil},
				{"out of scope", fx.reporter, []domain.ReportDraft{good}, nil, ledger.Write{}, domain.ErrForbidden, "[0].project", nil},
				{"out of scope by site", fx.reporter, []domain.ReportDraft{{Site: "old-community-lintong-renhan", ReportedOn: "2024-06-30", Status: "completed", Source: "x"}}, []int{2}, ledger.Write{}, domain.ErrForbidden, "line 2: project", nil},
				{"every row's problem, by line", fx.editor, []domain.ReportDraft{
					good,
					{Project: 23, ReportedOn: "2024-12-01", Fraction: f64(0.5), Source: "月报"},
					{Project: 23, ReportedOn: "2023-12-31", Fraction: f64(0.5), Source: "月报"},
					{Project: 99, ReportedOn: "2024-06-30", Fraction: f64(0.5), Source: "月报"},
					{Project: 23, ReportedOn: "2024-06-30", Fraction: f64(1.5), Source: "月报"},
					{Project: 23, ReportedOn: "2024-06-30", Fraction: f64(0.5)},
					{Site: "no-such-site", ReportedOn: "2024-06-30", Status: "completed", Source: "x"},
				}, []int{2, 3, 4, 5, 6, 7, 8}, ledger.Write{}, domain.ErrUnprocessable, "line 3: reported_on",
					[]string{"line 3: reported_on", "line 4: reported_on", "line 5: project", "line 6: fraction", "line 7: source", "line 8: site"}},
				{"by index without lines", fx.editor, []domain.ReportDraft{good, {Project: 23, ReportedOn: "2024-06-30", Status: "finished", Source: "x"}}, nil, ledger.Write{},
					domain.ErrUnprocessable, "[1].status", []string{"[1].status"}},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					_, err := fx.svc.File(ctx, fx.plan, tt.actor, tt.drafts, tt.lines, tt.w)
					de := wantKind(t, tt.name, err, tt.kind)
					if de.Param != tt.param {
						t.Errorf("param %q, want %q (%s)", de.Param, tt.param, de.Message)
					}
					var where []string
					for _, p := range de.Problems {
						where = append(where, p.Where())
					}
					if len(where) != len(tt.problems) {
						t.Fatalf("problems %v, want %v", where, tt.problems)
					}
					for i := range where {
						if where[i] != tt.problems[i] {
							t.Errorf("problem %d at %s, want %s", i, where[i], tt.problems[i])
						}
					}
				})
			}
			page, err := s.Store.Reports(ctx, domain.ReportQuery{Plan: fx.plan.ID})
			if err != nil || page.Matched != 0 {
				t.Errorf("%d reports stored after rejected filings, want none (%v)", page.Matched, err)
			}
		})
	}
}

func TestRetract(t *testing.T) {
	for _, s := range writable(t) {
		t.Run(s.Name, func(t *testing.T) {
			fx := newFixture(t, s.Store)
			ctx := context.Background()
			res, err := fx.svc.File(ctx, fx.plan, fx.reporter, []domain.ReportDraft{
				{Project: 4, Schedule: "charging-piles", ReportedOn: "2024-09-30", Quantity: f64(3200), Source: "台账"},
			}, nil, ledger.Write{})
			if err != nil {
				t.Fatal(err)
			}
			id := res.Reports[0].ID
			_, _, err = fx.svc.Retract(ctx, fx.plan, fx.reporter, id, "  ", ledger.Write{})
			wantKind(t, "no reason", err, domain.ErrUnprocessable)
			_, _, err = fx.svc.Retract(ctx, fx.plan, fx.reporter, id+1000, "wrong", ledger.Write{})
			wantKind(t, "unknown report", err, domain.ErrNotFound)
			other := fx.reporter
			other.Token.Projects = []int{23}
			_, _, err = fx.svc.Retract(ctx, fx.plan, other, id, "wrong", ledger.Write{})
			wantKind(t, "out of scope", err, domain.ErrForbidden)

			ret, replayed, err := fx.svc.Retract(ctx, fx.plan, fx.reporter, id, "figure double-counted", ledger.Write{Key: "r1", Digest: "d"})
			if err != nil || replayed || ret.Report != id || ret.RetractedBy != "市发改委" || ret.Reason != "figure double-counted" {
				t.Fatalf("retraction %+v replayed %v: %v", ret, replayed, err)
			}
			again, replayed, err := fx.svc.Retract(ctx, fx.plan, fx.reporter, id, "figure double-counted", ledger.Write{Key: "r1", Digest: "d"})
			if err != nil || !replayed || again.ID != ret.ID {
				t.Errorf("replay: %+v %v %v", again, replayed, err)
			}
			_, _, err = fx.svc.Retract(ctx, fx.plan, fx.editor, id, "again", ledger.Write{})
			wantKind(t, "twice", err, domain.ErrConflict)
			r, err := s.Store.Report(ctx, fx.plan.ID, id)
			if err != nil || r.Retraction == nil || r.Retraction.ID != ret.ID {
				t.Errorf("report after retraction: %+v, %v", r, err)
			}
		})
	}
}

func TestTokens(t *testing.T) {
	for _, s := range writable(t) {
		t.Run(s.Name, func(t *testing.T) {
			fx := newFixture(t, s.Store)
			ctx := context.Background()
			_, _, err := fx.svc.CreateToken(ctx, fx.plan, fx.editor, "x", domain.RoleEditor, nil)
			wantKind(t, "an editor making a token", err, domain.ErrForbidden)
			err = fx.svc.RevokeToken(ctx, fx.reporter, fx.editor.Token.ID)
			wantKind(t, "a reporter revoking", err, domain.ErrForbidden)
			for name, tc := range map[string]struct {
				name     string
				role     domain.Role
				projects []int
				field    string
			}{
				"no name":             {"", domain.RoleEditor, nil, "name"},
				"bad role":            {"x", "boss", nil, "role"},
				"reporter of nothing": {"x", domain.RoleReporter, nil, "projects"},
				"unknown project":     {"x", domain.RoleReporter, []int{99}, "projects"},
				"editor with scope":   {"x", domain.RoleEditor, []int{4}, "projects"},
			} {
				_, _, err := fx.svc.CreateToken(ctx, fx.plan, fx.admin, tc.name, tc.role, tc.projects)
				if de := wantKind(t, name, err, domain.ErrUnprocessable); de.Param != tc.field {
					t.Errorf("%s: param %q, want %q", name, de.Param, tc.field)
				}
			}
			err = fx.svc.RevokeToken(ctx, fx.admin, "tok_nope")
			wantKind(t, "unknown token", err, domain.ErrNotFound)
			tokens, err := s.Store.Tokens(ctx)
			if err != nil || len(tokens) != 4 {
				t.Fatalf("%d tokens, want 4: %v", len(tokens), err)
			}
			for _, tok := range tokens {
				if tok.Revoked() != (tok.ID == fx.revoked.Token.ID) {
					t.Errorf("token %s revoked %v", tok.Name, tok.Revoked())
				}
			}
		})
	}
}

// TestFileCSV: a ledger's unreadable cells and broken rules are listed
// together, by line, and nothing is filed; a good ledger is filed whole.
func TestFileCSV(t *testing.T) {
	for _, s := range writable(t) {
		t.Run(s.Name, func(t *testing.T) {
			fx := newFixture(t, s.Store)
			ctx := context.Background()
			bad := "project,schedule,reported_on,quantity,fraction,source\n" +
				"4,charging-piles,2024-09-30,3200,,台账\n" +
				"4,charging-piles,2024-12-30,3300,,台账\n" + // future: a rule
				"4,charging-piles,2024-09-30,lots,,台账\n" + // unreadable
				"23,,2024-09-30,,0.5\n" + // too few cells
				"23,,2024-09-30,,2,月报\n" // a rule
			_, err := fx.svc.FileCSV(ctx, fx.plan, fx.editor, strings.NewReader(bad), ledger.Write{})
			de := wantKind(t, "bad ledger", err, domain.ErrUnprocessable)
			var where []string
			for _, p := range de.Problems {
				where = append(where, p.Where())
			}
			want := []string{"line 3: reported_on", "line 4: quantity", "line 5: row", "line 6: fraction"}
			if strings.Join(where, "; ") != strings.Join(want, "; ") || de.Param != want[0] {
				t.Errorf("problems %v (param %q), want %v", where, de.Param, want)
			}
			if page, _ := s.Store.Reports(ctx, domain.ReportQuery{Plan: fx.plan.ID}); page.Matched != 0 {
				t.Errorf("%d reports filed from a bad ledger", page.Matched)
			}
			good := "site,reported_on,status,source\nold-community-lintong-renhan,2024-10-01,completed,通报\nold-community-baqiao-dianchangyiqu,2024-10-01,completed,通报\n"
			res, err := fx.svc.FileCSV(ctx, fx.plan, fx.editor, strings.NewReader(good), ledger.Write{})
			if err != nil || len(res.Reports) != 2 || res.Reports[0].Project != 15 || res.Reports[0].Layer != "old-communities" {
				t.Errorf("good ledger: %+v, %v", res, err)
			}
			_, err = fx.svc.FileCSV(ctx, fx.plan, fx.reporter, strings.NewReader(good), ledger.Write{})
			if de := wantKind(t, "out of scope", err, domain.ErrForbidden); de.Param != "line 2: project" {
				t.Errorf("param %q", de.Param)
			}
		})
	}
}

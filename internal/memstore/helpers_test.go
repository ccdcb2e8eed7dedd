package memstore_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"projectmap/internal/dataset"
	"projectmap/internal/domain"
	"projectmap/internal/memstore"
	"projectmap/internal/storetest"
)

// open opens a store on dir, closed when t ends.
func open(t testing.TB, dir string, opts ...memstore.Option) *memstore.Store {
	t.Helper()
	s, err := memstore.Open(storetest.Dataset(t), dir, opts...)
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func quietly() memstore.Option { return memstore.WithLogger(slog.New(slog.DiscardHandler)) }

const planID = "xian-2024"

var filedAt = time.Date(2024, 10, 8, 9, 30, 0, 123456000, time.UTC)

// draft makes a report the way every writer must, with domain.CheckReport.
func draft(t testing.TB, d domain.ReportDraft) domain.Report {
	t.Helper()
	r, err := checkDraft(storetest.Dataset(t), d)
	if err != nil {
		t.Fatalf("draft %+v: %v", d, err)
	}
	return r
}

func checkDraft(ds *dataset.Dataset, d domain.ReportDraft) (domain.Report, error) {
	p := ds.Latest()
	plan := p.Plan
	plan.Projects = p.Projects
	if d.Source == "" {
		d.Source = "市住建局 工作台账 " + d.ReportedOn
	}
	r, err := domain.CheckReport(plan, d, domain.NewDate(2025, 6, 30), func(id string) (*domain.Site, error) {
		for i := range p.Sites {
			if p.Sites[i].ID == id {
				return &p.Sites[i], nil
			}
		}
		return nil, nil
	})
	r.ReportedBy, r.TokenID, r.FiledAt = "市住建局", "tok_test", filedAt
	return r, err
}

func audit(token string) domain.AuditEntry {
	return domain.AuditEntry{Actor: "市住建局", TokenID: token, Remote: "127.0.0.1", RequestID: "req-1"}
}

func file(t testing.TB, s domain.Store, f domain.Filing) domain.FilingResult {
	t.Helper()
	res, err := s.FileReports(context.Background(), f)
	if err != nil {
		t.Fatalf("FileReports: %v", err)
	}
	return res
}

func f64(v float64) *float64 { return &v }
func i64(v int) *int         { return &v }

// snapshot is everything a store says about its ledger, as the API would
// write it: every report, one by one and queried, tokens, audit, latest
// reports, tallies and the reports the sites of a few layers carry.
func snapshot(t testing.TB, s domain.Store) any {
	t.Helper()
	ctx := context.Background()
	out := map[string]any{}
	all, err := s.Reports(ctx, domain.ReportQuery{Plan: planID})
	if err != nil {
		t.Fatal(err)
	}
	out["reports"] = all
	byFiling, err := s.Reports(ctx, domain.ReportQuery{Plan: planID, ByFiling: true})
	if err != nil {
		t.Fatal(err)
	}
	out["by filing"] = byFiling
	var one []domain.Report
	for _, r := range all.Reports {
		got, err := s.Report(ctx, planID, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		one = append(one, got)
	}
	out["one by one"] = one
	if out["tokens"], err = s.Tokens(ctx); err != nil {
		t.Fatal(err)
	}
	if out["audit"], err = s.Audit(ctx, 0); err != nil {
		t.Fatal(err)
	}
	for _, asof := range []domain.Date{domain.NewDate(2024, 7, 1), domain.NewDate(2024, 12, 31)} {
		if out["latest "+asof.String()], err = s.LatestReports(ctx, planID, asof); err != nil {
			t.Fatal(err)
		}
		if out["tallies "+asof.String()], err = s.SiteTallies(ctx, planID, asof); err != nil {
			t.Fatal(err)
		}
		for _, layer := range []string{"old-communities", "metro-stations"} {
			page, err := s.Sites(ctx, domain.SiteQuery{Plan: planID, Layer: layer, AsOf: asof})
			if err != nil {
				t.Fatal(err)
			}
			out["sites "+layer+" "+asof.String()] = page.Reports
		}
	}
	return asJSON(t, out)
}

func asJSON(t testing.TB, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func sameJSON(t testing.TB, what string, want, got any) {
	t.Helper()
	if d := cmp.Diff(asJSON(t, want), asJSON(t, got)); d != "" {
		t.Errorf("%s (-want +got):\n%s", what, d)
	}
}

func wantKind(t testing.TB, what string, err error, kind domain.Kind) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, want %s", what, kind)
		return
	}
	if got := domain.KindOf(err); got != kind {
		t.Errorf("%s: %v (kind %s), want kind %s", what, err, got, kind)
	}
}

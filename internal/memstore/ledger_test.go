package memstore_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"projectmap/internal/domain"
	"projectmap/internal/journal"
	"projectmap/internal/memstore"
	"projectmap/internal/storetest"
)

// fill writes a ledger of every kind of record and returns its reports.
func fill(t *testing.T, s domain.Store) []domain.Report {
	t.Helper()
	ctx := context.Background()
	first := file(t, s, domain.Filing{Reports: []domain.Report{
		draft(t, domain.ReportDraft{Project: 4, Schedule: "charging-piles", ReportedOn: "2024-06-30", Quantity: f64(2500), EvidenceURL: "https://www.xa.gov.cn/piles"}),
		draft(t, domain.ReportDraft{Project: 1, Schedule: "line-8", ReportedOn: "2024-06-30", Milestone: i64(5), Note: "轨通、电通\n第二行"}),
		draft(t, domain.ReportDraft{Site: "old-community-lintong-renhan", ReportedOn: "2024-11-15", Status: "completed"}),
	}, Key: "ledger-2024-06", Digest: "d1", Audit: audit("tok_test")}).Reports
	second := file(t, s, domain.Filing{Reports: []domain.Report{
		draft(t, domain.ReportDraft{Site: "metro-station-beichen-east-rd", ReportedOn: "2024-10-31", Status: "not_started"}),
		draft(t, domain.ReportDraft{Project: 25, ReportedOn: "2024-08-01", Fraction: f64(0.4)}),
	}, Audit: audit("")}).Reports
	if _, _, err := s.Retract(ctx, domain.RetractionFiling{
		Retraction: domain.Retraction{Report: first[2].ID, Reason: "填报错误", RetractedBy: "市住建局", TokenID: "tok_test"},
		Key:        "retract-1", Digest: "r1", Audit: audit("tok_test"),
	}); err != nil {
		t.Fatal(err)
	}
	hash := sha256.Sum256([]byte("pm_secret"))
	tok := domain.Token{ID: "tok_1", Name: "市轨道集团", Role: domain.RoleReporter, Projects: []int{1}, Hash: hash[:]}
	if err := s.CreateToken(ctx, tok, audit("")); err != nil {
		t.Fatal(err)
	}
	hash2 := sha256.Sum256([]byte("pm_secret2"))
	if err := s.CreateToken(ctx, domain.Token{ID: "tok_2", Name: "管理员", Role: domain.RoleAdmin, Hash: hash2[:]}, audit("")); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeToken(ctx, "tok_1", time.Time{}, audit("")); err != nil {
		t.Fatal(err)
	}
	return append(first, second...)
}

// TestReopenReplaysEverything: what a reopened store answers is what the
// store answered that wrote it, to the byte of every JSON field.
func TestReopenReplaysEverything(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	fill(t, s)
	want := snapshot(t, s)
	s.Close()
	again := open(t, dir)
	sameJSON(t, "after reopening", want, snapshot(t, again))
	// The next IDs follow on from the replayed ones.
	more := file(t, again, domain.Filing{Reports: []domain.Report{draft(t, domain.ReportDraft{Project: 16, ReportedOn: "2024-06-30", Fraction: f64(0.5)})}, Audit: audit("")})
	if more.Reports[0].ID != 6 {
		t.Errorf("the report after a replay of 5 has id %d", more.Reports[0].ID)
	}
}

func TestWriteErrors(t *testing.T) {
	ctx := context.Background()
	renhan := draft(t, domain.ReportDraft{Site: "old-community-lintong-renhan", ReportedOn: "2024-11-15", Status: "completed"})
	tests := []struct {
		name  string
		write func(s domain.Store, reports []domain.Report) error
		kind  domain.Kind
		param string
	}{
		{"retract an unknown report", func(s domain.Store, _ []domain.Report) error {
			_, _, err := s.Retract(ctx, domain.RetractionFiling{Retraction: domain.Retraction{Report: 99, Reason: "x"}})
			return err
		}, domain.ErrNotFound, ""},
		{"retract twice", func(s domain.Store, rs []domain.Report) error {
			_, _, err := s.Retract(ctx, domain.RetractionFiling{Retraction: domain.Retraction{Report: rs[2].ID, Reason: "again"}})
			return err
		}, domain.ErrConflict, ""},
		{"retract without a reason", func(s domain.Store, rs []domain.Report) error {
			_, _, err := s.Retract(ctx, domain.RetractionFiling{Retraction: domain.Retraction{Report: rs[0].ID, Reason: "  "}})
			return err
		}, domain.ErrUnprocessable, "reason"},
		{"a filing's key, another request", func(s domain.Store, _ []domain.Report) error {
			_, err := s.FileReports(ctx, domain.Filing{Reports: []domain.Report{renhan}, Key: "ledger-2024-06", Digest: "other", Audit: audit("tok_test")})
			return err
		}, domain.ErrUnprocessable, "Idempotency-Key"},
		{"a retraction's key for a filing", func(s domain.Store, _ []domain.Report) error {
			_, err := s.FileReports(ctx, domain.Filing{Reports: []domain.Report{renhan}, Key: "retract-1", Digest: "r1", Audit: audit("tok_test")})
			return err
		}, domain.ErrUnprocessable, "Idempotency-Key"},
		{"a filing's key for a retraction", func(s domain.Store, rs []domain.Report) error {
			_, _, err := s.Retract(ctx, domain.RetractionFiling{Retraction: domain.Retraction{Report: rs[0].ID, Reason: "x"}, Key: "ledger-2024-06", Digest: "d1", Audit: audit("tok_test")})
			return err
		}, domain.ErrUnprocessable, "Idempotency-Key"},
		{"no reports", func(s domain.Store, _ []domain.Report) error {
			_, err := s.FileReports(ctx, domain.Filing{Audit: audit("")})
			return err
		}, domain.ErrInvalid, "reports"},
		{"revoke an unknown token", func(s domain.Store, _ []domain.Report) error {
			return s.RevokeToken(ctx, "tok_9", time.Time{}, audit(""))
		}, domain.ErrNotFound, ""},
		{"revoke twice", func(s domain.Store, _ []domain.Report) error {
			return s.RevokeToken(ctx, "tok_1", time.Time{}, audit(""))
		}, domain.ErrConflict, ""},
		{"a token id twice", func(s domain.Store, _ []domain.Report) error {
			h := sha256.Sum256([]byte("new"))
			return s.CreateToken(ctx, domain.Token{ID: "tok_2", Name: "x", Role: domain.RoleAdmin, Hash: h[:]}, audit(""))
		}, domain.ErrConflict, ""},
		{"a token's secret twice", func(s domain.Store, _ []domain.Report) error {
			h := sha256.Sum256([]byte("pm_secret"))
			return s.CreateToken(ctx, domain.Token{ID: "tok_3", Name: "x", Role: domain.RoleAdmin, Hash: h[:]}, audit(""))
		}, domain.ErrConflict, ""},
		{"a token without a hash", func(s domain.Store, _ []domain.Report) error {
			return s.CreateToken(ctx, domain.Token{ID: "tok_3", Name: "x", Role: domain.RoleAdmin, Hash: []byte("secret")}, audit(""))
		}, domain.ErrInvalid, "hash"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			s := open(t, dir)
			reports := fill(t, s)
			before, _ := os.ReadFile(filepath.Join(dir, journal.FileName))
			err := tt.write(s, reports)
			wantKind(t, tt.name, err, tt.kind)
			var de *domain.Error
			if tt.param != "" && (!errors.As(err, &de) || de.Param != tt.param) {
				t.Errorf("error %v names %q, want %q", err, de.Param, tt.param)
			}
			if after, _ := os.ReadFile(filepath.Join(dir, journal.FileName)); !bytes.Equal(before, after) {
				t.Errorf("a refused write changed the journal")
			}
		})
	}
}

// TestReportGuards: a report no reader could place never reaches the
// journal, and the error names the item and field.
func TestReportGuards(t *testing.T) {
	good := draft(t, domain.ReportDraft{Project: 4, Schedule: "charging-piles", ReportedOn: "2024-06-30", Quantity: f64(2500)})
	site := draft(t, domain.ReportDraft{Site: "old-community-lintong-renhan", ReportedOn: "2024-11-15", Status: "completed"})
	tests := []struct {
		name   string
		change func(r *domain.Report)
		base   domain.Report
		field  string
	}{
		{"unknown plan", func(r *domain.Report) { r.Plan = "xian-1999" }, good, "plan"},
		{"unknown project", func(r *domain.Report) { r.Project = 99 }, good, "project"},
		{"unknown schedule", func(r *domain.Report) { r.Schedule = "no-such" }, good, "schedule"},
		{"unknown site", func(r *domain.Report) { r.Site = "no-such-site" }, site, "site"},
		{"site in another layer", func(r *domain.Report) { r.Layer = "metro-stations" }, site, "site"},
		{"site of another project", func(r *domain.Report) { r.Project = 1 }, site, "site"},
		{"layer without site", func(r *domain.Report) { r.Site = "" }, site, "site"},
		{"no date", func(r *domain.Report) { r.ReportedOn = domain.Date{} }, good, "reported_on"},
		{"bad status", func(r *domain.Report) { r.Status = "done" }, good, "status"},
		{"progress above 1", func(r *domain.Report) { r.Progress = 1.5 }, good, "progress"},
		{"no source", func(r *domain.Report) { r.Source = " " }, good, "source"},
		{"quantity not a number", func(r *domain.Report) { r.Quantity = f64(math.Inf(1)) }, good, "quantity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			s := open(t, dir)
			bad := tt.base
			tt.change(&bad)
			_, err := s.FileReports(context.Background(), domain.Filing{Reports: []domain.Report{good, bad}, Audit: audit("")})
			var de *domain.Error
			if !errors.As(err, &de) || de.Kind != domain.ErrUnprocessable || de.Param != tt.field ||
				len(de.Problems) != 1 || de.Problems[0].Where() != "[1]."+tt.field {
				t.Fatalf("error %v (%+v), want 422 naming [1].%s", err, de, tt.field)
			}
			if fi, _ := os.Stat(filepath.Join(dir, journal.FileName)); fi.Size() != 0 {
				t.Errorf("the journal holds %d bytes after a refused filing", fi.Size())
			}
		})
	}
}

// TestStoreStampsTimes: times left zero are the time of the write, in
// UTC to the microsecond; audit action and target are filled in.
func TestStoreStampsTimes(t *testing.T) {
	s := open(t, t.TempDir())
	ctx := context.Background()
	r := draft(t, domain.ReportDraft{Project: 16, ReportedOn: "2024-06-30", Fraction: f64(0.5)})
	r.FiledAt = time.Time{}
	before := time.Now().UTC().Truncate(time.Microsecond)
	res := file(t, s, domain.Filing{Reports: []domain.Report{r, r}, Audit: audit("")})
	x, _, err := s.Retract(ctx, domain.RetractionFiling{Retraction: domain.Retraction{Report: res.Reports[0].ID, Reason: "重复"}, Audit: audit("")})
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256([]byte("s"))
	if err := s.CreateToken(ctx, domain.Token{ID: "tok_1", Name: "x", Role: domain.RoleEditor, Hash: h[:]}, audit("")); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeToken(ctx, "tok_1", time.Time{}, audit("")); err != nil {
		t.Fatal(err)
	}
	after := time.Now().UTC()
	toks, _ := s.Tokens(ctx)
	entries, _ := s.Audit(ctx, 0)
	times := map[string]time.Time{
		"filed_at":     res.Reports[0].FiledAt,
		"retracted_at": x.RetractedAt,
		"created_at":   toks[0].CreatedAt,
		"revoked_at":   *toks[0].RevokedAt,
	}
	for _, e := range entries {
		times["audit "+e.Action] = e.At
	}
	for name, at := range times {
		if at.Before(before) || at.After(after) || at.Location() != time.UTC || at.Nanosecond()%1000 != 0 {
			t.Errorf("%s = %v, want the time of the write (%v..%v) in UTC to the µs", name, at, before, after)
		}
	}
	if !res.Reports[0].FiledAt.Equal(res.Reports[1].FiledAt) {
		t.Errorf("one filing, two filing times")
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Action+" "+e.Target)
	}
	want := []string{"token.revoke token tok_1", "token.create token tok_1", "report.retract report 1", "report.file reports 1,2"}
	sameJSON(t, "audit actions and targets, newest first", want, got)
}

func TestReadOnlyStore(t *testing.T) {
	s := memstore.New(storetest.Dataset(t))
	ctx := context.Background()
	r := draft(t, domain.ReportDraft{Project: 16, ReportedOn: "2024-06-30", Fraction: f64(0.5)})
	_, err := s.FileReports(ctx, domain.Filing{Reports: []domain.Report{r}})
	wantKind(t, "FileReports on a read-only store", err, domain.ErrUnavailable)
	if err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("error %v does not say read-only", err)
	}
	_, _, err = s.Retract(ctx, domain.RetractionFiling{Retraction: domain.Retraction{Report: 1, Reason: "x"}})
	wantKind(t, "Retract on a read-only store", err, domain.ErrUnavailable)
	h := sha256.Sum256([]byte("s"))
	wantKind(t, "CreateToken on a read-only store", s.CreateToken(ctx, domain.Token{ID: "t", Name: "x", Role: domain.RoleAdmin, Hash: h[:]}, audit("")), domain.ErrUnavailable)
	wantKind(t, "RevokeToken on a read-only store", s.RevokeToken(ctx, "t", time.Time{}, audit("")), domain.ErrUnavailable)
	page, err := s.Reports(ctx, domain.ReportQuery{Plan: planID})
	if err != nil || page.Matched != 0 || page.Reports == nil {
		t.Errorf("Reports on a read-only store = %+v, %v; want an empty page", page, err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

func TestClosedStore(t *testing.T) {
	s := open(t, t.TempDir())
	s.Close()
	r := draft(t, domain.ReportDraft{Project: 16, ReportedOn: "2024-06-30", Fraction: f64(0.5)})
	_, err := s.FileReports(context.Background(), domain.Filing{Reports: []domain.Report{r}})
	wantKind(t, "FileReports after Close", err, domain.ErrUnavailable)
}

func TestCancelledContext(t *testing.T) {
	s := open(t, t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := draft(t, domain.ReportDraft{Project: 16, ReportedOn: "2024-06-30", Fraction: f64(0.5)})
	calls := map[string]func() error{
		"FileReports": func() error { _, err := s.FileReports(ctx, domain.Filing{Reports: []domain.Report{r}}); return err },
		"Retract": func() error {
			_, _, err := s.Retract(ctx, domain.RetractionFiling{Retraction: domain.Retraction{Report: 1, Reason: "x"}})
			return err
		},
		"Report":        func() error { _, err := s.Report(ctx, planID, 1); return err },
		"Reports":       func() error { _, err := s.Reports(ctx, domain.ReportQuery{Plan: planID}); return err },
		"LatestReports": func() error { _, err := s.LatestReports(ctx, planID, domain.NewDate(2024, 7, 1)); return err },
		"SiteTallies":   func() error { _, err := s.SiteTallies(ctx, planID, domain.NewDate(2024, 7, 1)); return err },
		"Tokens":        func() error { _, err := s.Tokens(ctx); return err },
		"TokenByHash":   func() error { _, err := s.TokenByHash(ctx, []byte("x")); return err },
		"Audit":         func() error { _, err := s.Audit(ctx, 0); return err },
		"SiteByID":      func() error { _, err := s.SiteByID(ctx, planID, "x"); return err },
		"SiteReport": func() error {
			_, err := s.SiteReport(ctx, planID, "old-communities", "old-community-lintong-renhan", domain.NewDate(2024, 7, 1))
			return err
		},
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, context.Canceled) {
			t.Errorf("%s on a cancelled context: %v", name, err)
		}
	}
}

// TestDamagedJournal: a damaged record in the middle stops Open with the
// line; a torn last one is cut off with a warning and the rest kept.
func TestDamagedJournal(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	fill(t, s) // 6 records: 2 filings, a retraction, 2 tokens, a revocation
	want := snapshot(t, s)
	s.Close()
	path := filepath.Join(dir, journal.FileName)
	content, _ := os.ReadFile(path)

	damaged := bytes.Replace(content, []byte("轨通"), []byte("轨道"), 1) // line 1
	os.WriteFile(path, damaged, 0o640)
	_, err := memstore.Open(storetest.Dataset(t), dir, quietly())
	if err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("Open over a damaged first record: %v, want an error naming line 1", err)
	}

	os.WriteFile(path, append(append([]byte(nil), content...), `{"v":1,"type":"report.file","crc32c":"0`...), 0o640)
	var logs bytes.Buffer
	again := open(t, dir, memstore.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	if !strings.Contains(logs.String(), "torn") || !strings.Contains(logs.String(), "line=7") {
		t.Errorf("no warning of the torn 7th record: %q", logs.String())
	}
	sameJSON(t, "after cutting off a torn tail", want, snapshot(t, again))
}

func TestSiteQueryErrors(t *testing.T) {
	s := open(t, t.TempDir())
	ctx := context.Background()
	tests := []struct {
		name  string
		call  func() error
		kind  domain.Kind
		param string
	}{
		{"status without a date", func() error {
			_, err := s.Sites(ctx, domain.SiteQuery{Plan: planID, Layer: "old-communities", Status: domain.TrackBehind})
			return err
		}, domain.ErrInvalid, "asof"},
		{"unknown status", func() error {
			_, err := s.Sites(ctx, domain.SiteQuery{Plan: planID, Layer: "old-communities", Status: "late", AsOf: domain.NewDate(2024, 7, 1)})
			return err
		}, domain.ErrInvalid, "status"},
		{"reports of an unknown site", func() error {
			_, err := s.Reports(ctx, domain.ReportQuery{Plan: planID, Site: "no-such-site"})
			return err
		}, domain.ErrInvalid, "site"},
		{"negative limit", func() error { _, err := s.Reports(ctx, domain.ReportQuery{Plan: planID, Limit: -1}); return err }, domain.ErrInvalid, "limit"},
		{"SiteReport of an unknown site", func() error {
			_, err := s.SiteReport(ctx, planID, "old-communities", "no-such", domain.NewDate(2024, 7, 1))
			return err
		}, domain.ErrNotFound, ""},
		{"SiteTallies of an unknown plan", func() error { _, err := s.SiteTallies(ctx, "no-plan", domain.NewDate(2024, 7, 1)); return err }, domain.ErrNotFound, ""},
		{"SiteTallies without a date", func() error { _, err := s.SiteTallies(ctx, planID, domain.Date{}); return err }, domain.ErrInvalid, "asof"},
		{"LatestReports without a date", func() error { _, err := s.LatestReports(ctx, planID, domain.Date{}); return err }, domain.ErrInvalid, "asof"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			wantKind(t, tt.name, err, tt.kind)
			var de *domain.Error
			if tt.param != "" && (!errors.As(err, &de) || de.Param != tt.param) {
				t.Errorf("error %v does not name %q", err, tt.param)
			}
		})
	}
}

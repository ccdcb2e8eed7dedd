package storetest

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sync"
	"testing"
	"time"

	"projectmap/internal/dataset"
	"projectmap/internal/domain"
)

// RunLedger runs the ledger part of the suite: writes and reads of
// reports, retractions, tokens and the audit, and the tracking status
// computed by the store. Every subtest writes, so newStore must return a
// fresh store holding the geodata and no reports.
func RunLedger(t *testing.T, newStore func(t *testing.T) domain.Store) {
	ds := Dataset(t)
	tests := []struct {
		name string
		run  func(t *testing.T, ds *dataset.Dataset, s domain.Store)
	}{
		{"FileAndRead", testFileAndRead},
		{"ReportQueries", testReportQueries},
		{"Idempotency", testIdempotency},
		{"Retract", testRetract},
		{"LatestReports", testLatestReports},
		{"Tokens", testTokens},
		{"Audit", testAudit},
		{"ConcurrentWriters", testConcurrentWriters},
		{"StatusFilter", testStatusFilter},
		{"Inheritance", testInheritance},
		{"SiteTallies", testSiteTallies},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, ds, newStore(t)) })
	}
}

// The suite's reporter and its token.
var reporterToken = domain.Token{ID: "tok_suite", Name: "市住建局", Role: domain.RoleEditor}

// filedAt is the filing time of the suite's reports, to the microsecond
// that PostgreSQL keeps.
var filedAt = time.Date(2024, 10, 8, 9, 30, 0, 123456000, time.UTC)

func latestPlan(ds *dataset.Dataset) domain.Plan {
	p := ds.Latest()
	plan := p.Plan
	plan.Projects = p.Projects
	return plan
}

// draft builds a valid report with domain.CheckReport, as every writer
// must, dated on.
func draft(t testing.TB, ds *dataset.Dataset, d domain.ReportDraft) domain.Report {
	t.Helper()
	p := ds.Latest()
	if d.Source == "" {
		d.Source = "市住建局 工作台账 " + d.ReportedOn
	}
	r, err := domain.CheckReport(latestPlan(ds), d, domain.NewDate(2025, 6, 30), func(id string) (*domain.Site, error) {
		for i := range p.Sites {
			if p.Sites[i].ID == id {
				return &p.Sites[i], nil
			}
		}
		return nil, nil
	})
	if err != nil {
		t.Fatalf("draft %+v: %v", d, err)
	}
	r.ReportedBy, r.TokenID, r.FiledAt = reporterToken.Name, reporterToken.ID, filedAt
	return r
}

func audit(action string) domain.AuditEntry {
	return domain.AuditEntry{At: filedAt, Actor: reporterToken.Name, TokenID: reporterToken.ID, Action: action,
		Target: "suite", Remote: "127.0.0.1", RequestID: "req-suite"}
}

func file(t testing.TB, s domain.Store, reports ...domain.Report) []domain.Report {
	t.Helper()
	res, err := s.FileReports(context.Background(), domain.Filing{Reports: reports, Audit: audit("report.file")})
	if err != nil {
		t.Fatalf("FileReports: %v", err)
	}
	if res.Replayed || len(res.Reports) != len(reports) {
		t.Fatalf("FileReports stored %d (replayed %v), want %d", len(res.Reports), res.Replayed, len(reports))
	}
	return res.Reports
}

func f64(v float64) *float64 { return &v }
func i64(v int) *int         { return &v }

// sampleReports covers every kind of target and measure.
func sampleReports(t testing.TB, ds *dataset.Dataset) []domain.Report {
	return []domain.Report{
		draft(t, ds, domain.ReportDraft{Project: 4, Schedule: "charging-piles", ReportedOn: "2024-06-30", Quantity: f64(2500), EvidenceURL: "https://www.xa.gov.cn/piles"}),
		draft(t, ds, domain.ReportDraft{Project: 1, Schedule: "line-8", ReportedOn: "2024-09-30", Milestone: i64(5), Note: "轨通、电通"}),
		draft(t, ds, domain.ReportDraft{Site: "old-community-lintong-renhan", ReportedOn: "2024-11-15", Status: "completed"}),
		draft(t, ds, domain.ReportDraft{Project: 25, ReportedOn: "2024-08-01", Fraction: f64(0.4)}),
		draft(t, ds, domain.ReportDraft{Project: 12, Site: "housing-delivery-dangdai-hongfu-moma", ReportedOn: "2024-05-31", Quantity: f64(204)}),
	}
}

func testFileAndRead(t *testing.T, ds *dataset.Dataset, s domain.Store) {
	ctx := context.Background()
	want := sampleReports(t, ds)
	got := file(t, s, want...)
	for i, r := range got {
		if r.ID <= 0 || (i > 0 && r.ID <= got[i-1].ID) {
			t.Errorf("report %d has id %d after %v: ids must increase", i, r.ID, got[:i])
		}
		w := want[i]
		w.ID = r.ID
		if d := jsonDiff(w, r); d != "" {
			t.Errorf("filed report %d (-want +got):\n%s", i, d)
		}
		read, err := s.Report(ctx, w.Plan, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d := jsonDiff(w, read); d != "" {
			t.Errorf("read report %d (-want +got):\n%s", r.ID, d)
		}
	}
	_, err := s.Report(ctx, "xian-2024", got[len(got)-1].ID+1000)
	wantKind(t, "Report(unknown id)", err, domain.ErrNotFound)
	_, err = s.Report(ctx, "no-such-plan", got[0].ID)
	wantKind(t, "Report(other plan)", err, domain.ErrNotFound)
}

func testReportQueries(t *testing.T, ds *dataset.Dataset, s domain.Store) {
	ctx := context.Background()
	got := file(t, s, sampleReports(t, ds)...)
	more := file(t, s, draft(t, ds, domain.ReportDraft{Project: 4, Schedule: "charging-piles", ReportedOn: "2024-06-30", Quantity: f64(2600), Note: "更正"}))
	all := append(got, more...)
	ids := func(rs []domain.Report) []int64 {
		out := []int64{}
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	// Newest first by reported_on, then by id; by filing, by id alone.
	byDate := []int64{all[2].ID, all[1].ID, all[3].ID, all[5].ID, all[0].ID, all[4].ID}
	byFiling := []int64{all[5].ID, all[4].ID, all[3].ID, all[2].ID, all[1].ID, all[0].ID}
	tests := []struct {
		name    string
		q       domain.ReportQuery
		want    []int64
		matched int
	}{
		{"all", domain.ReportQuery{}, byDate, 6},
		{"by filing", domain.ReportQuery{ByFiling: true}, byFiling, 6},
		{"a project", domain.ReportQuery{Project: 4}, []int64{all[5].ID, all[0].ID}, 2},
		{"a schedule", domain.ReportQuery{Project: 1, Schedule: "line-8"}, []int64{all[1].ID}, 1},
		{"a site", domain.ReportQuery{Site: "old-community-lintong-renhan"}, []int64{all[2].ID}, 1},
		{"a site with nothing", domain.ReportQuery{Site: "old-community-baqiao-dianchangyiqu"}, []int64{}, 0},
		{"since", domain.ReportQuery{Since: domain.NewDate(2024, 8, 1)}, []int64{all[2].ID, all[1].ID, all[3].ID}, 3},
		{"until", domain.ReportQuery{Until: domain.NewDate(2024, 6, 30)}, []int64{all[5].ID, all[0].ID, all[4].ID}, 3},
		{"since and until", domain.ReportQuery{Since: domain.NewDate(2024, 6, 1), Until: domain.NewDate(2024, 8, 31)}, []int64{all[3].ID, all[5].ID, all[0].ID}, 3},
		{"limit", domain.ReportQuery{Limit: 2}, byDate[:2], 6},
		{"limit and offset", domain.ReportQuery{Limit: 2, Offset: 3}, byDate[3:5], 6},
		{"offset past the end", domain.ReportQuery{Offset: 10}, []int64{}, 6},
		{"another plan", domain.ReportQuery{Plan: "no-such-plan"}, []int64{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := tt.q
			if q.Plan == "" {
				q.Plan = "xian-2024"
			}
			page, err := s.Reports(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if d := jsonDiff(tt.want, ids(page.Reports)); d != "" || page.Matched != tt.matched {
				t.Errorf("ids (-want +got):\n%s matched %d, want %d", d, page.Matched, tt.matched)
			}
		})
	}
}

func testIdempotency(t *testing.T, ds *dataset.Dataset, s domain.Store) {
	ctx := context.Background()
	r := draft(t, ds, domain.ReportDraft{Project: 4, Schedule: "charging-piles", ReportedOn: "2024-06-30", Quantity: f64(2500)})
	f := domain.Filing{Reports: []domain.Report{r, r}, Key: "ledger-2024-06", Digest: "d1", Audit: audit("report.file")}
	first, err := s.FileReports(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.FileReports(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Replayed || first.Replayed {
		t.Errorf("replayed: first %v, again %v; want false, true", first.Replayed, again.Replayed)
	}
	if d := jsonDiff(first.Reports, again.Reports); d != "" {
		t.Errorf("a retry answered other reports (-first +again):\n%s", d)
	}
	other := f
	other.Digest = "d2"
	_, err = s.FileReports(ctx, other)
	wantKind(t, "same key, other request", err, domain.ErrUnprocessable)
	// The key is the token's: another token's identical key files anew.
	mine := f
	mine.Reports = []domain.Report{r}
	mine.Reports[0].TokenID = "tok_other"
	mine.Audit.TokenID = "tok_other"
	res, err := s.FileReports(ctx, mine)
	if err != nil || res.Replayed {
		t.Fatalf("another token's key: %v, replayed %v", err, res.Replayed)
	}
	page, err := s.Reports(ctx, domain.ReportQuery{Plan: "xian-2024"})
	if err != nil {
		t.Fatal(err)
	}
	if page.Matched != 3 {
		t.Errorf("%d reports stored, want 3 (two filed once, one by another token)", page.Matched)
	}
}

func testRetract(t *testing.T, ds *dataset.Dataset, s domain.Store) {
	ctx := context.Background()
	got := file(t, s, sampleReports(t, ds)...)
	target := got[2] // the completed old community
	rf := domain.RetractionFiling{
		Retraction: domain.Retraction{Report: target.ID, Reason: "填报错误：该小区尚未完工", RetractedBy: reporterToken.Name, TokenID: reporterToken.ID, RetractedAt: filedAt.Add(time.Hour)},
		Key:        "retract-1", Digest: "r1", Audit: audit("report.retract"),
	}
	x, replayed, err := s.Retract(ctx, rf)
	if err != nil || replayed || x.ID <= 0 || x.Report != target.ID || x.Reason != rf.Retraction.Reason {
		t.Fatalf("Retract = %+v, %v, %v", x, replayed, err)
	}
	if _, replayed, err := s.Retract(ctx, rf); err != nil || !replayed {
		t.Errorf("retrying the retraction: replayed %v, %v", replayed, err)
	}
	rf.Key = ""
	_, _, err = s.Retract(ctx, rf)
	wantKind(t, "retracting twice", err, domain.ErrConflict)
	rf.Retraction.Report = got[len(got)-1].ID + 100
	_, _, err = s.Retract(ctx, rf)
	wantKind(t, "retracting an unknown report", err, domain.ErrNotFound)

	read, err := s.Report(ctx, "xian-2024", target.ID)
	if err != nil {
		t.Fatal(err)
	}
	if read.Retraction == nil || read.Retraction.ID != x.ID || !read.Retraction.RetractedAt.Equal(rf.Retraction.RetractedAt) {
		t.Errorf("the report after its retraction: %+v", read.Retraction)
	}
	page, err := s.Reports(ctx, domain.ReportQuery{Plan: "xian-2024", Site: target.Site})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Reports) != 1 || page.Reports[0].Retraction == nil {
		t.Errorf("history of the site: %+v, want the report, marked retracted", page.Reports)
	}
	rep, err := s.SiteReport(ctx, "xian-2024", target.Layer, target.Site, domain.NewDate(2024, 12, 31))
	if err != nil || rep != nil {
		t.Errorf("SiteReport after retraction = %+v, %v; want none", rep, err)
	}
}

func testLatestReports(t *testing.T, ds *dataset.Dataset, s domain.Store) {
	ctx := context.Background()
	got := file(t, s, sampleReports(t, ds)...)
	tie := file(t, s, draft(t, ds, domain.ReportDraft{Project: 4, Schedule: "charging-piles", ReportedOn: "2024-06-30", Quantity: f64(2600)}))[0]
	later := file(t, s, draft(t, ds, domain.ReportDraft{Project: 4, Schedule: "charging-piles", ReportedOn: "2024-09-30", Quantity: f64(3700)}))[0]
	if _, _, err := s.Retract(ctx, domain.RetractionFiling{Retraction: domain.Retraction{Report: later.ID, Reason: "重复", RetractedBy: "x", RetractedAt: filedAt}, Audit: audit("report.retract")}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		asof string
		want []int64 // by (project, schedule)
	}{
		{"2024-01-01", []int64{}},
		{"2024-06-30", []int64{tie.ID}},                       // the tie goes to the later filing
		{"2024-08-01", []int64{tie.ID, got[3].ID}},            // project 25's whole-project report
		{"2024-12-31", []int64{got[1].ID, tie.ID, got[3].ID}}, // the retracted Q3 figure never counts
	}
	for _, tt := range tests {
		asof, _ := domain.ParseDate(tt.asof)
		latest, err := s.LatestReports(ctx, "xian-2024", asof)
		if err != nil {
			t.Fatal(err)
		}
		ids := []int64{}
		for _, r := range sortReports(latest) {
			if r.Site != "" {
				t.Errorf("LatestReports on %s holds a site report %d", tt.asof, r.ID)
			}
			ids = append(ids, r.ID)
		}
		if d := jsonDiff(tt.want, ids); d != "" {
			t.Errorf("LatestReports on %s (-want +got):\n%s", tt.asof, d)
		}
	}
}

func testTokens(t *testing.T, _ *dataset.Dataset, s domain.Store) {
	ctx := context.Background()
	hash := sha256.Sum256([]byte("pm_secret-one"))
	tok := domain.Token{ID: "tok_1", Name: "市轨道集团", Role: domain.RoleReporter, Projects: []int{1, 2}, Hash: hash[:], CreatedAt: filedAt}
	if err := s.CreateToken(ctx, tok, audit("token.create")); err != nil {
		t.Fatal(err)
	}
	admin := domain.Token{ID: "tok_2", Name: "管理员", Role: domain.RoleAdmin, Hash: []byte("0123456789abcdef0123456789abcdef"), CreatedAt: filedAt.Add(time.Second)}
	if err := s.CreateToken(ctx, admin, audit("token.create")); err != nil {
		t.Fatal(err)
	}
	dup := admin
	dup.ID = "tok_3"
	wantKind(t, "a second token with the same hash", s.CreateToken(ctx, dup, audit("token.create")), domain.ErrConflict)
	got, err := s.TokenByHash(ctx, hash[:])
	if err != nil {
		t.Fatal(err)
	}
	if d := jsonDiff(tok, got); d != "" || string(got.Hash) != string(tok.Hash) {
		t.Errorf("TokenByHash (-want +got):\n%s", d)
	}
	_, err = s.TokenByHash(ctx, []byte("nope"))
	wantKind(t, "TokenByHash(unknown)", err, domain.ErrNotFound)
	at := filedAt.Add(24 * time.Hour)
	if err := s.RevokeToken(ctx, "tok_1", at, audit("token.revoke")); err != nil {
		t.Fatal(err)
	}
	wantKind(t, "revoking twice", s.RevokeToken(ctx, "tok_1", at, audit("token.revoke")), domain.ErrConflict)
	wantKind(t, "revoking an unknown token", s.RevokeToken(ctx, "tok_9", at, audit("token.revoke")), domain.ErrNotFound)
	got, err = s.TokenByHash(ctx, hash[:])
	if err != nil || got.RevokedAt == nil || !got.RevokedAt.Equal(at) {
		t.Errorf("revoked token = %+v, %v", got, err)
	}
	list, err := s.Tokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != "tok_1" || list[1].ID != "tok_2" || !list[0].Revoked() || list[1].Revoked() {
		t.Errorf("Tokens = %+v", list)
	}
}

func testAudit(t *testing.T, ds *dataset.Dataset, s domain.Store) {
	ctx := context.Background()
	got := file(t, s, sampleReports(t, ds)[:2]...)
	if _, _, err := s.Retract(ctx, domain.RetractionFiling{Retraction: domain.Retraction{Report: got[0].ID, Reason: "错", RetractedBy: "x", RetractedAt: filedAt}, Audit: audit("report.retract")}); err != nil {
		t.Fatal(err)
	}
	entries, err := s.Audit(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[0].Action != "report.retract" || entries[1].Action != "report.file" {
		t.Fatalf("audit = %+v, want the retraction then the filing", entries)
	}
	e := entries[1]
	if e.ID <= 0 || !e.At.Equal(filedAt) || e.Actor != reporterToken.Name || e.TokenID != reporterToken.ID || e.Remote != "127.0.0.1" || e.RequestID != "req-suite" {
		t.Errorf("audit entry %+v", e)
	}
	if one, err := s.Audit(ctx, 1); err != nil || len(one) != 1 || one[0].ID != entries[0].ID {
		t.Errorf("Audit(limit 1) = %+v, %v", one, err)
	}
}

// testConcurrentWriters: 50 writers, half of them retrying their filing,
// lose nothing and file nothing twice.
func testConcurrentWriters(t *testing.T, ds *dataset.Dataset, s domain.Store) {
	ctx := context.Background()
	const writers = 50
	r := draft(t, ds, domain.ReportDraft{Project: 16, ReportedOn: "2024-06-30", Fraction: f64(0.5)})
	var wg sync.WaitGroup
	ids := make([][]int64, writers)
	errs := make([]error, writers)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f := domain.Filing{Reports: []domain.Report{r}, Key: fmt.Sprintf("writer-%d", w), Digest: "same", Audit: audit("report.file")}
			for try := 0; try < 1+w%2; try++ {
				res, err := s.FileReports(ctx, f)
				if err != nil {
					errs[w] = err
					return
				}
				ids[w] = append(ids[w], res.Reports[0].ID)
			}
		}()
	}
	wg.Wait()
	seen := map[int64]int{}
	for w := 0; w < writers; w++ {
		if errs[w] != nil {
			t.Fatalf("writer %d: %v", w, errs[w])
		}
		for _, id := range ids[w] {
			if id != ids[w][0] {
				t.Errorf("writer %d got ids %v for one key", w, ids[w])
			}
		}
		seen[ids[w][0]]++
	}
	if len(seen) != writers {
		t.Errorf("%d distinct reports for %d writers", len(seen), writers)
	}
	page, err := s.Reports(ctx, domain.ReportQuery{Plan: "xian-2024"})
	if err != nil {
		t.Fatal(err)
	}
	if page.Matched != writers {
		t.Errorf("%d reports stored, want %d", page.Matched, writers)
	}
}

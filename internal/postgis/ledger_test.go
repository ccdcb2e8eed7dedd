package postgis_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"projectmap/geodata"
	"projectmap/internal/dataset"
	"projectmap/internal/domain"
	"projectmap/internal/postgis"
	"projectmap/internal/storetest"
)

// report is a valid report of a fraction done, as CheckReport would make.
func report(site domain.Site, on domain.Date, progress float64, status domain.ReportStatus) domain.Report {
	f := progress
	return domain.Report{Plan: site.PlanID, Project: site.Project, Layer: site.Layer, Site: site.ID, ReportedOn: on,
		Fraction: &f, Progress: progress, Status: status, Source: "测试台账", ReportedBy: "测试单位", TokenID: "tok_test"}
}

// scheduleReport is a report on a whole schedule.
func scheduleReport(plan string, project int, schedule string, on domain.Date, progress float64, status domain.ReportStatus) domain.Report {
	f := progress
	return domain.Report{Plan: plan, Project: project, Schedule: schedule, ReportedOn: on,
		Fraction: &f, Progress: progress, Status: status, Source: "测试台账", ReportedBy: "测试单位", TokenID: "tok_test"}
}

func siteOf(t testing.TB, p *dataset.Plan, id string) domain.Site {
	t.Helper()
	for _, s := range p.Sites {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("no site %s in the data", id)
	return domain.Site{}
}

func fileOne(t testing.TB, s *postgis.Store, rs ...domain.Report) []domain.Report {
	t.Helper()
	res, err := s.FileReports(context.Background(), domain.Filing{Reports: rs, Audit: domain.AuditEntry{Actor: "测试单位", Action: "report.file"}})
	if err != nil {
		t.Fatalf("FileReports: %v", err)
	}
	return res.Reports
}

// TestAppendOnly: history is never changed, by anyone, even in SQL.
func TestAppendOnly(t *testing.T) {
	ctx := context.Background()
	s := storetest.PostGIS(t)
	p := storetest.Dataset(t).Latest()
	site := siteOf(t, p, "old-community-lintong-renhan")
	r := fileOne(t, s, report(site, domain.NewDate(2024, 6, 30), 0.5, domain.ReportInProgress))[0]
	if _, _, err := s.Retract(ctx, domain.RetractionFiling{Retraction: domain.Retraction{Report: r.ID, Reason: "错", RetractedBy: "测试单位"},
		Audit: domain.AuditEntry{Actor: "测试单位"}}); err != nil {
		t.Fatal(err)
	}
	tok := domain.Token{ID: "tok_a", Name: "测试", Role: domain.RoleEditor, Hash: make([]byte, 32)}
	if err := s.CreateToken(ctx, tok, domain.AuditEntry{Actor: "cli:test"}); err != nil {
		t.Fatal(err)
	}
	refused := []string{
		`UPDATE reports SET progress = 0.9`,
		`DELETE FROM reports`,
		`TRUNCATE reports CASCADE`,
		`UPDATE retractions SET reason = 'other'`,
		`DELETE FROM retractions`,
		`UPDATE audit_log SET actor = 'someone else'`,
		`DELETE FROM audit_log`,
		`TRUNCATE audit_log`,
		`UPDATE tokens SET name = 'renamed'`,
		`UPDATE tokens SET role = 'admin', revoked_at = now()`,
		`DELETE FROM tokens`,
	}
	for _, sql := range refused {
		if _, err := s.Pool().Exec(ctx, sql); err == nil || !strings.Contains(err.Error(), "SQLSTATE 42501") {
			t.Errorf("%s: %v, want it refused", sql, err)
		}
	}
	// A token changes once: when it is revoked.
	if _, err := s.Pool().Exec(ctx, `UPDATE tokens SET revoked_at = now() WHERE id = 'tok_a'`); err != nil {
		t.Errorf("revoking in SQL: %v", err)
	}
	if _, err := s.Pool().Exec(ctx, `UPDATE tokens SET revoked_at = now() WHERE id = 'tok_a'`); err == nil {
		t.Error("a token was revoked twice")
	}
	if got, err := s.Report(ctx, p.ID, r.ID); err != nil || got.Progress != 0.5 || got.Retraction == nil {
		t.Errorf("the report after the attempts: %+v, %v", got, err)
	}
}

// TestConstraints: the schema refuses what breaks the ledger's rules, and
// the store says which field, as the client's mistake (never internal).
func TestConstraints(t *testing.T) {
	ctx := context.Background()
	s := storetest.PostGIS(t)
	p := storetest.Dataset(t).Latest()
	site := siteOf(t, p, "old-community-lintong-renhan")
	good := report(site, domain.NewDate(2024, 6, 30), 0.5, domain.ReportInProgress)
	bad := []struct {
		name  string
		spoil func(r *domain.Report)
		kind  domain.Kind
		field string
	}{
		{"progress above 1", func(r *domain.Report) { r.Progress = 1.5 }, domain.ErrUnprocessable, "progress"},
		{"a negative fraction", func(r *domain.Report) { *r.Fraction = -0.1 }, domain.ErrUnprocessable, "fraction"},
		{"an unknown status", func(r *domain.Report) { r.Status = "done" }, domain.ErrUnprocessable, "status"},
		{"no source", func(r *domain.Report) { r.Source = "" }, domain.ErrUnprocessable, "source"},
		{"no reporter", func(r *domain.Report) { r.ReportedBy = "" }, domain.ErrUnprocessable, "reported_by"},
		{"an unknown project", func(r *domain.Report) { r.Project, r.Layer, r.Site = 99, "", "" }, domain.ErrUnprocessable, "project"},
		{"an unknown schedule", func(r *domain.Report) { r.Layer, r.Site, r.Schedule = "", "", "no-such-schedule" }, domain.ErrUnprocessable, "schedule"},
		{"an unknown site", func(r *domain.Report) { r.Site = "no-such-site" }, domain.ErrUnprocessable, "site"},
		{"a site and a schedule", func(r *domain.Report) { r.Schedule = "old-communities" }, domain.ErrUnprocessable, "site"},
		{"two measures", func(r *domain.Report) { m := 2; r.Milestone = &m }, domain.ErrUnprocessable, "quantity"},
		{"a quantity without its metric", func(r *domain.Report) { q := 3.0; r.Fraction, r.Quantity = nil, &q }, domain.ErrUnprocessable, "quantity"},
		{"not a web address", func(r *domain.Report) { r.EvidenceURL = "javascript:alert(1)" }, domain.ErrUnprocessable, "evidence_url"},
		{"a NUL in the note", func(r *domain.Report) { r.Note = "a\x00b" }, domain.ErrInvalid, ""},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			r := good
			f := *good.Fraction
			r.Fraction = &f
			tt.spoil(&r)
			// The bad report goes second: the good first one must not stay.
			_, err := s.FileReports(ctx, domain.Filing{Reports: []domain.Report{good, r}, Audit: domain.AuditEntry{Actor: "测试单位"}})
			var de *domain.Error
			if domain.KindOf(err) != tt.kind || !asDomain(err, &de) || de.Param != tt.field {
				t.Errorf("FileReports = %v (kind %s, param %q); want %s naming %q", err, domain.KindOf(err), param(err), tt.kind, tt.field)
			}
		})
	}
	if page, err := s.Reports(ctx, domain.ReportQuery{Plan: p.ID}); err != nil || page.Matched != 0 {
		t.Errorf("after refused filings: %d reports, %v; want none", page.Matched, err)
	}
	if entries, err := s.Audit(ctx, 0); err != nil || len(entries) != 0 {
		t.Errorf("after refused filings: %d audit entries, %v; want none", len(entries), err)
	}
	// Tokens and retractions.
	tokenCases := []struct {
		name  string
		tok   domain.Token
		field string
	}{
		{"no name", domain.Token{ID: "tok_x", Role: domain.RoleEditor, Hash: make([]byte, 32)}, "name"},
		{"a role", domain.Token{ID: "tok_x", Name: "x", Role: "root", Hash: make([]byte, 32)}, "role"},
		{"a reporter of nothing", domain.Token{ID: "tok_x", Name: "x", Role: domain.RoleReporter, Hash: make([]byte, 32)}, "projects"},
		{"a short hash", domain.Token{ID: "tok_x", Name: "x", Role: domain.RoleEditor, Hash: []byte("short")}, "hash"},
	}
	for _, tt := range tokenCases {
		err := s.CreateToken(ctx, tt.tok, domain.AuditEntry{Actor: "cli:test"})
		if domain.KindOf(err) != domain.ErrUnprocessable || param(err) != tt.field {
			t.Errorf("CreateToken with %s = %v, want unprocessable naming %s", tt.name, err, tt.field)
		}
	}
	r := fileOne(t, s, good)[0]
	_, _, err := s.Retract(ctx, domain.RetractionFiling{Retraction: domain.Retraction{Report: r.ID, RetractedBy: "x"}, Audit: domain.AuditEntry{Actor: "x"}})
	if domain.KindOf(err) != domain.ErrUnprocessable || param(err) != "reason" {
		t.Errorf("a retraction without a reason = %v, want unprocessable naming reason", err)
	}
	if _, err := s.FileReports(ctx, domain.Filing{Audit: domain.AuditEntry{Actor: "x"}}); domain.KindOf(err) != domain.ErrUnprocessable {
		t.Errorf("an empty filing = %v, want unprocessable", err)
	}
}

func asDomain(err error, de **domain.Error) bool {
	e, ok := err.(*domain.Error)
	*de = e
	return ok
}

func param(err error) string {
	if e, ok := err.(*domain.Error); ok {
		return e.Param
	}
	return ""
}

// TestIdempotentConcurrency: 50 writers at once with one key file once;
// 50 with keys of their own file 50 times; retractions alike.
func TestIdempotentConcurrency(t *testing.T) {
	ctx := context.Background()
	s := storetest.PostGIS(t)
	p := storetest.Dataset(t).Latest()
	site := siteOf(t, p, "old-community-lintong-renhan")
	r := report(site, domain.NewDate(2024, 6, 30), 0.5, domain.ReportInProgress)
	const writers = 50
	run := func(key func(w int) string) ([]domain.FilingResult, []error) {
		results, errs := make([]domain.FilingResult, writers), make([]error, writers)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				results[w], errs[w] = s.FileReports(ctx, domain.Filing{Reports: []domain.Report{r, r}, Key: key(w), Digest: "same",
					Audit: domain.AuditEntry{Actor: "测试单位"}})
			}()
		}
		close(start)
		wg.Wait()
		return results, errs
	}
	results, errs := run(func(int) string { return "one-key" })
	filed := 0
	for w := range results {
		if errs[w] != nil {
			t.Fatalf("writer %d: %v", w, errs[w])
		}
		if !results[w].Replayed {
			filed++
		}
		if results[w].Reports[0].ID != results[0].Reports[0].ID || results[w].Reports[1].ID != results[0].Reports[1].ID {
			t.Errorf("writer %d got reports %d, %d; writer 0 %d, %d", w, results[w].Reports[0].ID, results[w].Reports[1].ID,
				results[0].Reports[0].ID, results[0].Reports[1].ID)
		}
	}
	if filed != 1 {
		t.Errorf("%d writers filed with one key, want 1", filed)
	}
	results, errs = run(func(w int) string { return fmt.Sprintf("key-%d", w) })
	seen := map[int64]bool{}
	for w := range results {
		if errs[w] != nil || results[w].Replayed {
			t.Fatalf("writer %d: %v, replayed %v", w, errs[w], results[w].Replayed)
		}
		for _, rep := range results[w].Reports {
			if seen[rep.ID] {
				t.Errorf("report %d given to two writers", rep.ID)
			}
			seen[rep.ID] = true
		}
	}
	page, err := s.Reports(ctx, domain.ReportQuery{Plan: p.ID})
	if err != nil || page.Matched != 2+2*writers {
		t.Errorf("%d reports stored, %v; want %d", page.Matched, err, 2+2*writers)
	}
	entries, err := s.Audit(ctx, 0)
	if err != nil || len(entries) != 1+writers {
		t.Errorf("%d audit entries, %v; want one per filing, %d", len(entries), err, 1+writers)
	}

	// Retractions of one report with one key: one retraction, the rest
	// replayed; without a key, one wins and the rest conflict.
	target := results[0].Reports[0].ID
	var wg sync.WaitGroup
	retracted, replayed := make([]domain.Retraction, writers), make([]bool, writers)
	errs = make([]error, writers)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			retracted[w], replayed[w], errs[w] = s.Retract(ctx, domain.RetractionFiling{
				Retraction: domain.Retraction{Report: target, Reason: "重复", RetractedBy: "测试单位", TokenID: "tok_test"},
				Key:        "retract", Digest: "r", Audit: domain.AuditEntry{Actor: "测试单位"}})
		}()
	}
	wg.Wait()
	fresh := 0
	for w := range errs {
		if errs[w] != nil {
			t.Fatalf("retracting writer %d: %v", w, errs[w])
		}
		if !replayed[w] {
			fresh++
		}
		if retracted[w].ID != retracted[0].ID {
			t.Errorf("retracting writer %d got retraction %d, writer 0 %d", w, retracted[w].ID, retracted[0].ID)
		}
	}
	if fresh != 1 {
		t.Errorf("%d retractions stored, want 1", fresh)
	}
	other := results[1].Reports[0].ID
	conflicts := make([]error, writers)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, conflicts[w] = s.Retract(ctx, domain.RetractionFiling{
				Retraction: domain.Retraction{Report: other, Reason: "重复", RetractedBy: "测试单位"}, Audit: domain.AuditEntry{Actor: "测试单位"}})
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range conflicts {
		switch domain.KindOf(err) {
		case domain.ErrConflict:
		default:
			if err != nil {
				t.Errorf("a racing retraction: %v", err)
			}
			won++
		}
	}
	if won != 1 {
		t.Errorf("%d racing retractions succeeded, want 1", won)
	}
	_, _, err = s.Retract(ctx, domain.RetractionFiling{Retraction: domain.Retraction{Report: other, Reason: "x", RetractedBy: "x", TokenID: "tok_test"},
		Key: "retract", Digest: "other", Audit: domain.AuditEntry{Actor: "x"}})
	if domain.KindOf(err) != domain.ErrUnprocessable || param(err) != "Idempotency-Key" {
		t.Errorf("a reused key with another request: %v", err)
	}
}

// TestImportKeepsReports: re-importing the geodata (deleting and
// re-inserting every site in one transaction) keeps the reports valid;
// an import that would drop a reported site is refused whole.
func TestImportKeepsReports(t *testing.T) {
	ctx := context.Background()
	s := storetest.PostGIS(t)
	ds := storetest.Dataset(t)
	p := ds.Latest()
	site := siteOf(t, p, "old-community-lintong-renhan")
	on := domain.NewDate(2024, 6, 30)
	filed := fileOne(t, s,
		report(site, on, 1, domain.ReportCompleted),
		scheduleReport(p.ID, 1, "line-8", on, 0.5, domain.ReportInProgress))
	if _, err := s.Pool().Exec(ctx, `DELETE FROM dataset_imports`); err != nil {
		t.Fatal(err)
	}
	if st, err := postgis.Import(ctx, s.Pool(), ds); err != nil || st.Unchanged {
		t.Fatalf("re-import: %+v, %v", st, err)
	}
	rep, err := s.SiteReport(ctx, p.ID, site.Layer, site.ID, on)
	if err != nil || rep == nil || rep.ID != filed[0].ID {
		t.Errorf("the site's report after a re-import: %+v, %v", rep, err)
	}
	page, err := s.Sites(ctx, domain.SiteQuery{Plan: p.ID, Layer: site.Layer, Status: domain.TrackCompleted, AsOf: on})
	if err != nil || page.Matched != 1 || page.Sites[0].ID != site.ID {
		t.Errorf("completed sites after a re-import: %+v, %v", page.Sites, err)
	}

	changed, err := dataset.Load(geodata.Files)
	if err != nil {
		t.Fatal(err)
	}
	lp := changed.Latest()
	var kept []domain.Site
	for _, x := range lp.Sites {
		if x.ID != site.ID {
			kept = append(kept, x)
		}
	}
	lp.Sites = kept
	before := digest(t, s.Pool())
	_, err = postgis.Import(ctx, s.Pool(), changed)
	if domain.KindOf(err) != domain.ErrConflict || !strings.Contains(err.Error(), site.ID) {
		t.Errorf("an import without a reported site: %v, want a conflict naming %s", err, site.ID)
	}
	sameDigest(t, "refused import", before, digest(t, s.Pool()))
}

// TestFiledAtIsDurable: a filing is acknowledged with its time, and a
// report read back from a fresh store equals the one acknowledged.
func TestFiledAtIsDurable(t *testing.T) {
	ctx := context.Background()
	s := storetest.PostGIS(t)
	p := storetest.Dataset(t).Latest()
	site := siteOf(t, p, "old-community-lintong-renhan")
	began := time.Now().Add(-time.Second)
	r := fileOne(t, s, report(site, domain.NewDate(2024, 6, 30), 0.5, domain.ReportInProgress))[0]
	if r.FiledAt.Before(began) || r.FiledAt.After(time.Now().Add(time.Second)) {
		t.Errorf("filed at %s, want now", r.FiledAt)
	}
	other, err := postgis.Open(ctx, s.Pool().Config().ConnString())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	got, err := other.Report(ctx, p.ID, r.ID)
	if err != nil || !got.FiledAt.Equal(r.FiledAt) || got.Progress != r.Progress || *got.Fraction != *r.Fraction {
		t.Errorf("read back: %+v, %v; want %+v", got, err, r)
	}
}

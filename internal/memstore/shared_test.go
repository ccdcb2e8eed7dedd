package memstore_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sync"
	"testing"
	"time"

	"projectmap/internal/domain"
	"projectmap/internal/storetest"
)

// TestTwoStoresOneDirectory opens one data directory twice, as the server
// and "projectmap report add" do, and checks each sees what the other
// wrote, before answering any read, with one sequence of IDs and one set
// of idempotency keys.
func TestTwoStoresOneDirectory(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	server, cli := open(t, dir), open(t, dir)
	r := draft(t, domain.ReportDraft{Project: 4, Schedule: "charging-piles", ReportedOn: "2024-06-30", Quantity: f64(2500)})

	a := file(t, cli, domain.Filing{Reports: []domain.Report{r}, Key: "k1", Digest: "d1", Audit: audit("tok_test")})
	got, err := server.Report(ctx, planID, a.Reports[0].ID)
	if err != nil {
		t.Fatalf("the server does not see the command line's report: %v", err)
	}
	sameJSON(t, "the report as the server reads it", a.Reports[0], got)

	b := file(t, server, domain.Filing{Reports: []domain.Report{r}, Audit: audit("tok_test")})
	if b.Reports[0].ID != a.Reports[0].ID+1 {
		t.Errorf("ids %d then %d: one sequence across processes", a.Reports[0].ID, b.Reports[0].ID)
	}
	again := file(t, server, domain.Filing{Reports: []domain.Report{r}, Key: "k1", Digest: "d1", Audit: audit("tok_test")})
	if !again.Replayed || again.Reports[0].ID != a.Reports[0].ID {
		t.Errorf("a retry through the other store filed anew: %+v", again)
	}
	_, err = server.FileReports(ctx, domain.Filing{Reports: []domain.Report{r}, Key: "k1", Digest: "d2", Audit: audit("tok_test")})
	wantKind(t, "the key with another request, through the other store", err, domain.ErrUnprocessable)

	// A token made and revoked on the command line counts on the server at once.
	h := sha256.Sum256([]byte("pm_new"))
	if err := cli.CreateToken(ctx, domain.Token{ID: "tok_cli", Name: "市轨道集团", Role: domain.RoleReporter, Projects: []int{1}, Hash: h[:]}, audit("")); err != nil {
		t.Fatal(err)
	}
	if tok, err := server.TokenByHash(ctx, h[:]); err != nil || tok.ID != "tok_cli" || tok.Revoked() {
		t.Errorf("the server's view of the new token: %+v, %v", tok, err)
	}
	if err := cli.RevokeToken(ctx, "tok_cli", time.Time{}, audit("")); err != nil {
		t.Fatal(err)
	}
	if tok, _ := server.TokenByHash(ctx, h[:]); !tok.Revoked() {
		t.Error("the server still takes a token the command line revoked")
	}
	if _, _, err := server.Retract(ctx, domain.RetractionFiling{Retraction: domain.Retraction{Report: a.Reports[0].ID, Reason: "错"}}); err != nil {
		t.Fatal(err)
	}
	_, _, err = cli.Retract(ctx, domain.RetractionFiling{Retraction: domain.Retraction{Report: a.Reports[0].ID, Reason: "错"}})
	wantKind(t, "retracting through the other store what is retracted", err, domain.ErrConflict)
	sameJSON(t, "the two stores' answers", snapshot(t, server), snapshot(t, cli))
}

// TestConcurrentWriters: 50 writers over two stores on one directory,
// half of them retrying with their key, while readers read: nothing is
// lost, nothing filed twice, and a third store replays the same.
func TestConcurrentWriters(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	stores := []domain.Store{open(t, dir), open(t, dir)}
	const writers = 50
	ids := make([][]int64, writers)
	errs := make([]error, writers)
	var wg sync.WaitGroup
	done := make(chan struct{})
	var readers sync.WaitGroup
	for i := range stores {
		readers.Add(1)
		go func() {
			defer readers.Done()
			last := 0
			for {
				select {
				case <-done:
					return
				default:
				}
				page, err := stores[i].Reports(ctx, domain.ReportQuery{Plan: planID})
				if err != nil {
					t.Error(err)
					return
				}
				if page.Matched < last {
					t.Errorf("store %d: %d reports after %d", i, page.Matched, last)
				}
				last = page.Matched
			}
		}()
	}
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := stores[w%2]
			r := draft(t, domain.ReportDraft{Project: 16, ReportedOn: "2024-06-30", Fraction: f64(float64(w) / 100), Note: fmt.Sprintf("writer %d", w)})
			f := domain.Filing{Reports: []domain.Report{r}, Key: fmt.Sprintf("writer-%d", w), Digest: "d", Audit: audit("tok_test")}
			for try := 0; try < 1+w%2; try++ {
				if try > 0 {
					s = stores[(w+1)%2] // the retry goes through the other process
				}
				res, err := s.FileReports(ctx, f)
				if err != nil {
					errs[w] = err
					return
				}
				if res.Replayed != (try > 0) {
					errs[w] = fmt.Errorf("try %d replayed %v", try, res.Replayed)
					return
				}
				ids[w] = append(ids[w], res.Reports[0].ID)
			}
		}()
	}
	wg.Wait()
	close(done)
	readers.Wait()
	seen := map[int64]bool{}
	for w := 0; w < writers; w++ {
		if errs[w] != nil {
			t.Fatalf("writer %d: %v", w, errs[w])
		}
		for _, id := range ids[w][1:] {
			if id != ids[w][0] {
				t.Errorf("writer %d: ids %v for one key", w, ids[w])
			}
		}
		if seen[ids[w][0]] {
			t.Errorf("id %d given twice", ids[w][0])
		}
		seen[ids[w][0]] = true
	}
	for id := int64(1); id <= writers; id++ {
		if !seen[id] {
			t.Errorf("no writer got id %d: the ids are not 1..%d", id, writers)
		}
	}
	third := open(t, dir)
	page, err := third.Reports(ctx, domain.ReportQuery{Plan: planID})
	if err != nil {
		t.Fatal(err)
	}
	if page.Matched != writers {
		t.Errorf("%d reports replayed, want %d", page.Matched, writers)
	}
	entries, _ := third.Audit(ctx, 0)
	if len(entries) != writers {
		t.Errorf("%d audit entries, want %d (a replayed retry writes none)", len(entries), writers)
	}
	sameJSON(t, "a fresh replay against the writers' view", snapshot(t, stores[0]), snapshot(t, third))
}

// TestStatusPaging: paging over a status filter gives exactly the pages
// of the filtered whole, Matched counts the whole, and each page's
// reports line up with its sites.
func TestStatusPaging(t *testing.T) {
	s := open(t, t.TempDir())
	ctx := context.Background()
	var reports []domain.Report
	// Every third old community reported done, every fifth half done.
	p := storetest.Dataset(t).Latest()
	n := 0
	for _, site := range p.Sites {
		if site.Layer != "old-communities" {
			continue
		}
		switch {
		case n%3 == 0:
			reports = append(reports, draft(t, domain.ReportDraft{Site: site.ID, ReportedOn: "2024-09-30", Status: "completed"}))
		case n%5 == 0:
			reports = append(reports, draft(t, domain.ReportDraft{Site: site.ID, ReportedOn: "2024-09-30", Fraction: f64(0.5)}))
		}
		n++
	}
	file(t, s, domain.Filing{Reports: reports, Audit: audit("")})
	asof := domain.NewDate(2024, 10, 31)
	done, err := s.Sites(ctx, domain.SiteQuery{Plan: planID, Layer: "old-communities", Status: domain.TrackCompleted, AsOf: asof})
	if err != nil || done.Matched != (n+2)/3 {
		t.Fatalf("%d of %d sites completed (%v), want %d", done.Matched, n, err, (n+2)/3)
	}
	for _, st := range domain.TrackingStatuses() {
		q := domain.SiteQuery{Plan: planID, Layer: "old-communities", Status: st, AsOf: asof}
		whole, err := s.Sites(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, size := range []int{1, 4, 7} {
			var ids []string
			for off := 0; off < whole.Matched+size; off += size {
				pq := q
				pq.Limit, pq.Offset = size, off
				page, err := s.Sites(ctx, pq)
				if err != nil {
					t.Fatal(err)
				}
				if page.Matched != whole.Matched {
					t.Errorf("%s: matched %d on a page, %d in all", st, page.Matched, whole.Matched)
				}
				if len(page.Reports) != len(page.Sites) {
					t.Fatalf("%s: %d reports for %d sites", st, len(page.Reports), len(page.Sites))
				}
				for i, site := range page.Sites {
					r := page.Reports[i]
					if (r == nil) != (st == domain.TrackUnreported) || (r != nil && r.Site != site.ID) {
						t.Errorf("%s: site %s carries %+v", st, site.ID, r)
					}
					ids = append(ids, site.ID)
				}
			}
			var want []string
			for _, site := range whole.Sites {
				want = append(want, site.ID)
			}
			sameJSON(t, fmt.Sprintf("%s paged by %d", st, size), want, ids)
		}
	}
}

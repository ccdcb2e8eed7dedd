package postgis_test

import (
	"context"
	"testing"
	"time"

	"projectmap/internal/domain"
	"projectmap/internal/postgis"
	"projectmap/internal/storetest"
)

// waitFor polls cond every 10 ms until it holds or within passes; it
// returns how long it took, or fails t.
func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	began := time.Now()
	for !cond() {
		if time.Since(began) > within {
			t.Fatalf("%s: not within %s", what, within)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Since(began)
}

// retry runs op again while it fails for a lost connection, a few times.
func retry(op func() error) error {
	var err error
	for i := 0; i < 5; i++ {
		if err = op(); domain.KindOf(err) != domain.ErrUnavailable {
			return err
		}
	}
	return err
}

// TestReplicas: two stores on one database, as two server processes
// behind a load balancer. What one writes, the other sees within a second
// (NOTIFY drops its cached answers), and while the other cannot listen it
// keeps nothing in memory, so it is never stale.
func TestReplicas(t *testing.T) {
	ctx := context.Background()
	url := storetest.NewDatabase(t)
	a, err := postgis.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ds := storetest.Dataset(t)
	if _, err := postgis.Import(ctx, a.Pool(), ds); err != nil {
		t.Fatal(err)
	}
	b, err := postgis.Open(ctx, url+"&application_name=replica-b")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	p := ds.Latest()
	asof := domain.NewDate(2024, 12, 31)
	site := siteOf(t, p, "old-community-lintong-renhan")

	// Reads retry a connection the pool has not yet found dead.
	latest := func() int {
		var rs []domain.Report
		err := retry(func() (err error) { rs, err = b.LatestReports(ctx, p.ID, asof); return err })
		if err != nil {
			t.Fatal(err)
		}
		return len(rs)
	}
	completed := func() int {
		var tallies []domain.SiteTally
		err := retry(func() (err error) { tallies, err = b.SiteTallies(ctx, p.ID, asof); return err })
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, tally := range tallies {
			if tally.Status == domain.TrackCompleted {
				n += tally.Sites
			}
		}
		return n
	}
	reports := func() int {
		var page domain.ReportPage
		err := retry(func() (err error) { page, err = b.Reports(ctx, domain.ReportQuery{Plan: p.ID, Limit: 1}); return err })
		if err != nil {
			t.Fatal(err)
		}
		return page.Matched
	}
	if latest() != 0 || completed() != 0 || reports() != 0 {
		t.Fatal("a fresh database has reports")
	}
	waitFor(t, 5*time.Second, "b listening", b.Listening)
	latest()
	completed()
	reports()
	if n := postgis.CachedAnswers(b); n != 3 {
		t.Errorf("b keeps %d answers while listening, want 3", n)
	}

	// A write through a is seen through b within a second.
	fileOne(t, a, report(site, domain.NewDate(2024, 11, 30), 1, domain.ReportCompleted),
		scheduleReport(p.ID, 1, "line-8", domain.NewDate(2024, 11, 30), 0.5, domain.ReportInProgress))
	took := waitFor(t, time.Second, "b sees a's write", func() bool { return latest() == 1 && completed() == 1 && reports() == 2 })
	t.Logf("b saw a's write after %s", took)

	// b's connections killed, as when the network drops: while b cannot
	// listen it keeps nothing and reads the database every time.
	var killed int
	if err := a.Pool().QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND application_name = 'replica-b'`).Scan(&killed); err != nil || killed == 0 {
		t.Fatalf("killing b's connections: %d, %v", killed, err)
	}
	waitFor(t, 5*time.Second, "b noticing it stopped listening", func() bool { return !b.Listening() })
	fileOne(t, a, scheduleReport(p.ID, 2, p.Project(2).Schedules[0].ID, domain.NewDate(2024, 11, 30), 0.5, domain.ReportInProgress))
	if !b.Listening() {
		if n := latest(); n != 2 {
			t.Errorf("b not listening answers %d latest reports, want 2 (read afresh)", n)
		}
		if n := postgis.CachedAnswers(b); n != 0 {
			t.Errorf("b not listening keeps %d answers", n)
		}
	} else {
		t.Log("b listened again before it could be checked while not listening")
	}

	// It listens again by itself, and follows writes again.
	waitFor(t, 5*time.Second, "b listening again", b.Listening)
	latest()
	fileOne(t, a, scheduleReport(p.ID, 3, p.Project(3).Schedules[0].ID, domain.NewDate(2024, 11, 30), 0.5, domain.ReportInProgress))
	took = waitFor(t, time.Second, "b sees a's write after reconnecting", func() bool { return latest() == 3 })
	t.Logf("after reconnecting, b saw a's write after %s", took)

	// A store reads its own writes at once.
	fileOne(t, b, scheduleReport(p.ID, 4, p.Project(4).Schedules[0].ID, domain.NewDate(2024, 11, 30), 0.5, domain.ReportInProgress))
	if n := latest(); n != 4 {
		t.Errorf("b after its own write: %d latest reports, want 4", n)
	}
}

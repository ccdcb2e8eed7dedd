package postgis_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"projectmap/internal/domain"
	"projectmap/internal/postgis"
	"projectmap/internal/storetest"
)

// stateOf returns s's state version, failing t unless it is known.
func stateOf(t *testing.T, s *postgis.Store) string {
	t.Helper()
	v, ok, err := s.StateVersion(context.Background())
	if err != nil || !ok {
		t.Fatalf("StateVersion = %q, %v, %v; want a version", v, ok, err)
	}
	return v
}

// listeningPair opens two stores on one scratch database with the data
// imported, as two replicas, and waits until both listen.
func listeningPair(t *testing.T) (a, b *postgis.Store) {
	t.Helper()
	ctx := context.Background()
	url := storetest.NewDatabase(t)
	a, err := postgis.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	if _, err := postgis.Import(ctx, a.Pool(), storetest.Dataset(t)); err != nil {
		t.Fatal(err)
	}
	b, err = postgis.Open(ctx, url+"&application_name=replica-b")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	for _, s := range []*postgis.Store{a, b} {
		s.StateVersion(ctx) // starts the listener
		waitFor(t, 5*time.Second, "listening", s.Listening)
	}
	return a, b
}

// TestStateVersionReplicas: two stores on one database name one version
// when quiet; a report filed, a retraction, a plan edit and an import
// through one move it on the writer at once and on the other within a
// second, to the same string again.
func TestStateVersionReplicas(t *testing.T) {
	ctx := context.Background()
	a, b := listeningPair(t)
	p := storetest.Dataset(t).Latest()
	site := siteOf(t, p, "old-community-lintong-renhan")
	// moved waits until both name one version other than before.
	moved := func(what, before string) string {
		t.Helper()
		var va, vb string
		waitFor(t, time.Second, "both following "+what, func() bool {
			va, vb = stateOf(t, a), stateOf(t, b)
			return va == vb && va != before
		})
		return va
	}
	quiet := moved("nothing", "")
	if !strings.HasPrefix(quiet, "d") || !strings.Contains(quiet, ".l0") {
		t.Errorf("version of a database without reports: %q, want d<n>.l0", quiet)
	}
	steps := []struct {
		what  string
		own   bool // a write through a's methods, not SQL or an import
		write func(t *testing.T)
	}{
		{"a report filed", true, func(t *testing.T) {
			fileOne(t, a, report(site, domain.NewDate(2024, 6, 30), 0.5, domain.ReportInProgress))
		}},
		{"a retraction", true, func(t *testing.T) {
			rs := fileOne(t, b, report(site, domain.NewDate(2024, 7, 31), 0.6, domain.ReportInProgress))
			if _, _, err := a.Retract(ctx, domain.RetractionFiling{Retraction: domain.Retraction{Report: rs[0].ID, Reason: "错", RetractedBy: "测试单位"},
				Audit: domain.AuditEntry{Actor: "测试单位"}}); err != nil {
				t.Fatal(err)
			}
		}},
		{"a plan edited alone", false, func(t *testing.T) {
			if _, err := a.Pool().Exec(ctx, `UPDATE plans SET title = title || '!' WHERE id = $1`, p.ID); err != nil {
				t.Fatal(err)
			}
		}},
		{"a collection imported", false, func(t *testing.T) {
			one := `{"type":"FeatureCollection","features":[{"type":"Feature","id":"c1","geometry":{"type":"Point","coordinates":[108.95,34.25]},"properties":{"name":"桩"}}]}`
			meta := postgis.CollectionMeta{Title: "充电站", TitleEN: "Chargers", Precision: domain.PrecisionExact, Source: "test"}
			if _, err := postgis.ImportGeoJSON(ctx, a.Pool(), "", "state-test", strings.NewReader(one), meta); err != nil {
				t.Fatal(err)
			}
		}},
	}
	before := quiet
	for _, step := range steps {
		step.write(t)
		if step.own {
			// A store's own write moves its version at once.
			if now := stateOf(t, a); now == before {
				t.Errorf("after %s a's version is still %q", step.what, now)
			}
		}
		before = moved(step.what, before)
	}
}

// TestStateVersionNotListening: a store that cannot listen names no
// version (ok false, no error), and names one again once it listens.
func TestStateVersionNotListening(t *testing.T) {
	ctx := context.Background()
	a, b := listeningPair(t)
	stateOf(t, b)
	var killed int
	if err := a.Pool().QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND application_name = 'replica-b'`).Scan(&killed); err != nil || killed == 0 {
		t.Fatalf("killing b's connections: %d, %v", killed, err)
	}
	waitFor(t, 5*time.Second, "b noticing it stopped listening", func() bool { return !b.Listening() })
	if v, ok, err := b.StateVersion(ctx); ok || err != nil || v != "" {
		t.Errorf("not listening: StateVersion = %q, %v, %v; want \"\", false, nil", v, ok, err)
	}
	waitFor(t, 5*time.Second, "b listening again", b.Listening)
	waitFor(t, time.Second, "b naming a version again", func() bool {
		_, ok, err := b.StateVersion(ctx)
		return ok && err == nil
	})
}

// TestStateVersionSingleFlight: callers asking at once after a write
// share one read, and a fresh version is not read again.
func TestStateVersionSingleFlight(t *testing.T) {
	_, b := listeningPair(t)
	stateOf(t, b)
	reads := postgis.StateReads(b)
	stateOf(t, b)
	if n := postgis.StateReads(b) - reads; n != 0 {
		t.Errorf("a fresh version read %d more times", n)
	}
	postgis.Heard(b)
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() { stateOf(t, b) })
	}
	wg.Wait()
	if n := postgis.StateReads(b) - reads; n != 1 {
		t.Errorf("32 callers after a write made %d reads, want 1", n)
	}
}

// TestStateVersionReadOverlapsWrite: a read that began before a write was
// heard of may answer its callers, but is not kept: the next call reads
// again. Here the read is held on a lock while the write is heard of.
func TestStateVersionReadOverlapsWrite(t *testing.T) {
	ctx := context.Background()
	a, b := listeningPair(t)
	stateOf(t, b)
	tx, err := a.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `LOCK TABLE retractions IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	postgis.Heard(b)
	reads := postgis.StateReads(b)
	got := make(chan string)
	go func() {
		v, ok, err := b.StateVersion(ctx)
		if err != nil || !ok {
			v = "failed"
		}
		got <- v
	}()
	time.Sleep(100 * time.Millisecond) // the read waits on the lock
	postgis.Heard(b)                   // a write heard of meanwhile
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if v := <-got; v == "failed" {
		t.Fatal("the overlapping read failed")
	}
	stateOf(t, b)
	if n := postgis.StateReads(b) - reads; n != 2 {
		t.Errorf("%d reads, want 2: the one that overlapped a write must not be kept", n)
	}
}

// TestStateVersionQuietCheck: a change that goes unannounced (here, the
// triggers switched off) is found by the quiet check, which moves the
// version.
func TestStateVersionQuietCheck(t *testing.T) {
	ctx := context.Background()
	url := storetest.NewDatabase(t)
	s, err := postgis.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	postgis.SetQuietCheck(s, 200*time.Millisecond)
	s.StateVersion(ctx)
	waitFor(t, 5*time.Second, "listening", s.Listening)
	before := stateOf(t, s)
	conn, err := s.Pool().Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	// As a replica applying changes would: no trigger fires, so no NOTIFY.
	if _, err := conn.Exec(ctx, `SET session_replication_role = replica`); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `UPDATE data_version SET version = version + 1`); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `RESET session_replication_role`); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 2*time.Second, "the quiet check finding the change", func() bool { return stateOf(t, s) != before })
}

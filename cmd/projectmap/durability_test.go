package main

import (
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// sent is a write whose fate a test follows.
type sent struct {
	key, note string
	body      []byte
}

// TestDurability sends a burst of reports from several clients to a real
// server process, kills it with SIGKILL in the middle of the burst,
// restarts it on the same store, and finds every report that got a 201,
// by id and content, exactly once. A request in flight at the kill may
// have been stored or not, but never twice; retried with its
// Idempotency-Key after the restart it is stored exactly once.
func TestDurability(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b backend) {
		_, secret := createToken(t, b, "--name", "西安市教育局", "--role", "reporter", "--projects", "5")
		p := startProc(t, b, noLimit...)

		const workers, killAfter = 8, 200
		var mu sync.Mutex
		acked := map[string]apiReport{} // note → the report its 201 returned
		var inDoubt []sent              // in flight when the server died
		var nAcked atomic.Int64
		failures := make(chan error, workers)
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 100000; i++ {
					s := sent{key: fmt.Sprintf("durability-w%d-%d", w, i), note: fmt.Sprintf("burst w%d #%d", w, i)}
					s.body = reportJSON(s.note, float64(i%100)/100)
					r, err := post(p.base, "/api/reports", secret, s.key, "application/json", s.body)
					if err != nil { // the server is gone: stop, remembering the write in doubt
						mu.Lock()
						inDoubt = append(inDoubt, s)
						mu.Unlock()
						return
					}
					var v struct{ Reports []apiReport }
					if r.status != 201 || json.Unmarshal(r.body, &v) != nil || len(v.Reports) != 1 {
						failures <- fmt.Errorf("%s: %s", s.note, r)
						return
					}
					mu.Lock()
					acked[s.note] = v.Reports[0]
					mu.Unlock()
					nAcked.Add(1)
				}
			}()
		}
		deadline := time.Now().Add(60 * time.Second)
		for nAcked.Load() < killAfter && len(failures) == 0 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		p.kill() // mid-burst: every worker is sending
		wg.Wait()
		close(failures)
		for err := range failures {
			t.Fatalf("a write failed before the kill: %v\n%s", err, p.stderr.String())
		}
		if len(acked) < killAfter {
			t.Fatalf("only %d writes acknowledged before the kill", len(acked))
		}

		p2 := startProc(t, b, noLimit...)
		stored := countNotes(t, p2.base)
		for note, want := range acked {
			if stored[note] != 1 {
				t.Errorf("%q got a 201 as report %d but is stored %d times after the restart", note, want.ID, stored[note])
			}
			r := get(t, fmt.Sprintf("%s/api/reports/%d", p2.base, want.ID))
			var got apiReport
			if r.status != 200 || json.Unmarshal(r.body, &got) != nil || !got.same(want) {
				t.Errorf("report %d after the restart: %s\nwant %+v", want.ID, r, want)
			}
		}
		doubt := map[string]bool{}
		survived := 0
		for _, s := range inDoubt {
			doubt[s.note] = true
			if stored[s.note] > 0 {
				survived++
			}
		}
		for note, n := range stored {
			if _, ok := acked[note]; !ok && !doubt[note] {
				t.Errorf("%q is stored but was never sent", note)
			}
			if n > 1 {
				t.Errorf("%q is stored %d times", note, n)
			}
		}
		t.Logf("%s: %d writes acknowledged before SIGKILL, all found after the restart; %d in flight, %d of them stored", b.name, len(acked), len(inDoubt), survived)

		// The writes in doubt, retried with their keys: each is there once,
		// and one that had been stored is replayed, not filed again.
		for _, s := range inDoubt {
			r, err := post(p2.base, "/api/reports", secret, s.key, "application/json", s.body)
			if err != nil || r.status != 201 {
				t.Fatalf("retrying %s: %v %s", s.note, err, r)
			}
			if replayed := r.header.Get("Idempotent-Replayed") == "true"; replayed != (stored[s.note] > 0) {
				t.Errorf("retrying %s (stored before: %v): Idempotent-Replayed %v", s.note, stored[s.note] > 0, replayed)
			}
		}
		for _, s := range inDoubt {
			acked[s.note] = apiReport{}
		}
		after := countNotes(t, p2.base)
		for note := range acked {
			if after[note] != 1 {
				t.Errorf("after the retries %q is stored %d times", note, after[note])
			}
		}
		if len(after) != len(acked) {
			t.Errorf("%d distinct reports stored, want %d", len(after), len(acked))
		}
		p2.stop(t)
	})
}

// countNotes counts the stored reports by note.
func countNotes(t *testing.T, base string) map[string]int {
	t.Helper()
	n := map[string]int{}
	ids := map[int64]bool{}
	for _, r := range allReports(t, base) {
		if ids[r.ID] {
			t.Errorf("report %d listed twice", r.ID)
		}
		ids[r.ID] = true
		n[r.Note]++
	}
	return n
}

// TestConcurrentWriters has 50 clients file at once, each with its own
// Idempotency-Key, some several reports in one filing, some retrying
// with the same key (after the answer, or at the same moment), some
// reusing their key for another body. Nothing is lost and nothing is
// filed twice.
func TestConcurrentWriters(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b backend) {
		_, secret := createToken(t, b, "--name", "市发改委", "--role", "editor")
		p := startProc(t, b, noLimit...)
		const writers = 50
		type result struct {
			ids  []int64
			errs []string
		}
		results := make([]result, writers)
		want := map[string]int{} // note → times it must be stored (once)
		bodies := make([][]byte, writers)
		for w := range writers {
			var batch []json.RawMessage
			for i := range 1 + w%3 {
				note := fmt.Sprintf("writer %d report %d", w, i)
				want[note] = 1
				batch = append(batch, reportJSON(note, 0.25))
			}
			bodies[w], _ = json.Marshal(batch)
		}
		start := make(chan struct{})
		var wg sync.WaitGroup
		for w := range writers {
			key := fmt.Sprintf("concurrent-%d", w)
			res := &results[w]
			var mu sync.Mutex
			send := func(first bool) {
				r, err := post(p.base, "/api/reports", secret, key, "application/json", bodies[w])
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err != nil:
					res.errs = append(res.errs, err.Error())
				case r.status == 409 && !first: // a duplicate while the first is being filed
				case r.status != 201:
					res.errs = append(res.errs, r.String())
				default:
					var v struct{ Reports []apiReport }
					json.Unmarshal(r.body, &v)
					var ids []int64
					for _, rep := range v.Reports {
						ids = append(ids, rep.ID)
					}
					if res.ids == nil {
						res.ids = ids
					} else if fmt.Sprint(ids) != fmt.Sprint(res.ids) {
						res.errs = append(res.errs, fmt.Sprintf("same key, other reports: %v and %v", res.ids, ids))
					}
				}
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				if w%5 == 0 { // the same request twice at once
					var dup sync.WaitGroup
					dup.Add(1)
					go func() { defer dup.Done(); send(false) }()
					send(true)
					dup.Wait()
				} else {
					send(true)
				}
				if w%4 == 0 { // a retry after the answer: the same reports
					send(false)
				}
				if w%7 == 0 { // the key reused for another body is refused
					r, err := post(p.base, "/api/reports", secret, key, "application/json", reportJSON(fmt.Sprintf("writer %d other", w), 0.5))
					if err != nil || r.status != 422 {
						mu.Lock()
						res.errs = append(res.errs, fmt.Sprintf("key reused for another body: %v %s, want 422", err, r))
						mu.Unlock()
					}
				}
			}()
		}
		close(start)
		wg.Wait()
		seen := map[int64]int{}
		for w, res := range results {
			for _, e := range res.errs {
				t.Errorf("writer %d: %s", w, e)
			}
			if len(res.ids) != 1+w%3 {
				t.Errorf("writer %d: filed %v, want %d reports", w, res.ids, 1+w%3)
			}
			for _, id := range res.ids {
				if seen[id]++; seen[id] > 1 {
					t.Errorf("report %d was given to two writers", id)
				}
			}
		}
		stored := countNotes(t, p.base)
		for note := range want {
			if stored[note] != 1 {
				t.Errorf("%q stored %d times, want once", note, stored[note])
			}
		}
		if len(stored) != len(want) {
			t.Errorf("%d distinct reports stored, want %d: %v", len(stored), len(want), stored)
		}
		p.stop(t)
		// Nothing changes on a restart.
		p2 := startProc(t, b)
		if again := countNotes(t, p2.base); fmt.Sprint(again) != fmt.Sprint(stored) {
			t.Errorf("after a restart: %v, before %v", again, stored)
		}
	})
}

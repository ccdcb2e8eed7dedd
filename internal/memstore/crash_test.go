package memstore_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"projectmap/geodata"
	"projectmap/internal/dataset"
	"projectmap/internal/domain"
	"projectmap/internal/memstore"
	"projectmap/internal/storetest"
)

// crashEnv, when set to "DIR NAME", makes the test binary a writer for
// TestCrash: it files reports into the store on DIR until it is killed,
// printing "ack ID" for each filing FileReports returned for.
const crashEnv = "MEMSTORE_CRASH_WRITER"

func TestMain(m *testing.M) {
	if v := os.Getenv(crashEnv); v != "" {
		dir, name, _ := strings.Cut(v, " ")
		os.Exit(crashWriter(dir, name))
	}
	os.Exit(m.Run())
}

func crashWriter(dir, name string) int {
	ds, err := dataset.Load(geodata.Files)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	s, err := memstore.Open(ds, dir, quietly())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	ctx := context.Background()
	out := bufio.NewWriter(os.Stdout)
	for n := 0; ; n++ {
		r, err := checkDraft(ds, domain.ReportDraft{Project: 16, ReportedOn: "2024-06-30", Fraction: f64(0.5), Note: fmt.Sprintf("%s %d", name, n)})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		res, err := s.FileReports(ctx, domain.Filing{Reports: []domain.Report{r, r}, Key: fmt.Sprintf("%s-%d", name, n), Digest: "d", Audit: audit("tok_" + name)})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		fmt.Fprintf(out, "ack %d %d\n", res.Reports[0].ID, res.Reports[1].ID)
		out.Flush() // the ack leaves only after the write is durable
	}
}

// TestCrash runs two writer processes on one data directory, SIGKILLs
// them mid-burst, and reopens: every filing a writer was told was stored
// is there, whole, once; what was not acknowledged is there whole or not
// at all. Then it does it again on the same directory.
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	dir := t.TempDir()
	acked := map[int64]bool{}
	for round, bursts := range [][2]int{{30, 5}, {3, 60}, {45, 45}} {
		var mu sync.Mutex
		var wg sync.WaitGroup
		for w, after := range bursts {
			name := fmt.Sprintf("w%d-%d", round, w)
			cmd := exec.Command(os.Args[0])
			cmd.Env = append(os.Environ(), crashEnv+"="+dir+" "+name)
			cmd.Stderr = os.Stderr
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				lines := bufio.NewScanner(stdout)
				seen := 0
				for lines.Scan() {
					ids := parseAck(t, lines.Text())
					mu.Lock()
					for _, id := range ids {
						acked[id] = true
					}
					mu.Unlock()
					if seen++; seen == after {
						time.Sleep(time.Duration(after%7) * 200 * time.Microsecond)
						cmd.Process.Signal(syscall.SIGKILL)
					}
				}
				io.Copy(io.Discard, stdout)
				cmd.Wait()
				if seen < after {
					t.Errorf("%s stopped after %d acks", name, seen)
				}
			}()
		}
		wg.Wait()

		s, err := memstore.Open(storetest.Dataset(t), dir, quietly())
		if err != nil {
			t.Fatalf("round %d: reopen after SIGKILL: %v", round, err)
		}
		page, err := s.Reports(context.Background(), domain.ReportQuery{Plan: planID, ByFiling: true})
		s.Close()
		if err != nil {
			t.Fatal(err)
		}
		present := map[int64]string{}
		for _, r := range page.Reports {
			present[r.ID] = r.Note
		}
		for id := range acked {
			if _, ok := present[id]; !ok {
				t.Errorf("round %d: report %d was acknowledged and is gone", round, id)
			}
		}
		// Filings are whole: reports come in pairs with one note, ids 1..n.
		for id := int64(1); id <= int64(len(present)); id += 2 {
			if present[id] == "" || present[id] != present[id+1] {
				t.Errorf("round %d: reports %d and %d (%q, %q) are not one whole filing", round, id, id+1, present[id], present[id+1])
			}
		}
		if len(present)%2 != 0 || len(present) < len(acked) {
			t.Errorf("round %d: %d reports present, %d acknowledged", round, len(present), len(acked))
		}
		t.Logf("round %d: %d reports after the kills, %d acknowledged, all present", round, len(present), len(acked))
	}
}

func parseAck(t *testing.T, line string) []int64 {
	f := strings.Fields(line)
	if len(f) != 3 || f[0] != "ack" {
		t.Errorf("writer said %q", line)
		return nil
	}
	var ids []int64
	for _, s := range f[1:] {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Errorf("writer said %q", line)
		}
		ids = append(ids, id)
	}
	return ids
}

package journal

import (
	"bufio"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// crashDirEnv, when set, makes the test binary the child of TestCrash: it
// appends to the journal in that directory until it is killed.
const crashDirEnv = "JOURNAL_CRASH_CHILD_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashDirEnv); dir != "" {
		crashChild(dir)
		return
	}
	os.Exit(m.Run())
}

// crashChild appends numbered records (large ones, so that a kill may land
// mid-write) and prints "ack N" once Append returned for N.
func crashChild(dir string) {
	var last int
	j, err := Open(dir, func(r Record) error {
		var p struct{ N int }
		if err := json.Unmarshal(r.Payload, &p); err != nil {
			return err
		}
		last = p.N
		return nil
	}, slog.New(slog.NewTextHandler(os.Stderr, nil)))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	pad := strings.Repeat("填", 6<<10) // 18 KB of UTF-8: several pages a write
	for n := last + 1; ; n++ {
		err := j.Append(func() (*Record, error) {
			return &Record{Type: "r", Payload: json.RawMessage(fmt.Sprintf(`{"n":%d,"pad":%q}`, n, pad))}, nil
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		fmt.Printf("ack %d\n", n) // unbuffered: one write per ack
	}
}

// TestCrash kills a writer with SIGKILL mid-burst, several times over one
// journal, and checks after each kill that the journal reopens holding
// every record whose Append returned, in order, with nothing invented.
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	dir := t.TempDir()
	acked := 0
	for round, after := range []int{5, 40, 1, 120, 17} {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), crashDirEnv+"="+dir)
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := bufio.NewScanner(out)
		seen := 0
		for seen < after && lines.Scan() {
			n := ackOf(t, lines.Text())
			seen++
			acked = max(acked, n)
		}
		// Kill at a moment that does not line up with an ack.
		time.Sleep(time.Duration(round) * 300 * time.Microsecond)
		cmd.Process.Signal(syscall.SIGKILL)
		for lines.Scan() { // acks already in the pipe count too
			acked = max(acked, ackOf(t, lines.Text()))
		}
		cmd.Wait()
		if seen < after {
			t.Fatalf("round %d: the child stopped after %d acks", round, seen)
		}

		var got []int
		var logs strings.Builder
		j, err := Open(dir, func(r Record) error {
			var p struct{ N int }
			if err := json.Unmarshal(r.Payload, &p); err != nil {
				return err
			}
			got = append(got, p.N)
			return nil
		}, slog.New(slog.NewTextHandler(&logs, nil)))
		if err != nil {
			t.Fatalf("round %d: reopen after SIGKILL: %v", round, err)
		}
		j.Close()
		for i, n := range got {
			if n != i+1 {
				t.Fatalf("round %d: record %d is n=%d: lost or duplicated", round, i+1, n)
			}
		}
		// Every acknowledged write is there; at most the one in flight
		// when the kill came is there unacknowledged.
		if len(got) < acked || len(got) > acked+1 {
			t.Fatalf("round %d: %d records after the kill, %d acknowledged", round, len(got), acked)
		}
		acked = len(got) // the next child continues from what is there
		t.Logf("round %d: %d records, all acknowledged ones present; torn tail cut off: %v",
			round, len(got), strings.Contains(logs.String(), "torn"))
	}
}

func ackOf(t *testing.T, line string) int {
	n, err := strconv.Atoi(strings.TrimPrefix(line, "ack "))
	if err != nil || !strings.HasPrefix(line, "ack ") {
		t.Fatalf("child said %q", line)
	}
	return n
}

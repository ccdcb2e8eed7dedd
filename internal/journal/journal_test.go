package journal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// collector gathers replayed records.
type collector struct {
	mu   sync.Mutex
	recs []Record
}

func (c *collector) apply(r Record) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.recs = append(c.recs, Record{Type: r.Type, Payload: append(json.RawMessage(nil), r.Payload...)})
	return nil
}

func (c *collector) payloads() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, len(c.recs))
	for i, r := range c.recs {
		out[i] = r.Type + " " + string(r.Payload)
	}
	return out
}

func open(t *testing.T, dir string) (*Journal, *collector, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	c := &collector{}
	j, err := Open(dir, c.apply, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { j.Close() })
	return j, c, &logs
}

func appendRec(t *testing.T, j *Journal, typ, payload string) {
	t.Helper()
	err := j.Append(func() (*Record, error) {
		return &Record{Type: typ, Payload: json.RawMessage(payload)}, nil
	})
	if err != nil {
		t.Fatalf("Append(%s): %v", payload, err)
	}
}

func TestReplayEqualsWritten(t *testing.T) {
	big := `{"pad":"` + strings.Repeat("x", 200<<10) + `"}`
	tests := []struct {
		name    string
		records [][2]string // type, payload
		want    []string    // as replayed: compacted
	}{
		{"none", nil, []string{}},
		{"one", [][2]string{{"report.file", `{"id":1}`}}, []string{`report.file {"id":1}`}},
		{"compacted", [][2]string{{"a", "{ \"x\" : [1, 2,\n 3] }"}}, []string{`a {"x":[1,2,3]}`}},
		{"text with newlines and unicode", [][2]string{{"a", `{"note":"第一行\n第二行 <&> \u2028"}`}},
			[]string{`a {"note":"第一行\n第二行 <&> \u2028"}`}},
		{"many", [][2]string{{"a", `1`}, {"b", `"two"`}, {"c", `[3]`}, {"d", `null`}},
			[]string{`a 1`, `b "two"`, `c [3]`, `d null`}},
		{"a large record", [][2]string{{"a", big}, {"b", `{}`}}, []string{"a " + big, `b {}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "new", "data") // created, parents too
			j, live, _ := open(t, dir)
			for _, r := range tt.records {
				appendRec(t, j, r[0], r[1])
			}
			j.Close()
			_, replayed, logs := open(t, dir)
			if got := replayed.payloads(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("replayed %q,\nwant %q", got, tt.want)
			}
			if got := live.payloads(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("applied while writing %q,\nwant %q", got, tt.want)
			}
			if logs.Len() > 0 {
				t.Errorf("a clean journal logged: %s", logs)
			}
		})
	}
}

func TestAppendRefuses(t *testing.T) {
	tests := []struct {
		name string
		rec  Record
	}{
		{"no type", Record{Payload: json.RawMessage(`{}`)}},
		{"bad type", Record{Type: "Report File", Payload: json.RawMessage(`{}`)}},
		{"payload not JSON", Record{Type: "a", Payload: json.RawMessage(`{"x":`)}},
		{"empty payload", Record{Type: "a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			j, _, _ := open(t, dir)
			if err := j.Append(func() (*Record, error) { return &tt.rec, nil }); err == nil {
				t.Fatal("Append took it")
			}
			if fi, _ := os.Stat(filepath.Join(dir, FileName)); fi.Size() != 0 {
				t.Errorf("journal is %d bytes after a refused append", fi.Size())
			}
		})
	}
}

func TestPrepareDecides(t *testing.T) {
	dir := t.TempDir()
	j, c, _ := open(t, dir)
	stop := errors.New("invalid")
	if err := j.Append(func() (*Record, error) { return nil, stop }); err != stop {
		t.Errorf("prepare's error: got %v", err)
	}
	if err := j.Append(func() (*Record, error) { return nil, nil }); err != nil {
		t.Errorf("nothing to write: %v", err)
	}
	if n := len(c.payloads()); n != 0 {
		t.Errorf("%d records applied, want 0", n)
	}
}

// goodLines returns the journal text of n records.
func goodLines(t *testing.T, n int) []byte {
	t.Helper()
	var b []byte
	for i := 1; i <= n; i++ {
		line, err := encodeLine(Record{Type: "r", Payload: json.RawMessage(fmt.Sprintf(`{"n":%d}`, i))})
		if err != nil {
			t.Fatal(err)
		}
		b = append(b, line...)
	}
	return b
}

func writeJournal(t *testing.T, content []byte) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, FileName), content, 0o640); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestTornTailCutOff(t *testing.T) {
	good := goodLines(t, 3)
	last, _ := encodeLine(Record{Type: "r", Payload: json.RawMessage(`{"n":4,"note":"the one cut short"}`)})
	badSum := bytes.Replace(last, []byte(`"n":4`), []byte(`"n":5`), 1)
	tests := []struct {
		name string
		tail []byte
	}{
		{"half a line", last[:len(last)/2]},
		{"all but the newline", last[:len(last)-1]},
		{"one byte", last[:1]},
		{"whole line, wrong checksum", badSum},
		{"zeros (a lost page)", make([]byte, 100)},
		{"a bare newline", []byte("\n")},
		{"not JSON, with newline", []byte("garbage\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeJournal(t, append(append([]byte(nil), good...), tt.tail...))
			j, c, logs := open(t, dir)
			if got := c.payloads(); len(got) != 3 {
				t.Fatalf("replayed %q, want the 3 sound records", got)
			}
			if !strings.Contains(logs.String(), "torn") || !strings.Contains(logs.String(), "line=4") {
				t.Errorf("no warning naming line 4 logged: %q", logs)
			}
			if fi, _ := os.Stat(j.Path()); fi.Size() != int64(len(good)) {
				t.Errorf("journal is %d bytes, want %d (the tail cut off)", fi.Size(), len(good))
			}
			appendRec(t, j, "r", `{"n":4}`)
			j.Close()
			_, again, logs := open(t, dir)
			if got := again.payloads(); len(got) != 4 || got[3] != `r {"n":4}` {
				t.Errorf("after repair and append, replayed %q", got)
			}
			if logs.Len() > 0 {
				t.Errorf("the repaired journal logged: %s", logs)
			}
		})
	}
}

func TestDamageInTheMiddleRefused(t *testing.T) {
	lines := bytes.SplitAfter(goodLines(t, 5), []byte("\n"))[:5]
	damage := []struct {
		name string
		line int // 1-based
		with func([]byte) []byte
		want string
	}{
		{"changed payload", 3, func(l []byte) []byte { return bytes.Replace(l, []byte(`"n":3`), []byte(`"n":9`), 1) }, "checksum"},
		{"changed type", 2, func(l []byte) []byte { return bytes.Replace(l, []byte(`"type":"r"`), []byte(`"type":"s"`), 1) }, "checksum"},
		{"garbage", 1, func([]byte) []byte { return []byte("#!?\n") }, "not a JSON record"},
		{"blank line", 4, func([]byte) []byte { return []byte("\n") }, "not a JSON record"},
		{"not an envelope", 2, func([]byte) []byte { return []byte("{\"n\":2}\n") }, "not a journal record"},
		{"a newer version", 5, func(l []byte) []byte { return bytes.Replace(l, []byte(`"v":1`), []byte(`"v":2`), 1) }, "newer"},
	}
	for _, tt := range damage {
		t.Run(tt.name, func(t *testing.T) {
			var content []byte
			for i, l := range lines {
				if i+1 == tt.line {
					l = tt.with(l)
				}
				content = append(content, l...)
			}
			dir := writeJournal(t, content)
			_, err := Open(dir, (&collector{}).apply, slog.New(slog.DiscardHandler))
			var ce *CorruptError
			if !errors.As(err, &ce) {
				t.Fatalf("Open: %v, want a CorruptError", err)
			}
			if ce.Line != tt.line || !strings.Contains(err.Error(), fmt.Sprintf("line %d", tt.line)) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q (line %d), want line %d and %q", err, ce.Line, tt.line, tt.want)
			}
			after, _ := os.ReadFile(filepath.Join(dir, FileName))
			if !bytes.Equal(after, content) {
				t.Errorf("the journal was changed by a refused open")
			}
		})
	}
}

func TestApplyErrorNamesLine(t *testing.T) {
	dir := writeJournal(t, goodLines(t, 4))
	n := 0
	_, err := Open(dir, func(Record) error {
		if n++; n == 3 {
			return errors.New("report 7 filed twice")
		}
		return nil
	}, nil)
	var ce *CorruptError
	if !errors.As(err, &ce) || ce.Line != 3 || !strings.Contains(err.Error(), "report 7 filed twice") {
		t.Fatalf("Open: %v, want line 3 and the apply error", err)
	}
}

func TestShrunkJournalRefused(t *testing.T) {
	dir := t.TempDir()
	j, _, _ := open(t, dir)
	appendRec(t, j, "r", `{"n":1}`)
	appendRec(t, j, "r", `{"n":2}`)
	if err := os.Truncate(j.Path(), 3); err != nil {
		t.Fatal(err)
	}
	if err := j.Follow(); err == nil || !strings.Contains(err.Error(), "shrank") {
		t.Errorf("Follow after records were removed: %v", err)
	}
}

// TestTwoWritersOneDirectory opens the journal twice, as the server and
// the command line would, and checks each sees the other's records in one
// order, and that an incomplete tail is left alone by a reader.
func TestTwoWritersOneDirectory(t *testing.T) {
	dir := t.TempDir()
	a, ca, _ := open(t, dir)
	b, cb, _ := open(t, dir)
	appendRec(t, a, "r", `{"from":"a","n":1}`)
	if !b.Behind() {
		t.Fatal("b is not behind after a appended")
	}
	if err := b.Follow(); err != nil {
		t.Fatal(err)
	}
	if b.Behind() {
		t.Error("b is still behind after Follow")
	}
	appendRec(t, b, "r", `{"from":"b","n":2}`)
	appendRec(t, a, "r", `{"from":"a","n":3}`) // a catches up on b's first
	if err := b.Follow(); err != nil {
		t.Fatal(err)
	}
	want := []string{`r {"from":"a","n":1}`, `r {"from":"b","n":2}`, `r {"from":"a","n":3}`}
	for name, c := range map[string]*collector{"a": ca, "b": cb} {
		if got := c.payloads(); !reflect.DeepEqual(got, want) {
			t.Errorf("%s applied %q, want %q", name, got, want)
		}
	}

	// A writer that died mid-line: readers leave it, the next writer cuts it.
	f, err := os.OpenFile(a.Path(), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte(`{"v":1,"type":"r","crc`))
	f.Close()
	if !b.Behind() {
		t.Fatal("b is not behind after the torn write")
	}
	if err := b.Follow(); err != nil {
		t.Fatalf("Follow over a torn tail: %v", err)
	}
	if b.Behind() {
		t.Error("b reports the same torn tail again")
	}
	appendRec(t, a, "r", `{"from":"a","n":4}`)
	if err := b.Follow(); err != nil {
		t.Fatal(err)
	}
	if got := cb.payloads(); len(got) != 4 || got[3] != `r {"from":"a","n":4}` {
		t.Errorf("b applied %q after the repair", got)
	}
}

func TestClosed(t *testing.T) {
	j, _, _ := open(t, t.TempDir())
	j.Close()
	if err := j.Append(func() (*Record, error) { return &Record{Type: "r", Payload: json.RawMessage(`1`)}, nil }); !errors.Is(err, ErrClosed) {
		t.Errorf("Append after Close: %v", err)
	}
	if err := j.Follow(); !errors.Is(err, ErrClosed) {
		t.Errorf("Follow after Close: %v", err)
	}
}

func TestOpenRefusesAFileAsDirectory(t *testing.T) {
	f := filepath.Join(t.TempDir(), "file")
	os.WriteFile(f, nil, 0o640)
	if _, err := Open(f, (&collector{}).apply, nil); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("Open on a file: %v", err)
	}
}

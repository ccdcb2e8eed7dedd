package main

// Helpers of the end-to-end tests that run the real binary: built once
// per test binary, started as a server process (which a test may SIGKILL)
// or run as a command, on one store or the other.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"projectmap/internal/storetest"
)

var built struct {
	once sync.Once
	dir  string
	path string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// binary builds cmd/projectmap once per test binary and returns its path.
func binary(t testing.TB) string {
	t.Helper()
	built.once.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			built.err = err
			return
		}
		if built.dir, built.err = os.MkdirTemp("", "projectmap-e2e-"); built.err != nil {
			return
		}
		built.path = filepath.Join(built.dir, "projectmap")
		out, err := exec.Command(goTool, "build", "-o", built.path, ".").CombinedOutput()
		if err != nil {
			built.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.path
}

// backend is a store the processes of a test share: a data directory for
// the embedded store, or a PostGIS database.
type backend struct {
	name  string
	flags []string // --data-dir DIR or --database-url URL
	url   string   // the database, for PostGIS
	dir   string   // the data directory, for the embedded store
}

func embeddedBackend(t *testing.T) backend {
	dir := t.TempDir()
	return backend{name: "embedded", flags: []string{"--data-dir", dir}, dir: dir}
}

// postgisBackend is a fresh scratch database, migrated but empty: the
// first command or server imports the geodata into it, as in production.
// Without PostGIS it skips the test, and fails it under CI=true.
func postgisBackend(t *testing.T) backend {
	url := storetest.NewDatabase(t)
	return backend{name: "postgis", flags: []string{"--database-url", url}, url: url}
}

// eachBackend runs f on both stores, side by side: each has its own
// processes, ports and data.
func eachBackend(t *testing.T, f func(t *testing.T, b backend)) {
	t.Run("embedded", func(t *testing.T) { t.Parallel(); f(t, embeddedBackend(t)) })
	t.Run("postgis", func(t *testing.T) { t.Parallel(); f(t, postgisBackend(t)) })
}

// procEnv is the environment of every process: nothing inherited but
// PATH, so that no DATABASE_URL or data directory leaks in from outside.
func procEnv(t *testing.T) []string {
	return []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "USER=e2e-operator", "TZ=UTC"}
}

// cli runs the binary with args and returns its stdout, stderr and exit
// status.
func cli(t *testing.T, b backend, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binary(t), append(args, b.flags...)...)
	cmd.Env = procEnv(t)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return stdout.String(), stderr.String(), exit.ExitCode()
	case err != nil:
		t.Fatalf("projectmap %v: %v", args, err)
	}
	return stdout.String(), stderr.String(), 0
}

// mustCLI runs the binary and fails the test unless it exits 0.
func mustCLI(t *testing.T, b backend, args ...string) string {
	t.Helper()
	out, errOut, code := cli(t, b, args...)
	if code != 0 {
		t.Fatalf("projectmap %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

var secretLine = regexp.MustCompile(`(?m)^secret\s+(pm_\S+)$`)
var idLine = regexp.MustCompile(`(?m)^id\s+(tok_\S+)$`)

// createToken makes a token with the command line; it returns its id and secret.
func createToken(t *testing.T, b backend, args ...string) (id, secret string) {
	t.Helper()
	out := mustCLI(t, b, append([]string{"token", "create"}, args...)...)
	s, i := secretLine.FindStringSubmatch(out), idLine.FindStringSubmatch(out)
	if s == nil || i == nil {
		t.Fatalf("token create printed no id and secret:\n%s", out)
	}
	return i[1], s[1]
}

// proc is a server process.
type proc struct {
	cmd    *exec.Cmd
	base   string
	stderr *syncBuffer
	done   chan struct{}
}

// startProc starts "projectmap serve" on a free loopback port with the
// backend and extra flags, and waits until /healthz answers. The process
// is killed when the test ends, if it still runs.
func startProc(t *testing.T, b backend, extra ...string) *proc {
	t.Helper()
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--drain-delay", "0s"}, b.flags...) // tests need no drain delay
	cmd := exec.Command(binary(t), append(args, extra...)...)
	cmd.Env = procEnv(t)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, stderr: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.kill() })
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		re := regexp.MustCompile(`http://127\.0\.0\.1:\d+`)
		for sc.Scan() {
			if u := re.FindString(sc.Text()); u != "" {
				found <- u
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	go func() { cmd.Wait(); close(p.done) }()
	select {
	case p.base = <-found:
	case <-p.done:
		t.Fatalf("server exited at start:\n%s", p.stderr.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("server did not start:\n%s", p.stderr.String())
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(p.base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz never answered: %v\n%s", err, p.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// kill ends the process with SIGKILL: no shutdown, no flush, as a crash.
func (p *proc) kill() {
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// stop ends the process with SIGTERM and waits for its graceful exit.
func (p *proc) stop(t *testing.T) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		t.Errorf("server did not stop on SIGTERM")
		p.kill()
	}
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("server exited %d on SIGTERM:\n%s", code, p.stderr.String())
	}
}

// reply is an HTTP answer, read whole.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) String() string { return fmt.Sprintf("%d %s", r.status, r.body) }

// client is shared by the tests; writes may queue behind an fsync.
var client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

// post sends a write with a bearer token and, if key is set, an
// Idempotency-Key. A transport error (the server was killed) is returned.
func post(base, path, secret, key, contentType string, body []byte) (reply, error) {
	req, err := http.NewRequest(http.MethodPost, base+path, bytes.NewReader(body))
	if err != nil {
		return reply{}, err
	}
	req.Header.Set("Content-Type", contentType)
	if secret != "" {
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	res, err := client.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return reply{}, err
	}
	return reply{res.StatusCode, res.Header, b}, nil
}

func get(t *testing.T, u string) reply {
	t.Helper()
	res, err := client.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{res.StatusCode, res.Header, b}
}

// apiReport is a report as the API returns it (the fields the tests check).
type apiReport struct {
	ID         int64    `json:"id"`
	Project    int      `json:"project"`
	Schedule   string   `json:"schedule"`
	Site       string   `json:"site"`
	ReportedOn string   `json:"reported_on"`
	Fraction   *float64 `json:"fraction"`
	Progress   float64  `json:"progress"`
	Status     string   `json:"status"`
	Source     string   `json:"source"`
	Note       string   `json:"note"`
	ReportedBy string   `json:"reported_by"`
	Retraction *struct {
		Reason string `json:"reason"`
	} `json:"retraction"`
}

// same reports whether two reports agree on what was filed.
func (r apiReport) same(o apiReport) bool {
	return r.ID == o.ID && r.Project == o.Project && r.Schedule == o.Schedule && r.Site == o.Site &&
		r.ReportedOn == o.ReportedOn && r.Progress == o.Progress && r.Status == o.Status &&
		r.Source == o.Source && r.Note == o.Note && r.ReportedBy == o.ReportedBy &&
		(r.Fraction == nil) == (o.Fraction == nil) && (r.Fraction == nil || *r.Fraction == *o.Fraction)
}

// filed decodes a 201 answer of POST /api/reports.
func filed(t *testing.T, r reply) []apiReport {
	t.Helper()
	var v struct{ Reports []apiReport }
	if err := json.Unmarshal(r.body, &v); err != nil || len(v.Reports) == 0 {
		t.Fatalf("a 201 without reports: %v: %s", err, r.body)
	}
	return v.Reports
}

// allReports pages through GET /api/reports.
func allReports(t *testing.T, base string) []apiReport {
	t.Helper()
	var all []apiReport
	for offset := 0; ; {
		r := get(t, fmt.Sprintf("%s/api/reports?limit=100&offset=%d", base, offset))
		if r.status != 200 {
			t.Fatalf("GET /api/reports: %s", r)
		}
		var page struct {
			Reports        []apiReport
			NumberMatched  int `json:"numberMatched"`
			NumberReturned int `json:"numberReturned"`
		}
		if err := json.Unmarshal(r.body, &page); err != nil {
			t.Fatal(err)
		}
		all = append(all, page.Reports...)
		offset += len(page.Reports)
		if len(page.Reports) == 0 || offset >= page.NumberMatched {
			if offset != page.NumberMatched {
				t.Errorf("paged %d reports, numberMatched %d", offset, page.NumberMatched)
			}
			return all
		}
	}
}

// reportJSON is a report on project 5 (one schedule) with a note that
// tells it apart.
func reportJSON(note string, fraction float64) []byte {
	b, _ := json.Marshal(map[string]any{
		"project": 5, "reported_on": "2024-06-30", "fraction": fraction,
		"source": "西安市教育局 2024年6月月报", "note": note,
	})
	return b
}

// noLimit lifts the per-token rate limit: these tests are about durability.
var noLimit = []string{"--write-rate", "100000", "--write-burst", "100000"}

package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe to write from the server goroutine.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startServer runs the real program on a free port and waits for
// /healthz. It returns the base URL, the log, and a stop function that
// cancels (as SIGTERM does) and returns run's error.
func startServer(t *testing.T, env map[string]string, args ...string) (string, *syncBuffer, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	dataDir := t.TempDir() // the embedded store's journal, unless env names one
	getenv := func(k string) string {
		if k == "PROJECTMAP_DATA_DIR" && env[k] == "" {
			return dataDir
		}
		return env[k]
	}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"projectmap", "serve", "--addr", "127.0.0.1:0", "--drain-delay", "0s"}, args...), getenv, stdout, stderr)
	}()
	re := regexp.MustCompile(`http://127\.0\.0\.1:\d+`)
	deadline := time.Now().Add(30 * time.Second)
	var base string
	for base == "" {
		select {
		case err := <-done:
			cancel()
			t.Fatalf("server exited: %v\n%s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("server did not start:\n%s", stderr.String())
		}
		base = re.FindString(stdout.String())
		time.Sleep(20 * time.Millisecond)
	}
	for {
		res, err := http.Get(base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("/healthz never answered: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	stopped := false
	stop := func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(15 * time.Second):
			return fmt.Errorf("server did not shut down")
		}
	}
	t.Cleanup(func() { stop() })
	return base, stderr, stop
}

func TestServeAndShutDownGracefully(t *testing.T) {
	base, logs, stop := startServer(t, nil)
	res, err := http.Get(base + "/ogc/collections/intersections/items")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("items: %d", res.StatusCode)
	}
	if err := stop(); err != nil {
		t.Errorf("shutdown: %v", err)
	}
	log := logs.String()
	first, _, _ := strings.Cut(log, "\n")
	if !strings.Contains(first, `"store":"embedded"`) || !strings.Contains(first, `"data_dir":"/`) {
		t.Errorf("first log line does not name the store and its data directory: %s", first)
	}
	if !strings.Contains(log, `"path":"/ogc/collections/intersections/items"`) || !strings.Contains(log, `"status":200`) {
		t.Errorf("no request log line:\n%s", log)
	}
	if !strings.Contains(log, "shutting down") {
		t.Errorf("no graceful shutdown in the log")
	}
}

func TestCommandLine(t *testing.T) {
	tests := []struct {
		args     []string
		wantErr  bool
		exit     int
		contains string
	}{
		{[]string{"projectmap"}, true, 2, ""},
		{[]string{"projectmap", "frobnicate"}, true, 2, ""},
		{[]string{"projectmap", "help"}, false, 0, "data check"},
		{[]string{"projectmap", "data"}, true, 2, ""},
		{[]string{"projectmap", "data", "check"}, false, 0, "ok:"},
		{[]string{"projectmap", "data", "summary"}, false, 0, `"parking_spaces"`},
		{[]string{"projectmap", "data", "summary", "--plan", "nope"}, true, 2, ""},
		{[]string{"projectmap", "serve", "--addr"}, true, 2, ""},
		{[]string{"projectmap", "serve", "extra"}, true, 2, ""},
		{[]string{"projectmap", "serve", "--write-rate", "0"}, true, 2, ""},
		{[]string{"projectmap", "serve", "--data-dir", ""}, true, 2, ""},
		{[]string{"projectmap", "help"}, false, 0, "report import"},
		{[]string{"projectmap", "report", "add", "-h"}, false, 0, ""},
		{[]string{"projectmap", "serve", "-h"}, false, 0, ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(context.Background(), tt.args, func(string) string { return "" }, &out, &errOut)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v", err)
			}
			if err != nil && exitCode(err) != tt.exit {
				t.Errorf("exit %d, want %d", exitCode(err), tt.exit)
			}
			if !strings.Contains(out.String(), tt.contains) {
				t.Errorf("output lacks %q:\n%.500s", tt.contains, out.String())
			}
		})
	}
}

// TestGDALReadsTheAPI points GDAL's OGC API driver at the running server.
// It needs ogrinfo (apt gdal-bin); with CI=true its absence is a failure.
func TestGDALReadsTheAPI(t *testing.T) {
	ogrinfo, err := exec.LookPath("ogrinfo")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("ogrinfo not found; .ci/run installs gdal-bin")
		}
		t.Skip("ogrinfo not found; apt-get install gdal-bin to run this test")
	}
	base, logs, _ := startServer(t, nil)
	gdal := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(ogrinfo, args...)
		cmd.Env = append(os.Environ(), "GDAL_HTTP_TIMEOUT=30", "CPL_DEBUG=OFF")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("ogrinfo %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	t.Run("lists every collection", gdalCollections(gdal, base))
	t.Run("one geometry type per collection", gdalGeometryTypes(gdal, base))
	t.Run("counts", func(t *testing.T) {
		for layer, n := range map[string]int{"intersections": 16, "old-communities": 74, "school-partnerships": 21, "water-pipelines": 6} {
			out := gdal("-so", "OAPIF:"+base+"/ogc", layer)
			if !strings.Contains(out, fmt.Sprintf("Feature Count: %d", n)) {
				t.Errorf("%s: want Feature Count: %d in\n%s", layer, n, out)
			}
		}
	})
	t.Run("pages through with limit=5", func(t *testing.T) {
		out := gdal("-q", "-oo", "PAGE_SIZE=5", "OAPIF:"+base+"/ogc", "old-communities")
		if n := strings.Count(out, "OGRFeature(old-communities)"); n != 74 {
			t.Errorf("read %d features through pages of 5, want 74", n)
		}
		if !strings.Contains(logs.String(), "offset=70") {
			t.Errorf("GDAL never asked for the last page")
		}
	})
}

func gdalCollections(gdal func(...string) string, base string) func(t *testing.T) {
	return func(t *testing.T) {
		out := gdal("OAPIF:" + base + "/ogc")
		for _, id := range []string{"districts", "metro-lines", "metro-stations", "intersections", "ring-road-nodes", "water-pipelines", "schools", "school-partnerships", "old-communities", "service-circles", "housing-delivery"} {
			if !regexp.MustCompile(`\d+: ` + regexp.QuoteMeta(id) + `\b`).MatchString(out) {
				t.Errorf("ogrinfo does not list %s:\n%s", id, out)
			}
		}
	}
}

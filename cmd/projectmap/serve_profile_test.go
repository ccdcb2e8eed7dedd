package main

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"testing"
)

// gzipMagic opens every pprof profile: they are gzip-compressed protobufs.
var gzipMagic = []byte{0x1f, 0x8b}

func TestProfileStart(t *testing.T) {
	dir := t.TempDir()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, tc := range []struct {
		name, path string
		wantErr    bool
		wantFile   bool
	}{
		{name: "no profile asked for", path: ""},
		{name: "a profile", path: filepath.Join(dir, "cpu.pprof"), wantFile: true},
		{name: "a directory that does not exist", path: filepath.Join(dir, "missing", "cpu.pprof"), wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stop, err := profileConfig{cpuProfile: tc.path}.start(log)
			if tc.wantErr {
				if err == nil {
					stop()
					t.Fatal("no error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			stop()
			if !tc.wantFile {
				return
			}
			b, err := os.ReadFile(tc.path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(b, gzipMagic) {
				t.Errorf("%s is not a pprof profile (%d bytes)", tc.path, len(b))
			}
		})
	}
}

// The profile is written out on a clean shutdown, as make bench-http
// reads it after stopping the server.
func TestServeWritesCPUProfileOnShutdown(t *testing.T) {
	file := filepath.Join(t.TempDir(), "serve.pprof")
	base, _, stop := startServer(t, nil, "--cpuprofile", file)
	res, err := http.Get(base + "/ogc/collections/intersections/items")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if err := stop(); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, gzipMagic) {
		t.Errorf("no profile written (%d bytes)", len(b))
	}
}

package main

import (
	"errors"
	"flag"
	"io"
	"strings"
	"testing"
)

func TestDefaultDataDir(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"XDG_DATA_HOME": "/srv/data", "HOME": "/home/a"}, "/srv/data/projectmap"},
		{map[string]string{"XDG_DATA_HOME": "relative/data", "HOME": "/home/a"}, "/home/a/.local/share/projectmap"}, // the spec ignores a relative one
		{map[string]string{"HOME": "/home/a"}, "/home/a/.local/share/projectmap"},
		{map[string]string{}, ""},
	}
	for _, tt := range tests {
		if got := defaultDataDir(func(k string) string { return tt.env[k] }); got != tt.want {
			t.Errorf("defaultDataDir(%v) = %q, want %q", tt.env, got, tt.want)
		}
	}
	// PROJECTMAP_DATA_DIR wins over the default, --data-dir over both.
	for _, tt := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{nil, map[string]string{"HOME": "/home/a", "PROJECTMAP_DATA_DIR": "/var/lib/projectmap"}, "/var/lib/projectmap"},
		{[]string{"--data-dir", "/d"}, map[string]string{"HOME": "/home/a", "PROJECTMAP_DATA_DIR": "/var/lib/projectmap"}, "/d"},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		sc := storeFlags(fs, func(k string) string { return tt.env[k] })
		if err := fs.Parse(tt.args); err != nil || sc.dataDir != tt.want {
			t.Errorf("%v with %v: data dir %q (%v), want %q", tt.args, tt.env, sc.dataDir, err, tt.want)
		}
	}
}

func TestNoDataDir(t *testing.T) {
	err := run(t.Context(), []string{"projectmap", "report", "list"}, func(string) string { return "" }, io.Discard, io.Discard)
	if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), "--data-dir") {
		t.Errorf("report list with no HOME and no data directory: %v, want a usage error naming --data-dir", err)
	}
}

func TestParseArgs(t *testing.T) {
	tests := []struct {
		args   []string
		pos    []string
		reason string
	}{
		{[]string{"12", "--reason", "r"}, []string{"12"}, "r"},
		{[]string{"--reason", "r", "12"}, []string{"12"}, "r"},
		{[]string{"a", "--reason", "r", "b"}, []string{"a", "b"}, "r"},
		{[]string{"--reason", "r", "--", "--x", "y"}, []string{"--x", "y"}, "r"},
		{nil, nil, ""},
	}
	for _, tt := range tests {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		reason := fs.String("reason", "", "")
		pos, err := parseArgs(fs, tt.args)
		if err != nil || strings.Join(pos, " ") != strings.Join(tt.pos, " ") || *reason != tt.reason {
			t.Errorf("parseArgs(%q) = %q, reason %q, %v; want %q, %q", tt.args, pos, *reason, err, tt.pos, tt.reason)
		}
	}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if _, err := parseArgs(fs, []string{"12", "--nope"}); !errors.Is(err, errUsage) {
		t.Errorf("an unknown flag after an argument: %v, want a usage error", err)
	}
}

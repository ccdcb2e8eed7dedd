package main

import (
	"io"
	"strings"
	"testing"
)

// TestServeWebFlags: the link and header flags are checked at start, and
// the service refuses to start on a value that would make broken links or
// a broken CSP.
func TestServeWebFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want webConfig
		err  string
	}{
		{nil, webConfig{allowedHosts: "localhost,127.0.0.1,::1", embedAncestors: "*"}, ""},
		{[]string{"--public-url", "https://map.example.org/xian/", "--hsts", "--allowed-hosts", "", "--csp-hosts", "https://a.example, https://{s}.b.example/{z}"},
			webConfig{publicURL: "https://map.example.org/xian", allowedHosts: "", cspHosts: "https://a.example, https://{s}.b.example/{z}", embedAncestors: "*", hsts: true}, ""},
		{[]string{"--embed-frame-ancestors", "'self' https://news.example"}, webConfig{allowedHosts: "localhost,127.0.0.1,::1", embedAncestors: "'self' https://news.example"}, ""},
		{[]string{"--public-url", "map.example.org"}, webConfig{}, "--public-url"},
		{[]string{"--public-url", "https://map.example.org/?x=1"}, webConfig{}, "--public-url"},
		{[]string{"--csp-hosts", "https://a.example;script-src *"}, webConfig{}, "--csp-hosts"},
		{[]string{"--basemap-url", "https://tiles.{s}.example/{z}/{x}/{y}.png"}, webConfig{}, "--basemap-url"},
		{[]string{"--embed-frame-ancestors", "*; script-src *"}, webConfig{}, "--embed-frame-ancestors"},
		{[]string{"--embed-frame-ancestors", " "}, webConfig{}, "--embed-frame-ancestors"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			cfg, err := parseServe(tc.args, func(string) string { return "" }, io.Discard)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one naming %s", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.web != tc.want {
				t.Errorf("got %+v, want %+v", cfg.web, tc.want)
			}
		})
	}
	w := webConfig{cspHosts: "https://a.example, https://{s}.b.example/{z}", allowedHosts: ""}
	if got := strings.Join(w.cspSources(), " "); got != "https://a.example https://*.b.example" {
		t.Errorf("CSP sources %q", got)
	}
	if got := w.hostList(w.allowedHosts); got == nil || len(got) != 0 {
		t.Errorf("an empty --allowed-hosts gives %#v, want an empty list (not the defaults)", got)
	}
}

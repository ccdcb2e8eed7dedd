package api_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"projectmap/internal/api"
)

// webFS is a front end with a page, a script and a PNG, each long enough
// to be gzipped if it were allowed.
var webFS = fstest.MapFS{
	"index.html": {Data: []byte("<!doctype html><title>map</title>" + strings.Repeat(" ", 400))},
	"app.js":     {Data: []byte("console.log(1);" + strings.Repeat(" ", 400))},
	"a.png":      {Data: append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 400)...)},
}

func newServerWith(t *testing.T, cfg api.Config) *httptest.Server {
	t.Helper()
	cfg.Store = testStores(t)[0].store
	cfg.Now = func() time.Time { return fixedNow }
	cfg.Web = webFS
	if cfg.Basemap.URL == "" {
		cfg.Basemap = api.Basemap{URL: "https://{s}.tile.example.org/{z}/{x}/{y}.png"}
	}
	srv := httptest.NewServer(api.New(cfg))
	t.Cleanup(srv.Close)
	return srv
}

// TestSecurityHeaders: every route, errors included, carries the headers;
// only the embed view may be framed.
func TestSecurityHeaders(t *testing.T) {
	plain := newServerWith(t, api.Config{})
	custom := newServerWith(t, api.Config{HSTS: true, EmbedFrameAncestors: "https://news.example", CSPHosts: []string{"https://data.example"}})
	for _, tc := range []struct {
		srv            *httptest.Server
		method, path   string
		status         int
		frameAncestors string
		hsts           bool
	}{
		{plain, "GET", "/", 200, "'none'", false},
		{plain, "GET", "/app.js", 200, "'none'", false},
		{plain, "GET", "/embed", 200, "*", false},
		{plain, "HEAD", "/embed", 200, "*", false},
		{plain, "GET", "/api/config", 200, "'none'", false},
		{plain, "GET", "/ogc/collections", 200, "'none'", false},
		{plain, "GET", "/api/reports.atom", 200, "'none'", false},
		{plain, "GET", "/healthz", 200, "'none'", false},
		{plain, "GET", "/no-such-page", 404, "'none'", false},
		{plain, "POST", "/api/reports", 401, "'none'", false},
		{plain, "OPTIONS", "/api/reports", 204, "'none'", false},
		{custom, "GET", "/", 200, "'none'", true},
		{custom, "GET", "/embed", 200, "https://news.example", true},
		{custom, "GET", "/api/config", 200, "'none'", true},
	} {
		t.Run(tc.method+tc.path, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, tc.srv.URL+tc.path, nil)
			if tc.method == "OPTIONS" {
				req.Header.Set("Origin", "https://other.example")
				req.Header.Set("Access-Control-Request-Method", "POST")
			}
			res, err := tc.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			h := res.Header
			if res.StatusCode != tc.status {
				t.Errorf("status %d, want %d", res.StatusCode, tc.status)
			}
			if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options %q", got)
			}
			if got := h.Get("Referrer-Policy"); got != "strict-origin-when-cross-origin" {
				t.Errorf("Referrer-Policy %q", got)
			}
			if got := h.Get("Strict-Transport-Security"); (got != "") != tc.hsts {
				t.Errorf("Strict-Transport-Security %q, want it %v", got, tc.hsts)
			}
			csp := directives(h.Get("Content-Security-Policy"))
			if got := csp["frame-ancestors"]; got != tc.frameAncestors {
				t.Errorf("frame-ancestors %q, want %q", got, tc.frameAncestors)
			}
			if got := csp["script-src"]; got != "'self'" {
				t.Errorf("script-src %q, want 'self' alone (no inline script)", got)
			}
			for _, d := range []string{"img-src", "connect-src"} {
				if !strings.Contains(csp[d], "https://*.tile.example.org") {
					t.Errorf("%s %q lacks the basemap's host", d, csp[d])
				}
				if tc.srv == custom && !strings.Contains(csp[d], "https://data.example") {
					t.Errorf("%s %q lacks the extra host", d, csp[d])
				}
			}
		})
	}
}

func directives(csp string) map[string]string {
	m := map[string]string{}
	for _, d := range strings.Split(csp, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		m[name] = value
	}
	return m
}

func TestCSPSource(t *testing.T) {
	for _, tc := range []struct{ in, want, err string }{
		{"https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org", ""},
		{"https://{s}.basemaps.example.com/{z}/{x}/{y}{r}.png", "https://*.basemaps.example.com", ""},
		{"http://127.0.0.1:8081/{z}/{x}/{y}.png", "http://127.0.0.1:8081", ""},
		{"https://*.example.org", "https://*.example.org", ""},
		{"/tiles/{z}/{x}/{y}.png", "", ""},
		{"", "", ""},
		{"https://tiles.{s}.example.org/{z}.png", "", "first label"},
		{"ftp://tiles.example.org/{z}.png", "", "http"},
		{"https://a.example;script-src *", "", "host"},
	} {
		got, err := api.CSPSource(tc.in)
		if got != tc.want || (err == nil) != (tc.err == "") || err != nil && !strings.Contains(err.Error(), tc.err) {
			t.Errorf("CSPSource(%q) = %q, %v; want %q, error with %q", tc.in, got, err, tc.want, tc.err)
		}
	}
}

// TestLinksIgnoreForgedHost: a Host header off the allow-list never gets
// into a link; --public-url decides every link when it is set.
func TestLinksIgnoreForgedHost(t *testing.T) {
	paths := []string{"/ogc", "/ogc/collections", "/ogc/api", "/ogc/collections/metro-lines", "/ogc/collections/metro-lines/items?limit=1", "/api/reports.atom"}
	for _, tc := range []struct {
		name     string
		cfg      api.Config
		host     string
		proto    string // X-Forwarded-Proto, from this machine: a proxy
		wantBase string
	}{
		{"public URL", api.Config{PublicURL: "https://map.example.org/xian/"}, "evil.example", "", "https://map.example.org/xian"},
		{"public URL beats an allowed host", api.Config{PublicURL: "https://map.example.org"}, "localhost:9", "", "https://map.example.org"},
		{"forged host, listen address", api.Config{ListenAddr: ":8080"}, "evil.example", "", "http://localhost:8080"},
		{"forged host with an allowed port", api.Config{ListenAddr: "10.0.0.5:80"}, "evil.example:8080", "", "http://10.0.0.5:80"},
		{"allowed host", api.Config{AllowedHosts: []string{"maps.example.net"}}, "Maps.Example.NET:8443", "", "http://maps.example.net:8443"},
		{"allowed host:port only", api.Config{AllowedHosts: []string{"maps.example.net:443"}, ListenAddr: "127.0.0.1:8080"}, "maps.example.net:444", "", "http://127.0.0.1:8080"},
		{"allowed host:port", api.Config{AllowedHosts: []string{"maps.example.net:443"}}, "maps.example.net:443", "", "http://maps.example.net:443"},
		{"a proxy says https", api.Config{}, "localhost:8080", "https", "https://localhost:8080"},
		{"a forged scheme", api.Config{}, "localhost:8080", "javascript", "http://localhost:8080"},
		{"public URL beats the proxy's scheme", api.Config{PublicURL: "http://map.example.org"}, "localhost:8080", "https", "http://map.example.org"},
		{"empty allow-list", api.Config{AllowedHosts: []string{}, ListenAddr: "127.0.0.1:8080"}, "localhost:8080", "", "http://127.0.0.1:8080"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServerWith(t, tc.cfg)
			for _, p := range paths {
				req, _ := http.NewRequest(http.MethodGet, srv.URL+p, nil)
				req.Host = tc.host
				req.Header.Set("X-Forwarded-Host", "evil.example")
				if tc.proto != "" {
					req.Header.Set("X-Forwarded-Proto", tc.proto)
				}
				res, err := srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				var body bytes.Buffer
				_, _ = body.ReadFrom(res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					t.Fatalf("GET %s: %d %s", p, res.StatusCode, body.Bytes())
				}
				b := strings.ToLower(body.String())
				if strings.Contains(b, "evil.example") {
					t.Errorf("GET %s with Host %s: a link carries the forged host: %.300s", p, tc.host, b)
				}
				if !strings.Contains(body.String(), tc.wantBase+"/") {
					t.Errorf("GET %s with Host %s: no link starts with %s: %.300s", p, tc.host, tc.wantBase, b)
				}
			}
		})
	}
}

// TestValidators: If-None-Match compares weakly (RFC 9110), "*" matches,
// and already-compressed types are never gzipped.
func TestValidators(t *testing.T) {
	srv := newServerWith(t, api.Config{})
	for _, enc := range []string{"identity", "gzip"} {
		first := get(t, srv, "/api/config", "Accept-Encoding", enc)
		tag := first.header.Get("ETag")
		if first.status != 200 || !strings.HasPrefix(tag, `"`) {
			t.Fatalf("%s: status %d, ETag %q", enc, first.status, tag)
		}
		for _, tc := range []struct {
			ifNoneMatch string
			want        int
		}{
			{tag, 304},
			{"W/" + tag, 304},
			{"*", 304},
			{`"other", W/` + tag, 304},
			{`W/"a,b", ` + tag, 304},
			{`"other"`, 200},
			{`W/"other"`, 200},
			{strings.Trim(tag, `"`), 200}, // unquoted: malformed
			{"", 200},
		} {
			r := get(t, srv, "/api/config", "Accept-Encoding", enc, "If-None-Match", tc.ifNoneMatch)
			if r.status != tc.want {
				t.Errorf("%s: If-None-Match %s: status %d, want %d", enc, tc.ifNoneMatch, r.status, tc.want)
			}
			if r.status == 304 && (len(r.body) > 0 || r.header.Get("ETag") != tag) {
				t.Errorf("%s: 304 with %d bytes and ETag %q", enc, len(r.body), r.header.Get("ETag"))
			}
		}
	}
	for _, tc := range []struct {
		path string
		gzip bool
	}{{"/a.png", false}, {"/app.js", true}, {"/", true}} {
		r := get(t, srv, tc.path, "Accept-Encoding", "gzip")
		if got := r.header.Get("Content-Encoding") == "gzip"; got != tc.gzip || r.status != 200 {
			t.Errorf("%s: status %d, gzipped %v, want %v", tc.path, r.status, got, tc.gzip)
		}
		if strings.HasSuffix(r.header.Get("ETag"), `-gz"`) != tc.gzip {
			t.Errorf("%s: ETag %q names an encoding the body does not have", tc.path, r.header.Get("ETag"))
		}
	}
}

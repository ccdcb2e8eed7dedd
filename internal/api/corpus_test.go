package api_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// maxAnswer bounds how long any malformed request may take to answer.
const maxAnswer = time.Second

// TestBadInputCorpus sends hundreds of malformed requests, raw over a
// socket, to the service on each store. None may be answered with a 5xx
// other than 505, take over maxAnswer, or, once routed by the service,
// carry an error body without the {code, message} shape (allowed5xx
// lists the 5xx that may come from net/http itself). Requests that
// net/http itself refuses before routing (a broken request line, say)
// are recognised by the missing X-Request-Id and judged by status alone.
func TestBadInputCorpus(t *testing.T) {
	corpus := badRequests()
	if len(corpus) < 300 {
		t.Fatalf("only %d requests in the corpus", len(corpus))
	}
	forEachStore(t, func(t *testing.T, srv *httptest.Server) {
		addr := srv.Listener.Addr().String()
		routed := 0
		for _, raw := range corpus {
			if sendRaw(t, addr, raw) {
				routed++
			}
		}
		t.Logf("%d malformed requests, %d answered by the service, the rest by net/http", len(corpus), routed)
		if routed < len(corpus)/2 {
			t.Errorf("only %d of %d requests reached the service", routed, len(corpus))
		}
	})
}

// sendRaw sends one raw request on a connection of its own, checks the
// answer and reports whether the service (not net/http) produced it.
func sendRaw(t *testing.T, addr, raw string) bool {
	t.Helper()
	name := fmt.Sprintf("%.120q", raw)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	conn.SetDeadline(start.Add(5 * maxAnswer)) // a hung answer fails below, not the whole run
	// A server that refuses an oversized request may close before it is
	// all written; its answer is still there to read.
	_, werr := io.WriteString(conn, raw)
	// The method, so that a HEAD's answer is read without a body.
	method, _, _ := strings.Cut(raw, " ")
	res, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: method})
	if err != nil {
		t.Errorf("%s: no response: %v (writing: %v)", name, err, werr)
		return false
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	took := time.Since(start)
	if err != nil {
		t.Errorf("%s: reading the body: %v", name, err)
	}
	if took > maxAnswer {
		t.Errorf("%s: answered in %v", name, took)
	}
	routed := res.Header.Get("X-Request-Id") != ""
	if res.StatusCode >= 500 && !allowed5xx(res.StatusCode, routed) {
		t.Errorf("%s: %d %.200s", name, res.StatusCode, body)
	}
	if routed && res.StatusCode >= 400 && method != http.MethodHead && !isErrorBody(body) {
		t.Errorf("%s: %d with a body that is no {code, message} error: %.200s", name, res.StatusCode, body)
	}
	return routed
}

// allowed5xx: 505 for an HTTP version not spoken, and net/http's own 501
// for a transfer coding it does not know, as RFC 9112 section 6.1 asks;
// the service itself answers no 5xx to bad input.
func allowed5xx(status int, routed bool) bool {
	return status == http.StatusHTTPVersionNotSupported || !routed && status == http.StatusNotImplemented
}

func isErrorBody(b []byte) bool {
	var e struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	return json.Unmarshal(b, &e) == nil && e.Code != "" && e.Message != ""
}

// request is a well-formed request for target, with extra header lines.
func request(method, target string, headers ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n", method, target)
	for _, h := range headers {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("\r\n")
	return b.String()
}

// badRequests is the corpus: bad queries on every endpoint, then bad
// paths, methods, request lines and headers.
func badRequests() []string {
	paths := []string{
		"/ogc", "/ogc/collections", "/ogc/collections/old-communities", "/ogc/collections/old-communities/items",
		"/ogc/collections/intersections/items/x", "/api/projects", "/api/projects/1", "/api/config", "/api/data-quality",
		"/api/coverage", "/api/nearest", "/api/reports", "/api/reports/1", "/api/reports.atom", "/api/audit",
	}
	huge := strings.Repeat("9", 64<<10)
	queries := []string{
		"project=1;x", "bbox=108;34;109;35", "district=610115;x", "district=%20", "project=", "project", "=1", "&&;&&",
		"limit=5&limit=6", "plan=a&plan=b", "%zz=1", "project=%zz", "project=%", "asof=%E4%", "f=csv;f=json",
		"bbox=" + huge, "limit=" + huge, "district=" + strings.Repeat("%E9%AB%98", 4000), strings.Repeat("a=1&", 2000),
		"bbox=1,2,3,4,5", "bbox=NaN,NaN,NaN,NaN", "bbox=-181,0,0,1", "bbox=,,,", "asof=2024-02-30", "asof=+2024-01-01",
		"limit=-1", "limit=1e3", "offset=-1", "offset=" + huge, "status=%00", "plan=%00", "site=%C3%28", "from=a&to=b",
		"ids=1,2", "f=xml", "f=%00",
	}
	var out []string
	for _, p := range paths {
		for _, q := range queries {
			out = append(out, request("GET", p+"?"+q))
		}
	}
	for _, target := range []string{
		"/ogc/collections/schools/items/a%00b", "/ogc/collections/schools/items/%C3%28", "/ogc/collections/%C3%28/items",
		"/ogc/collections/schools/items/%", "/ogc/collections/schools/items/%zz", "/ogc/collections/schools/items/" + huge,
		"/ogc/collections/../../etc/passwd", "/api/projects/-1", "/api/projects/99999999999999999999", "/api/projects/%20",
		"/api/reports/abc", "/api/reports/-1", "/api/reports/99999999999999999999", "//ogc", "/ogc/collections//items",
		"/%2e%2e/%2e%2e/etc/passwd", "*", "/ogc?" + strings.Repeat("x", 900<<10),
	} {
		out = append(out, request("GET", target))
	}
	for _, m := range []string{"PUT", "DELETE", "PATCH", "TRACE", "FOO", "OPTIONS", "HEAD", "get", "CONNECT"} {
		out = append(out, request(m, "/ogc/collections/old-communities/items?project=1;x"), request(m, "/api/reports"))
	}
	for _, body := range []string{"{", "[]", `{"project":"x"}`, "project,reported_on\n\"", strings.Repeat("[", 10000)} {
		out = append(out, fmt.Sprintf("POST /api/reports HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body))
	}
	out = append(out,
		"POST /api/reports HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nAuthorization: Bearer nope\r\nContent-Length: 2\r\n\r\n{}",
		"POST /api/reports HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: -1\r\n\r\n",
		"POST /api/reports HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n{}",
		"POST /api/reports HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
		"POST /api/tokens/x/revoke HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
	)
	// Broken request lines and headers, most refused by net/http itself.
	out = append(out,
		"GET\r\n\r\n", "GET /\r\n\r\n", "GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n", " / HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET / HTTP/9.9\r\nHost: x\r\n\r\n", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", "GET / HTTP/1.1\r\n\r\n", "GET / HTTX/1.1\r\nHost: x\r\n\r\n",
		"GET /ogc HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "GET /ogc HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n",
		"GET /ogc HTTP/1.1\r\nHost: x\r\n: empty\r\n\r\n", "GET /ogc HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n",
		"GET /ogc HTTP/1.1\r\nHost: x\r\nX: "+strings.Repeat("v", 2<<20)+"\r\n\r\n",
		"G\x00T / HTTP/1.1\r\nHost: x\r\n\r\n", "GET /\x00 HTTP/1.1\r\nHost: x\r\n\r\n", "GET /a b HTTP/1.1\r\nHost: x\r\n\r\n",
		"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\r\n\r\n", "GET http://evil.example/ogc HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /ogc HTTP/1.0\r\n\r\n", "GET /ogc HTTP/1.1\nHost: x\n\n", "GET /ogc HTTP/1.1\r\nHost: x\r\n Folded: yes\r\n\r\n",
		"GET /ogc HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", "GET /ogc HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
	)
	for _, h := range []string{
		"If-None-Match: garbage", `If-None-Match: W/"x", *`, "If-None-Match: " + huge, "Accept-Encoding: gzip;q=abc",
		"Accept-Encoding: br, *;q=0", "Accept: \x01", "Range: bytes=-1", "Authorization: Bearer " + huge,
		"Authorization: Basic Og==", "X-Request-Id: " + huge, "X-Request-Id: \x7f", "X-Forwarded-For: 1.2.3.4, x",
		"X-Forwarded-Proto: gopher", "X-Forwarded-Host: evil.example", "Origin: null", "Cookie: " + huge,
		"Content-Type: application/json; charset=evil", "Expect: 100-continue", "Upgrade: websocket",
	} {
		out = append(out, request("GET", "/ogc/collections/old-communities/items?limit=1", h), request("GET", "/api/projects?project=1;x", h))
	}
	return out
}

package api

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"projectmap/internal/domain"
	"projectmap/internal/storetest"
)

// invalidParam returns the parameter an ErrInvalid error names, failing t
// on any other error.
func invalidParam(t *testing.T, err error) string {
	t.Helper()
	var de *domain.Error
	if !errors.As(err, &de) || de.Kind != domain.ErrInvalid || de.Message == "" {
		t.Fatalf("error %v (%T) is not an ErrInvalid with a message", err, err)
	}
	return de.Param
}

// FuzzQueryString: the strict parser accepts nothing url.ParseQuery could
// not read whole, gives every parameter a name and a non-blank value,
// survives re-encoding unchanged, and names the parameter it refuses.
func FuzzQueryString(f *testing.F) {
	for _, s := range []string{"", "project=1", "project=1;x", "bbox=108;34;109;35", "district=%20", "project=",
		"a=1&&b=2&", "%zz=1", "=1", "district=%E9%AB%98%E9%99%B5&limit=5", "f=csv&f=json", "x=%3B", "q"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := parseQueryString(raw)
		if err != nil {
			if p := invalidParam(t, err); p == "" && !strings.Contains(raw, "=") {
				t.Fatalf("%q: error names no parameter: %v", raw, err)
			}
			return
		}
		if _, err := url.ParseQuery(raw); err != nil {
			t.Fatalf("%q accepted, but url.ParseQuery drops part of it: %v", raw, err)
		}
		for k, vs := range q {
			for _, v := range vs {
				if k == "" || strings.TrimSpace(v) == "" {
					t.Fatalf("%q: parameter %q = %q accepted", raw, k, v)
				}
			}
		}
		again, err := parseQueryString(q.Encode())
		if err != nil || again.Encode() != q.Encode() {
			t.Fatalf("%q: re-encoded %q parses as %v, %v", raw, q.Encode(), again, err)
		}
	})
}

// FuzzBBox: a box that parses lies on the globe, has its minimum below
// its maximum and reads back the same once printed; one that does not is
// an error naming bbox.
func FuzzBBox(f *testing.F) {
	for _, s := range []string{"108,34,109,35", "73,18,135,54", "-180,-90,180,90", "1,2,3", "a,b,c,d", "NaN,1,2,3",
		"108,34,0,109,35,100", " 108 , 34 , 109 , 35 ", "109,34,108,35", "1e308,0,1e309,1", "0x1p3,0,9,1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := parseBBox(s)
		if err != nil {
			if p := invalidParam(t, err); p != "bbox" {
				t.Fatalf("%q: error names %q, want bbox", s, p)
			}
			return
		}
		if b == nil {
			if s != "" {
				t.Fatalf("%q: no box and no error", s)
			}
			return
		}
		if b.Min[0] < -180 || b.Max[0] > 180 || b.Min[1] < -90 || b.Max[1] > 90 || b.Min[0] > b.Max[0] || b.Min[1] > b.Max[1] {
			t.Fatalf("%q: box %v out of bounds", s, *b)
		}
		g := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
		printed := strings.Join([]string{g(b.Min[0]), g(b.Min[1]), g(b.Max[0]), g(b.Max[1])}, ",")
		if again, err := parseBBox(printed); err != nil || *again != *b {
			t.Fatalf("%q: printed as %q, reads back %v, %v", s, printed, again, err)
		}
	})
}

// FuzzAsOf: a date that parses is a real day in range, printed as the
// text given; anything else is an error naming asof.
func FuzzAsOf(f *testing.F) {
	for _, s := range []string{"2024-07-15", "2024-02-29", "2023-02-29", "2024-13-01", "0001-01-01", "9999-12-31", "yesterday", "2024-7-1", " 2024-07-15"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		def := domain.NewDate(2024, 7, 15)
		d, err := parseDate(url.Values{"asof": {s}}, "asof", def)
		if err != nil {
			if p := invalidParam(t, err); p != "asof" {
				t.Fatalf("%q: error names %q, want asof", s, p)
			}
			return
		}
		if s == "" {
			if d != def {
				t.Fatalf("absent asof gave %v, want the default", d)
			}
			return
		}
		if d.String() != s || d.Year() < 1900 || d.Year() > 2200 {
			t.Fatalf("%q read as %v", s, d)
		}
	})
}

// fuzzServer is the whole service over the embedded store, for fuzzing
// requests without a socket.
func fuzzServer(f *testing.F) http.Handler {
	return New(Config{
		Store:  storetest.Embedded(f),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now:    func() time.Time { return time.Date(2024, 7, 15, 10, 0, 0, 0, time.UTC) },
	})
}

// serve sends GET u to h; u is set on the request as it is, so that any
// bytes reach the handler, as they would from a raw client.
func serve(h http.Handler, u *url.URL) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.URL, req.RequestURI = u, u.RequestURI()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// checkError fails t unless rec holds a {code, message} error body.
func checkError(t *testing.T, target string, rec *httptest.ResponseRecorder) errorBody {
	t.Helper()
	var body errorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Code == "" || body.Message == "" {
		t.Fatalf("%s: %d with a body that is no {code, message} error: %.300s", target, rec.Code, rec.Body.Bytes())
	}
	return body
}

// FuzzItemsQuery: any query string on the items endpoint is answered 200
// or 400, never 5xx; a 400 names a parameter, and a 200 returns no more
// than the limit asked for (or the maximum) out of what matched.
func FuzzItemsQuery(f *testing.F) {
	for _, s := range []string{"", "limit=5&offset=3", "project=15", "project=1;x", "bbox=108;34;109;35", "district=610117", "district=%20",
		"district=%E9%AB%98%E9%99%B5", "asof=2024-12-31&status=behind", "f=csv&limit=2", "limit=5&limit=6", "bbox=73,18,135,54", "offset=99999999"} {
		f.Add(s)
	}
	h := fuzzServer(f)
	f.Fuzz(func(t *testing.T, raw string) {
		u := &url.URL{Path: "/ogc/collections/old-communities/items", RawQuery: raw}
		target := u.RequestURI()
		rec := serve(h, u)
		switch rec.Code {
		case http.StatusOK:
			if strings.Contains(rec.Header().Get("Content-Type"), "csv") {
				return
			}
			var fc struct {
				NumberMatched  int `json:"numberMatched"`
				NumberReturned int `json:"numberReturned"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &fc); err != nil {
				t.Fatalf("%s: 200 with bad JSON: %v", target, err)
			}
			q, _ := parseQueryString(raw)
			limit, _ := parseLimit(q)
			if fc.NumberReturned > limit || fc.NumberReturned > fc.NumberMatched {
				t.Fatalf("%s: %d returned of %d matched, limit %d", target, fc.NumberReturned, fc.NumberMatched, limit)
			}
		case http.StatusBadRequest:
			if body := checkError(t, target, rec); body.Param == "" && !strings.Contains(raw, "=") {
				t.Fatalf("%s: 400 names no parameter: %s", target, body.Message)
			}
		default:
			t.Fatalf("%s: status %d: %.300s", target, rec.Code, rec.Body.Bytes())
		}
	})
}

// FuzzFeatureID: any feature id is a 200 carrying that very feature or a
// 404 error, never anything else.
func FuzzFeatureID(f *testing.F) {
	for _, s := range []string{"x", "no-such-feature", "a\x00b", "\xc3\x28", "../../etc/passwd", "%", "é", strings.Repeat("9", 300)} {
		f.Add(s)
	}
	h := fuzzServer(f)
	// A real id, so that the 200 branch is seeded too.
	var page struct {
		Features []struct {
			ID string `json:"id"`
		} `json:"features"`
	}
	if err := json.Unmarshal(serve(h, &url.URL{Path: "/ogc/collections/intersections/items", RawQuery: "limit=1"}).Body.Bytes(), &page); err != nil || len(page.Features) == 0 {
		f.Fatalf("no feature to seed with: %v", err)
	}
	f.Add(page.Features[0].ID)
	f.Fuzz(func(t *testing.T, id string) {
		u := &url.URL{Path: "/ogc/collections/intersections/items/" + id}
		target := u.RequestURI()
		rec := serve(h, u)
		switch rec.Code {
		case http.StatusOK:
			var feat struct {
				ID string `json:"id"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &feat); err != nil || feat.ID != id {
				t.Fatalf("%s: 200 with feature %q (%v), want %q", target, feat.ID, err, id)
			}
		case http.StatusNotFound:
			checkError(t, target, rec)
		default:
			t.Fatalf("%s: status %d: %.300s", target, rec.Code, rec.Body.Bytes())
		}
	})
}

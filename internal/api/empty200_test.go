package api

import (
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
)

// TestNoEmpty200: whatever goes wrong inside a handler, the client gets a
// 500 with the {code, message} body, with gzip or without.
func TestNoEmpty200(t *testing.T) {
	e := New(Config{})
	long := strings.Repeat("x", 1000) // past the gzip threshold
	e.GET("/t/panic", func(c echo.Context) error { panic("boom") })
	e.GET("/t/panic-after-write", func(c echo.Context) error {
		_ = c.Blob(http.StatusOK, mediaJSON, []byte(`{"a":"`+long+`"}`))
		panic("boom")
	})
	e.GET("/t/nan", func(c echo.Context) error {
		return writeJSON(c, mediaJSON, map[string]any{"figure": math.NaN(), "pad": long})
	})
	e.GET("/t/nan-feature", func(c echo.Context) error {
		f := feature{id: "a", geometry: orb.Point{108.9, 34.2}, props: []prop{strProp("pad", long), numProp("figure", math.Inf(1))}}
		b, err := appendFeature(nil, f)
		if err != nil {
			return err
		}
		return c.Blob(http.StatusOK, mediaGeoJSON, b)
	})
	e.GET("/t/error-after-write", func(c echo.Context) error {
		c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="x.csv"`)
		_ = c.Blob(http.StatusOK, "text/csv", []byte(long))
		return errors.New("failed after writing")
	})
	srv := httptest.NewServer(e)
	defer srv.Close()
	for _, path := range []string{"/t/panic", "/t/panic-after-write", "/t/nan", "/t/nan-feature", "/t/error-after-write"} {
		for _, enc := range []string{"", "gzip"} {
			t.Run(path+"/"+enc, func(t *testing.T) {
				req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
				req.Header.Set("Accept-Encoding", enc) // set, so that Go's transport does not add gzip itself
				res, err := srv.Client().Transport.RoundTrip(req)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				var r io.Reader = res.Body
				if res.Header.Get("Content-Encoding") == "gzip" {
					if r, err = gzip.NewReader(res.Body); err != nil {
						t.Fatal(err)
					}
				}
				raw, err := io.ReadAll(r)
				if err != nil {
					t.Fatal(err)
				}
				var body struct{ Code, Message string }
				if err := json.Unmarshal(raw, &body); err != nil || body.Code != "internal" || body.Message == "" {
					t.Errorf("body %q (%v); want a {code, message} JSON error", raw, err)
				}
				if res.StatusCode != http.StatusInternalServerError {
					t.Errorf("status %d, want 500", res.StatusCode)
				}
				if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, mediaJSON) {
					t.Errorf("Content-Type %q, want JSON", ct)
				}
				if cd := res.Header.Get("Content-Disposition"); cd != "" {
					t.Errorf("Content-Disposition %q kept from the abandoned body", cd)
				}
			})
		}
	}
}

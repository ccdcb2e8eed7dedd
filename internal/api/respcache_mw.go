package api

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"projectmap/internal/domain"
)

// ctxCached marks a request the response cache answers: the gzip and
// etags middleware below it leave it alone.
const ctxCached = "projectmap.cached"

// gzipMinLength is the smallest body worth compressing.
const gzipMinLength = 256

// uncachedPaths are the GET routes never cached: the probes, which must
// reach the store, and the admin reads, which are private.
var uncachedPaths = map[string]bool{"/healthz": true, "/readyz": true, "/api/audit": true, "/api/tokens": true}

// responses answers GET and HEAD from the response cache when it can. A
// response is named by the canonical request (path, sorted query, link
// base, the city's date) and the store's state version; its ETag derives
// from those alone, so a conditional request is answered 304 before any
// store work, and a hit is served as a static file server would serve it.
// A miss runs the handler once for all who ask at the same time, then
// keeps the response in both encodings.
func (s *server) responses(next echo.HandlerFunc) echo.HandlerFunc {
	vs, versioned := s.cfg.Store.(domain.StateVersioned)
	if s.respCache == nil || !versioned {
		return next
	}
	return func(c echo.Context) error {
		req := c.Request()
		if !s.cacheable(c) {
			return next(c)
		}
		// Bounded as the handler would be: a store that cannot say its
		// version in time is unavailable.
		vctx, cancel := context.WithTimeout(req.Context(), s.cfg.RequestTimeout)
		version, ok, err := vs.StateVersion(vctx)
		cancel()
		if err != nil {
			return err
		}
		key, keyOK := s.cacheKeyOf(c)
		if !ok || !keyOK {
			return next(c) // the handler answers, and etags tags it by its body
		}
		for {
			hit, wait := s.respCache.lookup(version, key)
			if hit != nil {
				if hit, err = s.withGzip(c, version, hit); err != nil {
					return err
				}
				return s.serveCached(c, hit)
			}
			if wait == nil {
				break
			}
			if s.notModified(c, version, key) {
				return nil
			}
			select {
			case <-wait: // look again: the one computing it may have failed
			case <-req.Context().Done():
				return req.Context().Err()
			}
		}
		defer s.respCache.done(key)
		if s.notModified(c, version, key) {
			return nil
		}
		r, err := s.fill(c, next, version, key)
		if err != nil || r == nil {
			return err
		}
		s.respCache.put(version, r)
		return s.serveCached(c, r)
	}
}

// cacheable reports whether c may be answered from the cache.
func (s *server) cacheable(c echo.Context) bool {
	req := c.Request()
	return (req.Method == http.MethodGet || req.Method == http.MethodHead) &&
		!uncachedPaths[c.Path()] && !isDownload(c) && req.Header.Get(echo.HeaderAuthorization) == ""
}

// cacheKeyOf is the canonical request: the path, the query sorted by
// name, the link base the body's links start with and the city's date
// (the default asof). A query that does not parse has no key: the
// handler answers it with a 400.
func (s *server) cacheKeyOf(c echo.Context) (string, bool) {
	req := c.Request()
	q, err := url.ParseQuery(req.URL.RawQuery)
	if err != nil {
		return "", false
	}
	return cacheKey(req.URL.Path, q.Encode(), base(c), s.dayStamp()), true
}

// dayStamp is today's date in every time zone a plan has been served in:
// it changes when the default date of any of them does.
func (s *server) dayStamp() string {
	var names []string
	s.zones.Range(func(k, _ any) bool { names = append(names, k.(string)); return true })
	slices.Sort(names)
	now := s.cfg.Now()
	b := make([]byte, 0, 24*len(names))
	for _, name := range names {
		loc, _ := s.zones.Load(name)
		b = append(b, name...)
		b = now.In(loc.(*time.Location)).AppendFormat(b, "=2006-01-02;")
	}
	return string(b)
}

// etagOf is the ETag of the response to key at version (its identity
// encoding; gzipTag names the gzip one): the same on every replica of one
// build over one database.
func (s *server) etagOf(version, key string) string {
	h := sha256.New()
	h.Write([]byte(s.cfg.BuildStamp))
	h.Write([]byte{0})
	h.Write([]byte(version))
	h.Write([]byte{0})
	h.Write([]byte(key))
	return `"` + base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:18]) + `"`
}

// gzipTag is the ETag of the gzip encoding of the response tagged tag.
func gzipTag(tag string) string { return tag[:len(tag)-1] + `-gz"` }

// notModified answers 304 if the request's If-None-Match names the
// response to key at version, in either encoding the client accepts:
// both carry the same content.
func (s *server) notModified(c echo.Context, version, key string) bool {
	inm := c.Request().Header.Get("If-None-Match")
	if inm == "" {
		return false
	}
	tag := s.etagOf(version, key)
	zipped := gzipTag(tag)
	gz := gzipped(c)
	if !noneMatch(inm, tag) && !(gz && noneMatch(inm, zipped)) {
		return false
	}
	if gz {
		tag = zipped
	}
	h := c.Response().Header()
	h.Set("ETag", tag)
	h.Add(echo.HeaderVary, echo.HeaderAcceptEncoding)
	c.Response().WriteHeader(http.StatusNotModified)
	return true
}

// cachedHeaders are the headers a handler sets that belong to the
// response itself and are kept with it.
var cachedHeaders = []string{echo.HeaderContentType, "Cache-Control", echo.HeaderContentDisposition, "Content-Language"}

// fill runs the handler into a buffer and makes an entry of its answer.
// An error, or an answer that is not a 200 meant for caches, is returned
// as it was given (r nil, the answer already sent).
func (s *server) fill(c echo.Context, next echo.HandlerFunc, version, key string) (*cachedResponse, error) {
	c.Set(ctxCached, true)
	res := c.Response()
	buf, err := buffered(c, next, nil) // kept: never reused
	if err != nil {
		return nil, err
	}
	if err := stillWanted(c); err != nil {
		return nil, err // nothing is compressed or kept for a client that left
	}
	h := res.Header()
	if buf.status != http.StatusOK || h.Get("Cache-Control") == "no-store" {
		res.Writer.WriteHeader(buf.status)
		_, err := res.Writer.Write(buf.body.Bytes())
		return nil, err
	}
	// The handler may have met a plan in a time zone not met before: the
	// key then names that zone's date too, as every later request's will.
	if after, ok := s.cacheKeyOf(c); ok {
		key = after
	}
	r := &cachedResponse{key: key, etag: s.etagOf(version, key), header: http.Header{}, identity: buf.body.Bytes()}
	for _, k := range cachedHeaders {
		if v := h.Get(k); v != "" {
			r.header.Set(k, v)
		}
		h.Del(k)
	}
	if r.header.Get("Cache-Control") == "" {
		r.header.Set("Cache-Control", "public, max-age=300")
	}
	r.compressible = len(r.identity) >= gzipMinLength && !compressedAlready(c)
	if r.compressible && gzipped(c) {
		if r.gzip, err = s.compress(r.identity); err != nil {
			return nil, err
		}
	}
	res.Committed, res.Status, res.Size = false, 0, 0
	return r, nil
}

// withGzip returns r with its gzip body, compressing it now if no client
// that takes gzip had asked for r before (the entry is replaced, so that
// the cache counts the bytes).
func (s *server) withGzip(c echo.Context, version string, r *cachedResponse) (*cachedResponse, error) {
	if r.gzip != nil || !r.compressible || !gzipped(c) {
		return r, nil
	}
	if err := stillWanted(c); err != nil {
		return nil, err
	}
	z, err := s.compress(r.identity)
	if err != nil {
		return nil, err
	}
	with := *r
	with.gzip = z
	s.respCache.put(version, &with)
	return &with, nil
}

// serveCached sends r, in gzip if the client accepts it, or 304 if the
// client holds it already.
func (s *server) serveCached(c echo.Context, r *cachedResponse) error {
	res := c.Response()
	h := res.Header()
	for k, v := range r.header {
		h[k] = v
	}
	body, tag := r.identity, r.etag
	if r.compressible {
		h.Add(echo.HeaderVary, echo.HeaderAcceptEncoding)
		if gzipped(c) && r.gzip != nil {
			body, tag = r.gzip, gzipTag(r.etag)
			h.Set(echo.HeaderContentEncoding, "gzip")
		}
	}
	h.Set("ETag", tag)
	if noneMatch(c.Request().Header.Get("If-None-Match"), tag) {
		h.Del(echo.HeaderContentType)
		h.Del(echo.HeaderContentEncoding)
		res.WriteHeader(http.StatusNotModified)
		return nil
	}
	h.Set(echo.HeaderContentLength, strconv.Itoa(len(body)))
	res.WriteHeader(http.StatusOK)
	if c.Request().Method == http.MethodHead {
		return nil
	}
	_, err := res.Write(body)
	return err
}

// compress gzips b with a writer from the server's pool.
func (s *server) compress(b []byte) ([]byte, error) {
	var out bytes.Buffer
	out.Grow(len(b) / 4)
	zw, _ := s.gzipWriters.Get().(*gzip.Writer)
	if zw == nil {
		zw = gzip.NewWriter(&out)
	} else {
		zw.Reset(&out)
	}
	defer s.gzipWriters.Put(zw)
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

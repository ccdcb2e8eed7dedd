package api

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// requestLog writes one structured line per request. It never logs a
// header (Authorization holds a token's secret) nor a body, and it masks
// anything in the query that looks like a secret pasted by mistake.
func requestLog(log *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			if err != nil {
				c.Error(err)
			}
			req, res := c.Request(), c.Response()
			log.Info("request", "method", req.Method, "path", redactSecrets(req.URL.Path), "query", redactSecrets(req.URL.RawQuery),
				"status", res.Status, "bytes", res.Size, "duration_ms", float64(time.Since(start).Microseconds())/1000,
				"remote", c.RealIP(), "request_id", res.Header().Get(echo.HeaderXRequestID))
			return nil
		}
	}
}

// panicToError turns a handler's panic into an error returned through
// the etag and gzip middleware, which then unwind as for any error, so
// that the error handler answers 500 with a JSON body. (Recover alone,
// outermost, ran the error handler while the ETag buffer still held the
// writer: an empty 200.)
func panicToError(log *slog.Logger) echo.MiddlewareFunc {
	return middleware.RecoverWithConfig(middleware.RecoverConfig{
		DisableErrorHandler: true,
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			log.Error("panic", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err, "stack", string(stack))
			return fmt.Errorf("panic: %w", err)
		},
	})
}

// redactSecrets masks every token secret (pm_ and a long base64url run)
// in s.
func redactSecrets(s string) string {
	const prefix, minLen = "pm_", 16
	if !strings.Contains(s, prefix) {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, prefix)
		if i < 0 {
			break
		}
		j := i + len(prefix)
		for j < len(s) && isBase64URL(s[j]) {
			j++
		}
		b.WriteString(s[:i])
		if j-i-len(prefix) >= minLen {
			b.WriteString(prefix + "[redacted]")
		} else {
			b.WriteString(s[i:j])
		}
		s = s[j:]
	}
	b.WriteString(s)
	return b.String()
}

func isBase64URL(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

// requestID gives every request an X-Request-ID, echoed in the response
// and recorded in the audit. A client's own id is kept if it is short
// printable ASCII; anything else is replaced, so that the log and the
// audit cannot be stuffed through it.
func requestID(next echo.HandlerFunc) echo.HandlerFunc {
	rid := middleware.RequestID()(next)
	return func(c echo.Context) error {
		h := c.Request().Header
		if id := h.Get(echo.HeaderXRequestID); id != "" && !validRequestID(id) {
			h.Del(echo.HeaderXRequestID)
		}
		return rid(c)
	}
}

func validRequestID(id string) bool {
	if len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x21 || id[i] > 0x7e {
			return false
		}
	}
	return true
}

// etags gives every successful GET a strong ETag computed from its body,
// answers If-None-Match with 304, and sets Cache-Control. The body is
// hashed before compression; the tag carries the encoding so that the
// gzip and identity representations never share one.
func (s *server) etags(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if req.Method != http.MethodGet && req.Method != http.MethodHead {
			return next(c)
		}
		if isDownload(c) || c.Get(ctxCached) != nil {
			return next(c) // streamed, or tagged by the response cache
		}
		res := c.Response()
		buf, err := buffered(c, next, s.buffers.get(0))
		if err != nil {
			return err
		}
		defer s.buffers.put(buf.body.Bytes()) // written out below
		if err := stillWanted(c); err != nil {
			return err // nothing is hashed or compressed for a client that left
		}
		// With its length, a body is sent whole rather than in chunks
		// (the gzip middleware drops it when it compresses).
		res.Header().Set(echo.HeaderContentLength, strconv.Itoa(buf.body.Len()))
		if buf.status != http.StatusOK {
			res.Writer.WriteHeader(buf.status)
			_, werr := res.Writer.Write(buf.body.Bytes())
			return werr
		}
		sum := sha256.Sum256(buf.body.Bytes())
		tag := `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`
		if gzipped(c) {
			tag = gzipTag(tag)
		}
		h := res.Header()
		h.Set("ETag", tag)
		if h.Get("Cache-Control") == "" {
			h.Set("Cache-Control", "public, max-age=300")
		}
		if noneMatch(req.Header.Get("If-None-Match"), tag) {
			h.Del(echo.HeaderContentLength)
			h.Del(echo.HeaderContentType)
			res.Status = http.StatusNotModified
			res.Writer.WriteHeader(http.StatusNotModified)
			return nil
		}
		res.Writer.WriteHeader(http.StatusOK)
		if req.Method == http.MethodHead {
			return nil
		}
		_, err = res.Writer.Write(buf.body.Bytes())
		return err
	}
}

// buffered runs next with the response held in a buffer, which it
// returns, grown from into (empty); the response's own writer is back in
// place when it returns, and after an error nothing is committed, so that
// the error response can still be sent.
func buffered(c echo.Context, next echo.HandlerFunc, into []byte) (*bufferedWriter, error) {
	res := c.Response()
	buf := &bufferedWriter{header: res.Header(), status: http.StatusOK, body: *bytes.NewBuffer(into)}
	orig := res.Writer
	res.Writer = buf
	// Deferred so that a panic below cannot leave the buffer in place,
	// where the error response would be swallowed (an empty 200).
	defer func() { res.Writer = orig }()
	if err := next(c); err != nil {
		res.Writer = orig
		uncommit(res)
		return nil, err
	}
	return buf, nil
}

// uncommit undoes a handler's buffered write that ended in an error:
// nothing reached the client, so the error response can still be sent,
// without the headers that described the abandoned body.
func uncommit(res *echo.Response) {
	if !res.Committed {
		return
	}
	res.Committed, res.Status, res.Size = false, 0, 0
	for _, k := range []string{echo.HeaderContentType, echo.HeaderContentLength, echo.HeaderContentDisposition, "ETag"} {
		res.Header().Del(k)
	}
}

// noneMatch reports whether an If-None-Match header matches tag, by the
// weak comparison RFC 9110 (13.1.2) prescribes: W/"x" and "x" are the same
// tag, and "*" matches any current representation.
func noneMatch(header, tag string) bool {
	want := strings.TrimPrefix(tag, "W/")
	for h := strings.TrimSpace(header); h != ""; {
		if h[0] == '*' {
			return true
		}
		var t string
		t, h = nextETag(h)
		if t == "" {
			return false // malformed: no match, so the full answer is sent
		}
		if strings.TrimPrefix(t, "W/") == want {
			return true
		}
		h = strings.TrimLeft(h, " \t,")
	}
	return false
}

// nextETag splits the first entity-tag (W/ and the quoted part) off h.
// A comma may sit inside the quotes, so the list is not split on commas.
func nextETag(h string) (tag, rest string) {
	weak := strings.HasPrefix(h, "W/")
	q := h
	if weak {
		q = h[2:]
	}
	if len(q) < 2 || q[0] != '"' {
		return "", ""
	}
	end := strings.IndexByte(q[1:], '"')
	if end < 0 {
		return "", ""
	}
	n := len(h) - len(q) + end + 2
	return h[:n], h[n:]
}

// precompressed lists extensions whose bodies are compressed already:
// gzip would cost time and save nothing.
var precompressed = map[string]bool{".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".webp": true, ".woff2": true, ".gz": true, ".zip": true}

// skipGzip is the gzip middleware's skipper: responses the cache
// compresses itself, and compressed bodies.
func skipGzip(c echo.Context) bool {
	return c.Get(ctxCached) != nil || compressedAlready(c)
}

// compressedAlready reports whether the body is compressed already: the
// only such bodies the service sends are static files, named by their
// extension.
func compressedAlready(c echo.Context) bool {
	return precompressed[strings.ToLower(path.Ext(c.Request().URL.Path))]
}

// gzipped reports whether the client takes gzip for this response, which
// is then compressed (when the body is long enough).
func gzipped(c echo.Context) bool {
	return !compressedAlready(c) && strings.Contains(c.Request().Header.Get(echo.HeaderAcceptEncoding), "gzip")
}

// bufferedWriter holds a response until its ETag is known.
type bufferedWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedWriter) Header() http.Header         { return b.header }
func (b *bufferedWriter) WriteHeader(status int)      { b.status = status }
func (b *bufferedWriter) Write(p []byte) (int, error) { return b.body.Write(p) }
func (b *bufferedWriter) Flush()                      {}
func (b *bufferedWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return nil, nil, http.ErrNotSupported
}

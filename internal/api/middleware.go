package api

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"log/slog"
	"net"
	"net/http"
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
func etags(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if req.Method != http.MethodGet && req.Method != http.MethodHead {
			return next(c)
		}
		res := c.Response()
		buf := &bufferedWriter{header: res.Header(), status: http.StatusOK}
		orig := res.Writer
		res.Writer = buf
		err := next(c)
		res.Writer = orig
		if err != nil {
			return err
		}
		if buf.status != http.StatusOK {
			res.Writer.WriteHeader(buf.status)
			_, werr := res.Writer.Write(buf.body.Bytes())
			return werr
		}
		sum := sha256.Sum256(buf.body.Bytes())
		tag := base64.RawURLEncoding.EncodeToString(sum[:18])
		if strings.Contains(req.Header.Get(echo.HeaderAcceptEncoding), "gzip") {
			tag += "-gz"
		}
		tag = `"` + tag + `"`
		h := res.Header()
		h.Set("ETag", tag)
		if h.Get("Cache-Control") == "" {
			h.Set("Cache-Control", "public, max-age=300")
		}
		if matches(req.Header.Get("If-None-Match"), tag) {
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

func matches(ifNoneMatch, tag string) bool {
	for _, t := range strings.Split(ifNoneMatch, ",") {
		t = strings.TrimSpace(t)
		if t == tag || t == "*" {
			return true
		}
	}
	return false
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

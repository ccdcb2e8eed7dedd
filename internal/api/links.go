package api

import (
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
)

// DefaultAllowedHosts are the Host header values links may carry when no
// public URL is set: this machine only.
var DefaultAllowedHosts = []string{"localhost", "127.0.0.1", "::1"}

// linker decides the scheme://host[/prefix] every link starts with. Links
// are cached publicly, so a forged Host header must never reach them.
type linker struct {
	public   string          // the public URL, no trailing slash; "" if unset
	allowed  map[string]bool // host names (any port) and host:port pairs
	fallback string          // host[:port] of the listen address
}

func newLinker(cfg Config) linker {
	l := linker{public: strings.TrimRight(cfg.PublicURL, "/"), allowed: map[string]bool{}, fallback: listenHost(cfg.ListenAddr)}
	hosts := cfg.AllowedHosts
	if hosts == nil {
		hosts = DefaultAllowedHosts
	}
	for _, h := range hosts {
		h = strings.ToLower(strings.TrimSpace(h))
		if h != "" {
			l.allowed[strings.Trim(h, "[]")] = true
		}
	}
	return l
}

// ParsePublicURL checks a --public-url: an absolute http(s) URL with a
// host, perhaps a path prefix, and nothing else. It returns it without its
// trailing slash.
func ParsePublicURL(s string) (string, error) {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return "", err
	case u.Scheme != "http" && u.Scheme != "https":
		return "", errors.New("must start with http:// or https://")
	case u.Host == "":
		return "", errors.New("must name a host")
	case u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "":
		return "", errors.New("must hold only a scheme, a host and a path")
	}
	return strings.TrimRight(s, "/"), nil
}

// base is the link base for r.
func (l linker) base(r *http.Request) string {
	if l.public != "" {
		return l.public
	}
	host := l.fallback
	if l.allows(r.Host) {
		host = strings.ToLower(r.Host) // one spelling, one cached answer
	}
	return scheme(r) + "://" + host
}

// allows reports whether a Host header names an allowed host: a name
// listed alone matches on any port, a host:port only on that port.
func (l linker) allows(hostport string) bool {
	hostport = strings.ToLower(hostport)
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		host, port = strings.Trim(hostport, "[]"), ""
	}
	if host == "" || strings.ContainsAny(host, "/\\@?#% ") {
		return false
	}
	return l.allowed[host] || port != "" && l.allowed[net.JoinHostPort(host, port)]
}

// scheme is https for TLS; a proxy on this machine or a private network
// may say so with X-Forwarded-Proto, but a client elsewhere may not.
func scheme(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	if p := r.Header.Get(echo.HeaderXForwardedProto); (p == "https" || p == "http") && fromProxy(r.RemoteAddr) {
		return p
	}
	return "http"
}

func fromProxy(remote string) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	ip := net.ParseIP(host)
	return ip != nil && (ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast())
}

// listenHost names the listen address for a link: an unspecified host
// (":8080", "0.0.0.0:8080") becomes localhost.
func listenHost(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "localhost"
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

const ctxLinkBase = "projectmap.linkBase"

// linkBase records the request's link base for base.
func (l linker) linkBase(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Set(ctxLinkBase, l.base(c.Request()))
		return next(c)
	}
}

// base is the absolute URL prefix every link of this response starts
// with: the public URL, else an allowed Host, else the listen address.
func base(c echo.Context) string {
	if b, ok := c.Get(ctxLinkBase).(string); ok {
		return b
	}
	return "http://localhost"
}

package api

import (
	"errors"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
)

// embedPath is the map for an article's iframe: the one page other sites
// may frame.
const embedPath = "/embed"

// DefaultEmbedFrameAncestors lets any site frame the embed view: embedding
// is a feature.
const DefaultEmbedFrameAncestors = "*"

// securityHeaders sets the headers every response carries. The CSP allows
// no inline script and no other origin but the basemap's and the extra
// hosts configured, for images and fetches. (The picture is the server's
// static map, fetched from 'self' and saved through a blob: URL.) Inline style attributes stay allowed: the map and its
// legend draw bars and cluster rings with them, and a style cannot run code.
func securityHeaders(cfg Config) echo.MiddlewareFunc {
	hosts := append(basemapSources(cfg.basemaps()), cfg.CSPHosts...)
	ancestors := cfg.EmbedFrameAncestors
	if ancestors == "" {
		ancestors = DefaultEmbedFrameAncestors
	}
	csp := contentSecurityPolicy(hosts, "'none'")
	embedCSP := contentSecurityPolicy(hosts, ancestors)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			if c.Path() == embedPath {
				h.Set("Content-Security-Policy", embedCSP)
			} else {
				h.Set("Content-Security-Policy", csp)
			}
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
			if cfg.HSTS {
				h.Set("Strict-Transport-Security", "max-age=31536000")
			}
			return next(c)
		}
	}
}

func contentSecurityPolicy(hosts []string, frameAncestors string) string {
	extra := ""
	if len(hosts) > 0 {
		extra = " " + strings.Join(hosts, " ")
	}
	return "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
		"img-src 'self' data: blob:" + extra + "; connect-src 'self'" + extra + "; font-src 'self' data:; " +
		"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors " + frameAncestors
}

// CSPSource turns a tile URL template or an origin into a CSP source
// (scheme://host[:port]). A placeholder in the host's first label, as in
// https://{s}.tile.example.org/{z}/{x}/{y}.png, becomes "*". A template
// on this server (no host) needs no source and gives "".
func CSPSource(s string) (string, error) {
	if s == "" || strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "//") {
		return "", nil
	}
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok || scheme != "http" && scheme != "https" {
		return "", errors.New("must start with http:// or https://")
	}
	host, _, _ := strings.Cut(rest, "/")
	labels := strings.Split(host, ".")
	wild := false
	for i, l := range labels {
		if strings.ContainsAny(l, "{}*") {
			if i > 0 || len(labels) < 2 {
				return "", errors.New("a placeholder or * may stand only for the first label of a host")
			}
			labels[i], wild = "x", true
		}
	}
	u, err := url.Parse(scheme + "://" + strings.Join(labels, "."))
	if err != nil || u.Host == "" || u.User != nil || strings.ContainsAny(host, " ;,'\"") {
		return "", errors.New("must name a host")
	}
	if wild {
		host = "*." + strings.Join(labels[1:], ".")
	}
	return scheme + "://" + host, nil
}

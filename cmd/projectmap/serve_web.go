package main

import (
	"flag"
	"fmt"
	"strings"

	"projectmap/internal/api"
)

// webConfig is how the service names itself in links and which headers
// protect its pages.
type webConfig struct {
	publicURL      string
	allowedHosts   string
	cspHosts       string
	embedAncestors string
	hsts           bool
}

func webFlags(fs *flag.FlagSet, getenv func(string) string, w *webConfig) {
	fs.StringVar(&w.publicURL, "public-url", getenv("PROJECTMAP_PUBLIC_URL"), "base of every link, e.g. https://map.example.org (env PROJECTMAP_PUBLIC_URL); set it behind a proxy")
	fs.StringVar(&w.allowedHosts, "allowed-hosts", envOr(getenv, "PROJECTMAP_ALLOWED_HOSTS", strings.Join(api.DefaultAllowedHosts, ",")),
		"without --public-url, Host header values links may carry, comma-separated (a name matches any port); any other gives the listen address (env PROJECTMAP_ALLOWED_HOSTS)")
	fs.StringVar(&w.cspHosts, "csp-hosts", getenv("PROJECTMAP_CSP_HOSTS"), "more origins the map may load images and data from, beside the basemap's, comma-separated (env PROJECTMAP_CSP_HOSTS)")
	fs.StringVar(&w.embedAncestors, "embed-frame-ancestors", envOr(getenv, "PROJECTMAP_EMBED_FRAME_ANCESTORS", api.DefaultEmbedFrameAncestors),
		"CSP frame-ancestors of the embed view /embed: the sites that may frame it (env PROJECTMAP_EMBED_FRAME_ANCESTORS); every other page may not be framed")
	fs.BoolVar(&w.hsts, "hsts", false, "send Strict-Transport-Security (one year): only when every client reaches the service over TLS")
}

// check validates the flags and fills in the parsed forms.
func (w *webConfig) check() error {
	if w.publicURL != "" {
		u, err := api.ParsePublicURL(w.publicURL)
		if err != nil {
			return fmt.Errorf("--public-url %q: %w", w.publicURL, err)
		}
		w.publicURL = u
	}
	for _, h := range w.hostList(w.cspHosts) {
		if _, err := api.CSPSource(h); err != nil {
			return fmt.Errorf("--csp-hosts %q: %w", h, err)
		}
	}
	if strings.ContainsAny(w.embedAncestors, ";,\"") || strings.TrimSpace(w.embedAncestors) == "" {
		return fmt.Errorf("--embed-frame-ancestors %q: must be CSP sources separated by spaces, such as * or 'self' https://news.example.org", w.embedAncestors)
	}
	return nil
}

// hostList splits a comma-separated flag; empty, it is an empty list
// (not nil, which would mean the defaults).
func (w *webConfig) hostList(s string) []string {
	list := []string{}
	for _, h := range strings.Split(s, ",") {
		if h = strings.TrimSpace(h); h != "" {
			list = append(list, h)
		}
	}
	return list
}

// cspSources are the --csp-hosts as CSP sources.
func (w *webConfig) cspSources() []string {
	var list []string
	for _, h := range w.hostList(w.cspHosts) {
		if src, err := api.CSPSource(h); err == nil && src != "" {
			list = append(list, src)
		}
	}
	return list
}

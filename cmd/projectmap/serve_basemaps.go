package main

import (
	"flag"
	"fmt"
	"strings"

	"projectmap/internal/api"
	"projectmap/internal/basemap"
)

// basemapConfig is where the basemap list comes from: presets, a file, or
// the one template of --basemap-url.
type basemapConfig struct {
	presets, file    string
	url, attribution string
	urlSet           bool // --basemap-url or its variable given
}

func basemapFlags(fs *flag.FlagSet, getenv func(string) string, b *basemapConfig) {
	b.urlSet = getenv("PROJECTMAP_BASEMAP_URL") != ""
	fs.Func("basemap-url", "one basemap tile URL template, {z}/{x}/{y} (env PROJECTMAP_BASEMAP_URL); empty for none; instead of --basemaps/--basemap-presets", func(s string) error {
		b.url, b.urlSet = s, true
		return nil
	})
	b.url = envOr(getenv, "PROJECTMAP_BASEMAP_URL", defaultBasemapURL)
	fs.StringVar(&b.attribution, "basemap-attribution", envOr(getenv, "PROJECTMAP_BASEMAP_ATTRIBUTION", defaultBasemapAttribution), "attribution HTML of --basemap-url (env PROJECTMAP_BASEMAP_ATTRIBUTION)")
	fs.StringVar(&b.presets, "basemap-presets", getenv("PROJECTMAP_BASEMAP_PRESETS"), "basemaps of the switcher from presets, comma-separated, the first the default: osm, tianditu (key in env "+basemap.TiandituKeyEnv+"), amap (env PROJECTMAP_BASEMAP_PRESETS)")
	fs.StringVar(&b.file, "basemaps", getenv("PROJECTMAP_BASEMAPS"), "JSON file listing the basemaps of the switcher, after the presets (env PROJECTMAP_BASEMAPS); see docs")
}

// list builds and validates the basemaps, the first the default.
func (b *basemapConfig) list(getenv func(string) string) ([]api.Basemap, error) {
	if b.presets == "" && b.file == "" {
		if b.url == "" {
			return nil, nil
		}
		one := api.Basemap{ID: "default", Name: "底图", NameEN: "Basemap", URL: b.url, Attribution: b.attribution}
		if b.url == defaultBasemapURL && b.attribution == defaultBasemapAttribution {
			one, _ = basemap.Preset("osm", getenv)
		}
		if strings.Contains(b.url, "{s}") {
			one.Subdomains = []string{"a", "b", "c"} // Leaflet's default, as before
		}
		if err := one.Check(); err != nil {
			return nil, fmt.Errorf("--basemap-url %q: %w", b.url, err)
		}
		if _, err := api.CSPSource(b.url); err != nil {
			return nil, fmt.Errorf("--basemap-url %q: %w", b.url, err)
		}
		return []api.Basemap{one}, nil
	}
	if b.urlSet {
		return nil, fmt.Errorf("--basemap-url: give either it or --basemaps/--basemap-presets")
	}
	list, err := basemap.Presets(b.presets, getenv)
	if err != nil {
		return nil, fmt.Errorf("--basemap-presets: %w", err)
	}
	if b.file != "" {
		more, err := basemap.ReadFile(b.file, getenv)
		if err != nil {
			return nil, fmt.Errorf("--basemaps: %w", err)
		}
		list = append(list, more...)
	}
	if err := basemap.CheckList(list); err != nil {
		return nil, err
	}
	for i, bm := range list {
		for _, u := range []string{bm.URL, labelsURL(bm)} {
			if _, err := api.CSPSource(u); err != nil {
				return nil, fmt.Errorf("basemaps[%d] (%s).url %q: %w", i, bm.ID, u, err)
			}
		}
	}
	return list, nil
}

func labelsURL(b api.Basemap) string {
	if b.Labels == nil {
		return ""
	}
	return b.Labels.URL
}

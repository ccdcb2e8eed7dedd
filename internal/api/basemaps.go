package api

import "slices"

// basemaps is the configured list, the first the default.
func (c Config) basemaps() []Basemap {
	if len(c.Basemaps) > 0 {
		return c.Basemaps
	}
	if c.Basemap.URL == "" {
		return nil
	}
	b := c.Basemap
	if b.ID == "" {
		b.ID = "default"
	}
	return []Basemap{b}
}

// publicBasemaps is the list as /api/config sends it, and the default
// (an empty one when there is none).
func publicBasemaps(list []Basemap) ([]Basemap, Basemap) {
	out := make([]Basemap, len(list))
	for i, b := range list {
		out[i] = b.Public()
	}
	if len(out) == 0 {
		return out, Basemap{}
	}
	return out, out[0]
}

// basemapSources are the CSP sources of every basemap's tiles and labels.
func basemapSources(list []Basemap) []string {
	var out []string
	add := func(u string) {
		if src, err := CSPSource(u); err == nil && src != "" && !slices.Contains(out, src) {
			out = append(out, src)
		}
	}
	for _, b := range list {
		add(b.URL)
		if b.Labels != nil {
			add(b.Labels.URL)
		}
	}
	return out
}

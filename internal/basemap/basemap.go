// Package basemap describes the tile layers the map may draw under its
// data: a list, each entry with its URL template, subdomains, key,
// attribution, 审图号 (map approval number), datum and an optional label
// overlay; the presets 天地图, 高德/AMap and OpenStreetMap; and the one
// rule that validates an entry, whether it came from flags or a file.
package basemap

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// The datums a basemap's tiles may be drawn in.
const (
	WGS84 = "wgs84"
	GCJ02 = "gcj02" // the offset datum of maps published in mainland China, e.g. AMap
)

// Layer is a tile layer: a URL template with {z} {x} {y}, and {s} for one
// of Subdomains.
type Layer struct {
	URL        string   `json:"url"`
	Subdomains []string `json:"subdomains,omitempty"`
}

// Basemap is one basemap of the switcher. Key is the key the template's
// {key} placeholder (or, without one, the KeyParam query parameter)
// carries; KeyEnv names the environment variable it is read from. The
// key goes to the browser, which fetches the tiles itself: only a
// browser key (as 天地图's 浏览器端 keys, restricted by domain) belongs
// here, never a server secret. MarshalJSON leaves Key and KeyEnv out and
// sends the URLs with the key filled in.
type Basemap struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	NameEN      string   `json:"name_en"`
	URL         string   `json:"url"` // the tiles
	Subdomains  []string `json:"subdomains,omitempty"`
	KeyParam    string   `json:"key_param,omitempty"`
	Key         string   `json:"key,omitempty"`
	KeyEnv      string   `json:"key_env,omitempty"`
	Attribution string   `json:"attribution"`
	// Approval is the 审图号 text shown with the map, e.g. "GS(2024)0001号".
	Approval string `json:"approval,omitempty"`
	// CRS is the datum of the tiles, WGS84 or GCJ02; "" means WGS84.
	CRS     string `json:"crs,omitempty"`
	MaxZoom int    `json:"max_zoom,omitempty"`
	// Labels is drawn over the data (天地图's cva_w annotation layer).
	Labels *Layer `json:"labels,omitempty"`
}

// Datum is the CRS, WGS84 when unset.
func (b Basemap) Datum() string {
	if b.CRS == "" {
		return WGS84
	}
	return b.CRS
}

var (
	idPattern    = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)
	paramPattern = regexp.MustCompile(`^[A-Za-z0-9_]+$`)
	labelPattern = regexp.MustCompile(`^[A-Za-z0-9-]{1,63}$`)
)

// Check validates one entry; the error names the field. Every list,
// whether from flags or from a file, goes through it.
func (b Basemap) Check() error {
	switch {
	case !idPattern.MatchString(b.ID):
		return fieldErr("id", "%q must be 1 to 32 of a-z 0-9 _ -, starting with a letter or digit", b.ID)
	case strings.TrimSpace(b.Name) == "":
		return fieldErr("name", "is required (the Chinese name shown in the switcher)")
	case strings.TrimSpace(b.Attribution) == "":
		return fieldErr("attribution", "is required: every tile service must be credited")
	}
	if b.CRS != "" && b.CRS != WGS84 && b.CRS != GCJ02 {
		return fieldErr("crs", "%q must be %s or %s", b.CRS, WGS84, GCJ02)
	}
	if b.MaxZoom < 0 || b.MaxZoom > 22 {
		return fieldErr("max_zoom", "%d must be 0 to 22 (0 for the default, 18)", b.MaxZoom)
	}
	if err := b.tiles().check("url"); err != nil {
		return err
	}
	if b.Labels != nil {
		if err := b.Labels.check("labels.url"); err != nil {
			return err
		}
	}
	if b.KeyParam != "" && !paramPattern.MatchString(b.KeyParam) {
		return fieldErr("key_param", "%q must be a query parameter name", b.KeyParam)
	}
	if b.needsKey() && b.Key == "" {
		if b.KeyEnv != "" {
			return fieldErr("key", "is required: set %s", b.KeyEnv)
		}
		return fieldErr("key", "is required by the template's {key} or key_param")
	}
	if strings.ContainsAny(b.Key, "&#?/ \"'<>") {
		return fieldErr("key", "may not contain & # ? / quotes, spaces or angle brackets")
	}
	return nil
}

func (b Basemap) tiles() Layer { return Layer{URL: b.URL, Subdomains: b.Subdomains} }

func (b Basemap) needsKey() bool {
	return b.KeyParam != "" || strings.Contains(b.URL, "{key}") || b.Labels != nil && strings.Contains(b.Labels.URL, "{key}")
}

func (l Layer) check(field string) error {
	u := l.URL
	if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") && !(strings.HasPrefix(u, "/") && !strings.HasPrefix(u, "//")) {
		return fieldErr(field, "%q must start with https://, http:// or / (this server)", u)
	}
	for _, p := range []string{"{z}", "{x}", "{y}"} {
		if !strings.Contains(u, p) {
			return fieldErr(field, "%q lacks %s", u, p)
		}
	}
	if _, err := url.Parse(strings.NewReplacer("{", "", "}", "").Replace(u)); err != nil {
		return fieldErr(field, "%q is not a URL: %v", u, err)
	}
	hasS := strings.Contains(u, "{s}")
	switch {
	case hasS && len(l.Subdomains) == 0:
		return fieldErr(strings.TrimSuffix(field, "url")+"subdomains", "are required by {s} in %q", u)
	case !hasS && len(l.Subdomains) > 0:
		return fieldErr(strings.TrimSuffix(field, "url")+"subdomains", "are set but %q has no {s}", u)
	}
	for _, s := range l.Subdomains {
		if !labelPattern.MatchString(s) {
			return fieldErr(strings.TrimSuffix(field, "url")+"subdomains", "%q is not a host label", s)
		}
	}
	return nil
}

// FieldError is a validation failure naming the entry's field.
type FieldError struct {
	Field, Msg string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// CheckList validates every entry and that the ids are distinct; an
// error names the entry by position and id, then the field.
func CheckList(list []Basemap) error {
	seen := map[string]bool{}
	for i, b := range list {
		if err := b.Check(); err != nil {
			return fmt.Errorf("basemaps[%d] (%s).%w", i, b.ID, err)
		}
		if seen[b.ID] {
			return fmt.Errorf("basemaps[%d] (%s).id: %q is used twice", i, b.ID, b.ID)
		}
		seen[b.ID] = true
	}
	return nil
}

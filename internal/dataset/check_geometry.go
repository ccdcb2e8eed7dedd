package dataset

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"projectmap/internal/domain"
)

// geometry checks that each layer of the plan holds one geometry type and
// that layers split off another are grouped with it properly.
//
// The rule is strict: Polygon and MultiPolygon count as two types, as do
// LineString and MultiLineString. GDAL (and QGIS through it) types a layer
// by the features it samples and calls a layer of Polygons and
// MultiPolygons "Unknown", so a layer whose areas include a multi-part one
// writes every area as a MultiPolygon. Sites without a place (null
// geometry) count as none.
func (c *checker) geometry(p *Plan) {
	counts := map[string]map[string]int{}
	for _, s := range p.Sites {
		if s.Geometry == nil {
			continue
		}
		if counts[s.Layer] == nil {
			counts[s.Layer] = map[string]int{}
		}
		counts[s.Layer][s.Geometry.GeoJSONType()]++
	}
	planFile := path.Join("plans", p.ID, "plan.json")
	for _, layer := range p.Layers {
		file := planFile
		if layer.DerivedMetric == "" && layer.ID != "districts" && layer.ID != "development-zones" {
			file = path.Join("plans", p.ID, "layers", layer.ID+".geojson")
		}
		if n := counts[layer.ID]; len(n) > 1 {
			c.add(file, layer.ID, "layer mixes geometry types (%s); a layer holds one type: move the others to a layer of their own with \"group\": %q (see SCHEMA.md)",
				typeCounts(n), layer.ID)
		}
		c.group(p, planFile, layer)
	}
}

// group checks a layer split off another: its parent exists, is not
// itself split off, and belongs to the same project; the zone points of an
// allocation layer (<parent>-zones) measure the parent's metric.
func (c *checker) group(p *Plan, file string, layer domain.Layer) {
	if layer.Group == "" {
		return
	}
	parent := p.Layer(layer.Group)
	switch {
	case parent == nil || parent.ID == layer.ID:
		c.add(file, layer.ID, "group %q is not another layer of the plan", layer.Group)
		return
	case parent.Group != "":
		c.add(file, layer.ID, "group %q is itself grouped with %q; name the top layer", parent.ID, parent.Group)
	case parent.Project != layer.Project:
		c.add(file, layer.ID, "layer of project %d grouped with %s, a layer of project %d", layer.Project, parent.ID, parent.Project)
	}
	if layer.DerivedMetric != "" && (layer.ID != parent.ID+"-zones" || layer.DerivedMetric != parent.DerivedMetric) {
		c.add(file, layer.ID, "an allocation layer split off %s is %s-zones with its derived_metric %q", parent.ID, parent.ID, parent.DerivedMetric)
	}
}

// typeCounts renders {"Point": 8, "LineString": 3} as "LineString 3, Point 8".
func typeCounts(n map[string]int) string {
	parts := make([]string, 0, len(n))
	for t, k := range n {
		parts = append(parts, fmt.Sprintf("%s %d", t, k))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

package api

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"strconv"

	"projectmap/internal/domain"
)

// reserved are the property names the API sets itself; a site attribute
// with one of these names is renamed rather than allowed to overwrite it.
var reserved = map[string]bool{
	"id": true, "layer": true, "project": true, "name": true, "name_en": true,
	"district": true, "district_name": true, "district_name_en": true, "zone": true,
	"zone_name": true, "zone_name_en": true, "status": true, "progress": true, "precision": true,
	"source": true, "schedule": true, "milestones": true, "plan": true,
}

// lookup resolves the names and projects that feature properties show.
type lookup struct {
	plan      domain.Plan
	projects  map[int]*domain.Project
	districts map[string]domain.District
	zones     map[string]domain.Zone
}

func newLookup(p domain.Plan, districts []domain.District, zones []domain.Zone) *lookup {
	l := &lookup{plan: p, projects: map[int]*domain.Project{}, districts: map[string]domain.District{}, zones: map[string]domain.Zone{}}
	for i := range p.Projects {
		l.projects[p.Projects[i].Number] = &p.Projects[i]
	}
	for _, d := range districts {
		l.districts[d.Adcode] = d
	}
	for _, z := range zones {
		l.zones[z.ID] = z
	}
	return l
}

// progress evaluates a site on asof; base-layer sites have none.
func (l *lookup) progress(s domain.Site, asof domain.Date) (domain.Progress, bool) {
	pr := l.projects[s.Project]
	if pr == nil {
		return domain.Progress{}, false
	}
	return pr.SiteProgress(s, asof), true
}

// feature turns a site into a GeoJSON feature with the properties every
// layer shares, then the site's own attributes.
func (l *lookup) feature(s domain.Site, asof domain.Date) feature {
	var districtName, districtNameEN, zoneName, zoneNameEN string
	if d, ok := l.districts[s.District]; ok {
		districtName, districtNameEN = d.Name, d.NameEN
	}
	if z, ok := l.zones[s.Zone]; ok {
		zoneName, zoneNameEN = z.Name, z.NameEN
	}
	var status, progress any
	if prog, ok := l.progress(s, asof); ok {
		status, progress = prog.Status, math.Round(prog.Planned*1e4)/1e4
	}
	props := make([]prop, 0, 18+len(s.Attrs))
	props = append(props,
		prop{"id", s.ID}, prop{"plan", s.PlanID}, prop{"layer", s.Layer}, prop{"project", s.Project},
		prop{"name", s.Name}, prop{"name_en", s.NameEN},
		prop{"district", s.District}, prop{"district_name", districtName}, prop{"district_name_en", districtNameEN},
		prop{"zone", s.Zone}, prop{"zone_name", zoneName}, prop{"zone_name_en", zoneNameEN},
		prop{"status", status}, prop{"progress", progress},
		prop{"precision", s.Precision}, prop{"source", s.Source}, prop{"schedule", s.Schedule},
	)
	if len(s.Milestones) > 0 {
		props = append(props, prop{"milestones", s.Milestones})
	}
	for _, k := range sortedAttrs(s.Attrs) {
		name := k
		if reserved[k] {
			name = "attr_" + k
		}
		props = append(props, prop{name, s.Attrs[k]})
	}
	return feature{id: s.ID, geometry: s.Geometry, props: props}
}

// featureCollection is an OGC API items response.
type featureCollection struct {
	Type           string    `json:"type"`
	Features       []feature `json:"features"`
	NumberMatched  int       `json:"numberMatched"`
	NumberReturned int       `json:"numberReturned"`
	AsOf           string    `json:"asof"`
	Links          []link    `json:"links"`
}

type link struct {
	Href  string `json:"href"`
	Rel   string `json:"rel"`
	Type  string `json:"type,omitempty"`
	Title string `json:"title,omitempty"`
}

func jsonEncoder(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc
}

// appendJSON writes the collection without passing the features through
// encoding/json, which would re-validate every byte of them.
func (fc featureCollection) appendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"type":"FeatureCollection","features":[`...)
	var err error
	for i, f := range fc.Features {
		if i > 0 {
			b = append(b, ',')
		}
		if b, err = appendFeature(b, f); err != nil {
			return nil, err
		}
	}
	b = append(b, `],"numberMatched":`...)
	b = strconv.AppendInt(b, int64(fc.NumberMatched), 10)
	b = append(b, `,"numberReturned":`...)
	b = strconv.AppendInt(b, int64(fc.NumberReturned), 10)
	b = append(b, `,"asof":`...)
	b = appendString(b, fc.AsOf)
	b = append(b, `,"links":`...)
	if b, err = appendJSON(b, fc.Links); err != nil {
		return nil, err
	}
	return append(b, "}\n"...), nil
}

// appendJSON appends v encoded without HTML escaping, so that "&" in
// links and Chinese text stay as they are.
func appendJSON(b []byte, v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := jsonEncoder(&buf).Encode(v); err != nil {
		return nil, err
	}
	return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...), nil
}

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
// "progress" stays reserved although no longer set, so that no attribute
// can pass for the planned figure the field used to carry.
var reserved = map[string]bool{
	"id": true, "layer": true, "project": true, "name": true, "name_en": true,
	"district": true, "district_name": true, "district_name_en": true, "zone": true,
	"zone_name": true, "zone_name_en": true, "status": true, "progress": true, "precision": true,
	"source": true, "source_en": true, "schedule": true, "milestones": true, "plan": true,
	"planned": true, "planned_status": true, "due": true, "reported": true, "reported_status": true,
	"reported_on": true, "reported_by": true, "report_source": true, "report_url": true,
	"report_id": true, "report_schedule": true,
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

// tracking returns the properties that set site s's plan against the
// report that speaks for it on asof (nil: none): status, planned,
// planned_status, due, reported, reported_status, reported_on,
// reported_by, report_source, report_url, report_id, report_schedule.
// The plan and the report stay apart; status is the one set against the
// other (domain.Track), so nothing is called completed that no report says
// is. Base-layer sites (no project) carry nulls throughout.
func (l *lookup) tracking(props []prop, s domain.Site, r *domain.Report, asof domain.Date) []prop {
	pr := l.projects[s.Project]
	if pr == nil {
		return append(props,
			nullProp("status"), nullProp("planned"), nullProp("planned_status"), nullProp("due"),
			nullProp("reported"), nullProp("reported_status"), nullProp("reported_on"),
			nullProp("reported_by"), nullProp("report_source"), nullProp("report_url"),
			nullProp("report_id"), nullProp("report_schedule"))
	}
	var prog domain.Progress
	var due domain.Date
	if sc, ok := pr.ScheduleFor(s); ok {
		prog, due = sc.Progress(asof), sc.End()
	} else {
		prog, due = pr.Progress(asof), pr.End()
	}
	dueProp := nullProp("due")
	if !due.IsZero() {
		dueProp = strProp("due", due.String())
	}
	props = append(props,
		strProp("status", string(domain.Track(prog.Planned, domain.ReportedOf(r)))),
		numProp("planned", math.Round(prog.Planned*1e4)/1e4),
		strProp("planned_status", string(prog.Status)), dueProp)
	if r == nil {
		return append(props, nullProp("reported"), nullProp("reported_status"), nullProp("reported_on"),
			nullProp("reported_by"), nullProp("report_source"), nullProp("report_url"),
			nullProp("report_id"), nullProp("report_schedule"))
	}
	evidence, inherited := nullProp("report_url"), nullProp("report_schedule")
	if r.EvidenceURL != "" {
		evidence = strProp("report_url", r.EvidenceURL)
	}
	if r.Site == "" && r.Schedule != "" {
		inherited = strProp("report_schedule", r.Schedule) // e.g. a station showing its line's report
	}
	return append(props,
		numProp("reported", math.Round(r.Progress*1e4)/1e4), strProp("reported_status", string(r.Status)),
		strProp("reported_on", r.ReportedOn.String()), strProp("reported_by", r.ReportedBy),
		strProp("report_source", r.Source), evidence, numProp("report_id", float64(r.ID)), inherited)
}

// feature turns a site into a GeoJSON feature with the properties every
// layer shares, then the site's own attributes.
func (l *lookup) feature(s domain.Site, r *domain.Report, asof domain.Date) feature {
	return l.featureInto(make([]prop, 0, 30+len(s.Attrs)), nil, s, r, asof)
}

// featureInto is feature building into props and anys (truncated): a
// whole layer reuses one of each instead of allocating per feature.
func (l *lookup) featureInto(props []prop, anys []any, s domain.Site, r *domain.Report, asof domain.Date) feature {
	var districtName, districtNameEN, zoneName, zoneNameEN string
	if d, ok := l.districts[s.District]; ok {
		districtName, districtNameEN = d.Name, d.NameEN
	}
	if z, ok := l.zones[s.Zone]; ok {
		zoneName, zoneNameEN = z.Name, z.NameEN
	}
	props = append(props,
		strProp("id", s.ID), strProp("plan", s.PlanID), strProp("layer", s.Layer), numProp("project", float64(s.Project)),
		strProp("name", s.Name), strProp("name_en", s.NameEN),
		strProp("district", s.District), strProp("district_name", districtName), strProp("district_name_en", districtNameEN),
		strProp("zone", s.Zone), strProp("zone_name", zoneName), strProp("zone_name_en", zoneNameEN),
	)
	props = l.tracking(props, s, r, asof)
	props = append(props, strProp("precision", string(s.Precision)), strProp("source", s.Source), strProp("source_en", s.SourceEN), strProp("schedule", s.Schedule))
	f := feature{id: s.ID, geometry: s.Geometry, props: props, anys: anys}
	if len(s.Milestones) > 0 {
		f.addAny("milestones", s.Milestones)
	}
	for _, k := range sortedAttrs(s.Attrs) {
		name := k
		if reserved[k] {
			name = "attr_" + k
		}
		f.addAny(name, s.Attrs[k])
	}
	return f
}

// featureCollection is an OGC API items response.
type featureCollection struct {
	NumberMatched  int
	NumberReturned int
	AsOf           string
	Links          []link
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
// features appends the features, comma-separated.
func (fc featureCollection) appendJSON(b []byte, features func([]byte) ([]byte, error)) ([]byte, error) {
	b = append(b, `{"type":"FeatureCollection","features":[`...)
	b, err := features(b)
	if err != nil {
		return nil, err
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

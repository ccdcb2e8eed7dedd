// Package dataset reads geodata/ into domain values and validates them:
// the districts and zones of the city and every plan with its projects,
// allocations and sites.
package dataset

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"projectmap/internal/domain"
	"projectmap/internal/geomutil"
)

// Dataset is everything geodata/ holds.
type Dataset struct {
	Cities    []domain.City
	Districts []domain.District // of every city; District.City says whose
	Zones     []domain.Zone     // of every city
	Plans     []*Plan           // oldest first
}

// Plan is one plan with its projects and every site of every layer,
// including the base layers and the layers derived from allocations.
type Plan struct {
	domain.Plan
	Sites []domain.Site
}

// Problem is one thing wrong with the data, located by file and feature.
type Problem struct {
	File    string `json:"file"`
	Feature string `json:"feature,omitempty"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	if p.Feature != "" {
		return fmt.Sprintf("%s: %s: %s", p.File, p.Feature, p.Message)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Message)
}

// Problems is the error Load returns when the data is not valid.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return fmt.Sprintf("%d data problems:\n%s", len(ps), strings.Join(lines, "\n"))
}

// Latest returns the plan with the latest year (the API's default).
func (ds *Dataset) Latest() *Plan {
	if len(ds.Plans) == 0 {
		return nil
	}
	return ds.Plans[len(ds.Plans)-1]
}

// Plan returns the plan with the given id, or nil.
func (ds *Dataset) Plan(id string) *Plan {
	for _, p := range ds.Plans {
		if p.ID == id {
			return p
		}
	}
	return nil
}

// District returns the district with the given adcode, or nil.
func (ds *Dataset) District(adcode string) *domain.District {
	for i := range ds.Districts {
		if ds.Districts[i].Adcode == adcode {
			return &ds.Districts[i]
		}
	}
	return nil
}

// Zone returns the development zone with the given id, or nil.
func (ds *Dataset) Zone(id string) *domain.Zone {
	for i := range ds.Zones {
		if ds.Zones[i].ID == id {
			return &ds.Zones[i]
		}
	}
	return nil
}

// City returns the city with the given id, or nil.
func (ds *Dataset) City(id string) *domain.City {
	for i := range ds.Cities {
		if ds.Cities[i].ID == id {
			return &ds.Cities[i]
		}
	}
	return nil
}

// CityDistricts returns the districts and zones of one city.
func (ds *Dataset) CityDistricts(city string) ([]domain.District, []domain.Zone) {
	var districts []domain.District
	var zones []domain.Zone
	for _, d := range ds.Districts {
		if d.City == city {
			districts = append(districts, d)
		}
	}
	for _, z := range ds.Zones {
		if z.City == city {
			zones = append(zones, z)
		}
	}
	return districts, zones
}

// Project returns project number n of the plan, or nil.
func (p *Plan) Project(n int) *domain.Project {
	for i := range p.Projects {
		if p.Projects[i].Number == n {
			return &p.Projects[i]
		}
	}
	return nil
}

// Layer returns the plan's layer with the given id, or nil.
func (p *Plan) Layer(id string) *domain.Layer {
	for i := range p.Layers {
		if p.Layers[i].ID == id {
			return &p.Layers[i]
		}
	}
	return nil
}

// Recipient returns the recipient with the given id: a district, a zone or
// one of the plan's agencies and companies.
func (ds *Dataset) Recipient(p *Plan, id string) (domain.Recipient, bool) {
	if d := ds.District(id); d != nil && d.City == p.CityID {
		return domain.Recipient{ID: id, Kind: domain.RecipientDistrict, Name: d.Name, NameEN: d.NameEN}, true
	}
	if z := ds.Zone(id); z != nil && z.City == p.CityID {
		return domain.Recipient{ID: id, Kind: domain.RecipientZone, Name: z.Name, NameEN: z.NameEN}, true
	}
	for _, a := range p.Agencies {
		if a.ID == id {
			return a, true
		}
	}
	return domain.Recipient{}, false
}

// Load reads and validates every file in fsys (laid out as geodata/ is).
// It returns Problems when anything is wrong, naming file, feature and why.
func Load(fsys fs.FS) (*Dataset, error) {
	l := &loader{fsys: fsys, ds: &Dataset{}}
	cities, err := fs.ReadDir(fsys, "cities")
	if err != nil {
		l.problem("cities", "", "cannot list cities: %v", err)
	}
	for _, d := range cities {
		if d.IsDir() {
			l.loadCity(path.Join("cities", d.Name()))
		}
	}
	dirs, err := fs.ReadDir(fsys, "plans")
	if err != nil {
		l.problem("plans", "", "cannot list plans: %v", err)
	}
	for _, d := range dirs {
		if d.IsDir() {
			l.loadPlan(path.Join("plans", d.Name()))
		}
	}
	sort.Slice(l.ds.Plans, func(i, j int) bool {
		a, b := l.ds.Plans[i], l.ds.Plans[j]
		if a.Year != b.Year {
			return a.Year < b.Year
		}
		return a.IssuedOn.Before(b.IssuedOn)
	})
	if len(l.problems) == 0 {
		l.problems = Check(l.ds)
	}
	if len(l.problems) > 0 {
		return l.ds, l.problems
	}
	return l.ds, nil
}

type loader struct {
	fsys     fs.FS
	ds       *Dataset
	problems Problems
}

func (l *loader) problem(file, feature, format string, args ...any) {
	l.problems = append(l.problems, Problem{File: file, Feature: feature, Message: fmt.Sprintf(format, args...)})
}

// readJSON decodes a JSON file strictly: unknown fields are errors, so a
// misspelt property cannot silently vanish.
func (l *loader) readJSON(name string, v any) bool {
	b, err := fs.ReadFile(l.fsys, name)
	if err != nil {
		l.problem(name, "", "cannot read: %v", err)
		return false
	}
	if err := decodeStrict(b, v); err != nil {
		l.problem(name, "", "invalid JSON: %v", err)
		return false
	}
	return true
}

func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

type rawCollection struct {
	Type     string       `json:"type"`
	Name     string       `json:"name,omitempty"`
	Features []rawFeature `json:"features"`
}

type rawFeature struct {
	Type       string            `json:"type"`
	ID         any               `json:"id"`
	Geometry   *geojson.Geometry `json:"geometry"`
	Properties json.RawMessage   `json:"properties"`
}

func (l *loader) readCollection(name string) []rawFeature {
	var fc rawCollection
	if !l.readJSON(name, &fc) {
		return nil
	}
	if fc.Type != "FeatureCollection" {
		l.problem(name, "", "type is %q, want FeatureCollection", fc.Type)
	}
	return fc.Features
}

func featureLabel(i int, f rawFeature) string {
	if s, ok := f.ID.(string); ok && s != "" {
		return s
	}
	return fmt.Sprintf("feature[%d]", i)
}

// loadCity reads cities/<id>/: city.json, its districts and its zones.
func (l *loader) loadCity(dir string) {
	var c domain.City
	file := path.Join(dir, "city.json")
	if !l.readJSON(file, &c) {
		return
	}
	if c.ID != path.Base(dir) {
		l.problem(file, "", "id %q differs from the directory name %q", c.ID, path.Base(dir))
	}
	l.ds.Cities = append(l.ds.Cities, c)
	l.loadDistricts(c.ID, path.Join(dir, "districts.geojson"))
	l.loadZones(c.ID, path.Join(dir, "zones.geojson"))
}

func (l *loader) loadDistricts(city, name string) {
	type props struct {
		Adcode     string `json:"adcode"`
		Name       string `json:"name"`
		NameEN     string `json:"name_en"`
		Population int    `json:"population_2020"`
		Precision  string `json:"precision"`
		Source     string `json:"source"`
		SourceEN   string `json:"source_en"`
	}
	for i, f := range l.readCollection(name) {
		label := featureLabel(i, f)
		var p props
		if err := decodeStrict(f.Properties, &p); err != nil {
			l.problem(name, label, "bad properties: %v", err)
			continue
		}
		if f.Geometry == nil {
			l.problem(name, label, "no geometry")
			continue
		}
		l.ds.Districts = append(l.ds.Districts, domain.District{
			Adcode: p.Adcode, Name: p.Name, NameEN: p.NameEN, Population: p.Population, City: city,
			Geometry: f.Geometry.Geometry(), Source: p.Source, SourceEN: p.SourceEN,
		})
	}
}

func (l *loader) loadZones(city, name string) {
	type props struct {
		Name      string `json:"name"`
		NameEN    string `json:"name_en"`
		District  string `json:"district"`
		Precision string `json:"precision"`
		Source    string `json:"source"`
		SourceEN  string `json:"source_en"`
	}
	for i, f := range l.readCollection(name) {
		label := featureLabel(i, f)
		var p props
		if err := decodeStrict(f.Properties, &p); err != nil {
			l.problem(name, label, "bad properties: %v", err)
			continue
		}
		pt, ok := geometryOf(f).(orb.Point)
		if !ok {
			l.problem(name, label, "zone geometry must be a Point")
			continue
		}
		l.ds.Zones = append(l.ds.Zones, domain.Zone{ID: label, Name: p.Name, NameEN: p.NameEN, District: p.District, City: city, Point: pt, Source: p.Source, SourceEN: p.SourceEN})
	}
}

func geometryOf(f rawFeature) orb.Geometry {
	if f.Geometry == nil {
		return nil
	}
	return f.Geometry.Geometry()
}

type siteProps struct {
	ID         string             `json:"id"`
	Project    int                `json:"project"`
	Name       string             `json:"name"`
	NameEN     string             `json:"name_en"`
	District   string             `json:"district"`
	Zone       string             `json:"zone"`
	Precision  domain.Precision   `json:"precision"`
	Source     string             `json:"source"`
	SourceEN   string             `json:"source_en"`
	Schedule   string             `json:"schedule"`
	Milestones []domain.Milestone `json:"milestones"`
	Attrs      map[string]any     `json:"attrs"`
}

func (l *loader) loadPlan(dir string) {
	p := &Plan{}
	if !l.readJSON(path.Join(dir, "plan.json"), &p.Plan) {
		return
	}
	if _, err := time.LoadLocation(p.TimeZone); p.TimeZone == "" || err != nil {
		l.problem(path.Join(dir, "plan.json"), "", "time_zone %q is not an IANA time zone such as Asia/Shanghai", p.TimeZone)
	}
	l.readJSON(path.Join(dir, "recipients.json"), &p.Agencies)
	files, _ := fs.Glob(l.fsys, path.Join(dir, "projects", "*.json"))
	for _, f := range files {
		var pr domain.Project
		if l.readJSON(f, &pr) {
			if pr.PlanID != p.ID {
				l.problem(f, "", "plan is %q, want %q", pr.PlanID, p.ID)
			}
			p.Projects = append(p.Projects, pr)
		}
	}
	sort.Slice(p.Projects, func(i, j int) bool { return p.Projects[i].Number < p.Projects[j].Number })
	for _, layer := range p.Layers {
		switch {
		case layer.ID == "districts":
			p.Sites = append(p.Sites, l.districtSites(p, layer)...)
		case layer.ID == "development-zones":
			p.Sites = append(p.Sites, l.zoneSites(p, layer)...)
		case layer.DerivedMetric != "":
			p.Sites = append(p.Sites, l.allocationSites(p, layer)...)
		default:
			p.Sites = append(p.Sites, l.layerSites(p, path.Join(dir, "layers", layer.ID+".geojson"), layer)...)
		}
	}
	l.ds.Plans = append(l.ds.Plans, p)
}

func (l *loader) layerSites(p *Plan, file string, layer domain.Layer) []domain.Site {
	var sites []domain.Site
	for i, f := range l.readCollection(file) {
		label := featureLabel(i, f)
		var sp siteProps
		if err := decodeStrict(f.Properties, &sp); err != nil {
			l.problem(file, label, "bad properties: %v", err)
			continue
		}
		if sp.ID != "" && sp.ID != label {
			l.problem(file, label, "properties.id %q differs from the feature id", sp.ID)
		}
		g := geometryOf(f)
		if g == nil && sp.Attrs["location_unknown"] != true {
			l.problem(file, label, "no geometry; a site whose place the plan does not give needs attrs.location_unknown = true")
			continue
		}
		s := domain.Site{
			ID: label, PlanID: p.ID, Project: sp.Project, Layer: layer.ID,
			Name: sp.Name, NameEN: sp.NameEN, District: sp.District, Zone: sp.Zone,
			Geometry: g, Precision: sp.Precision, Source: sp.Source, SourceEN: sp.SourceEN,
			Schedule: sp.Schedule, Milestones: sp.Milestones, Attrs: sp.Attrs,
		}
		if s.District == "" {
			l.deriveDistrict(p.CityID, &s)
		}
		sites = append(sites, s)
	}
	return sites
}

// deriveDistrict fills in the district of a site from its geometry: a
// point's district, or for a line or an area the one district holding at
// least 95% of it, else the districts it crosses (see districtShares).
func (l *loader) deriveDistrict(city string, s *domain.Site) {
	districts, _ := l.ds.CityDistricts(city)
	pt, ok := s.Geometry.(orb.Point)
	if !ok {
		// A schematic link (straight lines between partner schools, say)
		// passes over districts it has nothing to do with.
		if s.Attrs["schematic_link"] == true {
			return
		}
		if shares, ok := districtShares(districts, s.Geometry); ok {
			deriveFromShares(s, shares)
		}
		return
	}
	if d := districtAt(districts, pt); d != nil {
		s.District = d.Adcode
		if s.Attrs == nil {
			s.Attrs = map[string]any{}
		}
		s.Attrs["district_from"] = "geometry"
	}
}

func districtAt(ds []domain.District, pt orb.Point) *domain.District {
	for i := range ds {
		if geomutil.Contains(ds[i].Geometry, pt) {
			return &ds[i]
		}
	}
	return nil
}

func (l *loader) districtSites(p *Plan, layer domain.Layer) []domain.Site {
	districts, _ := l.ds.CityDistricts(p.CityID)
	sites := make([]domain.Site, 0, len(districts))
	for _, d := range districts {
		sites = append(sites, domain.Site{
			ID: "district-" + d.Adcode, PlanID: p.ID, Layer: layer.ID, Name: d.Name, NameEN: d.NameEN,
			District: d.Adcode, Geometry: multiPolygon(d.Geometry), Precision: domain.PrecisionApproximate, Source: d.Source, SourceEN: d.SourceEN,
			Attrs: map[string]any{"adcode": d.Adcode, "population_2020": d.Population},
		})
	}
	return sites
}

func (l *loader) zoneSites(p *Plan, layer domain.Layer) []domain.Site {
	_, zones := l.ds.CityDistricts(p.CityID)
	sites := make([]domain.Site, 0, len(zones))
	for _, z := range zones {
		sites = append(sites, domain.Site{
			ID: "zone-" + z.ID, PlanID: p.ID, Layer: layer.ID, Name: z.Name, NameEN: z.NameEN,
			District: z.District, Zone: z.ID, Geometry: z.Point, Precision: domain.PrecisionZone, Source: z.Source, SourceEN: z.SourceEN,
		})
	}
	return sites
}

// allocationSites draws one feature per district or zone that a metric is
// allocated to: the district's polygon, or the zone's centre point. Quotas
// of agencies and companies have no place and stay in the project only.
//
// When the plan declares a layer <id>-zones grouped with <id>, the zone
// points go there and <id> keeps the district areas, so that each layer
// has one geometry type; site ids keep the prefix <id> either way.
func (l *loader) allocationSites(p *Plan, layer domain.Layer) []domain.Site {
	pr := p.Project(layer.Project)
	if pr == nil {
		l.problem(path.Join("plans", p.ID, "plan.json"), layer.ID, "layer derives from project %d, which does not exist", layer.Project)
		return nil
	}
	parent, zones, districts := zoneSplit(p, layer)
	// The layer follows the schedule measured by its metric, else the
	// schedule that has the layer's own id (such as parking's steps).
	schedule := ""
	for _, s := range pr.Schedules {
		if s.Metric == layer.DerivedMetric {
			schedule = s.ID
			break
		}
	}
	for _, s := range pr.Schedules {
		if schedule == "" && s.ID == parent {
			schedule = s.ID
		}
	}
	var sites []domain.Site
	for _, a := range pr.Allocations {
		if a.Metric != layer.DerivedMetric {
			continue
		}
		s := domain.Site{
			ID: parent + "-" + a.Recipient, PlanID: p.ID, Project: pr.Number, Layer: layer.ID,
			Name: a.AsWritten, Schedule: schedule,
			Attrs: map[string]any{"metric": a.Metric, "quantity": a.Quantity, "recipient": a.Recipient},
		}
		if len(a.Includes) > 0 {
			s.Attrs["includes"] = a.Includes
		}
		if a.Note != "" {
			s.Attrs["note"] = a.Note
		}
		if a.NoteEN != "" {
			s.Attrs["note_en"] = a.NoteEN
		}
		if d := l.ds.District(a.Recipient); d != nil && d.City == p.CityID {
			if !districts {
				continue
			}
			s.NameEN, s.District, s.Geometry = d.NameEN, d.Adcode, multiPolygon(d.Geometry)
			s.Precision = domain.PrecisionDistrict
			s.Source, s.SourceEN = "方案按区县分配,图上画出整个区县", "the plan allocates by district; drawn as the whole district"
			if d.Population > 0 {
				s.Attrs["per_100k"] = round(a.Quantity/float64(d.Population)*1e5, 3)
				s.Attrs["population_2020"] = d.Population
			}
		} else if z := l.ds.Zone(a.Recipient); z != nil && z.City == p.CityID {
			if !zones {
				continue
			}
			s.NameEN, s.District, s.Zone, s.Geometry = z.NameEN, z.District, z.ID, z.Point
			s.Precision = domain.PrecisionZone
			s.Source, s.SourceEN = "方案分配给开发区,图上画在其管委会所在地", "the plan allocates to the development zone; drawn at its administrative centre"
		} else {
			continue // an agency or company: no place to draw
		}
		sites = append(sites, s)
	}
	return sites
}

// zoneSplit says which allocations an allocation layer draws, and the id
// its sites are named after: a layer <id>-zones grouped with <id> draws the
// zones as <id>-<zone>; <id> then draws the districts only.
func zoneSplit(p *Plan, layer domain.Layer) (parent string, zones, districts bool) {
	if layer.Group != "" && layer.ID == layer.Group+"-zones" {
		return layer.Group, true, false
	}
	if z := p.Layer(layer.ID + "-zones"); z != nil && z.Group == layer.ID {
		return layer.ID, false, true
	}
	return layer.ID, true, true
}

// multiPolygon returns a district's area as a MultiPolygon, so that a
// layer of districts, some in one piece and some in several, has one
// geometry type (see check_geometry.go).
func multiPolygon(g orb.Geometry) orb.Geometry {
	if pg, ok := g.(orb.Polygon); ok {
		return orb.MultiPolygon{pg}
	}
	return g
}

func round(f float64, places int) float64 {
	p := 1.0
	for i := 0; i < places; i++ {
		p *= 10
	}
	if f < 0 {
		return float64(int64(f*p-0.5)) / p
	}
	return float64(int64(f*p+0.5)) / p
}

package dataset

import (
	"fmt"
	"math"
	"path"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"projectmap/internal/domain"
	"projectmap/internal/geomutil"
)

// Check validates the loaded data as a whole: unique ids, valid
// geometries, sites inside their districts, milestone dates inside the
// plan's year, known recipients and schedules.
func Check(ds *Dataset) Problems {
	c := &checker{ds: ds}
	c.districts()
	for _, p := range ds.Plans {
		c.plan(p)
		c.geometry(p) // check_geometry.go: one geometry type per layer
	}
	c.texts() // check_text.go: every source and note in Chinese and in English
	return c.problems
}

type checker struct {
	ds       *Dataset
	problems Problems
}

func (c *checker) add(file, feature, format string, args ...any) {
	c.problems = append(c.problems, Problem{File: file, Feature: feature, Message: fmt.Sprintf(format, args...)})
}

// districts checks every city's districts and zones. Adcodes and zone
// ids are unique across cities, since recipients and sites name them alone.
func (c *checker) districts() {
	seen := map[string]bool{}
	for _, d := range c.ds.Districts {
		file := path.Join("cities", d.City, "districts.geojson")
		if d.Adcode == "" || seen[d.Adcode] {
			c.add(file, d.Name, "adcode %q is empty or repeated", d.Adcode)
		}
		seen[d.Adcode] = true
		if msg := validGeometry(d.Geometry); msg != "" {
			c.add(file, d.Adcode, "invalid geometry: %s", msg)
		}
		if d.Population <= 0 {
			c.add(file, d.Adcode, "population_2020 missing")
		}
	}
	for _, z := range c.ds.Zones {
		file := path.Join("cities", z.City, "zones.geojson")
		if seen[z.ID] {
			c.add(file, z.ID, "id repeated")
		}
		seen[z.ID] = true
		if msg := validGeometry(z.Point); msg != "" {
			c.add(file, z.ID, "invalid geometry: %s", msg)
		}
		// A zone whose seat lies outside every district (西咸新区's, in
		// land it administers beyond Xi'an's 13) names none.
		if d := c.ds.District(z.District); z.District != "" && (d == nil || d.City != z.City) {
			c.add(file, z.ID, "district %q is not an adcode of the city", z.District)
		}
	}
}

func (c *checker) plan(p *Plan) {
	dir := path.Join("plans", p.ID)
	planFile := path.Join(dir, "plan.json")
	if p.ID == "" || p.Year == 0 {
		c.add(planFile, "", "plan needs an id and a year")
	}
	if c.ds.City(p.CityID) == nil {
		c.add(planFile, "", "city_id %q is not a city under cities/", p.CityID)
	}
	cats := map[int]bool{}
	for _, cat := range p.Categories {
		cats[cat.Number] = true
	}
	numbers := map[int]bool{}
	for _, pr := range p.Projects {
		file := path.Join(dir, "projects", fmt.Sprintf("%02d.json", pr.Number))
		if numbers[pr.Number] {
			c.add(file, "", "project %d appears twice", pr.Number)
		}
		numbers[pr.Number] = true
		if !cats[pr.Category] {
			c.add(file, "", "category %d is not one of the plan's categories", pr.Category)
		}
		if pr.Title == "" || pr.TitleEN == "" || pr.Target == "" || len(pr.Agencies) == 0 {
			c.add(file, "", "title, title_en, target and agencies are required")
		}
		metrics := map[string]bool{}
		for _, m := range pr.Metrics {
			if metrics[m.Key] {
				c.add(file, m.Key, "metric repeated")
			}
			metrics[m.Key] = true
		}
		if len(pr.Schedules) == 0 {
			c.add(file, "", "project has no schedule")
		}
		for _, s := range pr.Schedules {
			if s.Metric != "" && !metrics[s.Metric] {
				c.add(file, s.ID, "schedule measures %q, which is not a metric of the project", s.Metric)
			}
			c.milestones(file, "schedule "+s.ID, p.Year, s.Milestones)
		}
		for _, a := range pr.Allocations {
			c.allocation(p, file, metrics, a)
		}
	}
	ids := map[string]string{}
	layers := map[string]bool{}
	for _, layer := range p.Layers {
		layers[layer.ID] = true
		if layer.Project != 0 && !numbers[layer.Project] {
			c.add(planFile, layer.ID, "layer belongs to project %d, which does not exist", layer.Project)
		}
	}
	for _, s := range p.Sites {
		file := path.Join(dir, "layers", s.Layer+".geojson")
		if prev, dup := ids[s.ID]; dup {
			c.add(file, s.ID, "id already used in layer %s", prev)
		}
		ids[s.ID] = s.Layer
		if !isSlug(s.ID) {
			c.add(file, s.ID, "id must be an ASCII slug (a-z, 0-9, -)")
		}
		c.site(p, file, s)
	}
}

func (c *checker) allocation(p *Plan, file string, metrics map[string]bool, a domain.Allocation) {
	if !metrics[a.Metric] {
		c.add(file, a.AsWritten, "allocation of %q, which is not a metric of the project", a.Metric)
	}
	if _, ok := c.ds.Recipient(p, a.Recipient); !ok {
		c.add(file, a.AsWritten, "recipient %q is not a known district, zone, agency or company", a.Recipient)
	}
	if a.Quantity <= 0 || a.AsWritten == "" {
		c.add(file, a.Recipient, "allocation needs a positive quantity and the text as written")
	}
	var inner float64
	for _, in := range a.Includes {
		c.allocation(p, file, metrics, in)
		inner += in.Quantity
	}
	if inner > a.Quantity {
		c.add(file, a.AsWritten, "nested quotas (%g) exceed the quota that includes them (%g)", inner, a.Quantity)
	}
}

func (c *checker) milestones(file, where string, year int, ms []domain.Milestone) {
	var prev domain.Date
	for i, m := range ms {
		label := fmt.Sprintf("%s milestone %d", where, i+1)
		if m.Date.IsZero() {
			c.add(file, label, "milestone has no date")
			continue
		}
		if m.Date.Year() != year {
			c.add(file, label, "date %s is outside the plan's year %d", m.Date, year)
		}
		if m.Start != nil && (m.Start.Year() != year || m.Start.After(m.Date)) {
			c.add(file, label, "start %s must be in %d and not after %s", *m.Start, year, m.Date)
		}
		if m.Date.Before(prev) {
			c.add(file, label, "date %s is before the previous milestone's %s", m.Date, prev)
		}
		if m.Text == "" && len(m.Quantities) == 0 {
			c.add(file, label, "milestone says nothing: no text and no quantities")
		}
		prev = m.Date
	}
}

func (c *checker) site(p *Plan, file string, s domain.Site) {
	if s.Name == "" {
		c.add(file, s.ID, "name is empty")
	}
	if !s.Precision.Valid() {
		c.add(file, s.ID, "precision %q is not one of exact, street, approximate, town, district, zone", s.Precision)
	}
	if s.Source == "" {
		c.add(file, s.ID, "source is empty: say what the position rests on")
	}
	if s.Geometry == nil && s.Located() {
		c.add(file, s.ID, "no geometry")
		return
	}
	if msg := validGeometry(s.Geometry); s.Geometry != nil && msg != "" {
		c.add(file, s.ID, "invalid geometry: %s", msg)
		return
	}
	if z := c.ds.Zone(s.Zone); s.Zone != "" && (z == nil || z.City != p.CityID) {
		c.add(file, s.ID, "zone %q is not a zone of the plan's city", s.Zone)
	}
	layer := p.Layer(s.Layer)
	if layer != nil && layer.Project != s.Project {
		c.add(file, s.ID, "site of project %d in a layer of project %d", s.Project, layer.Project)
	}
	if s.Project != 0 {
		pr := p.Project(s.Project)
		if pr == nil {
			c.add(file, s.ID, "project %d does not exist", s.Project)
		} else if s.Schedule != "" {
			if _, ok := pr.ScheduleFor(domain.Site{Schedule: s.Schedule}); !ok {
				c.add(file, s.ID, "schedule %q is not one of project %d's schedules", s.Schedule, s.Project)
			}
		}
	}
	c.milestones(file, s.ID, p.Year, s.Milestones)
	if s.District == "" {
		return
	}
	d := c.ds.District(s.District)
	if d == nil || d.City != p.CityID {
		c.add(file, s.ID, "district %q is not an adcode of the plan's city", s.District)
		return
	}
	// A zone's position says nothing about districts; a district is itself.
	if s.Precision == domain.PrecisionZone || s.Layer == "districts" {
		return
	}
	c.inDistrict(p, file, s, d)
}

// inDistrict checks that a site lies in its stated district: a point in
// it, a line or an area at most 5% outside it (by length or area share);
// one that crosses further carries no district but the districts it
// crosses, which the loader derives.
func (c *checker) inDistrict(p *Plan, file string, s domain.Site, d *domain.District) {
	if _, area := s.Geometry.(orb.MultiPolygon); area && s.Precision == domain.PrecisionDistrict {
		// Drawn as the district itself (allocations): its centre suffices,
		// and sampling every district's area again would be slow.
		if centre, _ := planar.CentroidArea(s.Geometry); !geomutil.Contains(d.Geometry, centre) {
			c.add(file, s.ID, "lies outside its district %s (%s)", d.Name, d.Adcode)
		}
		return
	}
	districts, _ := c.ds.CityDistricts(p.CityID)
	shares, ok := districtShares(districts, s.Geometry)
	if !ok { // a point or multipoint
		if !inside(d.Geometry, s.Geometry) {
			c.add(file, s.ID, "lies outside its district %s (%s)", d.Name, d.Adcode)
		}
		return
	}
	if out := 1 - shareOf(shares, d.Adcode); out > maxOutside {
		measure := "area"
		switch s.Geometry.(type) {
		case orb.LineString, orb.MultiLineString:
			measure = "length"
		}
		c.add(file, s.ID, "%s of its %s lies outside its district %s (%s): a feature crossing a border gives no district",
			percent(out), measure, d.Name, d.Adcode)
	}
}

// percent prints a share as a whole percentage, with a decimal where
// rounding would bring it down to the 5% allowed.
func percent(share float64) string {
	if p := math.Round(share * 100); p > maxOutside*100 {
		return fmt.Sprintf("%.0f%%", p)
	}
	return fmt.Sprintf("%.1f%%", share*100)
}

// inside reports whether a point, or every point of a multipoint, lies
// in the district.
func inside(district, g orb.Geometry) bool {
	switch g := g.(type) {
	case orb.Point:
		return geomutil.Contains(district, g)
	case orb.MultiPoint:
		for _, p := range g {
			if !geomutil.Contains(district, p) {
				return false
			}
		}
		return true
	}
	return false
}

// validGeometry returns why g is not a valid WGS84 geometry for this
// city's data, or "": on top of geomutil.Invalid, every coordinate must lie
// in China, which catches swapped latitude and longitude.
func validGeometry(g orb.Geometry) string {
	if msg := geomutil.Invalid(g); msg != "" {
		return msg
	}
	if b := g.Bound(); b.Min[0] < 70 || b.Max[0] > 140 || b.Min[1] < 15 || b.Max[1] > 55 {
		return fmt.Sprintf("coordinates %v–%v lie outside China (lat/lon swapped?)", b.Min, b.Max)
	}
	return ""
}

func isSlug(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

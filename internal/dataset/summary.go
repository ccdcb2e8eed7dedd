package dataset

import (
	"context"
	"math"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"

	"projectmap/internal/domain"
)

// Summary is the data-quality report of one plan: what the data holds,
// and where the plan's stated figures and its own lists disagree.
type Summary struct {
	Plan        string              `json:"plan"`
	Projects    int                 `json:"projects"`
	Categories  int                 `json:"categories"`
	Features    map[string]int      `json:"features_per_layer"`
	Precision   map[string]int      `json:"sites_by_precision"`
	Allocations []AllocationCheck   `json:"allocations"`
	Metro       MetroLength         `json:"metro"`
	Notes       []ProjectNote       `json:"discrepancies"`
	Deliveries  []DeliveryCheck     `json:"housing_deliveries,omitempty"`
	Unplaced    []int               `json:"projects_without_sites"`
	Counts      map[string]AttrSums `json:"attribute_sums,omitempty"`
}

// AllocationCheck sets a metric's stated total beside the sum of its
// allocations.
type AllocationCheck struct {
	Project   int     `json:"project"`
	Metric    string  `json:"metric"`
	Name      string  `json:"name"`
	Stated    float64 `json:"stated"`
	Allocated float64 `json:"allocated"`
	Match     bool    `json:"match"`
	Note      string  `json:"note,omitempty"` // in Chinese
	NoteEN    string  `json:"note_en,omitempty"`
}

// MetroLength compares the plan's stated new line length with the length
// of the drawn lines.
type MetroLength struct {
	StatedKM   float64            `json:"stated_km"`
	GeometryKM float64            `json:"geometry_km"`
	Ratio      float64            `json:"ratio"`
	PerLineKM  map[string]float64 `json:"per_line_km"`
	Note       string             `json:"note"` // in Chinese
	NoteEN     string             `json:"note_en"`
}

// ProjectNote is a caveat the data records for a project or a metric.
type ProjectNote struct {
	Project int    `json:"project"`
	Note    string `json:"note"` // in Chinese
	NoteEN  string `json:"note_en,omitempty"`
}

// DeliveryCheck compares a 保交楼 development's units with the sum of its
// monthly deliveries.
type DeliveryCheck struct {
	Site      string  `json:"site"`
	Name      string  `json:"name"`
	Units     float64 `json:"units"`
	Delivered float64 `json:"delivered"`
	Match     bool    `json:"match"`
}

// AttrSums totals a numeric attribute over a layer.
type AttrSums map[string]float64

// Summarize builds the report for one plan.
func Summarize(p *Plan) Summary {
	s := Summary{
		Plan: p.ID, Projects: len(p.Projects), Categories: len(p.Categories),
		Features: map[string]int{}, Precision: map[string]int{}, Counts: map[string]AttrSums{},
		Unplaced: []int{},
	}
	placed := map[int]bool{}
	for _, site := range p.Sites {
		s.Features[site.Layer]++
		if site.Project != 0 {
			s.Precision[string(site.Precision)]++
			placed[site.Project] = true
		}
	}
	for _, layer := range p.Layers {
		if _, ok := s.Features[layer.ID]; !ok {
			s.Features[layer.ID] = 0
		}
	}
	for _, pr := range p.Projects {
		if !placed[pr.Number] {
			s.Unplaced = append(s.Unplaced, pr.Number)
		}
		for i, n := range pr.Notes {
			note := ProjectNote{Project: pr.Number, Note: n}
			if i < len(pr.NotesEN) {
				note.NoteEN = pr.NotesEN[i]
			}
			s.Notes = append(s.Notes, note)
		}
		sums := map[string]float64{}
		var order []string
		for _, a := range pr.Allocations {
			if _, ok := sums[a.Metric]; !ok {
				order = append(order, a.Metric)
			}
			sums[a.Metric] += a.Quantity
		}
		for _, key := range order {
			c := AllocationCheck{Project: pr.Number, Metric: key, Allocated: sums[key]}
			for _, m := range pr.Metrics {
				if m.Key == key {
					c.Name, c.Stated, c.Note, c.NoteEN = m.Name, m.Target, m.Note, m.NoteEN
				}
			}
			c.Match = c.Stated == c.Allocated
			s.Allocations = append(s.Allocations, c)
		}
	}
	s.Metro = metroLength(p)
	s.Deliveries = deliveries(p)
	for _, site := range p.Sites {
		if site.Layer == "housing-delivery" || site.Layer == "water-areas" || site.Layer == "rural-water" {
			for k, v := range site.Attrs {
				if f, ok := v.(float64); ok && summed[k] {
					if s.Counts[site.Layer] == nil {
						s.Counts[site.Layer] = AttrSums{}
					}
					s.Counts[site.Layer][k] += f
				}
			}
		}
	}
	return s
}

// summed are the attributes whose totals the report shows.
var summed = map[string]bool{"units": true, "population": true, "villages": true}

func metroLength(p *Plan) MetroLength {
	m := MetroLength{PerLineKM: map[string]float64{}}
	if pr := p.Project(1); pr != nil {
		for _, metric := range pr.Metrics {
			if metric.Unit == "公里" || metric.Key == "metro_km" {
				m.StatedKM = metric.Target
			}
		}
	}
	for _, site := range p.Sites {
		if site.Layer != "metro-lines" {
			continue
		}
		km := lengthKM(site.Geometry)
		m.PerLineKM[site.ID] = round(km, 2)
		m.GeometryKM += km
	}
	m.GeometryKM = round(m.GeometryKM, 2)
	if m.StatedKM > 0 {
		m.Ratio = round(m.GeometryKM/m.StatedKM, 3)
		m.Note = "线路按各站位置(多数取自MetroMan公开站点数据)用直线连成,比实际走向短;方案写的91.7公里照原文保留"
		m.NoteEN = "lines are drawn straight between the station positions (most from MetroMan's open station list), so they run shorter than the real alignment; the plan's 91.7 km is kept as written"
	}
	return m
}

func lengthKM(g orb.Geometry) float64 {
	switch g := g.(type) {
	case orb.LineString:
		return geo.Length(g) / 1000
	case orb.MultiLineString:
		var sum float64
		for _, ls := range g {
			sum += geo.Length(ls) / 1000
		}
		return sum
	}
	return 0
}

func deliveries(p *Plan) []DeliveryCheck {
	var out []DeliveryCheck
	for _, site := range p.Sites {
		if site.Layer != "housing-delivery" {
			continue
		}
		units, _ := site.Attrs["units"].(float64)
		var last float64
		for _, m := range site.Milestones {
			if v, ok := m.Quantities["housing_units"]; ok {
				last = v
			}
		}
		out = append(out, DeliveryCheck{Site: site.ID, Name: site.Name, Units: units, Delivered: last, Match: math.Abs(units-last) < 1e-9})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Site < out[j].Site })
	return out
}

// FromStore reads a plan and every site of its layers back from a store,
// so that the report can describe what a store holds (a database may
// hold collections imported beside the geodata).
func FromStore(ctx context.Context, store domain.Store, planID string) (*Plan, error) {
	plans, err := store.Plans(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range plans {
		if p.ID != planID {
			continue
		}
		out := &Plan{Plan: p}
		layers, err := store.Layers(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		out.Layers = out.Layers[:0:0]
		for _, l := range layers {
			out.Layers = append(out.Layers, l.Layer)
			page, err := store.Sites(ctx, domain.SiteQuery{Plan: p.ID, Layer: l.ID})
			if err != nil {
				return nil, err
			}
			out.Sites = append(out.Sites, page.Sites...)
		}
		return out, nil
	}
	return nil, domain.Errorf(domain.ErrNotFound, "no plan %q", planID)
}

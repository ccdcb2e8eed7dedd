// Package domain holds projectmap's core types: plans, projects, sites,
// allocations, milestones and the progress computed from them. It knows
// nothing of HTTP, SQL or files; geodata, stores and the API depend on it.
package domain

import (
	"time"

	"github.com/paulmach/orb"
)

// Precision says how well a site's position is known, from best to worst.
type Precision string

const (
	PrecisionExact       Precision = "exact"       // the place itself, surveyed or unambiguous
	PrecisionStreet      Precision = "street"      // on the named street or junction, within about 100 m
	PrecisionApproximate Precision = "approximate" // the right neighbourhood, within about 1 km
	PrecisionTown        Precision = "town"        // only the town, township or 街道 is known
	PrecisionDistrict    Precision = "district"    // only the district or county is known
	PrecisionZone        Precision = "zone"        // only the development zone is known
)

// Valid reports whether p is one of the known precisions.
func (p Precision) Valid() bool {
	switch p {
	case PrecisionExact, PrecisionStreet, PrecisionApproximate, PrecisionTown, PrecisionDistrict, PrecisionZone:
		return true
	}
	return false
}

// Approximate reports whether the map should draw the site as approximate.
func (p Precision) Approximate() bool {
	return p == PrecisionTown || p == PrecisionDistrict || p == PrecisionZone
}

// Plan is the root of everything else: one city's programme for one year.
type Plan struct {
	ID string `json:"id"` // e.g. "xian-2024"
	// CityID names the city (geodata/cities/<id>) whose districts and
	// zones the plan's quotas and sites refer to.
	CityID     string `json:"city_id"`
	City       string `json:"city"`
	CityEN     string `json:"city_en"`
	Year       int    `json:"year"`
	Title      string `json:"title"`
	TitleEN    string `json:"title_en"`
	IssuedBy   string `json:"issued_by"`
	IssuedByEN string `json:"issued_by_en"`
	IssuedOn   Date   `json:"issued_on"`
	// TimeZone is the city's IANA zone (Asia/Shanghai for Xi'an): "today"
	// and a report's "not in the future" are the city's, not the server's.
	TimeZone   string     `json:"time_zone"`
	Source     string     `json:"source"` // the document the data was transcribed from
	Categories []Category `json:"categories"`
	// Recipients that are neither districts nor zones: city agencies and companies.
	Agencies []Recipient `json:"agencies"`
	Layers   []Layer     `json:"layers"`
	Projects []Project   `json:"-"`
}

// Category is one of the plan's 方面 (areas), numbered as in the plan.
type Category struct {
	Number int    `json:"number"`
	Name   string `json:"name"`
	NameEN string `json:"name_en"`
}

// RecipientKind says what sort of body an allocation goes to.
type RecipientKind string

const (
	RecipientDistrict RecipientKind = "district"
	RecipientZone     RecipientKind = "zone"
	RecipientAgency   RecipientKind = "agency"
	RecipientCompany  RecipientKind = "company"
)

// Recipient is a body that receives a share of a project: a district
// (ID is its adcode), a development zone, a city agency or a company.
type Recipient struct {
	ID     string        `json:"id"`
	Kind   RecipientKind `json:"kind"`
	Name   string        `json:"name"`
	NameEN string        `json:"name_en"`
}

// Layer describes one collection of features. A layer either holds sites
// from a file, or is derived from one metric's allocations, drawn on the
// recipients' polygons (districts) or points (zones).
type Layer struct {
	ID       string `json:"id"`
	Project  int    `json:"project,omitempty"` // 0 for base layers such as districts
	Category int    `json:"category,omitempty"`
	Title    string `json:"title"`
	TitleEN  string `json:"title_en"`
	// Description is in Chinese, DescriptionEN the same in English.
	Description   string `json:"description"`
	DescriptionEN string `json:"description_en,omitempty"`
	// DerivedMetric, when set, makes this an allocation layer of that metric of Project.
	DerivedMetric string `json:"derived_metric,omitempty"`
	// Group, when set, is the id of the layer this one was split from so
	// that each collection has one geometry type: the map shows and
	// toggles the two together.
	Group string `json:"group,omitempty"`
}

// Metric is a quantity a project states a target for, such as
// "charging_piles" 4700.
type Metric struct {
	Key    string  `json:"key"`
	Name   string  `json:"name"`
	NameEN string  `json:"name_en"`
	Unit   string  `json:"unit"`
	Target float64 `json:"target"`
	// Note flags what the data keeps as written although it disagrees,
	// for example a list of quotas that does not add up to the target.
	Note   string `json:"note,omitempty"`
	NoteEN string `json:"note_en,omitempty"`
}

// Project is one of the plan's numbered projects (为民实事).
type Project struct {
	PlanID   string   `json:"plan"`
	Number   int      `json:"number"`
	Category int      `json:"category"`
	Title    string   `json:"title"`
	TitleEN  string   `json:"title_en"`
	Agencies []string `json:"agencies"` // 责任单位, as written
	Target   string   `json:"target"`   // 总体目标, as written
	TargetEN string   `json:"target_en"`
	Funding  string   `json:"funding"`  // 资金来源, as written
	Measures []string `json:"measures"` // 落实措施, in brief
	Metrics  []Metric `json:"metrics"`
	// Schedules are the 进度计划 tracks; a project with several sub-plans
	// (such as the four metro lines) has one schedule each.
	Schedules   []Schedule   `json:"schedules"`
	Allocations []Allocation `json:"allocations"`
	// Notes are discrepancies and caveats, in Chinese; NotesEN, item by
	// item, the same in English.
	Notes   []string `json:"notes,omitempty"`
	NotesEN []string `json:"notes_en,omitempty"`
}

// Schedule is an ordered list of milestones that one track of a project,
// or one site, follows.
type Schedule struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	NameEN string `json:"name_en"`
	// Metric names the quantity whose cumulative figures measure progress.
	// Empty means progress counts the milestones reached.
	Metric     string      `json:"metric,omitempty"`
	Milestones []Milestone `json:"milestones"`
}

// Milestone is a step of a schedule: by Date, the cumulative Quantities
// and/or what Text says are planned to be done. Start, when the plan gives a
// span such as "4—7月", is the first day of that span.
type Milestone struct {
	Start      *Date              `json:"start,omitempty"`
	Date       Date               `json:"date"`
	Quantities map[string]float64 `json:"quantities,omitempty"`
	Text       string             `json:"text,omitempty"`
	TextEN     string             `json:"text_en,omitempty"`
}

// Allocation is a quantity of a project's metric assigned to a recipient,
// as the plan lists it. Includes keeps nested quotas such as 阎良区 500
// "含航空基地200".
type Allocation struct {
	Metric    string       `json:"metric"`
	Recipient string       `json:"recipient"` // Recipient.ID
	AsWritten string       `json:"as_written"`
	Quantity  float64      `json:"quantity"`
	Includes  []Allocation `json:"includes,omitempty"`
	Note      string       `json:"note,omitempty"`
	NoteEN    string       `json:"note_en,omitempty"`
}

// Site is a place that belongs to a project, drawn in one layer.
type Site struct {
	ID        string       `json:"id"`
	PlanID    string       `json:"plan"`
	Project   int          `json:"project"`
	Layer     string       `json:"layer"`
	Name      string       `json:"name"` // exactly as the plan writes it
	NameEN    string       `json:"name_en"`
	District  string       `json:"district,omitempty"` // adcode of the district it lies in
	Zone      string       `json:"zone,omitempty"`     // development zone id, when the plan assigns it to one
	Geometry  orb.Geometry `json:"-"`
	Precision Precision    `json:"precision"`
	// Source says what the position rests on, in Chinese; SourceEN is
	// the same in English.
	Source   string `json:"source"`
	SourceEN string `json:"source_en"`
	// Schedule names the project schedule the site follows; empty means the
	// project's first. Milestones, when present, are the site's own and win.
	Schedule   string         `json:"schedule,omitempty"`
	Milestones []Milestone    `json:"milestones,omitempty"`
	Attrs      map[string]any `json:"attrs,omitempty"`
}

// Located reports whether the site has a place at all. The plan names a
// few projects without saying where they are; they keep a nil Geometry
// rather than an invented point.
func (s Site) Located() bool { return s.Attrs["location_unknown"] != true }

// District is a district or county of a city, the unit most quotas go to.
type District struct {
	Adcode     string       `json:"adcode"`
	Name       string       `json:"name"`
	NameEN     string       `json:"name_en"`
	Population int          `json:"population_2020"`
	City       string       `json:"city"` // City.ID
	Geometry   orb.Geometry `json:"-"`
	Source     string       `json:"source"`
	SourceEN   string       `json:"source_en"`
}

// Zone is a development zone. Its boundary is unknown, so it is a point at
// its administrative centre.
type Zone struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	NameEN   string    `json:"name_en"`
	District string    `json:"district"`
	City     string    `json:"city"` // City.ID
	Point    orb.Point `json:"-"`
	Source   string    `json:"source"`
	SourceEN string    `json:"source_en"`
}

// City is a city whose plans the service tracks: its districts and zones
// are the places quotas go to.
type City struct {
	ID     string `json:"id"` // e.g. "xian"
	Name   string `json:"name"`
	NameEN string `json:"name_en"`
	Adcode string `json:"adcode"`
}

// Zone is the plan's time zone. A zone that does not load (dataset.Load
// refuses one) falls back to UTC. Loading reads the zone database: callers
// on a hot path keep the result.
func (p Plan) Zone() *time.Location {
	loc, err := time.LoadLocation(p.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Today is the calendar day it is at now in the plan's city.
func (p Plan) Today(now time.Time) Date { return DateOf(now.In(p.Zone())) }

// DefaultDate is the date the map opens on: today in the city while the
// plan's year lasts, else the plan's last day, when its outcome is known.
func (p Plan) DefaultDate(now time.Time) Date { return p.DefaultDateOn(p.Today(now)) }

// DefaultDateOn is DefaultDate for the city's date today.
func (p Plan) DefaultDateOn(today Date) Date {
	if today.Year() == p.Year {
		return today
	}
	return p.LastDay()
}

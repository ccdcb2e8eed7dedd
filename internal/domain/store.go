package domain

import (
	"context"

	"github.com/paulmach/orb"
)

// SiteQuery selects sites of one layer of one plan. Zero fields do not
// filter. Results keep the layer's stable order (the order of the data),
// so paging with Offset and Limit is repeatable.
type SiteQuery struct {
	Plan     string
	Layer    string
	BBox     *orb.Bound // sites whose geometry intersects the box (CRS84)
	Project  int
	District string // a district adcode or a zone id
	// Status keeps the sites whose tracking status on AsOf is Status; the
	// store computes it next to the data, so that a page of a filtered
	// million-site layer costs a page, not the layer. AsOf also dates the
	// reports the page carries; zero AsOf with no Status carries none.
	Status TrackingStatus
	AsOf   Date
	Limit  int // 0 means no limit
	Offset int
}

// SitePage is one page of a query and the number of sites it matched in
// all. Reports[i], when AsOf was given, is the report that speaks for
// Sites[i] on AsOf: its own latest, or that of the schedule it inherits
// from (Project.InheritsFrom), never a retracted one; nil when none does.
type SitePage struct {
	Sites   []Site
	Reports []*Report
	Matched int
}

// LayerInfo describes a layer as stored: its metadata, how many features
// it has and their extent.
type LayerInfo struct {
	Layer
	Count  int
	Extent orb.Bound
	// GeometryType is the GeoJSON type of its located features ("Point",
	// "MultiPolygon"…), "" when none is located and "Geometry" when they
	// mix types (which the data check allows only in imported collections).
	GeometryType string
}

// AddGeometryType returns the GeometryType of a layer of type t to which
// a feature of type add is added.
func AddGeometryType(t, add string) string {
	if t == "" || t == add {
		return add
	}
	return "Geometry"
}

// Store is where the service reads plans and sites from: the embedded
// store built from geodata/, or PostGIS. Both pass the same test suite.
// Methods return *Error values with a Kind, never bare strings.
type Store interface {
	// Kind names the store, "embedded" or "postgis".
	Kind() string
	// Ping reports whether the store can answer; ErrUnavailable if not.
	Ping(ctx context.Context) error
	// Plans returns every plan with its projects, oldest first.
	Plans(ctx context.Context) ([]Plan, error)
	// Districts returns the city's districts, by adcode, and its zones.
	Districts(ctx context.Context) ([]District, []Zone, error)
	// Layers returns the plan's layers in the plan's order.
	Layers(ctx context.Context, plan string) ([]LayerInfo, error)
	// Sites runs a query; an unknown plan or layer is ErrNotFound.
	Sites(ctx context.Context, q SiteQuery) (SitePage, error)
	// Site returns one site of a layer, or ErrNotFound.
	Site(ctx context.Context, plan, layer, id string) (Site, error)
	// SiteByID returns a site of the plan by its id alone (ids are unique
	// across a plan's layers), or ErrNotFound.
	SiteByID(ctx context.Context, plan, id string) (Site, error)
	// SiteReport returns the report that speaks for a site on asof, as
	// SitePage.Reports does, or nil.
	SiteReport(ctx context.Context, plan, layer, id string, asof Date) (*Report, error)

	Ledger
}

// Versioned is a store that says cheaply which version of the plan data
// (plans, layers, sites, districts, zones) it holds: the version changes
// whenever any of them does, so that what is computed from them alone can
// be kept until it moves.
type Versioned interface {
	DataVersion(ctx context.Context) (int64, error)
}

// StateVersioned is a store that can name, cheaply, the version of
// everything a public read returns: the plan data and the ledger's reports
// and retractions. Whole responses are kept under it until it moves, so it
// must move with every committed change a read could show, and two stores
// over the same data (replicas) must name it alike.
type StateVersioned interface {
	// StateVersion returns the current version; ok is false when the
	// store cannot tell it reliably now (PostGIS while it is not
	// listening for other processes' writes), and then nothing may be
	// served from a cache.
	StateVersion(ctx context.Context) (version string, ok bool, err error)
}

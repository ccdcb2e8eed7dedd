package api

import (
	"math"

	"github.com/paulmach/orb"

	"projectmap/internal/domain"
	"projectmap/internal/tiles"
)

// numStatuses is the number of tracking statuses.
const numStatuses = 6

// tileStatuses are the tracking statuses in the order of their class in
// a point index, and of the n_<status> counts of an aggregated feature
// (statusKeys).
func tileStatuses() [numStatuses]domain.TrackingStatus {
	return [...]domain.TrackingStatus{
		domain.TrackCompleted, domain.TrackOnTrack, domain.TrackBehind,
		domain.TrackNotStarted, domain.TrackSuspended, domain.TrackUnreported,
	}
}

// statusKeys are the properties of an aggregated feature that count each
// status, in the order of tileStatuses.
func statusKeys() [numStatuses]string {
	return [...]string{"n_completed", "n_on_track", "n_behind", "n_not_started", "n_suspended", "n_unreported"}
}

func statusClass(st domain.TrackingStatus) uint8 {
	for i, s := range tileStatuses() {
		if s == st {
			return uint8(i)
		}
	}
	return numStatuses - 1
}

// pointOf is a located site's point, when it is one.
func pointOf(site domain.Site) (orb.Point, bool) {
	p, ok := site.Geometry.(orb.Point)
	return p, ok && site.Located()
}

// tileProps are the properties of a site's feature in a vector tile:
// id, name, name_en (when there is one), project (0 omitted: base
// layers), district, status on the tile's date (omitted on base layers),
// progress (the reported per cent, omitted with no report) and precision.
func tileProps(t tileSite) []tiles.Prop {
	s := t.site
	props := make([]tiles.Prop, 0, 8)
	props = append(props, tiles.Prop{Key: "id", Value: tiles.Str(s.ID)}, tiles.Prop{Key: "name", Value: tiles.Str(s.Name)})
	if s.NameEN != "" {
		props = append(props, tiles.Prop{Key: "name_en", Value: tiles.Str(s.NameEN)})
	}
	if s.Project != 0 {
		props = append(props, tiles.Prop{Key: "project", Value: tiles.Int(s.Project)})
	}
	if s.District != "" {
		props = append(props, tiles.Prop{Key: "district", Value: tiles.Str(s.District)})
	}
	if s.Project != 0 {
		// Base layers (districts, zones) are tracked by no one.
		props = append(props, tiles.Prop{Key: "status", Value: tiles.Str(string(t.status))})
	}
	if t.report != nil {
		props = append(props, tiles.Prop{Key: "progress", Value: tiles.Num(math.Round(t.report.Progress*1000) / 10)})
	}
	return append(props, tiles.Prop{Key: "precision", Value: tiles.Str(string(s.Precision))})
}

// aggregateProps are the properties of one cell of an aggregated tile.
func aggregateProps(c tiles.Cell) []tiles.Prop {
	props := make([]tiles.Prop, 0, 2+numStatuses)
	props = append(props, tiles.Prop{Key: "count", Value: tiles.Int(c.Count)}, tiles.Prop{Key: "aggregated", Value: tiles.Bool(true)})
	for i, k := range statusKeys() {
		props = append(props, tiles.Prop{Key: k, Value: tiles.Int(c.ByClass[i])})
	}
	return props
}

// aggregation describes, in tileset metadata, how dense point layers are
// drawn at low zoom.
func aggregation() map[string]any {
	keys := statusKeys()
	props := append([]string{"count", "aggregated"}, keys[:]...)
	return map[string]any{
		"threshold": aggregateThreshold, "grid": aggregateGrid, "properties": props,
		"description": "A tile that would hold more than threshold points of one layer (counted in the tile itself, without its buffer) holds instead one point per non-empty cell of a grid×grid division of the tile, at the mean position of the cell's points, with count (the points in the cell), aggregated=true and n_<status>, the points of each tracking status on the tile's date, which add up to count. Each point is counted in exactly one tile of a zoom.",
	}
}

// Package symbology is the map's symbology as data, for what the server
// draws or describes itself (raster tiles, static maps, MapLibre styles):
// the same colours and shapes as the web map's (web/src/status.js,
// draw.js and the --st-* variables of style.css), so that a picture, a
// tile and the page read alike.
package symbology

import "projectmap/internal/domain"

// Status is how one tracking status is drawn.
type Status struct {
	Status domain.TrackingStatus
	Color  string // #rrggbb, the --st-<status> colour of style.css
	Shape  string // the glyph's outline: disc, diamond, ring or square
	Mark   string // what is drawn inside it: ✓ → ! – ❚❚ ?
	// Label is the status in words, for legends.
	Label, LabelEN string
}

// Statuses lists every tracking status in the legend's order: the
// reported ones first, unreported (no report yet) last.
func Statuses() []Status {
	return []Status{
		{domain.TrackCompleted, "#0072b2", "disc", "✓", "已报告完成", "reported completed"},
		{domain.TrackOnTrack, "#007a5a", "disc", "→", "按计划推进", "on track"},
		{domain.TrackBehind, "#d55e00", "diamond", "!", "落后于计划", "behind"},
		{domain.TrackNotStarted, "#9a6700", "ring", "–", "尚未开工", "not started"},
		{domain.TrackSuspended, "#9c4f86", "square", "❚❚", "已暂停", "suspended"},
		{domain.TrackUnreported, "#6e6e6e", "ring", "?", "尚无报告", "no report yet"},
	}
}

// Of returns how status is drawn; anything unknown is drawn as
// unreported, so that a symbol never claims more than the data says.
func Of(status domain.TrackingStatus) Status {
	all := Statuses()
	for _, s := range all {
		if s.Status == status {
			return s
		}
	}
	return all[len(all)-1]
}

// Approximate reports whether a place of this precision is drawn as
// approximate: hollow, with a dashed halo (draw.js APPROX).
func Approximate(p domain.Precision) bool {
	switch p {
	case domain.PrecisionTown, domain.PrecisionDistrict, domain.PrecisionZone:
		return true
	}
	return false
}

// Casing is the white outline drawn under lines, so that a status colour
// reads on any basemap; LineWidth and CasingWidth are in CSS pixels, as
// the web map draws them.
const (
	Casing      = "#ffffff"
	LineWidth   = 5
	CasingWidth = 9
	// DistrictOutline and DistrictFill draw district boundaries
	// (.pm-district in style.css); filled, they are the base of a picture
	// when no basemap can be reached.
	DistrictOutline = "#6f6f6f"
	DistrictFill    = "#f3f0e8"
)

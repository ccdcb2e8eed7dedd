package main

import (
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"

	"projectmap/internal/domain"
	"projectmap/internal/gcj02"
)

// Texts written into the layers; %s is the short commit. A map app's
// station point, converted from GCJ-02, sits on the station: on its named
// street or junction, within about 100 m, hence "street"; nobody checked
// it on the ground, and the texts say so.
const (
	stationPrecision = domain.PrecisionStreet
	stationSource    = "车站位置取自开源地铁图小程序 MetroMan 的车站表(MIT 开源许可,版本 %s),由手机地图用的坐标(GCJ-02)换算成卫星定位坐标(WGS84),未经实地测量"
	stationSourceEN  = "station position from the station list of the MetroMan open mini-program (github.com/metromancn/MetroMapOpenMiniProgram, src/data/xa.js, MIT licence, commit %s), converted from GCJ-02 to WGS84; not surveyed"
	lineSource       = "按各站位置用直线连成,不是线路的实际走向;车站位置取自 MetroMan 开源小程序的车站表(版本 %s,见地铁车站图层)"
	lineSourceEN     = "drawn as straight segments between the station positions of the metro-stations layer (from the MetroMan open mini-program's station list, commit %s, converted from GCJ-02), not along the real alignment"
	lineEstimate     = ";其中%s不在该表里,位置只是大致估计,这一段很粗略"
	lineEstimateEN   = "; %s is not in that list and its position is only an estimate, so that segment is rough"
)

// precisionOrder ranks precisions from best to worst.
var precisionOrder = []domain.Precision{domain.PrecisionExact, domain.PrecisionStreet, domain.PrecisionApproximate, domain.PrecisionTown, domain.PrecisionDistrict, domain.PrecisionZone}

// coarser returns the worse of two precisions.
func coarser(a, b domain.Precision) domain.Precision {
	if slices.Index(precisionOrder, a) >= slices.Index(precisionOrder, b) {
		return a
	}
	return b
}

// ToWGS84 converts a source point and rounds it to 6 decimals (~0.1 m).
func ToWGS84(st SourceStation) orb.Point {
	lon, lat := gcj02.ToWGS84(st.Lng, st.Lat)
	return orb.Point{round(lon, 6), round(lat, 6)}
}

func round(v float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(v*p) / p
}

// LengthKM is the drawn length of a line (on the sphere, as the data
// summary measures it).
func LengthKM(ls orb.LineString) float64 { return geo.Length(ls) / 1000 }

// Move is one station's shift from its old position.
type Move struct {
	ID, Name string
	Section  string // line of the first section it was matched in
	Meters   float64
}

// LineResult is one redrawn line.
type LineResult struct {
	ID       string
	Stations int
	KM       float64
}

// EstimateCheck is a kept estimate and its distance from the station
// before it on the corrected line.
type EstimateCheck struct {
	Name, Prev string
	KM         float64
}

// Result is what a run changed, for the report.
type Result struct {
	Lines     []LineResult
	Moves     []Move
	Estimates []EstimateCheck
}

// TotalKM is the drawn length of all lines.
func (r *Result) TotalKM() float64 {
	var s float64
	for _, l := range r.Lines {
		s += l.KM
	}
	return s
}

// station is a station feature with what the update needs.
type station struct {
	ourStation
	feature, props *object
	old            orb.Point
	precision      domain.Precision
}

func readStations(l *layer) ([]*station, error) {
	var out []*station
	for i := range l.Features {
		s := &station{feature: &l.Features[i], props: &object{}}
		var g struct {
			Type        string    `json:"type"`
			Coordinates orb.Point `json:"coordinates"`
		}
		var attrs struct {
			Lines []string `json:"lines"`
		}
		for _, step := range []struct {
			o   *object
			key string
			v   any
		}{{s.feature, "properties", s.props}, {s.feature, "geometry", &g}, {s.props, "id", &s.ID}, {s.props, "name", &s.Name}, {s.props, "precision", &s.precision}, {s.props, "attrs", &attrs}} {
			if err := step.o.get(step.key, step.v); err != nil {
				return nil, fmt.Errorf("station feature %d (%s): %s: %w", i, s.ID, step.key, err)
			}
		}
		if g.Type != "Point" || len(attrs.Lines) == 0 {
			return nil, fmt.Errorf("station %s: want a Point with attrs.lines", s.ID)
		}
		s.Index, s.Lines, s.old = i, attrs.Lines, g.Coordinates
		out = append(out, s)
	}
	return out, nil
}

// Update rewrites the positions, precisions and sources of the stations
// of every section, then redraws the section lines through them.
func Update(src *Source, commit string, stations, lines *layer, sections []Section) (*Result, error) {
	short := commit[:min(7, len(commit))]
	ours, err := readStations(stations)
	if err != nil {
		return nil, err
	}
	plain := make([]ourStation, len(ours))
	for i, s := range ours {
		plain[i] = s.ourStation
	}
	pos := map[string]orb.Point{} // new position per station id
	res := &Result{}
	var drawn [][]Stop
	for _, sec := range sections {
		stops, err := Match(sec, src, plain)
		if err != nil {
			return nil, err
		}
		for _, st := range stops {
			s := ours[st.Our.Index]
			if st.Estimate != nil {
				continue
			}
			p := ToWGS84(*st.Src)
			if q, seen := pos[s.ID]; seen {
				if q != p {
					return nil, fmt.Errorf("%s: two source positions %v and %v", s.Name, q, p)
				}
				continue
			}
			pos[s.ID] = p
			res.Moves = append(res.Moves, Move{s.ID, s.Name, sec.Line, geo.Distance(s.old, p)})
			if err := setStation(s, p, stationPrecision, fmt.Sprintf(stationSource, short), fmt.Sprintf(stationSourceEN, short)); err != nil {
				return nil, err
			}
		}
		drawn = append(drawn, stops)
	}
	for i, sec := range sections {
		if err := checkEstimates(sec, drawn[i], ours, pos, res); err != nil {
			return nil, err
		}
	}
	for _, s := range ours {
		if _, ok := pos[s.ID]; !ok && !isEstimate(s.ID, drawn) {
			return nil, fmt.Errorf("station %s (%s) is in no section", s.Name, s.ID)
		}
	}
	for i, sec := range sections {
		lr, err := redraw(sec, drawn[i], ours, pos, lines, short)
		if err != nil {
			return nil, err
		}
		res.Lines = append(res.Lines, lr)
	}
	return res, nil
}

func isEstimate(id string, drawn [][]Stop) bool {
	for _, stops := range drawn {
		for _, st := range stops {
			if st.Estimate != nil && st.Our.ID == id {
				return true
			}
		}
	}
	return false
}

func setStation(s *station, p orb.Point, prec domain.Precision, zh, en string) error {
	if err := s.feature.set("geometry", geometry{"Point", p}, "id"); err != nil {
		return err
	}
	for _, kv := range []struct {
		key, after string
		v          any
	}{{"precision", "name_en", prec}, {"source", "precision", zh}, {"source_en", "source", en}} {
		if err := s.props.set(kv.key, kv.v, kv.after); err != nil {
			return err
		}
	}
	s.precision = prec
	return s.feature.set("properties", s.props, "geometry")
}

// checkEstimates keeps each estimated station where it is, no finer than
// town, after checking it still fits the corrected line: beyond the
// station before it (further from the section's start) and within MaxKM.
func checkEstimates(sec Section, stops []Stop, ours []*station, pos map[string]orb.Point, res *Result) error {
	for i, st := range stops {
		if st.Estimate == nil {
			continue
		}
		if i < 2 || stops[i-1].Estimate != nil {
			return fmt.Errorf("line %s: estimate %s needs two source stations before it", sec.Line, st.Our.Name)
		}
		s := ours[st.Our.Index]
		prev, first := pos[stops[i-1].Our.ID], pos[stops[0].Our.ID]
		km := geo.Distance(prev, s.old) / 1000
		if km > st.Estimate.MaxKM || geo.Distance(first, s.old) <= geo.Distance(first, prev) {
			return fmt.Errorf("line %s: estimated %s at %v no longer fits: %.2f km from %s (at most %g), and it must lie beyond it", sec.Line, s.Name, s.old, km, stops[i-1].Our.Name, st.Estimate.MaxKM)
		}
		pos[s.ID] = s.old
		res.Estimates = append(res.Estimates, EstimateCheck{s.Name, stops[i-1].Our.Name, km})
		if err := setStation(s, s.old, coarser(s.precision, domain.PrecisionTown), st.Estimate.Source, st.Estimate.SourceEN); err != nil {
			return err
		}
	}
	return nil
}

// redraw draws a section's line straight through its stations in order.
// Its precision is approximate (straight segments run off the real track
// between stations) or the coarsest of its stations, if worse.
func redraw(sec Section, stops []Stop, ours []*station, pos map[string]orb.Point, lines *layer, short string) (LineResult, error) {
	f, props, err := lines.feature(sec.LineID)
	if err != nil {
		return LineResult{}, err
	}
	var loop bool
	if err := props.get("attrs", &struct {
		Loop *bool `json:"loop"`
	}{&loop}); err != nil {
		return LineResult{}, fmt.Errorf("%s: %w", sec.LineID, err)
	}
	if loop != sec.Loop {
		return LineResult{}, fmt.Errorf("%s: attrs.loop is %v, the section says %v", sec.LineID, loop, sec.Loop)
	}
	ls := make(orb.LineString, 0, len(stops)+1)
	prec := domain.PrecisionApproximate
	zh, en := fmt.Sprintf(lineSource, short), fmt.Sprintf(lineSourceEN, short)
	for _, st := range stops {
		ls = append(ls, pos[st.Our.ID])
		prec = coarser(prec, ours[st.Our.Index].precision)
		if st.Estimate != nil {
			zh += fmt.Sprintf(lineEstimate, st.Our.Name)
			en += fmt.Sprintf(lineEstimateEN, st.Our.Name)
		}
	}
	if sec.Loop {
		ls = append(ls, ls[0])
	}
	km := LengthKM(ls)
	attrs := &object{}
	if err := props.get("attrs", attrs); err != nil {
		return LineResult{}, err
	}
	if err := attrs.set("stations", len(stops), "line"); err != nil {
		return LineResult{}, err
	}
	if err := attrs.set("drawn_length_km", round(km, 1), "loop"); err != nil {
		return LineResult{}, err
	}
	for _, kv := range []struct {
		key, after string
		v          any
	}{{"precision", "name_en", prec}, {"source", "precision", zh}, {"source_en", "source", en}, {"attrs", "schedule", attrs}} {
		if err := props.set(kv.key, kv.v, kv.after); err != nil {
			return LineResult{}, err
		}
	}
	if err := f.set("geometry", geometry{"LineString", ls}, "id"); err != nil {
		return LineResult{}, err
	}
	if err := f.set("properties", props, "geometry"); err != nil {
		return LineResult{}, err
	}
	return LineResult{sec.LineID, len(stops), km}, nil
}

package main

import (
	"fmt"
	"slices"
	"strings"
)

// Section is a stretch of a metro line that project 1 opens, as it appears
// in the source.
type Section struct {
	Line   string // line number as in a station's attrs.lines
	LineID string // feature id in metro-lines
	Source string // line name in the source's lineList
	// From and To are the first and last station of the section, in the
	// order the line is drawn; a loop takes the whole line instead.
	From, To string
	Loop     bool
	// Aliases maps one of our station names to the source's name for it,
	// where the two are written differently beyond what normName folds.
	Aliases map[string]string
	// Beyond are stations of ours past To that the source does not have
	// yet; they keep their estimated position.
	Beyond []Estimate
}

// Estimate is a station the source lacks, with what its position rests on.
type Estimate struct {
	Name             string
	Source, SourceEN string
	// MaxKM bounds its distance from the station before it; further
	// means the estimate no longer fits the corrected line.
	MaxKM float64
}

// Sections are the four sections project 1 opens in 2024 (the plan's
// 8号环线, 10号线一期, 6号线一期南段 and 5号线一期东段). Our names equal the
// source's in the commit read (eb2290f), so no alias is needed.
var Sections = []Section{
	{Line: "8", LineID: "metro-line-8", Source: "8号线", Loop: true},
	{Line: "10", LineID: "metro-line-10", Source: "10号线", From: "井上村", To: "昭慧广场"},
	{Line: "6", LineID: "metro-line-6", Source: "6号线", From: "西安国际医学中心", To: "西安南站"},
	{Line: "5", LineID: "metro-line-5", Source: "5号线", From: "马腾空", To: "雁鸣湖", Beyond: []Estimate{{
		Name:     "西安东站",
		Source:   "MetroMan 的车站表里还没有这个站。位置是按5号线从雁鸣湖站往东延伸、到浐河以东新建的西安东站铁路枢纽(灞桥区,绕城高速东南、白鹿原以西)所作的大致估计,只能确定到所在街道一带,未经实地测量",
		SourceEN: "not in the MetroMan station list; position estimated as Line 5 continuing east from 雁鸣湖 (whose position is from that list) to the new 西安东站 railway hub, which public reports put in 灞桥区 east of the 浐河, south-east of the ring expressway and west of 白鹿原; only its town/街道 is known, not surveyed",
		MaxKM:    3,
	}}},
}

// ourStation is what matching needs of a station feature of ours.
type ourStation struct {
	Index int // position in the layer
	ID    string
	Name  string
	Lines []string
}

// Stop is one station of a section in drawing order: Src is nil for a
// station the source lacks (an Estimate).
type Stop struct {
	Our      ourStation
	Src      *SourceStation
	Estimate *Estimate
}

// normName folds the ways one station name gets written: full-width and
// half-width brackets, the separator dots (· • ・ ‧), spaces.
func normName(s string) string {
	return strings.NewReplacer(
		"（", "(", "）", ")", "•", "·", "・", "·", "‧", "·", "．", "·", " ", "", "\u3000", "",
	).Replace(strings.TrimSpace(s))
}

// Match puts the stations of ours on sec.Line against the source's stations
// of the section, by name, and returns them in drawing order. Every source
// station of the section needs one station of ours and every station of
// ours on the line needs one source station (or an Estimate): anything
// left over is an error naming it.
func Match(sec Section, src *Source, ours []ourStation) ([]Stop, error) {
	seq, err := sectionIDs(sec, src)
	if err != nil {
		return nil, err
	}
	key := func(name string) string {
		if a, ok := sec.Aliases[name]; ok {
			name = a
		}
		return normName(name)
	}
	byName := map[string]ourStation{}
	for _, o := range ours {
		if !slices.Contains(o.Lines, sec.Line) {
			continue
		}
		k := key(o.Name)
		if prev, dup := byName[k]; dup {
			return nil, fmt.Errorf("line %s: stations %s and %s both match %q", sec.Line, prev.ID, o.ID, k)
		}
		byName[k] = o
	}
	used := map[string]bool{}
	var stops []Stop
	for _, id := range seq {
		st := src.Stations[id]
		o, ok := byName[normName(st.Name)]
		if !ok {
			return nil, fmt.Errorf("line %s: source station %q (id %d) matches no station of ours on the line", sec.Line, st.Name, id)
		}
		used[o.ID] = true
		stops = append(stops, Stop{Our: o, Src: &st})
	}
	srcLine, _ := src.Line(sec.Source)
	for i := range sec.Beyond {
		e := &sec.Beyond[i]
		o, ok := byName[key(e.Name)]
		if !ok {
			return nil, fmt.Errorf("line %s: estimated station %q is not a station of ours on the line", sec.Line, e.Name)
		}
		for _, id := range srcLine.Stations {
			if normName(src.Stations[id].Name) == key(e.Name) {
				return nil, fmt.Errorf("line %s: %q is now in the source: take it from there", sec.Line, e.Name)
			}
		}
		used[o.ID] = true
		stops = append(stops, Stop{Our: o, Estimate: e})
	}
	for _, o := range ours {
		if slices.Contains(o.Lines, sec.Line) && !used[o.ID] {
			return nil, fmt.Errorf("line %s: our station %q (%s) matches no station of source line %s", sec.Line, o.Name, o.ID, sec.Source)
		}
	}
	return stops, nil
}

// sectionIDs returns the source ids of the section's stations in drawing
// order: the whole loop without its repeated first station, or the run
// from From to To (read backwards when the source lists it the other way).
func sectionIDs(sec Section, src *Source) ([]int, error) {
	l, err := src.Line(sec.Source)
	if err != nil {
		return nil, err
	}
	ids := l.Stations
	if sec.Loop {
		if ids[0] != ids[len(ids)-1] {
			return nil, fmt.Errorf("%s is not a closed loop in the source", sec.Source)
		}
		return ids[:len(ids)-1], nil
	}
	find := func(name string) (int, error) {
		if a, ok := sec.Aliases[name]; ok {
			name = a
		}
		at := -1
		for i, id := range ids {
			if normName(src.Stations[id].Name) == normName(name) {
				if at >= 0 {
					return 0, fmt.Errorf("%s passes %q twice", sec.Source, name)
				}
				at = i
			}
		}
		if at < 0 {
			return 0, fmt.Errorf("%s has no station %q", sec.Source, name)
		}
		return at, nil
	}
	from, err := find(sec.From)
	if err != nil {
		return nil, err
	}
	to, err := find(sec.To)
	if err != nil {
		return nil, err
	}
	if from <= to {
		return slices.Clone(ids[from : to+1]), nil
	}
	out := slices.Clone(ids[to : from+1])
	slices.Reverse(out)
	return out, nil
}

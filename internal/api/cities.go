package api

import (
	"context"
	"math"

	"github.com/paulmach/orb/planar"

	"projectmap/internal/domain"
)

// cityDistricts returns the districts and zones of plan p's city, in the
// store's order. A plan sees only its own city's places: every district
// list, name lookup and district= filter of a plan goes through here.
func (s *server) cityDistricts(ctx context.Context, p domain.Plan) ([]domain.District, []domain.Zone, error) {
	districts, zones, err := s.cfg.Store.Districts(ctx)
	if err != nil {
		return nil, nil, err
	}
	var ds []domain.District
	var zs []domain.Zone
	for _, d := range districts {
		if d.City == p.CityID {
			ds = append(ds, d)
		}
	}
	for _, z := range zones {
		if z.City == p.CityID {
			zs = append(zs, z)
		}
	}
	return ds, zs, nil
}

// cityDoc names a plan's city in /api/config.
type cityDoc struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	NameEN string `json:"name_en"`
}

// planEntry is one plan as /api/config lists it, for the plan switcher.
type planEntry struct {
	ID      string  `json:"id"`
	Year    int     `json:"year"`
	Title   string  `json:"title"`
	TitleEN string  `json:"title_en"`
	City    cityDoc `json:"city"`
}

func planEntries(plans []domain.Plan) []planEntry {
	out := make([]planEntry, len(plans))
	for i, p := range plans {
		out[i] = planEntry{ID: p.ID, Year: p.Year, Title: p.Title, TitleEN: p.TitleEN,
			City: cityDoc{ID: p.CityID, Name: p.City, NameEN: p.CityEN}}
	}
	return out
}

// fallbackCenter is where the map opens when a city has no populated
// district to centre on.
var fallbackCenter = [2]float64{34.26, 108.94}

// populationCenter is where the map of a city opens, as [lat, lon]: the
// mean of its districts' centroids weighted by their 2020 population, so
// that it falls on the built-up city rather than the middle of its
// (mostly rural) extent. Rounded to 0.01°, about 1 km.
func populationCenter(districts []domain.District) [2]float64 {
	var lat, lon, weight float64
	for _, d := range districts {
		if d.Geometry == nil || d.Population <= 0 {
			continue
		}
		c, area := planar.CentroidArea(d.Geometry)
		if area == 0 {
			continue
		}
		w := float64(d.Population)
		lat, lon, weight = lat+c[1]*w, lon+c[0]*w, weight+w
	}
	if weight == 0 {
		return fallbackCenter
	}
	round := func(f float64) float64 { return math.Round(f*100) / 100 }
	return [2]float64{round(lat / weight), round(lon / weight)}
}

package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"projectmap/internal/domain"
)

// coverageMetric is one per-district quota layer of the plan.
type coverageMetric struct {
	Layer   string `json:"layer"`
	Project int    `json:"project"`
	Metric  string `json:"metric"`
	Title   string `json:"title"`
	TitleEN string `json:"title_en"`
}

type coverageValue struct {
	Quantity float64  `json:"quantity"`
	Per100k  *float64 `json:"per_100k"`
}

type coverageRow struct {
	Recipient  string                   `json:"recipient"`
	Kind       domain.RecipientKind     `json:"kind"`
	Name       string                   `json:"name"`
	NameEN     string                   `json:"name_en"`
	Population int                      `json:"population_2020,omitempty"`
	Values     map[string]coverageValue `json:"values"`
}

// coverage compares the per-district quotas of the plan across districts
// and zones, per 100,000 residents where the population is known: the
// planners' "who is left out?" table, as JSON or CSV.
func (s *server) coverage(c echo.Context) error {
	p, _, format, err := s.planQuery(c, jsonCSV)
	if err != nil {
		return err
	}
	// Every district's share of every quota layer: computed once per data
	// version, not per request.
	t, err := cachedByVersion(c.Request().Context(), s, cacheKey("coverage", p.ID), func() (coverageTable, error) {
		return s.coverageTable(c.Request().Context(), p)
	})
	if err != nil {
		return err
	}
	if format == "csv" {
		return writeCoverageCSV(c, p.ID, t.metrics, t.rows)
	}
	return writeJSON(c, mediaJSON, map[string]any{"plan": p.ID, "metrics": t.metrics, "rows": t.rows})
}

// coverageTable is what coverage answers, in either format. It is shared
// by the requests of one data version: never changed once built.
type coverageTable struct {
	metrics []coverageMetric
	rows    []*coverageRow
}

func (s *server) coverageTable(ctx context.Context, p domain.Plan) (coverageTable, error) {
	districts, zones, err := s.cityDistricts(ctx, p)
	if err != nil {
		return coverageTable{}, err
	}
	var t coverageTable
	byID := map[string]*coverageRow{}
	for _, d := range districts {
		r := &coverageRow{Recipient: d.Adcode, Kind: domain.RecipientDistrict, Name: d.Name, NameEN: d.NameEN, Population: d.Population, Values: map[string]coverageValue{}}
		t.rows = append(t.rows, r)
		byID[d.Adcode] = r
	}
	for _, z := range zones {
		r := &coverageRow{Recipient: z.ID, Kind: domain.RecipientZone, Name: z.Name, NameEN: z.NameEN, Values: map[string]coverageValue{}}
		t.rows = append(t.rows, r)
		byID[z.ID] = r
	}
	for _, l := range p.Layers {
		if l.DerivedMetric == "" || l.Group != "" {
			continue // a layer split off another (its zones) counts with it
		}
		t.metrics = append(t.metrics, coverageMetric{l.ID, l.Project, l.DerivedMetric, l.Title, l.TitleEN})
		for _, g := range p.Layers {
			if g.ID != l.ID && g.Group != l.ID {
				continue
			}
			page, err := s.cfg.Store.Sites(ctx, domain.SiteQuery{Plan: p.ID, Layer: g.ID})
			if err != nil {
				return coverageTable{}, err
			}
			cover(byID, l.ID, page.Sites)
		}
	}
	return t, nil
}

// cover puts the quantity of each site in the row of its recipient, under
// the metric column of the layer.
func cover(byID map[string]*coverageRow, layer string, sites []domain.Site) {
	for _, site := range sites {
		id, _ := site.Attrs["recipient"].(string)
		r := byID[id]
		if r == nil {
			continue
		}
		v := coverageValue{}
		v.Quantity, _ = site.Attrs["quantity"].(float64)
		if r.Population > 0 {
			per := float64(int64(v.Quantity/float64(r.Population)*1e8+0.5)) / 1e3
			v.Per100k = &per
		}
		r.Values[layer] = v
	}
}

func writeCoverageCSV(c echo.Context, plan string, metrics []coverageMetric, rows []*coverageRow) error {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	header := []string{"recipient", "kind", "name", "name_en", "population_2020"}
	for _, m := range metrics {
		header = append(header, m.Layer, m.Layer+"_per_100k")
	}
	if err := w.Write(header); err != nil {
		return err
	}
	for _, r := range rows {
		pop := ""
		if r.Population > 0 {
			pop = strconv.Itoa(r.Population)
		}
		row := []string{r.Recipient, string(r.Kind), r.Name, r.NameEN, pop}
		for _, m := range metrics {
			v, ok := r.Values[m.Layer]
			q, per := "0", ""
			if ok {
				q = strconv.FormatFloat(v.Quantity, 'f', -1, 64)
			}
			if v.Per100k != nil {
				per = strconv.FormatFloat(*v.Per100k, 'f', -1, 64)
			} else if r.Population > 0 {
				per = "0"
			}
			row = append(row, q, per)
		}
		if err := w.Write(row); err != nil {
			return err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="coverage-`+plan+`.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

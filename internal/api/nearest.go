package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"math"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"

	"projectmap/internal/domain"
)

// walk15 is how far a 15-minute walk reaches, at 80 m a minute.
const walk15 = 1200.0

type nearestRow struct {
	ID          string           `json:"id"`
	Name        string           `json:"name"`
	District    string           `json:"district"`
	Precision   domain.Precision `json:"precision"`
	Nearest     string           `json:"nearest"`
	NearestName string           `json:"nearest_name"`
	NearestPrec domain.Precision `json:"nearest_precision"`
	Meters      float64          `json:"meters"`
	Within15Min bool             `json:"within_15_min_walk"`
	// Reliable is false when either place is known only to its town,
	// district or zone: the distance then says little.
	Reliable bool `json:"reliable"`
}

// nearest answers "how far is it from each feature of one layer to the
// nearest feature of another?", e.g. from each renovated old community to
// the nearest new metro station, as straight-line (geodesic) distance.
func (s *server) nearest(c echo.Context) error {
	p, q, format, err := s.planQuery(c, jsonCSV, "from", "to")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	layers, err := s.cfg.Store.Layers(ctx, p.ID)
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, l := range layers {
		known[l.ID] = true
	}
	from, to := q.Get("from"), q.Get("to")
	for param, id := range map[string]string{"from": from, "to": to} {
		if id == "" {
			return domain.Invalid(param, "give a collection id, e.g. from=old-communities&to=metro-stations")
		}
		if !known[id] {
			return domain.Invalid(param, "no collection %q in plan %s", id, p.ID)
		}
	}
	// Every origin against every target: computed once per data version,
	// not per request.
	rows, err := cachedByVersion(ctx, s, cacheKey("nearest", p.ID, from, to), func() ([]nearestRow, error) {
		return s.nearestRows(ctx, p.ID, from, to)
	})
	if err != nil {
		return err
	}
	if format == "csv" {
		return writeNearestCSV(c, from, to, rows)
	}
	return writeJSON(c, mediaJSON, map[string]any{
		"plan": p.ID, "from": from, "to": to, "walk_15_min_meters": walk15,
		"note":    "按记录的位置量直线距离;多数位置是估计的(见位置精度),距离只供参考",
		"note_en": "straight-line distances between the recorded positions; most positions are estimates (see precision), so treat them as indicative",
		"rows":    rows,
	})
}

// nearestRows pairs each located site of from with the nearest of to.
// The rows are shared by the requests of one data version: never changed
// once built.
func (s *server) nearestRows(ctx context.Context, plan, from, to string) ([]nearestRow, error) {
	origins, err := s.cfg.Store.Sites(ctx, domain.SiteQuery{Plan: plan, Layer: from})
	if err != nil {
		return nil, err
	}
	targets, err := s.cfg.Store.Sites(ctx, domain.SiteQuery{Plan: plan, Layer: to})
	if err != nil {
		return nil, err
	}
	rows := []nearestRow{}
	for _, o := range origins.Sites {
		if o.Geometry == nil {
			continue
		}
		if row, ok := nearestTo(o, targets.Sites); ok {
			rows = append(rows, row)
		}
	}
	return rows, nil
}

// nearestTo is the row of origin o and its nearest target; false when no
// target is located.
func nearestTo(o domain.Site, targets []domain.Site) (nearestRow, bool) {
	op := representativePoint(o.Geometry)
	row := nearestRow{ID: o.ID, Name: o.Name, District: o.District, Precision: o.Precision, Meters: math.Inf(1)}
	for _, t := range targets {
		if t.Geometry == nil || t.ID == o.ID {
			continue
		}
		if d := geo.Distance(op, closestVertex(t.Geometry, op)); d < row.Meters {
			row.Meters, row.Nearest, row.NearestName, row.NearestPrec = d, t.ID, t.Name, t.Precision
		}
	}
	if row.Nearest == "" {
		return row, false
	}
	row.Meters = math.Round(row.Meters)
	row.Within15Min = row.Meters <= walk15
	row.Reliable = !o.Precision.Approximate() && !row.NearestPrec.Approximate()
	return row, true
}

// closestVertex is the vertex of g nearest to p: the point itself, or the
// nearest station of a line, which is where a line is reached.
func closestVertex(g orb.Geometry, p orb.Point) orb.Point {
	best, bestD := representativePoint(g), math.Inf(1)
	visit := func(pts []orb.Point) {
		for _, v := range pts {
			if d := geo.Distance(p, v); d < bestD {
				best, bestD = v, d
			}
		}
	}
	switch g := g.(type) {
	case orb.Point:
		return g
	case orb.MultiPoint:
		visit(g)
	case orb.LineString:
		visit(g)
	case orb.MultiLineString:
		for _, ls := range g {
			visit(ls)
		}
	}
	return best
}

func writeNearestCSV(c echo.Context, from, to string, rows []nearestRow) error {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	w.Write([]string{"id", "name", "district", "precision", "nearest", "nearest_name", "nearest_precision", "meters", "within_15_min_walk", "reliable"})
	for _, r := range rows {
		w.Write([]string{r.ID, cell(r.Name), r.District, string(r.Precision), r.Nearest, cell(r.NearestName), string(r.NearestPrec),
			strconv.FormatFloat(r.Meters, 'f', 0, 64), strconv.FormatBool(r.Within15Min), strconv.FormatBool(r.Reliable)})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="nearest-`+from+`-to-`+to+`.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

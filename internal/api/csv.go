package api

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"projectmap/internal/domain"
)

// writeCSV writes a page of features as a spreadsheet: the common
// properties, a representative lon/lat, then every attribute the page
// has. It starts with a UTF-8 byte-order mark so that Excel shows the
// Chinese names correctly.
func writeCSV(c echo.Context, look *lookup, page domain.SitePage, iq itemsQuery) error {
	sites := page.Sites
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	common := []string{"id", "project", "name", "name_en", "district", "district_name", "zone",
		"status", "planned", "planned_status", "due", "reported", "reported_status", "reported_on",
		"reported_by", "report_source", "report_url", "report_id", "report_schedule",
		"precision", "source", "source_en", "lon", "lat"}
	attrSet := map[string]any{}
	for _, s := range sites {
		for k, v := range s.Attrs {
			attrSet[k] = v
		}
	}
	attrs := sortedAttrs(attrSet)
	header := append([]string{}, common...)
	for _, k := range attrs {
		if reserved[k] {
			k = "attr_" + k // as the feature names it
		}
		header = append(header, k)
	}
	if err := w.Write(header); err != nil {
		return err
	}
	for i, s := range sites {
		f := look.feature(s, reportAt(page, i), iq.asof)
		values := map[string]any{}
		for _, p := range f.props {
			values[p.key] = f.value(p)
		}
		lon, lat := "", ""
		if s.Geometry != nil {
			pt := representativePoint(s.Geometry)
			lon, lat = strconv.FormatFloat(pt[0], 'f', 6, 64), strconv.FormatFloat(pt[1], 'f', 6, 64)
		}
		row := make([]string, 0, len(common)+len(attrs))
		for _, k := range common[:len(common)-2] {
			row = append(row, cell(values[k]))
		}
		row = append(row, lon, lat)
		for _, k := range attrs {
			row = append(row, cell(s.Attrs[k]))
		}
		if err := w.Write(row); err != nil {
			return err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	name := fmt.Sprintf("%s-%s.csv", iq.site.Layer, iq.asof)
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// representativePoint is a point for the lon/lat columns: the point itself,
// an area's centroid, or a line's midpoint by vertices.
func representativePoint(g orb.Geometry) orb.Point {
	switch g := g.(type) {
	case orb.Point:
		return g
	case orb.Polygon, orb.MultiPolygon:
		p, _ := planar.CentroidArea(g)
		return p
	}
	return g.Bound().Center()
}

func cell(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		// A text cell that a spreadsheet would read as a formula is quoted,
		// so that an imported name cannot run in a reader's Excel.
		if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
			return "'" + v
		}
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case int:
		return strconv.Itoa(v)
	case bool:
		return strconv.FormatBool(v)
	case domain.TrackingStatus:
		return string(v)
	case domain.Precision:
		return string(v)
	}
	b, err := appendJSON(nil, v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

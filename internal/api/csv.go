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

// csvCommon are the columns every CSV has, before the attributes.
var csvCommon = []string{"id", "project", "name", "name_en", "district", "district_name", "zone",
	"status", "planned", "planned_status", "due", "reported", "reported_status", "reported_on",
	"reported_by", "report_source", "report_url", "report_id", "report_schedule",
	"precision", "source", "source_en", "lon", "lat"}

// writeCSV writes a page of features as a spreadsheet: the common
// properties, a representative lon/lat, then every attribute the page
// has. It starts with a UTF-8 byte-order mark so that Excel shows the
// Chinese names correctly.
func writeCSV(c echo.Context, look *lookup, page domain.SitePage, iq itemsQuery) error {
	attrSet := map[string]any{}
	addAttrs(attrSet, page.Sites)
	attrs := sortedAttrs(attrSet)
	var buf bytes.Buffer
	buf.WriteString(bom)
	w := csv.NewWriter(&buf)
	if err := writeCSVHeader(w, attrs); err != nil {
		return err
	}
	for i, s := range page.Sites {
		if err := w.Write(csvRow(look, s, reportAt(page, i), iq.asof, attrs)); err != nil {
			return err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Disposition", `attachment; filename="`+downloadName(iq, "csv")+`"`)
	// A page of a CSV says it is one: how many match, and where the rest is.
	h.Set("X-Total-Count", strconv.Itoa(page.Matched))
	for _, l := range pageLinks(c, iq.site, len(page.Sites), page.Matched) {
		if l.Rel == "next" || l.Rel == "prev" {
			h.Add("Link", "<"+l.Href+`>; rel="`+l.Rel+`"`)
		}
	}
	return c.Blob(http.StatusOK, csvType, buf.Bytes())
}

const (
	csvType = "text/csv; charset=utf-8"
	bom     = "\ufeff" // so that Excel reads UTF-8
)

// addAttrs adds the attribute names of sites to set.
func addAttrs(set map[string]any, sites []domain.Site) {
	for _, s := range sites {
		for k := range s.Attrs {
			set[k] = true
		}
	}
}

// writeCSVHeader writes the header row.
func writeCSVHeader(w *csv.Writer, attrs []string) error {
	header := append(append([]string{}, csvCommon...), attrs...)
	for i, k := range attrs {
		if reserved[k] {
			header[len(csvCommon)+i] = "attr_" + k // as the feature names it
		}
	}
	return w.Write(header)
}

// csvRow is one site's row under the header of attrs.
func csvRow(look *lookup, s domain.Site, report *domain.Report, asof domain.Date, attrs []string) []string {
	f := look.feature(s, report, asof)
	values := map[string]any{}
	for _, p := range f.props {
		values[p.key] = f.value(p)
	}
	lon, lat := "", ""
	if s.Geometry != nil {
		pt := representativePoint(s.Geometry)
		lon, lat = strconv.FormatFloat(pt[0], 'f', 6, 64), strconv.FormatFloat(pt[1], 'f', 6, 64)
	}
	row := make([]string, 0, len(csvCommon)+len(attrs))
	for _, k := range csvCommon[:len(csvCommon)-2] {
		row = append(row, cell(values[k]))
	}
	row = append(row, lon, lat)
	for _, k := range attrs {
		row = append(row, cell(s.Attrs[k]))
	}
	return row
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

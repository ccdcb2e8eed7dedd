package api

import (
	"fmt"
	"strings"

	"github.com/labstack/echo/v4"

	"projectmap/internal/domain"
)

// mediaTileJSON is how TileJSON and style documents are sent.
const mediaTileJSON = "application/json"

// tileJSONDoc is a TileJSON 3.0.0 document.
type tileJSONDoc struct {
	TileJSON     string        `json:"tilejson"`
	Name         string        `json:"name"`
	Description  string        `json:"description"`
	Version      string        `json:"version"`
	Attribution  string        `json:"attribution"`
	Scheme       string        `json:"scheme"`
	Tiles        []string      `json:"tiles"`
	MinZoom      int           `json:"minzoom"`
	MaxZoom      int           `json:"maxzoom"`
	Bounds       [4]float64    `json:"bounds"`
	Center       [3]float64    `json:"center"`
	VectorLayers []vectorLayer `json:"vector_layers,omitempty"`
}

type vectorLayer struct {
	ID          string            `json:"id"`
	Description string            `json:"description"`
	Fields      map[string]string `json:"fields"`
	MinZoom     int               `json:"minzoom"`
	MaxZoom     int               `json:"maxzoom"`
}

// tileJSON serves /tiles/{layers}.json: the vector tiles of the layers
// (format=png: the raster tiles), with tile URLs that name the plan, the
// date and the data version, so that they can be cached for ever.
func (s *server) tileJSON(c echo.Context) error {
	sc, err := s.readTileScope(c, "format")
	if err != nil {
		return err
	}
	format := sc.query.Get("format")
	if format != "" && format != "mvt" && format != "png" {
		return domain.Invalid("format", "%q is not offered; use format=mvt (the default) or format=png", format)
	}
	noCache(c) // it names the current version: revalidate by ETag
	return writeJSON(c, mediaTileJSON, s.tileJSONOf(c, sc, format == "png"))
}

func (s *server) tileJSONOf(c echo.Context, sc tileScope, raster bool) tileJSONDoc {
	b := base(c)
	doc := tileJSONDoc{
		TileJSON:    "3.0.0",
		Name:        sc.title(),
		Description: sc.plan.Title + " / " + sc.plan.TitleEN + ": tracking status on " + sc.asof.String(),
		Version:     "1.0.0",
		Attribution: sc.attribution(),
		Scheme:      "xyz",
		MinZoom:     0,
		Bounds:      sc.bounds(),
		Center:      sc.center(),
	}
	if raster {
		doc.Tiles = []string{b + "/tiles/" + sc.pathIDs() + "/{z}/{x}/{y}.png?" + sc.tileQuery("")}
		doc.MaxZoom = rasterMaxZoom
		return doc
	}
	doc.Tiles = []string{b + "/ogc/tiles/WebMercatorQuad/{z}/{y}/{x}?" + sc.tileQuery("collections="+sc.queryIDs()+"&")}
	doc.MaxZoom = vectorMaxZoom
	for _, l := range sc.layers {
		fields := map[string]string{}
		for k, v := range tileFields() {
			cell := k == "count" || k == "aggregated" || strings.HasPrefix(k, "n_")
			if d, ok := v.(map[string]any); ok && (!cell || hasPoints(l)) {
				fields[k] = fmt.Sprintf("%v: %v", d["type"], d["description"])
			}
		}
		doc.VectorLayers = append(doc.VectorLayers, vectorLayer{
			ID: l.ID, Description: l.Title + " / " + l.TitleEN, Fields: fields, MinZoom: 0, MaxZoom: vectorMaxZoom,
		})
	}
	return doc
}

// hasPoints reports whether a layer's features may be points (of
// mixed layers too).
func hasPoints(l domain.LayerInfo) bool {
	return strings.HasSuffix(l.GeometryType, "Point") || l.GeometryType == "Geometry"
}

package api

import (
	"html"
	"math"
	"strings"

	"github.com/labstack/echo/v4"

	"projectmap/internal/basemap"
	"projectmap/internal/domain"
	"projectmap/internal/symbology"
)

// style serves /styles/{layers}.json: a MapLibre style (version 8) of the
// layers' vector tiles over the configured basemap, in the map's own
// symbology (internal/symbology).
func (s *server) style(c echo.Context) error {
	sc, err := s.readTileScope(c)
	if err != nil {
		return err
	}
	noCache(c) // its TileJSON names the current version
	return writeJSON(c, mediaTileJSON, s.styleOf(c, sc))
}

// vectorSource is the style's source of the vector tiles.
const vectorSource = "projectmap"

func (s *server) styleOf(c echo.Context, sc tileScope) oa {
	sources := oa{vectorSource: oa{
		"type": "vector", "url": base(c) + "/tiles/" + sc.pathIDs() + ".json" + sc.docQuery(),
	}}
	layers := []oa{{"id": "background", "type": "background", "paint": oa{"background-color": symbology.DistrictFill}}}
	bm, hasBasemap := styleBasemap(s.cfg.basemaps())
	if hasBasemap {
		sources["basemap"] = oa{"type": "raster", "tiles": basemapTiles(bm.URL, bm.Subdomains), "tileSize": 256, "maxzoom": basemapMaxZoom(bm), "attribution": basemapCredit(bm)}
		layers = append(layers, oa{"id": "basemap", "type": "raster", "source": "basemap"})
	}
	// As the raster tiles draw them: areas, then lines, then points.
	for _, l := range sc.layers {
		layers = append(layers, areaLayers(l)...)
	}
	for _, l := range sc.layers {
		layers = append(layers, lineLayers(l)...)
	}
	for _, l := range sc.layers {
		layers = append(layers, pointLayers(l)...)
	}
	if hasBasemap && bm.Labels != nil { // 天地图's place names go over the data
		sources["basemap-labels"] = oa{"type": "raster", "tiles": basemapTiles(bm.Labels.URL, bm.Labels.Subdomains), "tileSize": 256, "maxzoom": basemapMaxZoom(bm)}
		layers = append(layers, oa{"id": "basemap-labels", "type": "raster", "source": "basemap-labels"})
	}
	c0 := sc.center()
	return oa{
		"version": 8,
		"name":    sc.title(),
		"metadata": oa{
			"projectmap:plan": sc.plan.ID, "projectmap:asof": sc.asof.String(), "projectmap:version": sc.version,
			"projectmap:layers": strings.Split(sc.ids, ","),
		},
		"center":  []float64{c0[0], c0[1]},
		"zoom":    c0[2],
		"sprite":  base(c) + spritePath,
		"sources": sources,
		"layers":  layers,
	}
}

// basemapTiles turns a Leaflet URL template into MapLibre's: {s} becomes
// one URL per subdomain a, b and c, and {r} (retina) is dropped.
func basemapTiles(u string, subdomains []string) []string {
	u = strings.ReplaceAll(u, "{r}", "")
	if !strings.Contains(u, "{s}") {
		return []string{u}
	}
	if len(subdomains) == 0 {
		subdomains = []string{"a", "b", "c"} // Leaflet's default
	}
	var out []string
	for _, sub := range subdomains {
		out = append(out, strings.ReplaceAll(u, "{s}", sub))
	}
	return out
}

// styleBasemap is the basemap a style draws under the vector tiles: the
// first WGS84 one, as the browser gets it (key filled in). The tiles are
// in WGS84, so a GCJ-02 basemap (AMap) would put every feature 300 to 600
// m off: none is used rather than a misplaced one.
func styleBasemap(list []Basemap) (Basemap, bool) {
	for _, b := range list {
		if b.URL != "" && b.Datum() == basemap.WGS84 {
			return b.Public(), true
		}
	}
	return Basemap{}, false
}

// basemapMaxZoom is the deepest zoom the basemap has tiles for (18 unless
// it says; MapLibre magnifies those beyond).
func basemapMaxZoom(b Basemap) int {
	if b.MaxZoom > 0 {
		return b.MaxZoom
	}
	return 18
}

// basemapCredit is the attribution with the 审图号, as the map shows it.
func basemapCredit(b Basemap) string {
	if b.Approval == "" {
		return b.Attribution
	}
	return b.Attribution + " " + html.EscapeString(b.Approval)
}

// geometryIs is a filter on the feature's geometry type (Multi* too).
func geometryIs(t string) []any {
	return []any{"match", []any{"geometry-type"}, []any{t, "Multi" + t}, true, false}
}

// statusColour is the colour of the feature's tracking status; anything
// else is drawn as unreported.
func statusColour() []any {
	e := []any{"match", []any{"get", "status"}}
	for _, st := range symbology.Statuses() {
		e = append(e, string(st.Status), st.Color)
	}
	return append(e, symbology.Of(domain.TrackUnreported).Color)
}

// hollow is true for a point drawn as an outline: an approximate place,
// or a status whose shape is a ring (not started, no report yet).
func hollow() []any {
	var approx, rings []any
	all := []domain.Precision{domain.PrecisionExact, domain.PrecisionStreet, domain.PrecisionApproximate,
		domain.PrecisionTown, domain.PrecisionDistrict, domain.PrecisionZone}
	for _, p := range all {
		if symbology.Approximate(p) {
			approx = append(approx, string(p))
		}
	}
	for _, st := range symbology.Statuses() {
		if st.Shape == "ring" {
			rings = append(rings, string(st.Status))
		}
	}
	return []any{"any",
		[]any{"match", []any{"get", "precision"}, approx, true, false},
		[]any{"match", []any{"get", "status"}, rings, true, false},
		// No status at all (a base layer's feature) claims nothing.
		[]any{"!", []any{"has", "status"}},
	}
}

func layerOf(l domain.LayerInfo, suffix, kind string, filter []any, layout, paint oa) oa {
	out := oa{"id": l.ID + "-" + suffix, "type": kind, "source": vectorSource, "source-layer": l.ID, "filter": filter, "paint": paint}
	if layout != nil {
		out["layout"] = layout
	}
	return out
}

// areaLayers draws polygons: a light status-coloured fill and a status
// outline; a base layer (districts) as grey outlines only.
func areaLayers(l domain.LayerInfo) []oa {
	if !strings.HasSuffix(l.GeometryType, "Polygon") && l.GeometryType != "Geometry" {
		return nil
	}
	f := geometryIs("Polygon")
	if l.Project == 0 {
		return []oa{layerOf(l, "outline", "line", f, nil, oa{"line-color": symbology.DistrictOutline, "line-width": 1})}
	}
	return []oa{
		layerOf(l, "fill", "fill", f, nil, oa{"fill-color": statusColour(), "fill-opacity": math.Round(56.0/255*100) / 100}),
		layerOf(l, "outline", "line", f, nil, oa{"line-color": statusColour(), "line-width": 2}),
	}
}

// lineLayers draws lines status-coloured over a white casing.
func lineLayers(l domain.LayerInfo) []oa {
	if !strings.HasSuffix(l.GeometryType, "LineString") && l.GeometryType != "Geometry" {
		return nil
	}
	f := geometryIs("LineString")
	round := oa{"line-cap": "round", "line-join": "round"}
	return []oa{
		layerOf(l, "casing", "line", f, round, oa{"line-color": symbology.Casing, "line-width": symbology.CasingWidth}),
		layerOf(l, "line", "line", f, round, oa{"line-color": statusColour(), "line-width": symbology.LineWidth}),
	}
}

// pointLayers draws sites as the status's symbol from the sprite (its
// shape in its colour with a white edge; hollow: a ring of its colour,
// white inside), and the aggregated cells of a dense layer as discs sized
// by count, coloured by the status most of their points have.
func pointLayers(l domain.LayerInfo) []oa {
	if !hasPoints(l) {
		return nil
	}
	cell := []any{"==", []any{"get", "aggregated"}, true}
	var known []any
	for _, st := range symbology.Statuses() {
		known = append(known, string(st.Status))
	}
	status := []any{"match", []any{"get", "status"}, known, []any{"get", "status"}, string(domain.TrackUnreported)}
	icon := []any{"concat", "pm-", status, []any{"case", hollow(), "-hollow", ""}}
	return []oa{
		layerOf(l, "points", "symbol", []any{"all", geometryIs("Point"), []any{"!", cell}}, oa{
			"icon-image": icon, "icon-allow-overlap": true, "icon-ignore-placement": true, "icon-padding": 0,
		}, oa{}),
		layerOf(l, "cells", "circle", []any{"all", geometryIs("Point"), cell}, nil, oa{
			"circle-radius": []any{"interpolate", []any{"linear"}, []any{"sqrt", []any{"coalesce", []any{"get", "count"}, 1}},
				1, 8, 10, 14, 100, 28},
			"circle-color":        majorityColour(),
			"circle-opacity":      0.85,
			"circle-stroke-color": "#ffffff",
			"circle-stroke-width": 2,
		}),
	}
}

// majorityColour is the colour of the status most points of a cell have
// (n_<status>); ties go to the status first in the legend.
func majorityColour() []any {
	n := func(st domain.TrackingStatus) []any { return []any{"coalesce", []any{"get", "n_" + string(st)}, 0} }
	all := symbology.Statuses()
	e := []any{"case"}
	for _, a := range all {
		cond := []any{"all"}
		for _, b := range all {
			if b.Status != a.Status {
				cond = append(cond, []any{">=", n(a.Status), n(b.Status)})
			}
		}
		e = append(e, cond, a.Color)
	}
	return append(e, symbology.Of(domain.TrackUnreported).Color)
}

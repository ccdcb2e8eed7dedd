package api

import (
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"

	"projectmap/internal/domain"
	"projectmap/internal/tiles"
)

// tileQuery is the query string tile links carry: the plan and the
// collections asked for, and v (when not "").
func tileQuery(q url.Values, v string) string {
	out := url.Values{}
	for _, k := range []string{"plan", "collections", "asof"} {
		if q.Get(k) != "" {
			out.Set(k, q.Get(k))
		}
	}
	if v != "" {
		out.Set("v", v)
	}
	if len(out) == 0 {
		return ""
	}
	return "?" + out.Encode()
}

// tileFields are the properties of the features of a vector tile.
func tileFields() map[string]any {
	str := func(d string) map[string]any { return map[string]any{"type": "string", "description": d} }
	num := func(t, d string) map[string]any { return map[string]any{"type": t, "description": d} }
	return map[string]any{
		"id": str("site id"), "name": str("name, in Chinese"), "name_en": str("name in English, when there is one"),
		"project": num("integer", "project number (absent on base layers)"), "district": str("district adcode"),
		"status":    str("tracking status on the tile's date (asof): completed, on_track, behind, not_started, suspended or unreported; absent on base layers"),
		"progress":  num("number", "reported progress in per cent, absent when no report speaks for the site"),
		"precision": str("how well the position is known: exact, street or approximate; draw it no more precisely"),
		"count":     num("integer", "aggregated features only: points in the cell"), "aggregated": num("boolean", "true on aggregated features"),
		"n_completed": num("integer", "aggregated: points completed"), "n_on_track": num("integer", "aggregated: points on track"),
		"n_behind": num("integer", "aggregated: points behind"), "n_not_started": num("integer", "aggregated: points not started"),
		"n_suspended": num("integer", "aggregated: points suspended"), "n_unreported": num("integer", "aggregated: points with no report"),
	}
}

// tilesetDoc is the tileset metadata (OGC API – Tiles, tileset) of the
// layers of one tiles resource.
func (s *server) tilesetDoc(c echo.Context, q url.Values, p domain.Plan, layers []domain.LayerInfo) map[string]any {
	b := base(c) + tilesPath(c)
	var box orb.Bound
	var docs []map[string]any
	for i, l := range layers {
		if i == 0 {
			box = l.Extent
		} else if l.Count > 0 {
			box = box.Union(l.Extent)
		}
		docs = append(docs, map[string]any{
			"id": l.ID, "title": l.Title, "description": l.TitleEN, "dataType": "vector",
			"geometryType": l.GeometryType, "minTileMatrix": "0", "maxTileMatrix": strconv.Itoa(tiles.MaxZoom),
			"propertiesSchema": map[string]any{"type": "object", "properties": tileFields()},
			"links":            []tmsLink{{Href: base(c) + "/ogc/collections/" + l.ID, Rel: "related", Type: mediaJSON, Title: l.TitleEN}},
		})
	}
	title := "西安市2024年为民实事 vector tiles"
	if len(layers) == 1 {
		title = layers[0].Title
	}
	return map[string]any{
		"title": title,
		"description": "Mapbox Vector Tiles of WebMercatorQuad, one layer per collection (named by its id), extent 4096, buffer 64, " +
			"features carrying their tracking status on asof (default: the plan's date today). " +
			"A tile with no feature is answered 204 No Content, without a store query where the layers' extents show nothing there. " +
			"Dense point layers are aggregated: see aggregation. A tile whose v is the current data version (as the tile link gives) may be cached for ever.",
		"dataType": "vector", "crs": "http://www.opengis.net/def/crs/EPSG/0/3857", "tileMatrixSetURI": tiles.TileMatrixSetURI,
		"boundingBox": map[string]any{"lowerLeft": box.Min, "upperRight": box.Max, "crs": crs84},
		"layers":      docs, "aggregation": aggregation(),
		"links": []tmsLink{
			{Href: b + "/" + tmsID + tileQuery(q, ""), Rel: "self", Type: mediaJSON, Title: "this tileset"},
			{Href: base(c) + "/ogc/tileMatrixSets/" + tmsID, Rel: relScheme, Type: mediaJSON, Title: tmsID},
			{Href: b + "/" + tmsID + tileTemplate + tileQuery(q, s.stateVersion(c)), Rel: "item", Type: mediaMVT, Title: "vector tiles", Templated: true},
		},
	}
}

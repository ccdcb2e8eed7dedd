package api

// picturePaths describes the static maps and the share cards, served
// from the root.
func picturePaths(root string) oa {
	servers := []oa{{"url": root}}
	str, num := oa{"type": "string"}, oa{"type": "number"}
	layers := oa{"name": "layers", "in": "path", "required": true, "schema": str,
		"description": "comma-separated collection ids (metro-lines,metro-stations)"}
	png := oa{"200": oa{"description": "a PNG", "content": oa{"image/png": oa{"schema": oa{"type": "string", "format": "binary"}}}},
		"400": errResp(), "404": errResp(), "503": errResp()}
	return oa{
		"/static/{layers}.png": oa{"servers": servers, "get": oa{
			"operationId": "staticMap",
			"summary":     "a static map drawn by the server: title, legend, data date, scale and attribution burnt in, on the district outlines; one of bbox, center with zoom, or project",
			"description": "Size cap: W and H at most 2400 at scale 1, at most 2000 at scale 2 (4000 px output). At most --max-renders are drawn at once; a render waits until the request's deadline, then 503 with Retry-After.",
			"parameters": []any{layers,
				param("bbox", "minLon,minLat,maxLon,maxLat", str),
				param("center", "lon,lat (with zoom)", str),
				param("zoom", "zoom 0–22, fractional allowed (with center)", num),
				param("project", "frame this project's sites in the layers", oa{"type": "integer", "minimum": 1}),
				param("size", "WxH in CSS pixels, default 1200x675", str),
				param("scale", "1 or 2 (device pixels per CSS pixel)", oa{"type": "integer", "enum": []int{1, 2}}),
				asofParam(), planParam(),
				param("lang", "zh (default) or en", oa{"type": "string", "enum": []string{"zh", "en"}}),
				param("title", "the title bar; default the project's title or the layers' titles", str),
				param("legend", "1 (default) or 0: without the statuses' legend", oa{"type": "string", "enum": []string{"1", "0"}}),
				param("status", "the sites of this tracking status only (base layers keep theirs)", trackingSchema()),
				param("district", "the project layers' sites in this district only (adcode, zone id, or name, of the plan's city); said on the picture", str),
			},
			"responses": png,
		}},
		"/share": oa{"servers": servers, "get": oa{
			"operationId": "shareCard",
			"summary":     "a share card: an HTML page with Open Graph, Twitter and WeChat meta tags whose image is the 1200×630 static map of the view, then a link and a meta refresh to the map",
			"parameters": []any{
				param("map", "zoom/lat/lng, as the map's URL writes it; default the city's view", str),
				param("layers", "comma-separated collection ids; default every project layer", str),
				param("date", "YYYY-MM-DD; default the plan's default date", oa{"type": "string", "format": "date"}),
				param("project", "project number", oa{"type": "integer", "minimum": 1}),
				param("cat", "the map's category filter: a category number of the plan; the picture draws that category's layers", oa{"type": "integer", "minimum": 1}),
				param("district", "the map's district filter (adcode, zone id, or name)", str),
				param("status", "the map's status filter", trackingSchema()),
				planParam(),
				param("basemap", "the map's basemap id; one the server does not offer is dropped", str),
				param("easy", "1: the map opens in the easy-reading mode", oa{"type": "string", "enum": []string{"1"}}),
				param("lang", "zh (default) or en", oa{"type": "string", "enum": []string{"zh", "en"}}),
				param("title", "the card's own title, at most 80 characters", str),
			},
			"responses": oa{"200": oa{"description": "an HTML page", "content": oa{"text/html": oa{"schema": str}}}, "400": errResp()},
		}},
	}
}

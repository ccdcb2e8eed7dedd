package api

// styleDocPaths describes the TileJSON documents, the MapLibre styles and
// their sprite, served from the root.
func styleDocPaths(root string) oa {
	servers := []oa{{"url": root}}
	layers := oa{"name": "layers", "in": "path", "required": true, "description": "comma-separated collection ids, each once",
		"schema": oa{"type": "array", "items": oa{"type": "string"}}, "style": "simple", "explode": false}
	sprite := oa{"name": "file", "in": "path", "required": true,
		"schema": oa{"type": "string", "enum": []string{"symbols.json", "symbols.png", "symbols@2x.json", "symbols@2x.png"}}}
	format := param("format", "mvt (the default): the vector tiles; png: the raster tiles", oa{"type": "string", "enum": []string{"mvt", "png"}})
	return oa{
		"/tiles/{layers}.json": oa{"servers": servers, "get": oa{
			"operationId": "tileJSON", "summary": "TileJSON 3.0.0 of the layers' vector (or raster) tiles",
			"description": "tiles name the plan, the date (resolved: the plan's date today without asof) and v, the data version, so that they can be cached for ever; vector_layers list each collection's fields. Sent with Cache-Control: no-cache.",
			"parameters":  []any{layers, planParam(), asofParam(), format},
			"responses":   oa{"200": jsonResp("a TileJSON document")["200"], "400": errResp(), "404": errResp()},
		}},
		"/styles/{layers}.json": oa{"servers": servers, "get": oa{
			"operationId": "style", "summary": "MapLibre style (version 8) of the layers in the map's symbology, over the configured basemap",
			"description": "Style layers {layer}-points (sprite symbols by status, hollow for approximate places), -cells (aggregated), -line and -casing, -fill and -outline. Sent with Cache-Control: no-cache.",
			"parameters":  []any{layers, planParam(), asofParam()},
			"responses":   oa{"200": jsonResp("a MapLibre style")["200"], "400": errResp(), "404": errResp()},
		}},
		"/styles/sprite/{file}": oa{"servers": servers, "get": oa{
			"operationId": "sprite", "summary": "the styles' sprite: the status symbols (pm-<status>, pm-<status>-hollow) and their index, at 1x and 2x",
			"parameters": []any{sprite},
			"responses": oa{"200": oa{"description": "the sprite's index (JSON) or sheet (PNG)", "content": oa{mediaJSON: oa{"schema": oa{"type": "object"}},
				"image/png": oa{"schema": oa{"type": "string", "format": "binary"}}}}, "404": errResp()},
		}},
	}
}

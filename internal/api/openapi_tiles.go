package api

// tilePaths describes the vector tiles (OGC API – Tiles), under /ogc.
func tilePaths(collectionID oa) oa {
	str := oa{"type": "string"}
	tms := oa{"name": "tileMatrixSetId", "in": "path", "required": true, "schema": oa{"type": "string", "enum": []string{tmsID}}}
	z := oa{"name": "tileMatrix", "in": "path", "required": true, "description": "zoom 0..22 (an error names it z)", "schema": oa{"type": "integer", "minimum": 0, "maximum": 22}}
	y := oa{"name": "tileRow", "in": "path", "required": true, "description": "row from the north (an error names it y)", "schema": oa{"type": "integer", "minimum": 0}}
	x := oa{"name": "tileCol", "in": "path", "required": true, "description": "column from the west (an error names it x)", "schema": oa{"type": "integer", "minimum": 0}}
	v := param("v", "the data version the tile link carries; when it is the current one the tile is sent immutable, cacheable for a year", str)
	colls := param("collections", "comma-separated collection ids; all collections with features when absent", oa{"type": "array", "items": str})
	tile := oa{
		"200": oa{"description": "a Mapbox Vector Tile: one layer per collection, extent 4096, buffer 64; dense point layers aggregated (see the tileset's aggregation)",
			"content": oa{mediaMVT: oa{"schema": oa{"type": "string", "format": "binary"}}}},
		"204": oa{"description": "no feature in the tile (answered without a store query where the layers' extents show nothing there)"},
		"400": errResp(), "404": errResp(),
	}
	desc := "Features carry id, name, name_en, project, district, status (tracking, on asof), progress (reported per cent) and precision."
	return oa{
		"/tileMatrixSets":                   oa{"get": oa{"operationId": "tileMatrixSets", "summary": "tile matrix sets", "responses": jsonResp("the tile matrix sets served")}},
		"/tileMatrixSets/{tileMatrixSetId}": oa{"get": oa{"operationId": "tileMatrixSet", "summary": "a tile matrix set (OGC TMS 2.0 JSON)", "parameters": []any{tms}, "responses": jsonResp("the tile matrix set")}},
		"/tiles":                            oa{"get": oa{"operationId": "datasetTilesets", "summary": "vector tilesets of the collections", "parameters": []any{planParam(), colls}, "responses": jsonResp("tilesets")}},
		"/tiles/{tileMatrixSetId}":          oa{"get": oa{"operationId": "datasetTileset", "summary": "tileset metadata", "parameters": []any{tms, planParam(), colls}, "responses": jsonResp("the tileset: tile URL template, layers and fields, aggregation")}},
		"/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}": oa{"get": oa{"operationId": "datasetTile", "summary": "a vector tile of several collections", "description": desc,
			"parameters": []any{tms, z, y, x, planParam(), asofParam(), colls, v}, "responses": tile}},
		"/collections/{collectionId}/tiles":                   oa{"get": oa{"operationId": "collectionTilesets", "summary": "vector tilesets of a collection", "parameters": []any{collectionID, planParam()}, "responses": jsonResp("tilesets")}},
		"/collections/{collectionId}/tiles/{tileMatrixSetId}": oa{"get": oa{"operationId": "collectionTileset", "summary": "tileset metadata of a collection", "parameters": []any{collectionID, tms, planParam()}, "responses": jsonResp("the tileset")}},
		"/collections/{collectionId}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}": oa{"get": oa{"operationId": "collectionTile", "summary": "a vector tile of a collection", "description": desc,
			"parameters": []any{collectionID, tms, z, y, x, planParam(), asofParam(), v}, "responses": tile}},
	}
}

package api

import (
	"github.com/labstack/echo/v4"
)

// openAPI serves the OpenAPI 3.0 definition of the OGC API, with the
// collection ids of the plan as an enumeration.
func (s *server) openAPI(c echo.Context) error {
	p, _, _, err := s.planQuery(c, jsonOnly)
	if err != nil {
		return err
	}
	var ids []string
	for _, l := range p.Layers {
		ids = append(ids, l.ID)
	}
	param := func(name, in, desc string, schema map[string]any, required bool) map[string]any {
		return map[string]any{"name": name, "in": in, "description": desc, "required": required, "schema": schema, "style": "form", "explode": false}
	}
	str := map[string]any{"type": "string"}
	collectionID := map[string]any{"name": "collectionId", "in": "path", "required": true, "schema": map[string]any{"type": "string", "enum": ids}}
	featureID := map[string]any{"name": "featureId", "in": "path", "required": true, "schema": str}
	plan := param("plan", "query", "plan id; the latest plan when absent", str, false)
	asof := param("asof", "query", "date progress is computed for, YYYY-MM-DD; today when absent", map[string]any{"type": "string", "format": "date"}, false)
	errResp := map[string]any{"description": "error", "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/error"}}}}
	jsonResp := func(desc string) map[string]any {
		return map[string]any{"200": map[string]any{"description": desc, "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}}}, "400": errResp}
	}
	geoResp := func(desc string) map[string]any {
		return map[string]any{
			"200": map[string]any{"description": desc, "content": map[string]any{"application/geo+json": map[string]any{"schema": map[string]any{"type": "object"}}}},
			"400": errResp, "404": errResp,
		}
	}
	doc := map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{
			"title":       "projectmap OGC API – Features",
			"version":     "1.0.0",
			"description": "Sites of " + p.Title + ". Every feature carries project, name, district, status, progress, precision and source.",
			"license":     map[string]any{"name": "data: see geodata/NOTICE.md"},
		},
		"servers": []map[string]any{{"url": base(c) + "/ogc"}},
		"paths": map[string]any{
			"/":            map[string]any{"get": map[string]any{"operationId": "landingPage", "summary": "landing page", "responses": jsonResp("links to the API definition, conformance and data")}},
			"/conformance": map[string]any{"get": map[string]any{"operationId": "conformance", "summary": "conformance classes", "responses": jsonResp("the classes this server conforms to")}},
			"/collections": map[string]any{"get": map[string]any{"operationId": "collections", "summary": "the collections", "parameters": []any{plan}, "responses": jsonResp("collections with titles and extents")}},
			"/collections/{collectionId}": map[string]any{"get": map[string]any{
				"operationId": "collection", "summary": "one collection", "parameters": []any{collectionID, plan},
				"responses": map[string]any{"200": jsonResp("the collection")["200"], "404": errResp},
			}},
			"/collections/{collectionId}/items": map[string]any{"get": map[string]any{
				"operationId": "items", "summary": "features of a collection, paged",
				"parameters": []any{
					collectionID, plan, asof,
					param("bbox", "query", "minLon,minLat,maxLon,maxLat in CRS84", map[string]any{"type": "array", "minItems": 4, "maxItems": 6, "items": map[string]any{"type": "number"}}, false),
					param("limit", "query", "page size, default 100, at most 10000 (larger values are clamped)", map[string]any{"type": "integer", "minimum": 1, "maximum": maxLimit, "default": defaultLimit}, false),
					param("offset", "query", "features to skip", map[string]any{"type": "integer", "minimum": 0, "default": 0}, false),
					param("project", "query", "project number", map[string]any{"type": "integer", "minimum": 1}, false),
					param("district", "query", "district adcode, zone id, or name", str, false),
					param("status", "query", "progress status on asof", map[string]any{"type": "string", "enum": []string{"not_started", "in_progress", "completed", "delayed"}}, false),
				},
				"responses": geoResp("a GeoJSON FeatureCollection with numberMatched, numberReturned and next/prev links"),
			}},
			"/collections/{collectionId}/items/{featureId}": map[string]any{"get": map[string]any{
				"operationId": "item", "summary": "one feature", "parameters": []any{collectionID, featureID, plan, asof},
				"responses": geoResp("a GeoJSON Feature"),
			}},
		},
		"components": map[string]any{"schemas": map[string]any{"error": map[string]any{
			"type": "object", "required": []string{"code", "message"},
			"properties": map[string]any{"code": str, "message": str, "param": str},
		}}},
	}
	return writeJSON(c, mediaOpenAPI, doc)
}

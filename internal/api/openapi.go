package api

import (
	"github.com/labstack/echo/v4"
)

// oa is a fragment of an OpenAPI document.
type oa = map[string]any

// openAPI serves the OpenAPI 3.0 definition of the OGC API, with the
// collection ids of the plan as an enumeration, and of the project and
// reports API under /api.
func (s *server) openAPI(c echo.Context) error {
	p, _, _, err := s.planQuery(c, jsonOnly)
	if err != nil {
		return err
	}
	var ids []string
	for _, l := range p.Layers {
		ids = append(ids, l.ID)
	}
	str := oa{"type": "string"}
	collectionID := oa{"name": "collectionId", "in": "path", "required": true, "schema": oa{"type": "string", "enum": ids}}
	featureID := oa{"name": "featureId", "in": "path", "required": true, "schema": str}
	paths := oa{
		"/":            oa{"get": oa{"operationId": "landingPage", "summary": "landing page", "responses": jsonResp("links to the API definition, conformance and data")}},
		"/conformance": oa{"get": oa{"operationId": "conformance", "summary": "conformance classes", "responses": jsonResp("the classes this server conforms to")}},
		"/collections": oa{"get": oa{"operationId": "collections", "summary": "the collections", "parameters": []any{planParam()}, "responses": jsonResp("collections with titles and extents")}},
		"/collections/{collectionId}": oa{"get": oa{
			"operationId": "collection", "summary": "one collection", "parameters": []any{collectionID, planParam()},
			"responses": oa{"200": jsonResp("the collection")["200"], "404": errResp()},
		}},
		"/collections/{collectionId}/items": oa{"get": oa{
			"operationId": "items", "summary": "features of a collection, paged",
			"description": "Every feature of a project carries its plan and its report side by side: " + featureFields +
				". Base-layer features carry nulls for these. Responses are sent with Cache-Control: no-cache (revalidate by ETag).",
			"parameters": []any{
				collectionID, planParam(), asofParam(),
				param("bbox", "minLon,minLat,maxLon,maxLat in CRS84", oa{"type": "array", "minItems": 4, "maxItems": 6, "items": oa{"type": "number"}}),
				limitParam(), offsetParam(),
				param("project", "project number", oa{"type": "integer", "minimum": 1}),
				param("district", "district adcode, zone id, or name, of the plan's city", str),
				param("status", "tracking status on asof (filtered by the store)", trackingSchema()),
				datumSpec(),
				param("f", "format: json (GeoJSON, the default) or csv (the same columns, UTF-8 with BOM); csv without limit is the whole selection, streamed as /download does", oa{"type": "string", "enum": []string{"json", "csv"}}),
			},
			"responses": geoResp("a GeoJSON FeatureCollection with numberMatched, numberReturned, asof and next/prev links"),
		}},
		"/collections/{collectionId}/download": oa{"get": oa{
			"operationId": "download", "summary": "every feature of the selection as one file, streamed",
			"description": "The items filters without paging (limit and offset are 400). Content-Disposition names the file; X-Total-Count and X-Data-Version say how many features of which version it holds. " +
				"If the data changes while it is read, the response is 409 before its first byte and a broken transfer after it, never a short or mixed file.",
			"parameters": []any{
				collectionID, planParam(), asofParam(),
				param("bbox", "minLon,minLat,maxLon,maxLat in CRS84", oa{"type": "array", "minItems": 4, "maxItems": 6, "items": oa{"type": "number"}}),
				param("project", "project number", oa{"type": "integer", "minimum": 1}),
				param("district", "district adcode, zone id, or name, of the plan's city", str),
				param("status", "tracking status on asof (filtered by the store)", trackingSchema()),
				param("f", "format: json (one GeoJSON FeatureCollection, the default) or csv (UTF-8 with BOM)", oa{"type": "string", "enum": []string{"json", "csv"}}),
			},
			"responses": geoResp("a GeoJSON FeatureCollection with numberMatched first and numberReturned last, or a CSV"),
		}},
		"/collections/{collectionId}/items/{featureId}": oa{"get": oa{
			"operationId": "item", "summary": "one feature, with the report that speaks for it on asof", "parameters": []any{collectionID, featureID, planParam(), asofParam(), datumSpec()},
			"responses": geoResp("a GeoJSON Feature"),
		}},
	}
	for k, v := range tilePaths(collectionID) {
		paths[k] = v
	}
	for _, more := range []oa{apiPaths(base(c)), picturePaths(base(c))} {
		for k, v := range more {
			paths[k] = v
		}
	}
	for k, v := range styleDocPaths(base(c)) {
		paths[k] = v
	}
	doc := oa{
		"openapi": "3.0.3",
		"info": oa{
			"title":       "projectmap OGC API – Features and reports API",
			"version":     "1.1.0",
			"description": "Sites of " + p.Title + ", with the plan's schedule and the agencies' progress reports kept apart. Every feature carries project, name, district, precision, source (in Chinese) with source_en (the same in English) and " + featureFields + ". Notes are Chinese in note, English in note_en.",
			"license":     oa{"name": "data: see geodata/NOTICE.md"},
		},
		"servers": []oa{{"url": base(c) + "/ogc"}},
		"paths":   paths,
		"components": oa{
			"schemas":         schemas(),
			"securitySchemes": oa{"bearer": oa{"type": "http", "scheme": "bearer", "description": "a token made with `projectmap token create`; reporters may file for their projects only"}},
		},
	}
	return writeJSON(c, mediaOpenAPI, doc)
}

// featureFields lists the tracking properties of a feature.
const featureFields = "status (tracking: completed, on_track, behind, not_started, suspended, unreported), planned (0..1), planned_status (not_due, under_way, due), due, " +
	"reported (0..1 or null), reported_status, reported_on, reported_by, report_source, report_url, report_id, report_schedule (set when the report is the schedule's, inherited)"

func param(name, desc string, schema oa) oa {
	return oa{"name": name, "in": "query", "description": desc, "required": false, "schema": schema, "style": "form", "explode": false}
}

func planParam() oa {
	return param("plan", "plan id; the latest plan when absent", oa{"type": "string"})
}

// datumSpec documents datum= (datum.go).
func datumSpec() oa {
	return param(datumParam, "wgs84 (the default) or gcj02: coordinates in and out (geometries, bbox) in GCJ-02, to draw on a GCJ-02 basemap such as AMap; not on a download", oa{"type": "string", "enum": []string{"wgs84", "gcj02"}})
}

func asofParam() oa {
	return param("asof", "date the plan and the reports are read on, YYYY-MM-DD; when absent the plan's default date: today in the city while the plan's year lasts, else its last day", oa{"type": "string", "format": "date"})
}

func limitParam() oa {
	return param("limit", "page size, default 100, at most 10000 (larger values are clamped)", oa{"type": "integer", "minimum": 1, "maximum": maxLimit, "default": defaultLimit})
}

func offsetParam() oa {
	return param("offset", "items to skip", oa{"type": "integer", "minimum": 0, "default": 0})
}

func trackingSchema() oa {
	return oa{"type": "string", "enum": []string{"completed", "on_track", "behind", "not_started", "suspended", "unreported"}}
}

func ref(name string) oa { return oa{"$ref": "#/components/schemas/" + name} }

func errResp() oa {
	return oa{"description": "error", "content": oa{mediaJSON: oa{"schema": ref("error")}}}
}

func jsonResp(desc string) oa {
	return oa{"200": oa{"description": desc, "content": oa{mediaJSON: oa{"schema": oa{"type": "object"}}}}, "400": errResp()}
}

func geoResp(desc string) oa {
	return oa{
		"200": oa{"description": desc, "content": oa{mediaGeoJSON: oa{"schema": oa{"type": "object"}}}},
		"400": errResp(), "404": errResp(),
	}
}

package api

// apiPaths describes the project and reports API, served from the root.
func apiPaths(root string) oa {
	servers := []oa{{"url": root}}
	str, date := oa{"type": "string"}, oa{"type": "string", "format": "date"}
	idPath := oa{"name": "id", "in": "path", "required": true, "schema": oa{"type": "integer", "minimum": 1}}
	bearer := []oa{{"bearer": []string{}}}
	writeErrs := func(ok oa) oa {
		r := oa{"400": errResp(), "401": errResp(), "403": errResp(), "413": errResp(), "415": errResp(), "422": errResp(), "429": errResp()}
		for k, v := range ok {
			r[k] = v
		}
		return r
	}
	idem := oa{"name": "Idempotency-Key", "in": "header", "required": false, "schema": oa{"type": "string", "maxLength": 255},
		"description": "a retry with the same key and body returns the first result (201, Idempotent-Replayed: true); the same key with another body is 422"}
	created := func(desc, schema string) oa {
		return oa{"201": oa{"description": desc, "content": oa{mediaJSON: oa{"schema": ref(schema)}}}}
	}
	return oa{
		"/api/config": oa{"servers": servers, "get": oa{"operationId": "config", "summary": "what the map needs first: basemap (the default) and basemaps (the switcher's list: id, name, name_en, url with any browser key filled in, subdomains, attribution, approval (审图号), crs wgs84|gcj02, max_zoom, labels {url, subdomains}), plan (plan=, else the latest) and its city {id,name,name_en}, plans (every plan: id, year, title, title_en, city), the city's today, default_date, time_zone, range {from,to} of the date slider, tolerance, center [lat,lon]", "responses": jsonResp("the configuration")}},
		"/api/projects": oa{"servers": servers, "get": oa{
			"operationId": "projects", "summary": "the plan's projects with planned and reported state, and the scorecard",
			"parameters": []any{planParam(), asofParam(), param("category", "category number", oa{"type": "integer", "minimum": 1}),
				param("district", "keep the projects with a share or a site in this district (adcode, zone id, or name, of the plan's city)", str),
				param("status", "keep the projects of this tracking status (the scorecard counts them all)", trackingSchema())},
			"responses": jsonResp("{plan, asof, scorecard, projects: [{…, planned, due, status, reported, sites, schedules: [{…, planned, due, status, reported}]}]}"),
		}},
		"/api/reports": oa{"servers": servers,
			"get": oa{
				"operationId": "reports", "summary": "the ledger, newest first (reported_on, then id); retracted reports included with retraction set",
				"parameters": []any{planParam(), param("project", "project number", oa{"type": "integer", "minimum": 1}), param("schedule", "schedule id", str),
					param("site", "site id: its own reports and those of the schedule it inherits from", str),
					param("since", "reported on or after", date), param("until", "reported on or before", date), limitParam(), offsetParam()},
				"responses": oa{"200": oa{"description": "{reports, numberMatched, numberReturned, links}", "content": oa{mediaJSON: oa{"schema": ref("reportsPage")}}}, "400": errResp()},
			},
			"post": oa{
				"operationId": "fileReports", "summary": "file reports: a JSON report, an array of them, or a text/csv ledger; all or none",
				"description": "Each report is checked by the one rule (domain.CheckReport): reported_on not in the future nor before the plan's year; one measure (quantity, milestone or fraction) or a status; a source. A quantity above the target is kept and flagged exceeds_target. The reporter is the token's holder. 201 only once durable.",
				"security":    bearer, "parameters": []any{planParam(), idem},
				"requestBody": oa{"required": true,
					"description": "JSON: a report or an array of them. CSV (UTF-8): a header naming columns project, schedule, site, reported_on, quantity, milestone, fraction, status, source, evidence_url, note (or 项目, 进度计划, 点位, 报告日期, 数量, 节点, 比例, 状态, 来源, 佐证链接, 备注), one report a row; bad rows are 422, each named by line and field. At most 5 MB.",
					"content": oa{
						mediaJSON: oa{"schema": oa{"oneOf": []any{ref("reportDraft"), oa{"type": "array", "items": ref("reportDraft")}}}},
						mediaCSV:  oa{"schema": oa{"type": "string"}},
					}},
				"responses": writeErrs(created("{reports: [Report…]}; Location names a single report", "filed")),
			},
		},
		"/api/reports/{id}": oa{"servers": servers, "get": oa{
			"operationId": "report", "summary": "one report with its retraction, if any", "parameters": []any{idPath, planParam()},
			"responses": oa{"200": oa{"description": "a report", "content": oa{mediaJSON: oa{"schema": ref("report")}}}, "400": errResp(), "404": errResp()},
		}},
		"/api/reports/{id}/retract": oa{"servers": servers, "post": oa{
			"operationId": "retract", "summary": "retract a report: a new record naming it and why; the report stays in the history",
			"security": bearer, "parameters": []any{idPath, planParam(), idem},
			"requestBody": oa{"required": true, "content": oa{mediaJSON: oa{"schema": oa{"type": "object", "required": []string{"reason"}, "properties": oa{"reason": str}}}}},
			"responses":   writeErrs(oa{"201": oa{"description": "{retraction, report}"}, "404": errResp(), "409": errResp()}),
		}},
		"/api/reports.atom": oa{"servers": servers, "get": oa{
			"operationId": "reportsFeed", "summary": "Atom feed of the newest filed reports, retractions marked", "parameters": []any{planParam(), param("project", "only this project's reports", oa{"type": "integer", "minimum": 1})},
			"responses": oa{"200": oa{"description": "an Atom 1.0 feed", "content": oa{mediaAtom: oa{"schema": str}}}, "400": errResp()},
		}},
		"/api/audit": oa{"servers": servers, "get": oa{
			"operationId": "audit", "summary": "the audit trail, newest first (admin tokens only)", "security": bearer, "parameters": []any{limitParam()},
			"responses": oa{"200": oa{"description": "{audit: [AuditEntry…]}"}, "401": errResp(), "403": errResp()},
		}},
		"/api/tokens": oa{"servers": servers,
			"get": oa{"operationId": "tokens", "summary": "every token, never a secret (admin only)", "security": bearer, "responses": oa{"200": oa{"description": "{tokens}"}, "401": errResp(), "403": errResp()}},
			"post": oa{"operationId": "createToken", "summary": "make a token; its secret is in this response only (admin only)", "security": bearer,
				"requestBody": oa{"required": true, "content": oa{mediaJSON: oa{"schema": oa{"type": "object", "properties": oa{"name": str, "role": oa{"type": "string", "enum": []string{"reporter", "editor", "admin"}}, "projects": oa{"type": "array", "items": oa{"type": "integer"}}}}}}},
				"responses":   writeErrs(oa{"201": oa{"description": "{token, secret}"}})},
		},
		"/api/tokens/{id}/revoke": oa{"servers": servers, "post": oa{
			"operationId": "revokeToken", "summary": "revoke a token (admin only)", "security": bearer,
			"parameters": []any{oa{"name": "id", "in": "path", "required": true, "schema": str}},
			"responses":  writeErrs(oa{"200": oa{"description": "{token_id, revoked}"}, "404": errResp()}),
		}},
	}
}

// schemas are the shapes the API answers with.
func schemas() oa {
	str, num, integer := oa{"type": "string"}, oa{"type": "number"}, oa{"type": "integer"}
	date := oa{"type": "string", "format": "date"}
	nullable := func(s oa) oa {
		out := oa{"nullable": true}
		for k, v := range s {
			out[k] = v
		}
		return out
	}
	return oa{
		"error": oa{
			"type": "object", "required": []string{"code", "message"},
			"properties": oa{"code": str, "message": str, "param": str, "errors": oa{"type": "array", "items": ref("problem")}},
		},
		"problem": oa{"type": "object", "properties": oa{
			"line": oa{"type": "integer", "description": "CSV line, the header being line 1"}, "index": oa{"type": "integer", "description": "0-based index in a JSON array"},
			"field": str, "message": str,
		}},
		"reportDraft": oa{"type": "object", "properties": oa{
			"project": integer, "schedule": str, "site": str, "reported_on": date,
			"quantity": num, "milestone": integer, "fraction": oa{"type": "number", "minimum": 0, "maximum": 1},
			"status": oa{"type": "string", "enum": []string{"not_started", "in_progress", "completed", "suspended"}},
			"source": str, "evidence_url": oa{"type": "string", "format": "uri"}, "note": str,
		}, "required": []string{"reported_on", "source"}},
		"report": oa{"type": "object", "properties": oa{
			"id": integer, "plan": str, "project": integer, "schedule": str, "layer": str, "site": str, "reported_on": date,
			"quantity": num, "metric": str, "milestone": integer, "fraction": num, "progress": num, "status": str,
			"exceeds_target": oa{"type": "boolean"}, "source": str, "evidence_url": str, "note": str,
			"reported_by": str, "token_id": str, "filed_at": oa{"type": "string", "format": "date-time"},
			"retraction": nullable(oa{"type": "object", "properties": oa{"id": integer, "report": integer, "reason": str, "retracted_by": str, "retracted_at": oa{"type": "string", "format": "date-time"}}}),
		}},
		"reportsPage": oa{"type": "object", "properties": oa{
			"reports": oa{"type": "array", "items": ref("report")}, "numberMatched": integer, "numberReturned": integer,
			"links": oa{"type": "array", "items": oa{"type": "object"}},
		}},
		"filed": oa{"type": "object", "properties": oa{"reports": oa{"type": "array", "items": ref("report")}}},
	}
}

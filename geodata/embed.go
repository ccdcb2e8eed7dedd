// Package geodata embeds the data files so that one binary runs anywhere.
// See SCHEMA.md for their formats and NOTICE.md for their sources.
package geodata

import "embed"

// Files holds districts.geojson, zones.geojson and every plan under plans/.
//
//go:embed districts.geojson zones.geojson plans
var Files embed.FS

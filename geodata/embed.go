// Package geodata embeds the data files so that one binary runs anywhere.
// See SCHEMA.md for their formats and NOTICE.md for their sources.
package geodata

import "embed"

// Files holds every city under cities/ (its districts and zones) and every
// plan under plans/.
//
//go:embed cities plans
var Files embed.FS

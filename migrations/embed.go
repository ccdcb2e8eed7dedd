// Package migrations holds the numbered SQL migrations of the PostGIS
// store, applied in order by internal/postgis with tern. A file's number
// is its schema version; never edit a migration that has shipped, add one.
package migrations

import "embed"

// Files holds 0001_init.sql and every later migration.
//
//go:embed *.sql
var Files embed.FS

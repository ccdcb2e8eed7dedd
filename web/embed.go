// Package web holds the map's front end. The Leaflet app in src/ is bundled
// by esbuild (`npm run build`, run by `make web`) into dist/, which the
// binary embeds and serves, so one file serves the map and the API.
package web

import "embed"

// Dist is the built front end: dist/index.html, dist/head.js, dist/app.js
// and dist/app.css. On a fresh clone before `npm run build` it holds only
// index.html (committed), so the Go code compiles; the page then loads
// without its script until the bundle is built.
//
//go:embed dist
var Dist embed.FS

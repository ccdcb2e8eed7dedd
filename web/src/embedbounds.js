// Frames for an embed, as bboxes [west, south, east, north] (lon/lat):
// a project's sites, or the map's view. A bbox, not a centre and zoom,
// so that a code made on a phone frames the same area on a desktop.

// MIN_SPAN is the smallest frame side in degrees (about 1 km): one site
// alone still gets a frame around it.
const MIN_SPAN = 0.01

// coordsOf calls fn(lon, lat) for every position of a GeoJSON geometry.
function coordsOf(g, fn) {
  if (!g) return
  if (g.type === 'GeometryCollection') return (g.geometries || []).forEach((x) => coordsOf(x, fn))
  const walk = (c) => {
    if (!Array.isArray(c)) return
    if (typeof c[0] === 'number') fn(c[0], c[1])
    else c.forEach(walk)
  }
  walk(g.coordinates)
}

// bboxOf is the bbox of GeoJSON features, at least MIN_SPAN a side; null
// when none has a geometry.
export function bboxOf(features) {
  let w = Infinity
  let s = Infinity
  let e = -Infinity
  let n = -Infinity
  for (const f of features) {
    coordsOf(f.geometry, (x, y) => {
      if (x < w) w = x
      if (x > e) e = x
      if (y < s) s = y
      if (y > n) n = y
    })
  }
  if (!isFinite(w)) return null
  return grow([w, s, e, n])
}

function grow([w, s, e, n]) {
  if (e - w < MIN_SPAN) [w, e] = [(w + e) / 2 - MIN_SPAN / 2, (w + e) / 2 + MIN_SPAN / 2]
  if (n - s < MIN_SPAN) [s, n] = [(s + n) / 2 - MIN_SPAN / 2, (s + n) / 2 + MIN_SPAN / 2]
  return [Math.max(-180, w), Math.max(-90, s), Math.min(180, e), Math.min(90, n)]
}

// projectBBox fetches a project's sites in its layers (getJSON adds the
// plan) and returns their bbox, or null.
export async function projectBBox(getJSON, layers, project) {
  const all = await Promise.all(
    layers.map((id) => getJSON(`/ogc/collections/${encodeURIComponent(id)}/items?limit=10000&project=${project}`).then((fc) => fc.features || [])),
  )
  return bboxOf(all.flat())
}

// viewBBox is a Leaflet map's view as a bbox.
export function viewBBox(map) {
  const b = map.getBounds()
  return grow([b.getWest(), b.getSouth(), b.getEast(), b.getNorth()])
}

// WGS84 ⇄ GCJ-02, the same transform as the server's internal/gcj02 (the
// published Krasovsky-ellipsoid formulas): the page uses it only to keep
// the URL's map= in WGS84 while a GCJ-02 basemap is shown; the overlays
// themselves come shifted from the server (datum=gcj02).

const A = 6378245.0
const EE = 0.00669342162296594323

const outOfChina = (lng, lat) => lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271

function tLat(x, y) {
  let r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x))
  r += ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3
  r += ((20 * Math.sin(y * Math.PI) + 40 * Math.sin((y / 3) * Math.PI)) * 2) / 3
  r += ((160 * Math.sin((y / 12) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30)) * 2) / 3
  return r
}

function tLng(x, y) {
  let r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x))
  r += ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3
  r += ((20 * Math.sin(x * Math.PI) + 40 * Math.sin((x / 3) * Math.PI)) * 2) / 3
  r += ((150 * Math.sin((x / 12) * Math.PI) + 300 * Math.sin((x / 30) * Math.PI)) * 2) / 3
  return r
}

// toGCJ02 takes and returns { lat, lng }.
export function toGCJ02({ lat, lng }) {
  if (outOfChina(lng, lat)) return { lat, lng }
  const rad = (lat / 180) * Math.PI
  let magic = Math.sin(rad)
  magic = 1 - EE * magic * magic
  const sq = Math.sqrt(magic)
  const dLat = (tLat(lng - 105, lat - 35) * 180) / (((A * (1 - EE)) / (magic * sq)) * Math.PI)
  const dLng = (tLng(lng - 105, lat - 35) * 180) / ((A / sq) * Math.cos(rad) * Math.PI)
  return { lat: lat + dLat, lng: lng + dLng }
}

// toWGS84 inverts toGCJ02 by fixed-point iteration, as the server does.
export function toWGS84({ lat, lng }) {
  let w = { lat, lng }
  for (let i = 0; i < 30; i++) {
    const g = toGCJ02(w)
    const dy = g.lat - lat
    const dx = g.lng - lng
    if (Math.abs(dx) < 1e-10 && Math.abs(dy) < 1e-10) break
    w = { lat: w.lat - dy, lng: w.lng - dx }
  }
  return w
}

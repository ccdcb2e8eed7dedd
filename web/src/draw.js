// How features look: tracking-status glyphs (shape + colour, never colour
// alone; see status.js), approximate-location styling, quantity badges,
// cluster icons, and the choropleth scale. Colours live in style.css under
// .status-<status>, so recolouring is a class change.

import L from './leaflet-setup.js'
import { TRACKING, trackingOf, glyph } from './status.js'
import { clusterName } from './a11y-names.js'

// APPROX lists the precisions drawn as approximate (hollow, dashed).
export const APPROX = new Set(['town', 'district', 'zone'])

// statusOf is the tracking status a feature is drawn with.
export const statusOf = trackingOf

export function precisionOf(p) {
  return (p && p.precision) || 'exact'
}

// FeatureIcon is a DivIcon whose element carries data-id and data-layer,
// so tests and styles can find a feature's marker.
export const FeatureIcon = L.DivIcon.extend({
  createIcon(old) {
    const el = L.DivIcon.prototype.createIcon.call(this, old)
    const o = this.options
    if (o.fid != null) el.dataset.id = o.fid
    if (o.layer) el.dataset.layer = o.layer
    if (o.count != null) el.dataset.count = o.count
    if (o.label) {
      el.setAttribute('role', 'button')
      el.setAttribute('aria-label', o.label)
    }
    return el
  },
})

function classes(kind, p) {
  const precision = precisionOf(p)
  return `${kind} status-${statusOf(p)} precision-${precision}${APPROX.has(precision) ? ' pm-approx' : ''}`
}

// pointIcon is the marker of a point feature.
export function pointIcon(layer, p, label) {
  return new FeatureIcon({
    className: classes('pm-marker pm-feature', p),
    html: glyph(statusOf(p), APPROX.has(precisionOf(p))),
    iconSize: [28, 28],
    iconAnchor: [14, 14],
    popupAnchor: [0, -12],
    tooltipAnchor: [12, 0],
    fid: p.id,
    layer,
    label,
  })
}

// glyphIcon is the status glyph put on a line or an area (not the feature itself).
export function glyphIcon(layer, p) {
  return new FeatureIcon({
    className: classes('pm-marker pm-glyph', p),
    html: glyph(statusOf(p), APPROX.has(precisionOf(p)), 20),
    iconSize: [22, 22],
    iconAnchor: [11, 11],
    layer,
  })
}

// badgeIcon is a quota label: status glyph plus the quantity. stack moves
// it up or down so badges of several layers at one place do not overlap.
export function badgeIcon(layer, p, text, stack, label) {
  const w = Math.round(30 + 8.6 * String(text).length)
  const off = stack === 0 ? 0 : (stack % 2 ? 1 : -1) * Math.ceil(stack / 2) * 30
  return new FeatureIcon({
    className: classes('pm-badge pm-feature', p),
    html: `${glyph(statusOf(p), false, 18)}<b>${text}</b>`,
    iconSize: [w, 26],
    iconAnchor: [w / 2, 13 - off],
    popupAnchor: [0, -13 + off],
    fid: p.id,
    layer,
    label,
  })
}

// clusterIcon draws a cluster as a ring split by the statuses of its markers.
export function clusterIcon(layer) {
  return (cluster) => {
    const counts = {}
    const markers = cluster.getAllChildMarkers()
    for (const m of markers) {
      const s = m.options.pmStatus || 'unreported'
      counts[s] = (counts[s] || 0) + 1
    }
    const n = markers.length
    let at = 0
    const stops = []
    for (const s of TRACKING) {
      if (!counts[s]) continue
      const to = at + (counts[s] / n) * 360
      stops.push(`var(--st-${s}) ${at.toFixed(1)}deg ${to.toFixed(1)}deg`)
      at = to
    }
    const size = n < 10 ? 34 : n < 50 ? 40 : 46
    return new FeatureIcon({
      className: 'pm-cluster',
      html: `<div style="background:conic-gradient(${stops.join(',')})"><span>${n}</span></div>`,
      iconSize: [size, size],
      iconAnchor: [size / 2, size / 2],
      layer,
      count: n,
      label: clusterName(n, counts),
    })
  }
}

// pathClass is the className of a line or polygon of a feature.
export function pathClass(kind, p) {
  return classes(kind, p)
}

// ---- representative points ----

function ringArea(ring) {
  let a = 0
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    a += (ring[j][0] + ring[i][0]) * (ring[j][1] - ring[i][1])
  }
  return Math.abs(a / 2)
}

// labelPoint returns a [lat, lng] inside the largest polygon of a
// (Multi)Polygon: the middle of the widest span of the horizontal line
// through its centre.
export function labelPoint(geom) {
  const polys = geom.type === 'Polygon' ? [geom.coordinates] : geom.type === 'MultiPolygon' ? geom.coordinates : []
  let best = null
  let bestArea = -1
  for (const poly of polys) {
    const a = poly[0] ? ringArea(poly[0]) : 0
    if (a > bestArea) {
      bestArea = a
      best = poly
    }
  }
  if (!best || !best[0] || !best[0].length) return null
  let minY = Infinity
  let maxY = -Infinity
  let sy = 0
  for (const [, y] of best[0]) {
    minY = Math.min(minY, y)
    maxY = Math.max(maxY, y)
    sy += y
  }
  // Try the mean latitude first, then the middle of the extent.
  for (const y of [sy / best[0].length, (minY + maxY) / 2]) {
    const xs = []
    for (const ring of best) {
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const [x1, y1] = ring[j]
        const [x2, y2] = ring[i]
        if (y1 > y !== y2 > y) xs.push(x1 + ((y - y1) * (x2 - x1)) / (y2 - y1))
      }
    }
    xs.sort((a, b) => a - b)
    let span = -1
    let mid = null
    for (let k = 0; k + 1 < xs.length; k += 2) {
      if (xs[k + 1] - xs[k] > span) {
        span = xs[k + 1] - xs[k]
        mid = (xs[k] + xs[k + 1]) / 2
      }
    }
    if (mid != null) return [y, mid]
  }
  const [x, y] = best[0][0]
  return [y, x]
}

// lineMidpoint returns the [lat, lng] halfway along the longest part of a
// (Multi)LineString.
export function lineMidpoint(geom) {
  const parts = geom.type === 'LineString' ? [geom.coordinates] : geom.type === 'MultiLineString' ? geom.coordinates : []
  let best = null
  let bestLen = -1
  for (const part of parts) {
    let len = 0
    for (let i = 1; i < part.length; i++) len += Math.hypot(part[i][0] - part[i - 1][0], part[i][1] - part[i - 1][1])
    if (len > bestLen) {
      bestLen = len
      best = part
    }
  }
  if (!best || !best.length) return null
  let half = bestLen / 2
  for (let i = 1; i < best.length; i++) {
    const seg = Math.hypot(best[i][0] - best[i - 1][0], best[i][1] - best[i - 1][1])
    if (seg >= half && seg > 0) {
      const f = half / seg
      return [best[i - 1][1] + f * (best[i][1] - best[i - 1][1]), best[i - 1][0] + f * (best[i][0] - best[i - 1][0])]
    }
    half -= seg
  }
  const last = best[best.length - 1]
  return [last[1], last[0]]
}

// bboxOf returns [[south, west], [north, east]] of a geometry, or null.
export function bboxOf(geom) {
  let w = Infinity
  let s = Infinity
  let e = -Infinity
  let n = -Infinity
  const walk = (c) => {
    if (typeof c[0] === 'number') {
      w = Math.min(w, c[0])
      e = Math.max(e, c[0])
      s = Math.min(s, c[1])
      n = Math.max(n, c[1])
    } else for (const x of c) walk(x)
  }
  if (!geom) return null
  if (geom.type === 'GeometryCollection') for (const g of geom.geometries || []) walk(g.coordinates || [])
  else walk(geom.coordinates || [])
  return isFinite(w)
    ? [
        [s, w],
        [n, e],
      ]
    : null
}

// ---- choropleth ----

// YlGnBu, ColorBrewer: sequential, colour-blind safe, prints in grey.
const RAMP = ['#ffffcc', '#a1dab4', '#41b6c4', '#2c7fb8', '#253494']

function nice(v) {
  if (v <= 0) return 0
  const p = Math.pow(10, Math.floor(Math.log10(v)) - 1)
  return Math.round(v / p) * p
}

// choroplethScale returns quantile classes of the values: breaks (the lower
// bound of every class but the first), colours, and a colour function.
export function choroplethScale(values) {
  const vs = values.filter((v) => typeof v === 'number' && isFinite(v) && v > 0).sort((a, b) => a - b)
  const breaks = []
  for (let i = 1; i < 5 && vs.length > 1; i++) {
    const b = nice(vs[Math.floor((i * vs.length) / 5)])
    if (b > vs[0] && (!breaks.length || b > breaks[breaks.length - 1])) breaks.push(b)
  }
  const n = breaks.length + 1
  const colours = Array.from({ length: n }, (_, i) => RAMP[n === 1 ? 2 : Math.round((i * (RAMP.length - 1)) / (n - 1))])
  const colour = (v) => {
    if (typeof v !== 'number' || !(v > 0)) return null
    let k = 0
    while (k < breaks.length && v >= breaks[k]) k++
    return colours[k]
  }
  return { breaks, colours, colour, min: vs[0], max: vs[vs.length - 1] }
}

// Drawing a layer's features with Leaflet: lines with a white casing and
// a status glyph at their middle, areas with a glyph at a label point,
// point markers, quota badges; and the base layer's district outlines.
// Shapes and colours come from draw.js (status glyphs, approximate
// places); this module only builds Leaflet layers and returns what the
// page indexes.

import L from './leaflet-setup.js'
import { lang, pick } from './i18n.js'
import { esc, num } from './util.js'
import { markerName } from './a11y-names.js'
import { pointIcon, glyphIcon, badgeIcon, pathClass, labelPoint, lineMidpoint, statusOf } from './draw.js'
import { LINE_TAP, lineLabel, labelLine } from './phone.js'

export function toLatLngs(g) {
  const depth = { LineString: 0, MultiLineString: 1, Polygon: 1, MultiPolygon: 2 }[g.type]
  return L.GeoJSON.coordsToLatLngs(g.coordinates, depth)
}

function tagPath(layer, id, fid) {
  layer.on('add', () => {
    const el = layer.getElement()
    if (el) {
      el.setAttribute('data-id', fid)
      el.setAttribute('data-layer', id)
    }
  })
}

export function featureId(f) {
  const p = f.properties || {}
  return String(f.id ?? p.id ?? p.adcode ?? '')
}

function tooltip(m, p, extra, hover) {
  if (!hover) return
  m.bindTooltip(esc(p.name || '') + (extra ? ` · ${esc(extra)}` : ''), { direction: 'top', offset: [0, -12] })
}

// drawFeature adds a feature's shapes and markers to group (point markers
// to cluster when there is one) and returns its index entry ({feature,
// layer, marker, latlng, bounds, cluster}), or null when it has nothing to
// draw. onOpen(latlng) opens its popup; hover: the device can hover, so
// markers get tooltips.
export function drawFeature(id, f, { group, cluster, derived, stack, scale, onOpen, hover }) {
  const g = f.geometry
  if (!g) return null
  const p = f.properties || (f.properties = {})
  const fid = featureId(f)
  if (p.id == null) p.id = fid
  const status = statusOf(p)
  const entry = { feature: f, layer: id }
  const open = onOpen
  const qty = typeof p.quantity === 'number' ? num(p.quantity, lang()) : ''
  switch (g.type) {
    case 'Point':
    case 'MultiPoint': {
      const coords = g.type === 'Point' ? [g.coordinates] : g.coordinates
      coords.forEach((c, i) => {
        const ll = L.latLng(c[1], c[0])
        const icon = derived ? badgeIcon(id, p, qty || '·', stack, markerName(p, qty)) : i === 0 ? pointIcon(id, p, markerName(p)) : glyphIcon(id, p)
        const m = L.marker(ll, { icon, pmStatus: status, riseOnHover: true, keyboard: i === 0 })
        m.on('click', () => open(m.getLatLng()))
        tooltip(m, p, qty, hover)
        if (cluster) cluster.addLayer(m)
        else group.addLayer(m)
        if (i === 0) Object.assign(entry, { marker: m, latlng: ll, cluster })
      })
      break
    }
    case 'LineString':
    case 'MultiLineString': {
      const lls = toLatLngs(g)
      group.addLayer(L.polyline(lls, { pane: 'pm-lines', className: 'pm-casing', interactive: false, weight: 9, color: '#fff', opacity: 0.9 }))
      const line = L.polyline(lls, { pane: 'pm-lines', className: pathClass('pm-line pm-feature', p), weight: 5, opacity: 1 })
      tagPath(line, id, fid)
      line.on('click', (e) => open(e.latlng))
      // An invisible wide stroke beneath all lines takes taps near a line.
      const hit = L.polyline(lls, { pane: 'pm-hits', className: 'pm-hit', weight: LINE_TAP, opacity: 0 })
      hit.on('add', () => hit.getElement() && hit.getElement().setAttribute('data-hit', fid))
      hit.on('click', (e) => open(e.latlng))
      group.addLayer(hit)
      group.addLayer(line)
      labelLine(line, lineLabel(id, p))
      const mid = lineMidpoint(g)
      if (mid) {
        const m = L.marker(mid, { icon: glyphIcon(id, p), pmStatus: status, keyboard: false })
        m.on('click', () => open(m.getLatLng()))
        tooltip(m, p, '', hover)
        group.addLayer(m)
        entry.latlng = L.latLng(mid)
      }
      entry.bounds = line.getBounds()
      break
    }
    case 'Polygon':
    case 'MultiPolygon': {
      const fill = scale ? scale.colour(p.per_100k) : null
      const kind = derived ? `pm-derived${fill ? ' pm-choropleth' : ''}` : 'pm-area pm-feature'
      const poly = L.polygon(toLatLngs(g), {
        pane: 'pm-areas',
        className: pathClass(kind, p),
        weight: 2,
        fill: !derived || !!fill,
        fillColor: fill || undefined,
        fillOpacity: fill ? 0.62 : 0.18,
      })
      if (!derived) tagPath(poly, id, fid)
      poly.on('click', (e) => open(e.latlng))
      group.addLayer(poly)
      const lp = labelPoint(g)
      if (lp) {
        const icon = derived ? badgeIcon(id, p, qty || '·', stack, markerName(p, qty)) : glyphIcon(id, p)
        const m = L.marker(lp, { icon, pmStatus: status, keyboard: derived, riseOnHover: true })
        m.on('click', () => open(m.getLatLng()))
        tooltip(m, p, qty, hover)
        group.addLayer(m)
        entry.latlng = L.latLng(lp)
        if (derived) entry.marker = m
      }
      entry.bounds = poly.getBounds()
      break
    }
    default:
      return null
  }
  return entry
}

// drawBase draws the base layer (district outlines and names) into a new
// group; index gets each district's entry.
export function drawBase(features, index, layer) {
  const group = L.layerGroup()
  for (const f of features) {
    if (!f.geometry || !/Polygon/.test(f.geometry.type)) continue
    const p = f.properties || {}
    const fid = featureId(f)
    const poly = L.polygon(toLatLngs(f.geometry), {
      pane: 'pm-base',
      className: 'pm-district',
      interactive: false,
      weight: 1.2,
      color: '#6f6f6f',
      fillColor: '#f3f0e8',
      fillOpacity: 0,
    })
    tagPath(poly, layer, fid)
    group.addLayer(poly)
    const lp = labelPoint(f.geometry)
    if (lp) {
      group.addLayer(
        L.marker(lp, {
          pane: 'pm-labels',
          interactive: false,
          keyboard: false,
          icon: L.divIcon({ className: 'pm-dlabel', html: `<span>${esc(pick(p, 'name'))}</span>`, iconSize: [0, 0] }),
        }),
      )
    }
    index.set(fid, { feature: f, layer, bounds: poly.getBounds(), latlng: lp && L.latLng(lp) })
  }
  return group
}


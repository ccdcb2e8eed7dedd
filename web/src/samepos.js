// Several sites at one coordinate (a town's centroid standing for every
// compound known only to its town) are one marker with their count, whose
// popup lists them; markercluster would otherwise spread them out as if
// they were distinct places.

import L from './leaflet-setup.js'
import { t, pick } from './i18n.js'
import { esc } from './util.js'
import { FeatureIcon, statusOf, precisionOf, APPROX } from './draw.js'
import { featureId } from './layerdraw.js'
import { precisionText } from './easyread.js'

const key = (c) => `${c[0]},${c[1]}`

// samePlaces splits point features into those alone at their coordinate
// and groups of two or more sharing one (in the features' order).
export function samePlaces(features) {
  const at = new Map()
  for (const f of features) {
    const g = f.geometry
    if (!g || g.type !== 'Point') continue
    const k = key(g.coordinates)
    if (!at.has(k)) at.set(k, [])
    at.get(k).push(f)
  }
  return [...at.values()].filter((list) => list.length > 1)
}

// samePlaceMarker is the one marker of a group; open() opens its list.
export function samePlaceMarker(layer, list, open) {
  const c = list[0].geometry.coordinates
  const n = list.length
  const icon = new FeatureIcon({
    className: `pm-marker pm-samepos precision-${precisionOf(list[0].properties)}${APPROX.has(precisionOf(list[0].properties)) ? ' pm-approx' : ''}`,
    html: `<b>${n}</b>`,
    iconSize: [34, 34],
    iconAnchor: [17, 17],
    popupAnchor: [0, -14],
    layer,
    count: n,
    label: t('samePlaceLabel')(n),
  })
  const m = L.marker(L.latLng(c[1], c[0]), { icon, riseOnHover: true })
  m.pmSamePlace = list
  m.on('click', () => open(m.getLatLng()))
  return m
}

// samePlaceHTML is the group's popup: what the point stands for, then a
// button per site opening its own popup.
export function samePlaceHTML(layer, list) {
  const items = list
    .map((f) => {
      const p = f.properties || {}
      const st = statusOf(p)
      return `<li><button type="button" class="pm-samepos-site" data-layer="${esc(layer)}" data-id="${esc(featureId(f))}">${esc(pick(p, 'name'))}</button> <span class="status-${st}">${esc(t('scoreLabels')[st] || st)}</span></li>`
    })
    .join('')
  return `<div class="pm-samepos-pop"><p class="pm-samepos-head"><b>${esc(t('samePlaceHead')(list.length))}</b></p><p class="pm-precision pm-approx-note">${esc(precisionText(list[0].properties))}</p><ul class="pm-samepos-list">${items}</ul></div>`
}

// drawSamePlaces adds one marker per coordinate shared by several points
// to group, indexes each of its sites at it, and returns the features it
// drew; open(latlng, html) opens the list. The marker stays out of the
// clusters: it is already a count, and a flight capped at the town level
// must find it, not a cluster around it.
export function drawSamePlaces(layer, features, { group, index, open }) {
  const done = new Set()
  for (const list of samePlaces(features)) {
    const m = samePlaceMarker(layer, list, (ll) => open(ll, samePlaceHTML(layer, list)))
    group.addLayer(m)
    for (const f of list) {
      done.add(f)
      index.set(featureId(f), { feature: f, layer, marker: m, latlng: m.getLatLng() })
    }
  }
  return done
}

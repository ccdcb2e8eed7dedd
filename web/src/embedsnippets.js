// The code an embed dialog hands out, from the options chosen there:
//
//   iframe:   the embed view (/embed#…) in an iframe that takes the height
//             the page asks for (postMessage, see embedheight.js), with a
//             <noscript> static map (/static/{layers}.png);
//   maplibre: a MapLibre GL JS map on the style /styles/{layers}.json;
//   leaflet:  a Leaflet map with the raster tiles /tiles/{layers}/{z}/{x}/{y}.png.
//
// o (every function): { base, layers, project, bbox, lang, date, plan,
// ratio, title, alt, dataLayers, attribution, basemap: {url, attribution} } where base is the map's directory URL ("https://…/"),
// date is '' for "latest" (the server's default date, whenever the
// article is read) and project 0 for none.

import { formatHash } from './state.js'
import { EMBED_PATH } from './embedview.js'
import { HEIGHT_MESSAGE, DEFAULT_RATIO, wantedHeight } from './embedheight.js'

export const KINDS = ['iframe', 'maplibre', 'leaflet']
export const STATIC_SIZE = '1200x675'

// embedState is the URL state of an embed: exactly the options chosen.
export function embedState(o) {
  return {
    view: null,
    bbox: o.bbox || null,
    layers: o.layers,
    date: o.date || null,
    project: o.project || null,
    status: '',
    plan: o.plan || null,
    lang: o.lang,
    ratio: o.ratio && o.ratio !== DEFAULT_RATIO ? o.ratio : null,
    embed: true,
  }
}

export const embedSrc = (o) => o.base + EMBED_PATH + formatHash(embedState(o))

// query writes a query string of the pairs with a value.
function query(pairs) {
  const q = pairs.filter(([, v]) => v !== '' && v != null && v !== 0).map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
  return q.length ? '?' + q.join('&') : ''
}

// The tiles and images take every layer by id, a group's members too.
const layerPath = (o) => (o.dataLayers || o.layers).map(encodeURIComponent).join(',')
const bboxText = (b) => b.map((v) => v.toFixed(5)).join(',')

export function staticURL(o) {
  // The static map frames the bbox (its project= is a frame too, not a filter).
  return `${o.base}static/${layerPath(o)}.png` + query([['bbox', o.bbox && bboxText(o.bbox)], ['size', STATIC_SIZE], ['lang', o.lang], ['asof', o.date], ['plan', o.plan]])
}

export const styleURL = (o) => `${o.base}styles/${layerPath(o)}.json` + query([['asof', o.date], ['plan', o.plan]])

// On a GCJ-02 basemap (basemaps.js) the data tiles come shifted to match.
const gcj = (o) => (o.basemap && o.basemap.crs === 'gcj02' ? 'gcj02' : '')
export const tilesURL = (o) => `${o.base}tiles/${layerPath(o)}/{z}/{x}/{y}.png` + query([['asof', o.date], ['plan', o.plan], ['datum', gcj(o)]])

// attr escapes text for a double-quoted attribute.
const attr = (s) => String(s).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

// frameId names the iframe in the page: from its address, so the same
// options give the same code, and two maps in one article differ.
export function frameId(src) {
  let h = 5381
  for (let i = 0; i < src.length; i++) h = ((h * 33) ^ src.charCodeAt(i)) >>> 0
  return 'projectmap-' + h.toString(36)
}

// iframeSnippet: the iframe, the listener that sets its height (only from
// messages its own window sent), and the static map for readers without
// JavaScript.
export function iframeSnippet(o) {
  const src = embedSrc(o)
  const id = frameId(src)
  const ratio = o.ratio || DEFAULT_RATIO
  const h = wantedHeight(640, ratio)
  return (
    `<iframe id="${id}" src="${attr(src)}" title="${attr(o.title)}" loading="lazy" allowfullscreen ` +
    `style="display:block;width:100%;height:${h}px;border:0"></iframe>\n` +
    `<script>(function(f){addEventListener('message',function(e){var d=e.data;` +
    `if(e.source===f.contentWindow&&d&&d.type==='${HEIGHT_MESSAGE}'&&d.height>0)f.style.height=Math.round(d.height)+'px'})})` +
    `(document.getElementById('${id}'))</script>\n` +
    `<noscript><style>#${id}{display:none}</style><img src="${attr(staticURL(o))}" alt="${attr(o.alt || o.title)}" width="1200" height="675" style="display:block;width:100%;height:auto"></noscript>`
  )
}

// js writes a value as JavaScript (JSON, with "<" escaped for a <script>).
const js = (v) => JSON.stringify(v).replace(/</g, '\\u003c')

// mapHost loads a map library (its .css and .js beside each other at lib)
// and makes the element the map is drawn in, as high as the embed's ratio
// wants at 640 px wide.
const mapHost = (lib, id, o) =>
  `<link rel="stylesheet" href="${lib}.css">\n` +
  `<script src="${lib}.js"></script>\n` +
  `<div id="${id}" style="width:100%;height:${wantedHeight(640, o.ratio)}px" role="region" aria-label="${attr(o.title)}"></div>\n`

export function maplibreSnippet(o) {
  const id = frameId(styleURL(o))
  const b = o.bbox
  return (
    mapHost('https://unpkg.com/maplibre-gl@5/dist/maplibre-gl', id, o) +
    `<script>\nnew maplibregl.Map({\n  container: ${js(id)},\n  style: ${js(styleURL(o))},\n` +
    (b ? `  bounds: [[${b[0]}, ${b[1]}], [${b[2]}, ${b[3]}]],\n` : '') +
    `  attributionControl: { compact: true },\n}).addControl(new maplibregl.NavigationControl())\n</script>`
  )
}

export function leafletSnippet(o) {
  const id = frameId(tilesURL(o))
  const b = o.bbox
  return (
    mapHost('https://unpkg.com/leaflet@1.9.4/dist/leaflet', id, o) +
    `<script>\nvar map = L.map(${js(id)})\n` +
    (b ? `map.fitBounds([[${b[1]}, ${b[0]}], [${b[3]}, ${b[2]}]])\n` : `map.setView([34.26, 108.94], 10)\n`) +
    (o.basemap && o.basemap.url ? `L.tileLayer(${js(o.basemap.url)}, { maxZoom: 19, ${o.basemap.subdomains ? `subdomains: ${js(o.basemap.subdomains)}, ` : ''}attribution: ${js([o.basemap.attribution, o.basemap.approval].filter(Boolean).join(' · '))} }).addTo(map)\n` : '') +
    `L.tileLayer(${js(tilesURL(o))}, {\n  maxZoom: 18,\n  attribution: ${js(o.attribution || '')},\n}).addTo(map)\n</script>`
  )
}

export function snippet(kind, o) {
  if (kind === 'maplibre') return maplibreSnippet(o)
  if (kind === 'leaflet') return leafletSnippet(o)
  return iframeSnippet(o)
}

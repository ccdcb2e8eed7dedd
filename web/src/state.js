// The page state kept in the URL hash, so a link reproduces the view:
//
//   #map=<zoom>/<lat>/<lng>[&bbox=<w>,<s>,<e>,<n>]&layers=<id>,<id>&date=YYYY-MM-DD&project=<n>[&cat=<n>][&district=<code>][&status=<tracking status>][&plan=<id>][&basemap=<id>][&easy=1]&lang=zh|en[&ratio=<h%>][&embed=1]
//
// bbox= is a frame (lon/lat, CRS84) the map fits on opening, at any
// window size: what an embed code carries, so that a code made on a phone
// frames the same area on a desktop. It wins over map=.
// ratio= is an embed's height as a percentage of its width (see embedheight.js).
// Missing keys mean "default"; "layers=" (empty) means no optional layer;
// cat= (a category number), district= (a district adcode or zone id) and
// status= (a tracking status) filter the list and the map together (see
// filters.js);
// easy=1 is the easy-reading mode (easyread.js); easy=0 turns a stored one off.
// plan= names the plan (the server's latest when missing).
// basemap= names the basemap of the switcher (the first when missing).
// embed=1 (always last) shows the bare map for an <iframe> in an article.

import { validDate } from './util.js'
import { TRACKING } from './status.js'

const ID_RE = /^[a-z0-9][a-z0-9-]*$/

// parseHash reads a state from a location hash; invalid parts are dropped.
export function parseHash(hash) {
  const out = { view: null, bbox: null, ratio: null, layers: null, date: null, project: null, cat: 0, district: '', status: '', plan: null, basemap: null, lang: null, easy: null, embed: false }
  const s = (hash || '').replace(/^#/, '')
  if (!s) return out
  for (const part of s.split('&')) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    const key = part.slice(0, eq)
    let val
    try {
      val = decodeURIComponent(part.slice(eq + 1))
    } catch {
      continue
    }
    switch (key) {
      case 'map': {
        const [z, lat, lng] = val.split('/').map(Number)
        if ([z, lat, lng].every(isFinite) && z >= 0 && z <= 22 && Math.abs(lat) <= 90 && Math.abs(lng) <= 180) {
          out.view = { zoom: z, lat, lng }
        }
        break
      }
      case 'bbox': {
        const b = val.split(',').map(Number)
        if (b.length === 4 && b.every(isFinite) && b[0] < b[2] && b[1] < b[3] && b[0] >= -180 && b[2] <= 180 && b[1] >= -90 && b[3] <= 90) out.bbox = b
        break
      }
      case 'ratio': {
        const n = Number(val)
        if (isFinite(n) && n >= 20 && n <= 200) out.ratio = n
        break
      }
      case 'layers':
        out.layers = val.split(',').filter((id) => ID_RE.test(id))
        break
      case 'date':
        if (validDate(val)) out.date = val
        break
      case 'project': {
        const n = Number(val)
        if (Number.isInteger(n) && n > 0) out.project = n
        break
      }
      case 'cat': {
        const n = Number(val)
        if (Number.isInteger(n) && n > 0) out.cat = n
        break
      }
      case 'district':
        if (ID_RE.test(val)) out.district = val
        break
      case 'status':
        if (TRACKING.includes(val)) out.status = val
        break
      case 'plan':
        if (ID_RE.test(val)) out.plan = val
        break
      case 'basemap':
        if (ID_RE.test(val)) out.basemap = val
        break
      case 'lang':
        if (val === 'zh' || val === 'en') out.lang = val
        break
      case 'easy':
        if (val === '1' || val === '0') out.easy = val === '1'
        break
      case 'embed':
        out.embed = val === '1'
        break
    }
  }
  return out
}

// formatHash writes a state as a hash; coordinates keep 5 decimals (~1 m).
// Null layers (a new plan's) are left out: the default layers.
export function formatHash(st) {
  const parts = []
  if (st.view) {
    parts.push(`map=${st.view.zoom}/${st.view.lat.toFixed(5)}/${st.view.lng.toFixed(5)}`)
  }
  if (st.bbox) parts.push(`bbox=${st.bbox.map((v) => v.toFixed(5)).join(',')}`)
  if (st.layers) parts.push(`layers=${st.layers.join(',')}`)
  if (st.date) parts.push(`date=${st.date}`)
  if (st.project) parts.push(`project=${st.project}`)
  if (st.cat) parts.push(`cat=${st.cat}`)
  if (st.district) parts.push(`district=${encodeURIComponent(st.district)}`)
  if (st.status) parts.push(`status=${st.status}`)
  if (st.plan) parts.push(`plan=${st.plan}`)
  if (st.basemap) parts.push(`basemap=${st.basemap}`)
  if (st.easy) parts.push('easy=1')
  parts.push(`lang=${st.lang}`)
  if (st.ratio) parts.push(`ratio=${st.ratio}`)
  if (st.embed) parts.push('embed=1')
  return '#' + parts.join('&')
}

// The "图片 / Picture" export: the server draws the current view as a
// static map (/static/{layers}.png, internal/api/raster_static.go), with
// the title, the legend, the data date, the scale and the sources burnt
// in, on the district outlines; the page only builds its URL and saves
// the answer. Nothing is captured from the page itself.

// PRESETS are the offered sizes in pixels.
export const PRESETS = [
  { id: 'social', w: 1200, h: 675 },
  { id: 'square', w: 1080, h: 1080 },
  { id: 'print', w: 2400, h: 1600 },
]
export const MIN_SIDE = 300
export const MAX_SIDE = 4000

// parseSide reads a side typed by the reader: a whole number of pixels
// within MIN_SIDE..MAX_SIDE, else NaN.
export function parseSide(v) {
  const s = String(v ?? '').trim()
  if (!/^\d{1,5}$/.test(s)) return NaN
  const n = Number(s)
  return n >= MIN_SIDE && n <= MAX_SIDE ? n : NaN
}

// pictureName is the download's file name, e.g. xian-2024-2024-09-30-1200x675.png.
export function pictureName(year, date, w, h) {
  return `xian-${year}-${date}-${w}x${h}.png`
}

// staticSize is how a picture of w×h pixels is asked of the server: at
// scale 1 up to about 1600 px a side, at scale 2 (half the size in CSS
// pixels) above, so that a print-size picture shows the area with
// symbols and labels as legible as on screen. The server allows 2400 a
// side at scale 1 and 2000 at scale 2; at scale 2 an odd side is rounded
// up, so out gives the picture's real size.
export function staticSize(w, h) {
  if (Math.max(w, h) <= 1600) return { size: `${w}x${h}`, scale: 1, out: { w, h } }
  const cw = Math.ceil(w / 2)
  const ch = Math.ceil(h / 2)
  return { size: `${cw}x${ch}`, scale: 2, out: { w: 2 * cw, h: 2 * ch } }
}

// staticURL is the server's picture of a view: layers (ids), bounds
// ([west, south, east, north]), size and scale, the date, the language,
// the plan ('' for the default), a title, whether the legend shows and
// the map's status and district filters ('' for none).
export function staticURL({ layers, bounds, size, scale, date, lang, plan, title, legend, status, district }) {
  const ids = layers.length ? layers : ['districts']
  const q = new URLSearchParams()
  q.set('bbox', bounds.map((v) => v.toFixed(5)).join(','))
  q.set('size', size)
  if (scale !== 1) q.set('scale', String(scale))
  if (date) q.set('asof', date)
  q.set('lang', lang === 'en' ? 'en' : 'zh')
  if (plan) q.set('plan', plan)
  if (title) q.set('title', title)
  if (!legend) q.set('legend', '0')
  if (status) q.set('status', status)
  if (district) q.set('district', district)
  return `/static/${ids.map(encodeURIComponent).join(',')}.png?${q}`
}

// fetchPicture asks the server for the picture; it throws an Error whose
// message is the server's own words (and the parameter it names) when the
// answer is not a PNG.
export async function fetchPicture(url) {
  const res = await fetch(url)
  const type = res.headers.get('Content-Type') || ''
  if (res.ok && type.startsWith('image/png')) return res.blob()
  let msg = `HTTP ${res.status}`
  try {
    const body = await res.json()
    if (body && body.message) msg = body.param ? `${body.param}: ${body.message}` : body.message
  } catch {
    // not JSON: keep the status
  }
  throw new Error(msg)
}

// The "图片 / Picture" export: a PNG of the current view at a chosen size,
// for print and social posts. The live Leaflet map is moved off screen,
// given the picture's size (in CSS pixels; the picture's pixels are that
// times a scale, so big pictures keep readable labels), fitted to the
// bounds that were on screen, and drawn by modern-screenshot (MIT), which
// copies the computed styles of every element, SVG paths included, into an
// SVG <foreignObject> and paints it on a canvas. A footer strip with the
// plan, the data date and the attribution is drawn below it on the same
// canvas; it says that the statuses are as reported. Then the map gets
// its size and view back.
//
// Basemap tiles from another origin are fetched again to be embedded; a
// server that does not allow that (no CORS) leaves holes, so the picture is
// then made again without tiles, on the district outlines, and the caller
// tells the reader.
//
// modern-screenshot is bundled into app.js: its domToCanvas adds about
// 22 KB (9 KB gzipped), too little to be worth a separate lazy chunk.

import { domToCanvas } from 'modern-screenshot'
import { t } from './i18n.js'

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

// pictureScale is how many picture pixels one CSS pixel of the map takes:
// 1 up to about 1200×800, more above, so that a print-size picture shows the
// same area with labels and symbols as legible as on screen.
export function pictureScale(w, h) {
  return Math.max(1, Math.min(w / 1200, h / 800))
}

// textOf turns an attribution written as HTML (a basemap's, with links and
// &copy;) into plain text.
export function textOf(html) {
  const d = document.createElement('div')
  d.innerHTML = String(html || '')
  return (d.textContent || '').replace(/\s+/g, ' ').trim()
}

// ---------- footer ----------

const INK = '#1d1d1f'
const MUTED = '#4a4f55'
const ACCENT = '#1f4e79'
// CJK characters and punctuation break anywhere; other text at spaces.
const TOKENS = /[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]|[^\s\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]+|\s+/g
// Closing punctuation never starts a line.
const CLOSING = /^[，。；：、！？）》」』】”’,.;:!?)\]]/

// wrapText breaks text into lines no wider than max (measure gives a width).
export function wrapText(measure, text, max) {
  const lines = []
  let line = ''
  const pushLong = (word) => {
    // A word wider than a line (a long URL) breaks between characters.
    for (const ch of word) {
      if (line && measure(line + ch) > max) {
        lines.push(line)
        line = ''
      }
      line += ch
    }
  }
  for (const tk of String(text || '').match(TOKENS) || []) {
    if (/^\s+$/.test(tk)) {
      if (line) line += ' '
      continue
    }
    if (!line || CLOSING.test(tk) || measure(line + tk) <= max) {
      if (!line && measure(tk) > max) pushLong(tk)
      else line += tk
      continue
    }
    lines.push(line.trimEnd())
    line = ''
    if (measure(tk) > max) pushLong(tk)
    else line = tk
  }
  if (line.trim()) lines.push(line.trimEnd())
  return lines
}

// layoutFooter lays out the strip under the map: the plan's name and the
// data date (on one line when they fit), the note on the statuses, then
// the attribution. It returns
// the strip's height and a function that draws it with its top at y.
export function layoutFooter(ctx, { width, scale, name, date, note, attribution, font }) {
  const pad = Math.round(12 * scale)
  const rule = Math.max(2, Math.round(3 * scale))
  const big = Math.round(15 * scale)
  const small = Math.round(12 * scale)
  const max = width - 2 * pad
  const rows = [] // {size, weight, color, left, right}
  const bold = `700 ${big}px ${font}`
  ctx.font = bold
  const measureBig = (s) => ctx.measureText(s).width
  if (measureBig(name) + 2 * big + measureBig(date) <= max) {
    rows.push({ size: big, font: bold, color: ACCENT, left: name, right: date })
  } else {
    for (const l of wrapText(measureBig, name, max)) rows.push({ size: big, font: bold, color: ACCENT, left: l })
    rows.push({ size: big, font: bold, color: INK, left: date })
  }
  // The note says how to read the statuses: as reported, not as planned.
  const mid = Math.round(13 * scale)
  const noteFont = `600 ${mid}px ${font}`
  ctx.font = noteFont
  const measureMid = (s) => ctx.measureText(s).width
  for (const l of wrapText(measureMid, note || '', max)) rows.push({ size: mid, font: noteFont, color: INK, left: l })
  const thin = `400 ${small}px ${font}`
  ctx.font = thin
  const measureSmall = (s) => ctx.measureText(s).width
  for (const l of wrapText(measureSmall, attribution, max)) rows.push({ size: small, font: thin, color: MUTED, left: l })
  const lineH = (r) => Math.round(r.size * 1.4)
  const height = rule + pad + rows.reduce((a, r) => a + lineH(r), 0) + Math.round(pad * 0.8)
  const draw = (c, top) => {
    c.fillStyle = '#fff'
    c.fillRect(0, top, width, height)
    c.fillStyle = ACCENT
    c.fillRect(0, top, width, rule)
    let y = top + rule + pad
    c.textBaseline = 'middle'
    for (const r of rows) {
      const mid = y + lineH(r) / 2
      c.font = r.font
      c.fillStyle = r.color
      c.textAlign = 'left'
      c.fillText(r.left, pad, mid)
      if (r.right) {
        c.fillStyle = INK
        c.textAlign = 'right'
        c.fillText(r.right, width - pad, mid)
      }
      y += lineH(r)
    }
  }
  return { height, draw }
}

// ---------- the map, drawn at another size ----------

// SKIP are the parts of the map that stay out of a picture: popups and
// tooltips, the zoom buttons, the attribution (the footer carries it) and
// the embed badge.
const SKIP = ['leaflet-popup-pane', 'leaflet-tooltip-pane', 'leaflet-control-zoom', 'leaflet-control-attribution', 'pm-ebadge']

// BLANK is a transparent pixel put where an image could not be fetched.
const BLANK = 'data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7'

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const frame = () => new Promise((r) => (typeof requestAnimationFrame === 'function' ? requestAnimationFrame(() => r()) : setTimeout(r, 16)))

// settle waits until the map has drawn its new view: the tiles loaded (at
// most 8 s) and the marker clusters' 0.3 s fade over.
async function settle(tileLayer) {
  if (tileLayer && tileLayer.isLoading && tileLayer.isLoading()) {
    await Promise.race([new Promise((r) => tileLayer.once('load', r)), sleep(8000)])
  }
  await sleep(450)
  await Promise.race([frame().then(frame), sleep(100)])
}

// captureMap draws the map at cssW×cssH CSS pixels, scaled, and puts the
// map back as it was. tiles: whether the basemap's tiles are drawn.
async function captureMap({ map, cssW, cssH, scale, tiles, tileLayer, legend, legendEl }) {
  const el = map.getContainer()
  const saved = {
    style: el.getAttribute('style'),
    center: map.getCenter(),
    zoom: map.getZoom(),
    bounds: map.getBounds(),
    snap: map.options.zoomSnap,
  }
  const details = legendEl && legendEl.querySelector('details')
  const wasOpen = !!details && details.open
  el.classList.add('pm-picture')
  if (!tiles) el.classList.add('pm-picture-base')
  el.style.cssText += `;position:fixed;left:${-(cssW + 200)}px;top:0;right:auto;bottom:auto;width:${cssW}px;height:${cssH}px`
  if (details && legend) details.open = true
  let failed = 0
  try {
    map.invalidateSize({ pan: false })
    // Quarter zoom steps fit the bounds closely at any size.
    map.options.zoomSnap = Math.min(saved.snap || 1, 0.25)
    map.fitBounds(saved.bounds, { animate: false })
    await settle(tiles ? tileLayer : null)
    const canvas = await domToCanvas(el, {
      width: cssW,
      height: cssH,
      scale,
      font: false, // the page uses system fonts only
      timeout: 20000,
      filter: (node) => {
        const cl = node.classList
        if (!cl) return true
        if (SKIP.some((c) => cl.contains(c))) return false
        if (!tiles && cl.contains('leaflet-tile-pane')) return false
        if (!legend && cl.contains('pm-legend')) return false
        return true
      },
      fetch: {
        placeholderImage: () => {
          failed++
          return BLANK
        },
      },
    })
    return { canvas, failed }
  } finally {
    el.classList.remove('pm-picture', 'pm-picture-base')
    if (saved.style == null) el.removeAttribute('style')
    else el.setAttribute('style', saved.style)
    if (details) details.open = wasOpen
    map.options.zoomSnap = saved.snap
    map.invalidateSize({ pan: false })
    map.setView(saved.center, saved.zoom, { animate: false })
  }
}

function canvasBlob(canvas) {
  return new Promise((resolve, reject) => {
    try {
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('toBlob gave nothing'))), 'image/png')
    } catch (e) {
      reject(e) // SecurityError: a tainted canvas
    }
  })
}

// makePicture renders the map and its footer as a w×h PNG. o.tileLayer is
// the basemap when it is shown, else null. It resolves to {blob, tiles,
// fellBack}: tiles tells whether the basemap is in the picture, fellBack
// that it was left out because its tiles could not be drawn.
export async function makePicture(o) {
  const { map, width: w, height: h, name, date, note, attribution, basemapAttribution, tileLayer, legend, legendEl } = o
  const scale = pictureScale(w, h)
  const font = getComputedStyle(document.documentElement).fontFamily || 'sans-serif'
  const tries = tileLayer ? [true, false] : [false]
  let lastErr = null
  for (const tiles of tries) {
    // A new canvas each time: one that drew a tainted image stays tainted.
    const out = document.createElement('canvas')
    out.width = w
    out.height = h
    const ctx = out.getContext('2d')
    const attr = tiles && basemapAttribution ? `${attribution}; ${t('basemap')} ${basemapAttribution}` : attribution
    const foot = layoutFooter(ctx, { width: w, scale, name, date: `${t('dataDate')} ${date}`, note, attribution: attr, font })
    const mapH = h - foot.height
    try {
      const { canvas, failed } = await captureMap({
        map,
        cssW: Math.round(w / scale),
        cssH: Math.round(mapH / scale),
        scale,
        tiles,
        tileLayer,
        legend,
        legendEl,
      })
      if (tiles && failed) throw new Error(`${failed} basemap tiles could not be fetched`)
      ctx.fillStyle = '#dfe6ec'
      ctx.fillRect(0, 0, w, mapH)
      ctx.drawImage(canvas, 0, 0, w, mapH)
      foot.draw(ctx, mapH)
      const blob = await canvasBlob(out)
      return { blob, tiles, fellBack: !tiles && !!tileLayer }
    } catch (e) {
      lastErr = e
      console.warn(tiles ? 'picture with basemap tiles failed, trying without:' : 'picture failed:', e)
    }
  }
  throw lastErr
}

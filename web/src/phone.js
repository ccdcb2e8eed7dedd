// Phone behaviour: the zoom a feature may be shown at (capped by how well
// its place is known), labels on the metro lines, and the hint that the
// category chip row scrolls sideways.

import { lang, t } from './i18n.js'
import { precisionOf } from './draw.js'

// ZOOM_CAP is the closest zoom a flight to a feature goes to, by its
// precision: a place known only to its town is not shown at street level.
//   exact 17 (a building), street 15 (a street or junction, ~100 m),
//   approximate 13 (a neighbourhood, ~1 km), town 13 (a town or
//   street office), zone 12 (a development zone), district 11.
export const ZOOM_CAP = { exact: 17, street: 15, approximate: 13, town: 13, zone: 12, district: 11 }

export function zoomCap(p) {
  return ZOOM_CAP[precisionOf(p)] ?? 13
}

// capOf is the loosest cap among features (what a frame around all of
// them may zoom to).
export function capOf(features) {
  return features.reduce((z, f) => Math.max(z, zoomCap(f.properties)), 0) || 13
}

// LINE_TAP is the width in pixels of the invisible stroke under each line
// that takes taps: a finger is ~9 mm (~35 px); 24 px keeps crossing lines
// apart while forgiving a tap a few pixels off a 5 px line.
export const LINE_TAP = 24

// LABEL_ZOOM is the lowest zoom at which metro lines carry labels.
export const LABEL_ZOOM = 11

// lineLabel is a metro line's short label (8号线, Line 8), or ''.
export function lineLabel(layer, p) {
  if (layer !== 'metro-lines') return ''
  const m = /(\d+)\s*号线/.exec(p.name || '') || /Line\s*(\d+)/i.exec(p.name_en || '')
  if (!m) return ''
  return lang() === 'en' ? `Line ${m[1]}` : `${m[1]}号线`
}

// labelLine puts a line's label on it: a permanent tooltip (which takes
// no taps), hidden below LABEL_ZOOM by the pm-z-nolines class.
export function labelLine(line, text) {
  if (!text) return
  line.bindTooltip(text, { permanent: true, direction: 'center', className: 'pm-linelabel', opacity: 1 })
}

// chipHint marks the chip row as scrolling: fades and an arrow at the
// edges with more chips (pm-more-left/right), and a name that says so.
export function chipHint(el) {
  const wrap = document.createElement('div')
  wrap.className = 'pm-cats-wrap'
  el.parentNode.insertBefore(wrap, el)
  wrap.appendChild(el)
  const arrow = document.createElement('span')
  arrow.className = 'pm-cats-arrow'
  arrow.setAttribute('aria-hidden', 'true')
  arrow.textContent = '›'
  wrap.appendChild(arrow)
  const sync = () => {
    const more = el.scrollWidth - el.clientWidth > 2
    wrap.classList.toggle('pm-more-left', more && el.scrollLeft > 2)
    wrap.classList.toggle('pm-more-right', more && el.scrollLeft < el.scrollWidth - el.clientWidth - 2)
    el.setAttribute('role', 'group')
    el.setAttribute('aria-label', more ? t('chipsScroll') : t('chipsLabel'))
  }
  arrow.addEventListener('click', () => el.scrollBy({ left: el.clientWidth * 0.7, behavior: 'smooth' }))
  el.addEventListener('scroll', sync, { passive: true })
  new MutationObserver(sync).observe(el, { childList: true })
  if (window.ResizeObserver) new ResizeObserver(sync).observe(el)
  sync()
}

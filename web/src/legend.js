// The map's legend: the six tracking statuses with their glyphs, the
// tolerance that makes a report "behind", the approximate-place and line
// conventions, clusters, sites sharing one point, and the quota choropleth when it is shown.

import { t, pick, lang } from './i18n.js'
import { esc, num } from './util.js'
import { TRACKING, glyph } from './status.js'

// legendHTML builds the legend's <details>. tolerance is a fraction (0.1);
// choropleth is {title, scale} or null.
export function legendHTML({ open, tolerance, choropleth }) {
  let h = `<details${open ? ' open' : ''}><summary>${esc(t('legend'))}</summary>`
  h += `<div class="pm-lg-title">${esc(t('legendStatus'))}</div><ul>`
  for (const s of TRACKING) h += `<li data-status="${s}"><span class="status-${s} pm-lg-sym">${glyph(s, false, 24)}</span>${esc(t('trackLegend')[s])}</li>`
  h += '</ul>'
  if (typeof tolerance === 'number') h += `<p class="pm-lg-note">${esc(t('tolerance')(Math.round(tolerance * 100)))}</p>`
  h += '<ul>'
  h += `<li><span class="status-unreported pm-lg-sym">${glyph('unreported', true, 24)}</span>${esc(t('approxLegend'))}</li>`
  h +=
    `<li><span class="pm-lg-sym"><svg width="26" height="12" aria-hidden="true"><path d="M1 6h24" class="status-on_track pm-lg-line"/></svg></span>${esc(t('lineLegend'))}</li>` +
    `<li><span class="pm-lg-sym"><svg width="26" height="12" aria-hidden="true"><path d="M1 6h24" class="status-unreported pm-lg-line pm-lg-dash"/></svg></span>${esc(t('approxShort'))}</li>` +
    `<li><span class="pm-lg-sym"><span class="pm-cluster pm-lg-cluster"><div style="background:conic-gradient(var(--st-on_track) 0deg 216deg,var(--st-unreported) 216deg 360deg)"><span>12</span></div></span></span>${esc(t('cluster'))}</li>` +
    `<li><span class="pm-lg-sym"><span class="pm-marker pm-samepos pm-approx pm-lg-samepos"><b>7</b></span></span>${esc(t('samePlaceLegend'))}</li></ul>`
  // A filter can leave the quota layer empty: then there is no scale to show.
  if (choropleth && choropleth.scale && choropleth.scale.colours.length && choropleth.scale.min != null) {
    const { breaks, colours, min, max } = choropleth.scale
    const f = (v) => num(v, lang())
    h += `<div class="pm-lg-title">${esc(pick(choropleth.info, 'title'))}<br><small>${esc(t('quotaPer100k'))}</small></div><ul class="pm-lg-scale">`
    colours.forEach((c, i) => {
      const label = !breaks.length ? `${f(min)}–${f(max)}` : i === 0 ? `< ${f(breaks[0])}` : i === breaks.length ? `≥ ${f(breaks[i - 1])}` : `${f(breaks[i - 1])}–${f(breaks[i])}`
      h += `<li><span class="pm-swatch" style="background:${c}"></span>${esc(label)}</li>`
    })
    h += '</ul>'
  }
  return h + '</details>'
}

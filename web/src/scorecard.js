// The scorecard at the top of the project list: how many projects stand at
// each tracking status on the chosen date (from /api/projects `scorecard`).
// Each count is a button that filters the list and the map to that status.
// Once the plan's year is over (`final`) it also reads as promises kept,
// not kept and unknown.

import { t } from './i18n.js'
import { esc } from './util.js'
import { TRACKING, glyph, trackingOf } from './status.js'

// scorecardOf returns the server's scorecard, or counts the projects'
// statuses when the server sent none.
export function scorecardOf(res, projects, asof) {
  const sc = res && res.scorecard
  if (sc && sc.counts) return sc
  const counts = Object.fromEntries(TRACKING.map((s) => [s, 0]))
  for (const p of projects) counts[trackingOf(p)]++
  return { asof, total: projects.length, counts, final: false }
}

// scorecardHTML draws the scorecard; filter is the status chosen, or ''.
export function scorecardHTML(sc, filter) {
  const counts = sc.counts || {}
  let h = `<section class="pm-score" aria-labelledby="pm-score-h"><h2 id="pm-score-h" class="pm-score-title">${esc(
    sc.final ? t('scoreFinalTitle')(sc.asof || '') : t('scoreTitle')(sc.asof || ''),
  )}</h2>`
  if (sc.final) {
    h += '<div class="pm-score-final">'
    for (const k of ['kept', 'not_kept', 'unknown']) {
      h += `<div class="pm-score-fin pm-fin-${k}"><b>${sc[k] ?? 0}</b><span>${esc(t('scoreFinal')[k])}</span></div>`
    }
    h += `</div><p class="pm-score-help">${esc(t('scoreFinalHelp'))}</p>`
  }
  h += `<div class="pm-score-grid" role="group" aria-label="${esc(t('filterAll'))}">`
  for (const s of TRACKING) {
    const n = counts[s] || 0
    const on = filter === s
    h +=
      `<button type="button" class="pm-score-btn status-${s}${n ? '' : ' pm-score-zero'}" data-filter="${s}" aria-pressed="${on}">` +
      `<span class="pm-inline-glyph">${glyph(s, false, 22)}</span><b>${n}</b><span class="pm-score-label">${esc(t('scoreLabels')[s])}</span></button>`
  }
  h += `</div><p class="pm-score-help">${esc(filter ? t('filterOn')(t('scoreLabels')[filter]) : t('scoreFilterHelp'))}`
  if (filter) h += ` <button type="button" class="pm-linkbtn" data-filter="">${esc(t('filterClear'))}</button>`
  h += `</p></section>`
  return h
}

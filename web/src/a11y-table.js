// The map as a table (a text alternative, WCAG 1.1.1): the places drawn on
// the map for the layers, date and filters shown, counted by district and
// by tracking status, in a dialog opened from the header's 表格 / Table
// button. It reads the same features the markers are drawn from.

import { t, pick } from './i18n.js'
import { esc } from './util.js'
import { TRACKING, trackingOf } from './status.js'
import { statusWords } from './a11y-names.js'
import { wireDialog } from './dialog.js'

// districtRows counts features by district and tracking status: rows
// sorted by the number of places (then name), the unnamed district last.
export function districtRows(features) {
  const rows = new Map()
  for (const f of features) {
    const p = f.properties || {}
    const key = p.district || p.district_name || ''
    let r = rows.get(key)
    if (!r) rows.set(key, (r = { name: pick(p, 'district_name') || '', total: 0, by: {} }))
    const s = trackingOf(p)
    r.total++
    r.by[s] = (r.by[s] || 0) + 1
  }
  return [...rows.values()].sort((a, b) => (!a.name) - (!b.name) || b.total - a.total || a.name.localeCompare(b.name, 'zh-CN'))
}

// tableHTML is the table of rows, with a total row; caption says the date
// and the layers.
export function tableHTML(rows, caption) {
  if (!rows.length) return `<p class="pm-muted">${esc(t('a11yTableEmpty'))}</p>`
  const cols = TRACKING.filter((s) => rows.some((r) => r.by[s]))
  const total = { name: t('a11yTotal'), total: 0, by: {} }
  for (const r of rows) {
    total.total += r.total
    for (const s of cols) total.by[s] = (total.by[s] || 0) + (r.by[s] || 0)
  }
  const row = (r, tag) =>
    `<tr><th scope="row">${esc(r.name || t('a11yNoDistrict'))}</th><${tag}>${r.total}</${tag}>` +
    cols.map((s) => `<${tag}>${r.by[s] || 0}</${tag}>`).join('') +
    '</tr>'
  return (
    `<table class="pm-dtable"><caption>${esc(caption)}</caption>` +
    `<thead><tr><th scope="col">${esc(t('a11yDistrict'))}</th><th scope="col">${esc(t('a11ySites'))}</th>` +
    cols.map((s) => `<th scope="col">${esc(statusWords(s))}</th>`).join('') +
    `</tr></thead><tbody>${rows.map((r) => row(r, 'td')).join('')}</tbody>` +
    `<tfoot>${row(total, 'td')}</tfoot></table>`
  )
}

// tableDialog builds the dialog and wires the header button. layers()
// returns the layers shown, [{title, features}]; date() the data date.
export function tableDialog({ button, layers, date }) {
  const dlg = document.createElement('div')
  dlg.id = 'pm-table-dlg'
  dlg.className = 'pm-dlg'
  dlg.hidden = true
  dlg.setAttribute('role', 'dialog')
  dlg.setAttribute('aria-modal', 'true')
  dlg.setAttribute('aria-labelledby', 'pm-table-h')
  dlg.innerHTML =
    '<div class="pm-dlg-box pm-table-box"><div class="pm-dlg-head"><h2 id="pm-table-h"></h2>' +
    '<button type="button" class="pm-dlg-close" id="pm-table-close">×</button></div><div id="pm-table-body" class="pm-table-body"></div></div>'
  document.body.appendChild(dlg)
  const body = dlg.querySelector('#pm-table-body')
  const fill = () => {
    const shown = layers()
    const caption = t('a11yTableCaption')(date(), shown.map((l) => l.title).join(t('listSep')) || '—')
    body.innerHTML = tableHTML(districtRows(shown.flatMap((l) => l.features)), caption)
  }
  const label = () => {
    button.textContent = t('a11yTable')
    button.title = t('a11yTableLabel')
    dlg.querySelector('#pm-table-h').textContent = t('a11yTableTitle')
    dlg.querySelector('#pm-table-close').setAttribute('aria-label', t('close'))
    if (!dlg.hidden) fill()
  }
  const close = () => {
    dlg.hidden = true
    button.focus()
  }
  button.addEventListener('click', () => {
    fill()
    dlg.hidden = false
    dlg.querySelector('#pm-table-close').focus()
  })
  dlg.querySelector('#pm-table-close').addEventListener('click', close)
  wireDialog(dlg, close)
  label()
  return { label, refresh: () => !dlg.hidden && fill() }
}

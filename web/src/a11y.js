// Accessibility wiring of the page (issue 12), called from app.js: skip
// links, the panel's tablist, marker keys, popup focus, and the district
// table (a11y-keys.js, a11y-table.js, a11y-names.js).

import { t } from './i18n.js'
import { wireMarkerKeys, wirePopupFocus, wireSkipLinks, wireTablist } from './a11y-keys.js'
import { tableDialog } from './a11y-table.js'

// a11yPage wires what needs no map; layers() and date() feed the table.
// It returns texts(), to call when the language changes.
export function a11yPage({ layers, date }) {
  wireSkipLinks()
  const list = document.querySelector('#pm-panel [role="tablist"]')
  if (list) wireTablist(list)
  const results = document.getElementById('pm-results')
  if (results) results.addEventListener('click', focusCard)
  const button = document.getElementById('pm-btn-table')
  const table = button ? tableDialog({ button, layers, date }) : null
  return function texts() {
    for (const b of document.querySelectorAll('button[data-skip]')) b.textContent = t(b.dataset.skip === 'map' ? 'a11ySkipMap' : 'a11ySkipDate')
    if (table) table.label()
  }
}

// a11yMap wires the map's keyboard use once the map exists.
export function a11yMap(map) {
  wireMarkerKeys(map)
  wirePopupFocus(map, (content) => {
    const h = content.querySelector('h3, h4, strong')
    return h ? h.textContent : ''
  })
}

// focusCard puts focus on the project card after a project is chosen from
// the list (the list is redrawn, so the button clicked is gone).
function focusCard(e) {
  if (!e.target.closest('button[data-project]')) return
  setTimeout(() => {
    const card = document.getElementById('pm-card')
    if (!card || card.hidden) return
    card.tabIndex = -1
    card.focus({ preventScroll: true })
  }, 0)
}

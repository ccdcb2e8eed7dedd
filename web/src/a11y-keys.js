// Keyboard use of the map (WCAG 2.1.1): markers, badges and clusters open
// or zoom with Enter and Space; focus moves into an opened popup and back
// to what opened it when it closes; skip links to the map and the date;
// the panel's tabs are a tablist (arrow keys, Home, End).

const ACTIVE = '.pm-feature[role="button"], .pm-cluster'

// visible reports whether an element is drawn (not hidden, in the page).
const visible = (el) => !!el && el.isConnected && el.getClientRects().length > 0

// wireMarkerKeys makes Enter and Space on a marker, badge or cluster act as
// a click (Leaflet opens a popup, markercluster zooms), and after a
// cluster's zoom puts focus on the marker or cluster drawn nearest to it.
export function wireMarkerKeys(map) {
  const box = map.getContainer()
  box.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' && e.key !== ' ') return
    const el = e.target.closest && e.target.closest(ACTIVE)
    if (!el || !box.contains(el)) return
    e.preventDefault()
    e.stopPropagation()
    if (el.classList.contains('pm-cluster')) focusAfterZoom(map, el)
    el.click()
  })
  // Leaflet also turns a keypress of Enter into a click: the keydown above
  // did it already (capture runs before Leaflet's own listener).
  box.addEventListener(
    'keypress',
    (e) => {
      if ((e.key === 'Enter' || e.key === ' ') && e.target.closest && e.target.closest(ACTIVE)) e.stopPropagation()
    },
    true,
  )
}

// focusAfterZoom waits for what a cluster's click starts (a zoom, or a
// spiderfy when its places share one point), then focuses what is drawn
// nearest the cluster's place, the cluster itself aside (the map if
// nothing is).
function focusAfterZoom(map, el) {
  const box = map.getContainer().getBoundingClientRect()
  const r = el.getBoundingClientRect()
  const at = map.containerPointToLatLng([r.left + r.width / 2 - box.left, r.top + r.height / 2 - box.top])
  let zooming = false
  let done = false
  const pick = () => {
    const p = map.latLngToContainerPoint(at)
    let best = null
    let bestD = Infinity
    for (const c of map.getContainer().querySelectorAll(ACTIVE)) {
      if (c === el || !visible(c)) continue
      const cr = c.getBoundingClientRect()
      const d = Math.hypot(cr.left + cr.width / 2 - box.left - p.x, cr.top + cr.height / 2 - box.top - p.y)
      if (d < bestD) [best, bestD] = [c, d]
    }
    ;(best || map.getContainer()).focus({ preventScroll: true })
  }
  const go = () => {
    if (done) return
    done = true
    setTimeout(pick, 400) // markercluster redraws after the zoom
  }
  map.once('zoomstart', () => (zooming = true))
  map.once('moveend', go)
  setTimeout(() => zooming || go(), 300)
}

// wirePopupFocus moves focus into each popup that opens (its content is a
// named, focusable, scrollable region) and, when it closes with focus in
// it, back to the element that opened it, or the feature's marker, or the
// map.
export function wirePopupFocus(map, label) {
  map.on('popupopen', (e) => {
    const popup = e.popup
    const el = popup.getElement()
    const content = el && el.querySelector('.leaflet-popup-content')
    if (!content) return
    const from = document.activeElement
    popup.pmOpener = from && from !== document.body && !el.contains(from) ? from : null
    content.tabIndex = 0
    content.setAttribute('role', 'group')
    content.setAttribute('aria-label', label(content))
    content.focus({ preventScroll: true })
    // Leaflet closes a popup on Escape only while the map itself has focus.
    el.addEventListener('keydown', (k) => {
      if (k.key !== 'Escape') return
      k.stopPropagation()
      map.closePopup(popup)
    })
  })
  map.on('popupclose', (e) => {
    const popup = e.popup
    const el = popup.getElement()
    const active = document.activeElement
    if (active && active !== document.body && !(el && el.contains(active))) return
    const marker = popup.pmLayer && map.getContainer().querySelector(`.pm-feature[data-layer="${CSS.escape(popup.pmLayer)}"][data-id="${CSS.escape(String(popup.pmId))}"]`)
    const to = [popup.pmOpener, marker].find(visible) || map.getContainer()
    to.focus({ preventScroll: true })
  })
}

// wireSkipLinks makes each button[data-skip] focus the element it names.
export function wireSkipLinks(root = document) {
  for (const b of root.querySelectorAll('button[data-skip]')) {
    b.addEventListener('click', () => {
      const to = document.getElementById(b.dataset.skip)
      if (to) to.focus()
    })
  }
}

// wireTablist gives a tablist's tabs arrow-key movement (Left/Right,
// Home/End; the tab focused is selected, by a click) and a roving
// tabindex kept in step with aria-selected.
export function wireTablist(list) {
  const tabs = () => [...list.querySelectorAll('[role="tab"]')]
  const sync = () => {
    const all = tabs()
    const sel = all.find((b) => b.getAttribute('aria-selected') === 'true') || all[0]
    for (const b of all) b.tabIndex = b === sel ? 0 : -1
  }
  list.addEventListener('keydown', (e) => {
    const all = tabs()
    const i = all.indexOf(document.activeElement)
    if (i < 0) return
    const to = { ArrowRight: i + 1, ArrowDown: i + 1, ArrowLeft: i - 1, ArrowUp: i - 1, Home: 0, End: all.length - 1 }[e.key]
    if (to === undefined) return
    e.preventDefault()
    const b = all[(to + all.length) % all.length]
    b.click()
    b.focus()
  })
  new MutationObserver(sync).observe(list, { subtree: true, attributes: true, attributeFilter: ['aria-selected'] })
  sync()
}

// The basemaps of /api/config: the active one's tiles and label overlay,
// the switcher (a labelled select), the datum the overlays are fetched in,
// and what happens when a basemap fails.
//
//   const bm = basemaps(cfg, wantedID)   before the map exists: the datum
//   bm.attach(map, { embed, onFail, onLoad, onSwitch })
//
// A basemap that fails (its first tiles, or many in a row, cannot be
// loaded) is taken off the map, so that no more of its tiles are
// requested on pan and zoom, until the reader chooses a basemap again.
// onFail is called once for that failure.

import { t, pick } from './i18n.js'
import { esc } from './util.js'
import { toGCJ02, toWGS84 } from './gcj02.js'

const FIRST_ERRORS = 2 // with no tile loaded yet
const RUN_ERRORS = 8 // in a row, after some loaded

export function basemaps(cfg, wanted) {
  const list = (cfg.basemaps && cfg.basemaps.length ? cfg.basemaps : cfg.basemap && cfg.basemap.url ? [cfg.basemap] : []).filter((b) => b && b.url)
  let active = list.find((b) => b.id === wanted) || list[0] || null
  let map = null
  let opts = {}
  let layers = []
  let failed = false
  let select = null

  const gcj = () => !!active && active.crs === 'gcj02'

  function attribution(b) {
    return [b.attribution || '', b.approval ? esc(b.approval) : ''].filter(Boolean).join(' · ')
  }

  function show() {
    for (const l of layers) map.removeLayer(l)
    layers = []
    failed = false
    const el = map.getContainer()
    if (!active) {
      el.classList.add('pm-offline') // no basemap: the district outlines are the map
      return
    }
    const o = (sub) => ({ subdomains: sub && sub.length ? sub : 'abc', maxZoom: 18, maxNativeZoom: active.max_zoom || 18, crossOrigin: false })
    const tiles = L.tileLayer(active.url, { ...o(active.subdomains), attribution: attribution(active) })
    let loaded = 0
    let run = 0
    tiles.on('tileload', () => {
      loaded++
      run = 0
      if (el.classList.contains('pm-offline')) {
        el.classList.remove('pm-offline')
        if (opts.onLoad) opts.onLoad()
      }
    })
    tiles.on('tileerror', () => {
      run++
      if (failed || run < (loaded ? RUN_ERRORS : FIRST_ERRORS)) return
      fail()
    })
    layers.push(tiles.addTo(map))
    if (active.labels && active.labels.url) {
      layers.push(L.tileLayer(active.labels.url, { ...o(active.labels.subdomains), pane: 'pm-bmlabels' }).addTo(map))
    }
  }

  function fail() {
    failed = true
    for (const l of layers) map.removeLayer(l)
    map.getContainer().classList.add('pm-offline')
    if (opts.onFail) opts.onFail()
  }

  function choose(id) {
    const next = id ? list.find((b) => b.id === id) : list[0]
    if (!next) return
    const wasGCJ = gcj()
    const c = toWGS(map.getCenter())
    active = next
    show()
    if (wasGCJ !== gcj()) {
      map.setView(fromWGS(c), map.getZoom(), { animate: false })
    }
    render()
    if (opts.onSwitch) opts.onSwitch(wasGCJ !== gcj())
  }

  function render() {
    if (!select) return
    select.previousElementSibling.textContent = t('basemap')
    select.innerHTML = list.map((b) => `<option value="${esc(b.id)}"${b === active ? ' selected' : ''}>${esc(pick(b, 'name') || b.id)}</option>`).join('')
  }

  function switcher() {
    if (list.length < 2 || opts.embed) return
    const Ctl = L.Control.extend({
      options: { position: 'topleft' },
      onAdd() {
        const div = L.DomUtil.create('div', 'pm-bmswitch leaflet-bar')
        div.innerHTML = '<label for="pm-basemap"></label><select id="pm-basemap"></select>'
        L.DomEvent.disableClickPropagation(div)
        L.DomEvent.disableScrollPropagation(div)
        select = div.querySelector('select')
        select.addEventListener('change', () => choose(select.value))
        return div
      },
    })
    new Ctl().addTo(map)
    render()
  }

  const toWGS = (ll) => (gcj() ? toWGS84(ll) : { lat: ll.lat, lng: ll.lng })
  const fromWGS = (ll) => (gcj() ? toGCJ02(ll) : { lat: ll.lat, lng: ll.lng })

  return {
    attach(m, o) {
      map = m
      opts = o || {}
      map.createPane('pm-bmlabels')
      map.getPane('pm-bmlabels').style.zIndex = 455
      map.getPane('pm-bmlabels').style.pointerEvents = 'none'
      show()
      switcher()
    },
    choose,
    render,
    id: () => (active ? active.id : ''),
    isDefault: () => !active || active === list[0],
    // The overlays' datum, as items and tiles take it.
    datumParam: () => (gcj() ? '&datum=gcj02' : ''),
    toWGS,
    fromWGS,
    // bboxToWGS turns a [west, south, east, north] of the map into WGS84.
    bboxToWGS: (b) => {
      if (!gcj()) return b
      const sw = toWGS84({ lat: b[1], lng: b[0] })
      const ne = toWGS84({ lat: b[3], lng: b[2] })
      return [sw.lng, sw.lat, ne.lng, ne.lat]
    },
    // The active tile layer (null without one, or after it failed).
    layer: () => (failed ? null : layers[0] || null),
    current: () => active || {},
    attribution: () => (active ? attribution(active) : ''),
    failed: () => failed,
  }
}

// projectmap's map: a Leaflet page over the same-origin API.
//
//   /api/config                          basemap, plan, today, initial view
//   /api/projects?asof=&plan=            the plan, its categories and projects
//   /ogc/collections                     the layers
//   /ogc/collections/{id}/items?asof=    each layer's features on a date
//
// State (view, layers, date, project, language) lives in the URL hash;
// #…&embed=1 shows the bare map for an <iframe> (see embed.js). The
// "图片 / Picture" dialog downloads the view as a PNG (see picture.js).

import L from './leaflet-setup.js'
import './style.css'
import { t, pick, setLang, lang } from './i18n.js'
import { esc, getJSON, dateSteps, stepIndex, validDate, pct, num, debounce } from './util.js'
import { parseHash, formatHash } from './state.js'
import {
  glyph,
  STATUSES,
  pointIcon,
  glyphIcon,
  badgeIcon,
  clusterIcon,
  pathClass,
  labelPoint,
  lineMidpoint,
  bboxOf,
  choroplethScale,
  statusOf,
} from './draw.js'
import { popupHTML, projectCardHTML } from './popup.js'
import { RATIOS, isEmbedHash, pageURL, embedSnippet, badgeHTML, copyText, planName } from './embed.js'
import { PRESETS, parseSide, pictureName, textOf, makePicture } from './picture.js'

const DEFAULT_LAYERS = ['metro-lines', 'metro-stations', 'intersections', 'water-pipelines', 'schools', 'old-communities', 'service-circles']
const BASE_LAYER = 'districts'
const CHOROPLETH_LAYER = 'service-circles'
// Layers drawn from allocations: one feature per district (its polygon) or zone.
const DERIVED = new Set(['charging-piles', 'parking', 'childcare', 'kindergartens', 'school-construction', 'resettlement', 'rehab-centres', 'model-villages', 'service-circles'])
const CLUSTER_MIN = 25 // point layers with more features than this cluster
const PHONE = window.matchMedia('(max-width: 760px)')
const HOVER = window.matchMedia('(hover: hover)')
// EMBED: the page runs inside an article's iframe: no panels, no header, no
// date bar; a badge names the plan and the data date and links to the full map.
const EMBED = isEmbedHash(location.hash)

const $ = (sel) => document.querySelector(sel)
const root = document.documentElement

// S is the page state; LY holds each layer's data and drawing.
const S = {
  ready: false,
  config: null,
  year: 2024,
  plan: null,
  categories: [],
  projects: new Map(),
  projectList: [],
  collections: [],
  info: new Map(),
  on: new Set(),
  date: '',
  today: '',
  steps: [],
  project: null,
  cat: 0,
  query: '',
  panel: null,
  legendOpen: !PHONE.matches && !EMBED,
  searchLoadedFor: '',
  embedRatio: RATIOS[0][1],
  // The picture dialog's choice: size in pixels and whether the legend shows.
  pic: { w: PRESETS[0].w, h: PRESETS[0].h, legend: true },
}
const LY = new Map()
let map = null
let legend = null
let badge = null
let attribution = ''
let openPop = null
let playing = false
// basemap is the tile layer (null without one); picturing is true while
// the map is resized off screen for a picture.
let basemap = null
let picturing = false

// ---------- boot ----------

async function boot() {
  const hs = parseHash(location.hash)
  root.classList.toggle('pm-embed', EMBED)
  setLang(hs.lang || 'zh')
  applyStaticText()
  wireStatic()
  let cfg
  try {
    cfg = await getJSON('/api/config')
  } catch (e) {
    showNotice(t('loadFailed')('/api/config'), false)
    console.error(e)
    return
  }
  S.config = cfg
  S.year = cfg.year || 2024
  S.today = validDate(cfg.today) ? cfg.today : new Date().toISOString().slice(0, 10)
  S.steps = dateSteps(S.year, S.today)
  S.date = clampDate(hs.date || S.today)
  S.project = hs.project
  S.panel = PHONE.matches || EMBED ? null : 'projects'
  applyPanel(false)
  initMap(cfg, hs.view)
  syncDateControls()
  renderBadge()

  let projects, collections
  try {
    ;[projects, collections] = await Promise.all([getJSON(projectsURL(S.date)), getJSON('/ogc/collections')])
  } catch (e) {
    showNotice(t('loadFailed')('/api/projects, /ogc/collections'), false)
    console.error(e)
    return
  }
  ingestProjects(projects)
  renderBadge()
  ingestCollections(collections)
  const wanted = hs.layers ?? DEFAULT_LAYERS
  S.on = new Set(wanted.filter((id) => S.info.has(id) && id !== BASE_LAYER))
  renderLayerPanel()
  renderProjects()
  renderLegend()

  await Promise.all([showLayer(BASE_LAYER), ...[...S.on].map(showLayer)])
  if (S.project && !hs.view) fitProject(S.project)
  S.ready = true
  updateHash()
  map.on('moveend', debounce(updateHash, 120))
  window.addEventListener('hashchange', () => applyHash(parseHash(location.hash)))
  root.dataset.ready = '1'
}

function projectsURL(date) {
  const plan = S.config && S.config.plan ? `&plan=${encodeURIComponent(S.config.plan)}` : ''
  return `/api/projects?asof=${date}${plan}`
}

function clampDate(d) {
  if (!validDate(d)) return S.today
  if (d < S.steps[0]) return S.steps[0]
  if (d > S.today) return S.today
  return d
}

function ingestProjects(res) {
  S.plan = res.plan || S.plan
  S.categories = (S.plan && S.plan.categories) || []
  S.projectList = [...(res.projects || [])].sort((a, b) => a.number - b.number)
  S.projects = new Map(S.projectList.map((p) => [p.number, p]))
}

function ingestCollections(res) {
  S.collections = res.collections || []
  S.info = new Map(S.collections.map((c) => [c.id, c]))
  for (const c of S.collections) {
    if (!LY.has(c.id)) LY.set(c.id, { id: c.id, data: null, asof: null, pending: null, group: null, index: new Map(), key: '' })
  }
}

const category = (n) => S.categories.find((c) => c.number === n)
const isBase = (id) => !(S.info.get(id) || {}).project
const isDerived = (id) => DERIVED.has(id) || !!(S.info.get(id) || {}).derived_metric
const isOn = (id) => id === BASE_LAYER || S.on.has(id)

// ---------- map ----------

function initMap(cfg, view) {
  const center = view ? [view.lat, view.lng] : cfg.center || [34.26, 108.94]
  const zoom = view ? view.zoom : cfg.zoom ?? 10
  // Phones pinch to zoom; the buttons would only cover popups there. An
  // embedded map keeps them: its top left is free, and a reader may not
  // know the frame zooms. Inside an article the wheel scrolls the page
  // until the map is clicked.
  map = L.map('map', {
    center,
    zoom,
    maxZoom: 18,
    minZoom: 5,
    zoomControl: EMBED || !PHONE.matches,
    scrollWheelZoom: !EMBED,
  })
  if (EMBED) {
    map.on('click focus', () => map.scrollWheelZoom.enable())
    map.getContainer().addEventListener('mouseleave', () => map.scrollWheelZoom.disable())
  }
  for (const [name, z] of [
    ['pm-base', 250],
    ['pm-areas', 380],
    ['pm-lines', 420],
    ['pm-labels', 450],
  ]) {
    map.createPane(name).style.zIndex = z
  }
  map.getPane('pm-labels').style.pointerEvents = 'none'
  map.attributionControl.setPrefix('<a href="https://leafletjs.com" target="_blank" rel="noopener">Leaflet</a>')
  setAttribution()
  L.control.scale({ imperial: false, position: 'bottomleft' }).addTo(map)
  legend = boxControl('pm-legend', 'bottomright')
  if (EMBED) badge = boxControl('pm-ebadge', 'topright')
  initBasemap(cfg.basemap || {})
  map.on('zoomend', syncZoomClass)
  map.on('popupopen', () => {
    hideNotice()
    // On a phone the open legend would cover the popup.
    const details = PHONE.matches && legend && legend.getContainer().querySelector('details')
    if (details && details.open) details.open = false
  })
  syncZoomClass()
}

function syncZoomClass() {
  const el = map.getContainer()
  el.classList.toggle('pm-z-low', map.getZoom() < 9)
}

function initBasemap(bm) {
  const el = map.getContainer()
  if (!bm.url) {
    // No basemap configured: the district outlines are the map.
    el.classList.add('pm-offline')
    return
  }
  let loaded = 0
  let failed = 0
  const tiles = L.tileLayer(bm.url, { attribution: bm.attribution || '', maxZoom: 19, crossOrigin: false })
  basemap = tiles
  tiles.on('tileload', () => {
    loaded++
    if (el.classList.contains('pm-offline')) {
      el.classList.remove('pm-offline')
      hideNotice()
    }
  })
  tiles.on('tileerror', () => {
    failed++
    if (!loaded && failed >= 2 && !el.classList.contains('pm-offline')) {
      el.classList.add('pm-offline')
      showNotice(t('basemapFailed'), true)
    }
  })
  tiles.addTo(map)
}

function setAttribution() {
  if (attribution) map.attributionControl.removeAttribution(attribution)
  attribution = esc(t('attribution'))
  map.attributionControl.addAttribution(attribution)
}

// ---------- layers: loading ----------

async function fetchItems(id, date) {
  let url = `/ogc/collections/${encodeURIComponent(id)}/items?limit=10000${date ? `&asof=${date}` : ''}`
  const features = []
  let matched = null
  for (let page = 0; url && page < 50; page++) {
    const fc = await getJSON(url)
    features.push(...(fc.features || []))
    if (matched == null && typeof fc.numberMatched === 'number') matched = fc.numberMatched
    const next = (fc.links || []).find((l) => l.rel === 'next')
    url = next && (fc.features || []).length ? next.href : null
  }
  return { type: 'FeatureCollection', features, numberMatched: matched ?? features.length }
}

// loadLayer fetches a layer for the current date, once.
function loadLayer(id) {
  const ly = LY.get(id)
  if (!ly) return Promise.reject(new Error(`no layer ${id}`))
  const date = isBase(id) ? '' : S.date
  if (ly.data && ly.asof === date) return Promise.resolve(ly)
  if (ly.pending && ly.pending.date === date) return ly.pending.promise
  const pending = { date }
  pending.promise = fetchItems(id, date).then(
    (fc) => {
      if (ly.pending === pending) ly.pending = null
      if (date === (isBase(id) ? '' : S.date) || !ly.data) {
        ly.data = fc
        ly.asof = date
        updateLayerCount(id)
      }
      return ly
    },
    (err) => {
      if (ly.pending === pending) ly.pending = null
      throw err
    },
  )
  ly.pending = pending
  return pending.promise
}

// showLayer loads a layer and draws it if it is on and its data is current.
async function showLayer(id) {
  try {
    await loadLayer(id)
  } catch (e) {
    console.error(e)
    const info = S.info.get(id)
    showNotice(t('loadFailed')(info ? pick(info, 'title') : id), true)
    return
  }
  const ly = LY.get(id)
  if (!isOn(id)) return
  if (!isBase(id) && ly.asof !== S.date) return
  if (ly.key !== renderKey(id)) render(id)
}

function renderKey(id) {
  const ly = LY.get(id)
  return `${ly.asof}|${lang()}|${isDerived(id) ? derivedStack(id) : ''}|${ly.data ? ly.data.features.length : 0}`
}

function setLayerOn(id, on) {
  if (id === BASE_LAYER || !S.info.has(id)) return
  if (on === S.on.has(id)) return
  if (on) S.on.add(id)
  else S.on.delete(id)
  const box = document.querySelector(`#pm-layers input[data-layer="${id}"]`)
  if (box) box.checked = on
  if (on) showLayer(id)
  else render(id)
  if (isDerived(id)) for (const other of S.on) if (other !== id && isDerived(other) && LY.get(other).group) render(other)
  renderLegend()
  updateHash()
}

// ---------- layers: drawing ----------

function derivedStack(id) {
  return Math.max(
    0,
    S.collections.filter((c) => isDerived(c.id) && S.on.has(c.id)).map((c) => c.id).indexOf(id),
  )
}

function render(id) {
  const ly = LY.get(id)
  if (ly.group) {
    map.removeLayer(ly.group)
    ly.group = null
  }
  ly.index = new Map()
  ly.key = ''
  ly.scale = null
  if (!isOn(id) || !ly.data) {
    refreshPopup()
    return
  }
  ly.key = renderKey(id)
  if (id === BASE_LAYER) {
    renderBase(ly)
    return
  }
  const features = ly.data.features
  const group = L.layerGroup()
  const derived = isDerived(id)
  const points = derived ? [] : features.filter((f) => f.geometry && f.geometry.type === 'Point')
  const cluster =
    points.length > CLUSTER_MIN
      ? L.markerClusterGroup({
          maxClusterRadius: 40,
          showCoverageOnHover: false,
          spiderfyOnMaxZoom: true,
          iconCreateFunction: clusterIcon(id),
        })
      : null
  if (id === CHOROPLETH_LAYER) {
    ly.scale = choroplethScale(features.filter((f) => f.geometry && /Polygon/.test(f.geometry.type)).map((f) => (f.properties || {}).per_100k))
  }
  const stack = derived ? derivedStack(id) : 0
  for (const f of features) drawFeature(id, f, { group, cluster, derived, stack, scale: ly.scale })
  if (cluster) group.addLayer(cluster)
  ly.group = group.addTo(map)
  ly.cluster = cluster
  if (id === CHOROPLETH_LAYER) renderLegend()
  refreshPopup()
}

function toLatLngs(g) {
  const depth = { LineString: 0, MultiLineString: 1, Polygon: 1, MultiPolygon: 2 }[g.type]
  return L.GeoJSON.coordsToLatLngs(g.coordinates, depth)
}

function tagPath(layer, id, fid) {
  layer.on('add', () => {
    const el = layer.getElement()
    if (el) {
      el.setAttribute('data-id', fid)
      el.setAttribute('data-layer', id)
    }
  })
}

function featureId(f) {
  const p = f.properties || {}
  return String(f.id ?? p.id ?? p.adcode ?? '')
}

function tooltip(m, p, extra) {
  if (!HOVER.matches) return
  m.bindTooltip(esc(p.name || '') + (extra ? ` · ${esc(extra)}` : ''), { direction: 'top', offset: [0, -12] })
}

function drawFeature(id, f, { group, cluster, derived, stack, scale }) {
  const g = f.geometry
  if (!g) return
  const p = f.properties || (f.properties = {})
  const fid = featureId(f)
  if (p.id == null) p.id = fid
  const status = statusOf(p)
  const entry = { feature: f, layer: id }
  const open = (latlng) => openFeaturePopup(id, fid, latlng)
  const qty = typeof p.quantity === 'number' ? num(p.quantity, lang()) : ''
  switch (g.type) {
    case 'Point':
    case 'MultiPoint': {
      const coords = g.type === 'Point' ? [g.coordinates] : g.coordinates
      coords.forEach((c, i) => {
        const ll = L.latLng(c[1], c[0])
        const icon = derived ? badgeIcon(id, p, qty || '·', stack, p.name) : i === 0 ? pointIcon(id, p, p.name) : glyphIcon(id, p)
        const m = L.marker(ll, { icon, pmStatus: status, riseOnHover: true, keyboard: i === 0 })
        m.on('click', () => open(m.getLatLng()))
        tooltip(m, p, qty)
        if (cluster) cluster.addLayer(m)
        else group.addLayer(m)
        if (i === 0) Object.assign(entry, { marker: m, latlng: ll, cluster })
      })
      break
    }
    case 'LineString':
    case 'MultiLineString': {
      const lls = toLatLngs(g)
      group.addLayer(L.polyline(lls, { pane: 'pm-lines', className: 'pm-casing', interactive: false, weight: 9, color: '#fff', opacity: 0.9 }))
      const line = L.polyline(lls, { pane: 'pm-lines', className: pathClass('pm-line pm-feature', p), weight: 5, opacity: 1 })
      tagPath(line, id, fid)
      line.on('click', (e) => open(e.latlng))
      group.addLayer(line)
      const mid = lineMidpoint(g)
      if (mid) {
        const m = L.marker(mid, { icon: glyphIcon(id, p), pmStatus: status, keyboard: false })
        m.on('click', () => open(m.getLatLng()))
        tooltip(m, p)
        group.addLayer(m)
        entry.latlng = L.latLng(mid)
      }
      entry.bounds = line.getBounds()
      break
    }
    case 'Polygon':
    case 'MultiPolygon': {
      const fill = scale ? scale.colour(p.per_100k) : null
      const kind = derived ? `pm-derived${fill ? ' pm-choropleth' : ''}` : 'pm-area pm-feature'
      const poly = L.polygon(toLatLngs(g), {
        pane: 'pm-areas',
        className: pathClass(kind, p),
        weight: 2,
        fill: !derived || !!fill,
        fillColor: fill || undefined,
        fillOpacity: fill ? 0.62 : 0.18,
      })
      if (!derived) tagPath(poly, id, fid)
      poly.on('click', (e) => open(e.latlng))
      group.addLayer(poly)
      const lp = labelPoint(g)
      if (lp) {
        const icon = derived ? badgeIcon(id, p, qty || '·', stack, p.name) : glyphIcon(id, p)
        const m = L.marker(lp, { icon, pmStatus: status, keyboard: derived, riseOnHover: true })
        m.on('click', () => open(m.getLatLng()))
        tooltip(m, p, qty)
        group.addLayer(m)
        entry.latlng = L.latLng(lp)
        if (derived) entry.marker = m
      }
      entry.bounds = poly.getBounds()
      break
    }
    default:
      return
  }
  LY.get(id).index.set(fid, entry)
}

function renderBase(ly) {
  const group = L.layerGroup()
  for (const f of ly.data.features) {
    if (!f.geometry || !/Polygon/.test(f.geometry.type)) continue
    const p = f.properties || {}
    const fid = featureId(f)
    const poly = L.polygon(toLatLngs(f.geometry), {
      pane: 'pm-base',
      className: 'pm-district',
      interactive: false,
      weight: 1.2,
      color: '#6f6f6f',
      fillColor: '#f3f0e8',
      fillOpacity: 0,
    })
    tagPath(poly, BASE_LAYER, fid)
    group.addLayer(poly)
    const lp = labelPoint(f.geometry)
    if (lp) {
      group.addLayer(
        L.marker(lp, {
          pane: 'pm-labels',
          interactive: false,
          keyboard: false,
          icon: L.divIcon({ className: 'pm-dlabel', html: `<span>${esc(pick(p, 'name'))}</span>`, iconSize: [0, 0] }),
        }),
      )
    }
    ly.index.set(fid, { feature: f, layer: BASE_LAYER, bounds: poly.getBounds(), latlng: lp && L.latLng(lp) })
  }
  ly.group = group.addTo(map)
}

function rerenderAll() {
  for (const id of LY.keys()) if (isOn(id) && LY.get(id).data) render(id)
}

// ---------- popups ----------

function featurePopupHTML(id, f) {
  const p = f.properties || {}
  const project = S.projects.get(p.project)
  return popupHTML({
    props: p,
    layerInfo: S.info.get(id),
    project,
    category: project ? category(project.category) : category((S.info.get(id) || {}).category),
    asof: S.date,
    today: S.today,
  })
}

function openFeaturePopup(id, fid, latlng) {
  const entry = LY.get(id) && LY.get(id).index.get(fid)
  if (!entry) return
  const popup = L.popup({
    className: 'pm-popup',
    maxWidth: Math.min(360, window.innerWidth - 48),
    minWidth: Math.min(260, window.innerWidth - 64),
    maxHeight: Math.round(window.innerHeight * (PHONE.matches ? 0.55 : 0.65)),
    autoPanPaddingTopLeft: [12, EMBED && badge ? badge.getContainer().offsetHeight + 20 : PHONE.matches ? 12 : 56],
    autoPanPaddingBottomRight: [12, 12],
  })
    .setLatLng(latlng || entry.latlng)
    .setContent(featurePopupHTML(id, entry.feature))
  popup.pmLayer = id
  popup.pmId = fid
  popup.openOn(map)
  openPop = popup
  scrollTimelines(popup)
  popup.on('remove', () => {
    if (openPop === popup) openPop = null
  })
}

// refreshPopup re-renders the open popup after a date or language change.
function refreshPopup() {
  if (!openPop || !map.hasLayer(openPop)) return
  const ly = LY.get(openPop.pmLayer)
  const entry = ly && ly.index.get(openPop.pmId)
  if (entry) {
    openPop.setContent(featurePopupHTML(openPop.pmLayer, entry.feature))
    scrollTimelines(openPop)
  }
}

// scrollTimelines brings the date marker of each timeline in a popup into view.
function scrollTimelines(popup) {
  const el = popup.getElement()
  if (!el) return
  for (const ol of el.querySelectorAll('.pm-tl')) {
    const now = ol.querySelector('.pm-tl-now')
    if (now && ol.scrollHeight > ol.clientHeight) ol.scrollTop = Math.max(0, now.offsetTop - ol.clientHeight / 2)
  }
}

// ---------- date ----------

function syncDateControls() {
  const slider = $('#pm-slider')
  slider.max = String(S.steps.length - 1)
  slider.value = String(stepIndex(S.steps, S.date))
  slider.setAttribute('aria-valuetext', S.date)
  const input = $('#pm-date')
  input.min = S.steps[0]
  input.max = S.today
  if (input.value !== S.date) input.value = S.date
}

async function setDate(d) {
  d = clampDate(d)
  if (d === S.date) {
    syncDateControls()
    return
  }
  S.date = d
  syncDateControls()
  renderBadge()
  updateHash()
  await Promise.all([loadProjects(d), ...[...S.on].map(showLayer)])
}

async function loadProjects(date) {
  let res
  try {
    res = await getJSON(projectsURL(date))
  } catch (e) {
    console.error(e)
    showNotice(t('loadFailed')('/api/projects'), true)
    return
  }
  if (date !== S.date) return
  ingestProjects(res)
  renderProjects()
  refreshPopup()
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

async function play() {
  if (playing) {
    playing = false
    syncPlay()
    return
  }
  const steps = S.steps.filter((d) => d.startsWith(String(S.year)))
  let i = steps.findIndex((d) => d > S.date)
  if (i < 0 || S.date < steps[0]) i = 0
  playing = true
  syncPlay()
  for (; i < steps.length && playing; i++) {
    await setDate(steps[i])
    if (playing) await sleep(900)
  }
  playing = false
  syncPlay()
}

function stopPlay() {
  if (playing) {
    playing = false
    syncPlay()
  }
}

function syncPlay() {
  const b = $('#pm-play')
  b.textContent = playing ? '❚❚' : '▶'
  b.setAttribute('aria-label', playing ? t('pause') : t('play'))
  b.title = playing ? t('pause') : t('play')
  b.setAttribute('aria-pressed', playing ? 'true' : 'false')
}

// ---------- URL state ----------

function currentState() {
  const c = map.getCenter()
  return {
    view: { zoom: map.getZoom(), lat: c.lat, lng: c.lng },
    layers: S.collections.map((c) => c.id).filter((id) => S.on.has(id)),
    date: S.date,
    project: S.project,
    lang: lang(),
    embed: EMBED,
  }
}

function updateHash() {
  if (!S.ready || !map || picturing) return
  const hash = formatHash(currentState())
  if (hash !== location.hash) history.replaceState(history.state, '', location.pathname + location.search + hash)
  if (badge) {
    const a = badge.getContainer().querySelector('.pm-ebadge-open')
    if (a) a.href = fullURL()
  }
}

// fullURL is the address of the full map in the current state.
function fullURL() {
  if (S.ready && map) return pageURL(formatHash({ ...currentState(), embed: false }))
  return pageURL(location.hash.replace(/&?embed=1(?=&|$)/, '').replace(/^#&/, '#'))
}

// ---------- embedding ----------

function renderBadge() {
  if (!badge) return
  badge.getContainer().innerHTML = badgeHTML({ plan: S.plan, date: S.date, fullURL: fullURL() })
}

let embedOpener = null

function openEmbed() {
  if (!S.ready || EMBED) return
  updateHash()
  embedOpener = document.activeElement
  $('#pm-embed-dlg').hidden = false
  $('#pm-embed-status').textContent = ''
  renderEmbed()
  const code = $('#pm-embed-code')
  code.focus()
  code.select()
}

function closeEmbed() {
  const dlg = $('#pm-embed-dlg')
  if (dlg.hidden) return
  dlg.hidden = true
  if (embedOpener && embedOpener.focus) embedOpener.focus()
  embedOpener = null
}

function renderEmbed() {
  if ($('#pm-embed-dlg').hidden) return
  const st = currentState()
  $('#pm-embed-h').textContent = t('embedTitle')
  $('#pm-embed-close').setAttribute('aria-label', t('close'))
  $('#pm-embed-help').textContent = t('embedHelp')(S.date)
  $('#pm-embed-tip').textContent = t('embedTip')
  $('#pm-embed-ratio-cap').textContent = t('embedRatio')
  $('#pm-embed-ratio').innerHTML = RATIOS.map(([name, r]) => `<option value="${r}"${r === S.embedRatio ? ' selected' : ''}>${name}</option>`).join('')
  $('#pm-embed-code').value = embedSnippet({
    src: pageURL(formatHash({ ...st, embed: true })),
    title: `${t('title')} · ${t('dataDate')} ${S.date}`,
    ratio: S.embedRatio,
  })
  $('#pm-embed-copy').textContent = t('copyCode')
  $('#pm-embed-link-cap').textContent = t('viewLink')
  const link = $('#pm-embed-link')
  link.href = link.textContent = pageURL(formatHash(st))
}

async function copyEmbed() {
  const code = $('#pm-embed-code')
  const ok = await copyText(code.value, code)
  $('#pm-embed-status').textContent = ok ? t('copied') : t('copyFailed')
  if (!ok) {
    code.focus()
    code.select()
  }
}

function wireEmbed() {
  $('#pm-btn-embed').addEventListener('click', openEmbed)
  $('#pm-embed-close').addEventListener('click', closeEmbed)
  $('#pm-embed-copy').addEventListener('click', copyEmbed)
  $('#pm-embed-ratio').addEventListener('change', (e) => {
    S.embedRatio = +e.target.value || RATIOS[0][1]
    $('#pm-embed-status').textContent = ''
    renderEmbed()
  })
  wireDialog($('#pm-embed-dlg'), closeEmbed)
}

// wireDialog makes a modal dialog close on Escape and on a click on its
// backdrop, and keeps Tab inside it.
function wireDialog(dlg, close) {
  dlg.addEventListener('click', (e) => {
    if (e.target === dlg) close()
  })
  dlg.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.stopPropagation()
      close()
      return
    }
    if (e.key !== 'Tab') return
    const all = [...dlg.querySelectorAll('button, select, textarea, input, a[href]')].filter((el) => el.getClientRects().length && !el.disabled)
    const first = all[0]
    const last = all[all.length - 1]
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault()
      last.focus()
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault()
      first.focus()
    }
  })
}

// ---------- picture (PNG) ----------

let picOpener = null
let picURL = ''

function openPicture() {
  if (!S.ready || EMBED) return
  updateHash()
  picOpener = document.activeElement
  $('#pm-pic-dlg').hidden = false
  $('#pm-pic-status').textContent = ''
  picMessage('#pm-pic-error', '')
  picMessage('#pm-pic-note', '')
  $('#pm-pic-result').hidden = true
  renderPicture()
  syncPicInputs()
  const preset = $('#pm-pic-preset')
  preset.focus()
}

function closePicture() {
  const dlg = $('#pm-pic-dlg')
  if (dlg.hidden) return
  dlg.hidden = true
  if (picOpener && picOpener.focus) picOpener.focus()
  picOpener = null
}

function presetOf(w, h) {
  const p = PRESETS.find((p) => p.w === w && p.h === h)
  return p ? p.id : 'custom'
}

// renderPicture writes the dialog's text in the current language.
function renderPicture() {
  if ($('#pm-pic-dlg').hidden) return
  $('#pm-pic-title').textContent = t('pictureTitle')
  $('#pm-pic-close').setAttribute('aria-label', t('close'))
  $('#pm-pic-help').textContent = t('pictureHelp')(S.date)
  $('#pm-pic-size-cap').textContent = t('pictureSize')
  const names = t('presets')
  // Keep what is chosen in the dialog (a language switch redraws it).
  const current = $('#pm-pic-preset').value || presetOf(S.pic.w, S.pic.h)
  $('#pm-pic-preset').innerHTML =
    PRESETS.map((p) => `<option value="${p.id}"${p.id === current ? ' selected' : ''}>${esc(names[p.id])} ${p.w}×${p.h}</option>`).join('') +
    `<option value="custom"${current === 'custom' ? ' selected' : ''}>${esc(names.custom)}</option>`
  $('#pm-pic-wcap').textContent = t('pictureWidth')
  $('#pm-pic-hcap').textContent = t('pictureHeight')
  $('#pm-pic-px').textContent = t('pixels')
  $('#pm-pic-legend-cap').textContent = t('pictureLegend')
  $('#pm-pic-make').textContent = t('pictureMake')
  $('#pm-pic-save').textContent = t('pictureSave')
  $('#pm-pic-tip').textContent = t('pictureTip')
}

// syncPicInputs shows the chosen size in the width and height boxes.
function syncPicInputs() {
  $('#pm-pic-w').value = String(S.pic.w)
  $('#pm-pic-h').value = String(S.pic.h)
  $('#pm-pic-legend').checked = S.pic.legend
  $('#pm-pic-preset').value = presetOf(S.pic.w, S.pic.h)
}

function picMessage(id, text) {
  const el = $(id)
  el.textContent = text || ''
  el.hidden = !text
}

// readPicSize checks the width and height boxes; it marks a bad one and
// says what is allowed.
function readPicSize() {
  const wi = $('#pm-pic-w')
  const hi = $('#pm-pic-h')
  const w = parseSide(wi.value)
  const h = parseSide(hi.value)
  wi.setAttribute('aria-invalid', isNaN(w) ? 'true' : 'false')
  hi.setAttribute('aria-invalid', isNaN(h) ? 'true' : 'false')
  if (isNaN(w) || isNaN(h)) {
    picMessage('#pm-pic-error', t('pictureBadSize'))
    ;(isNaN(w) ? wi : hi).focus()
    return null
  }
  picMessage('#pm-pic-error', '')
  return { w, h }
}

// basemapShown reports whether tiles are on the map now: a basemap is
// configured, the map is not in its offline look, and tiles have loaded
// (tiles that never arrive, as with no network, leave the picture without).
function basemapShown() {
  if (!basemap || !map.hasLayer(basemap) || map.getContainer().classList.contains('pm-offline')) return false
  const pane = basemap.getContainer()
  return !!pane && !!pane.querySelector('.leaflet-tile-loaded')
}

async function runPicture() {
  if (picturing) return
  picMessage('#pm-pic-note', '')
  const size = readPicSize()
  if (!size) {
    $('#pm-pic-status').textContent = ''
    return
  }
  S.pic = { ...S.pic, ...size, legend: $('#pm-pic-legend').checked }
  $('#pm-pic-preset').value = presetOf(size.w, size.h)
  const make = $('#pm-pic-make')
  const dlg = $('#pm-pic-dlg')
  // aria-disabled, not disabled: the button keeps the focus, so Escape
  // and Tab still work in the dialog while the picture is made.
  make.setAttribute('aria-disabled', 'true')
  dlg.setAttribute('aria-busy', 'true')
  $('#pm-pic-status').textContent = t('pictureBusy')
  picturing = true
  const st = currentState()
  let res
  try {
    res = await makePicture({
      map,
      width: size.w,
      height: size.h,
      name: planName(S.plan),
      date: S.date,
      attribution: textOf(t('attribution')),
      basemapAttribution: textOf((S.config.basemap || {}).attribution),
      tileLayer: basemapShown() ? basemap : null,
      legend: S.pic.legend,
      legendEl: legend && legend.getContainer(),
    })
  } catch (e) {
    console.error(e)
    $('#pm-pic-status').textContent = ''
    picMessage('#pm-pic-error', t('pictureFailed')((e && e.message) || String(e)))
    return
  } finally {
    picturing = false
    make.removeAttribute('aria-disabled')
    dlg.removeAttribute('aria-busy')
    updateHash()
  }
  const name = pictureName(S.year, st.date, size.w, size.h)
  if (picURL) URL.revokeObjectURL(picURL)
  picURL = URL.createObjectURL(res.blob)
  const link = $('#pm-pic-link')
  link.href = picURL
  link.download = name
  link.title = name
  link.dataset.width = String(size.w)
  link.dataset.height = String(size.h)
  const img = $('#pm-pic-preview')
  img.src = picURL
  img.alt = `${planName(S.plan)} · ${t('dataDate')} ${st.date} (${size.w}×${size.h})`
  $('#pm-pic-result').hidden = false
  if (res.fellBack) picMessage('#pm-pic-note', t('pictureNoTiles'))
  $('#pm-pic-status').textContent = t('pictureDone')(name, size.w, size.h)
  link.click()
}

function wirePicture() {
  $('#pm-btn-pic').addEventListener('click', openPicture)
  $('#pm-pic-close').addEventListener('click', closePicture)
  $('#pm-pic-preset').addEventListener('change', (e) => {
    const p = PRESETS.find((p) => p.id === e.target.value)
    if (p) {
      S.pic = { ...S.pic, w: p.w, h: p.h }
      syncPicInputs()
      picMessage('#pm-pic-error', '')
      for (const id of ['#pm-pic-w', '#pm-pic-h']) $(id).setAttribute('aria-invalid', 'false')
    } else $('#pm-pic-w').focus()
  })
  for (const id of ['#pm-pic-w', '#pm-pic-h']) {
    $(id).addEventListener('input', () => {
      $('#pm-pic-preset').value = presetOf(+$('#pm-pic-w').value, +$('#pm-pic-h').value)
    })
  }
  $('#pm-pic-form').addEventListener('submit', (e) => {
    e.preventDefault()
    runPicture()
  })
  wireDialog($('#pm-pic-dlg'), closePicture)
}

async function applyHash(hs) {
  if (hs.lang && hs.lang !== lang()) switchLang(hs.lang)
  if (hs.view) map.setView([hs.view.lat, hs.view.lng], hs.view.zoom, { animate: false })
  if (hs.layers) {
    const want = new Set(hs.layers.filter((id) => S.info.has(id) && id !== BASE_LAYER))
    for (const id of [...S.on]) if (!want.has(id)) setLayerOn(id, false)
    for (const id of want) setLayerOn(id, true)
  }
  if (hs.project !== S.project) selectProject(hs.project, { zoom: !hs.view, addLayers: !hs.layers })
  if (hs.date) await setDate(hs.date)
  updateHash()
}

// ---------- language ----------

function switchLang(l) {
  setLang(l)
  applyStaticText()
  setAttribution()
  renderLayerPanel()
  renderProjects()
  renderLegend()
  rerenderAll()
  refreshPopup()
  renderBadge()
  renderEmbed()
  renderPicture()
  if (!$('#pm-notice').hidden && map.getContainer().classList.contains('pm-offline')) showNotice(t('basemapFailed'), true)
  updateHash()
}

function applyStaticText() {
  document.title = t('title')
  $('#pm-title').textContent = t('title')
  $('#pm-short').textContent = t('shortTitle')
  for (const tab of ['projects', 'layers']) {
    $(`#pm-btn-${tab}`).textContent = t(tab)
    $(`#pm-tab-${tab}`).textContent = t(tab)
  }
  const eb = $('#pm-btn-embed')
  eb.querySelector('.pm-btxt').textContent = t('embed')
  eb.setAttribute('aria-label', t('embedLabel'))
  eb.title = t('embedLabel')
  const pb = $('#pm-btn-pic')
  pb.querySelector('.pm-btxt').textContent = t('picture')
  pb.setAttribute('aria-label', t('pictureLabel'))
  pb.title = t('pictureLabel')
  const lb = $('#pm-btn-lang')
  lb.textContent = t('langSwitch')
  lb.lang = lang() === 'en' ? 'zh-CN' : 'en'
  lb.setAttribute('aria-label', t('langSwitchLabel'))
  lb.title = t('langSwitchLabel')
  $('#pm-panel-close').setAttribute('aria-label', t('close'))
  $('#pm-notice button').setAttribute('aria-label', t('close'))
  const search = $('#pm-search')
  search.placeholder = t('search')
  search.setAttribute('aria-label', t('searchLabel'))
  $('#pm-datecap').textContent = t('dataDate')
  $('#pm-date').setAttribute('aria-label', t('dateInput'))
  $('#pm-slider').setAttribute('aria-label', t('slider'))
  $('#map').setAttribute('aria-label', t('mapLabel'))
  syncPlay()
  syncBusy()
}

// ---------- panels ----------

function applyPanel(resize = true) {
  const panel = $('#pm-panel')
  panel.hidden = !S.panel
  document.body.classList.toggle('pm-panel-open', !!S.panel)
  for (const tab of ['projects', 'layers']) {
    const active = S.panel === tab
    $(`#pm-sec-${tab}`).hidden = !active
    $(`#pm-tab-${tab}`).setAttribute('aria-selected', active ? 'true' : 'false')
    $(`#pm-btn-${tab}`).setAttribute('aria-expanded', active ? 'true' : 'false')
  }
  if (resize && map) map.invalidateSize()
}

function togglePanel(tab) {
  S.panel = S.panel === tab ? null : tab
  applyPanel()
}

function wireStatic() {
  for (const b of document.querySelectorAll('.pm-hbtn[data-tab]')) b.addEventListener('click', () => togglePanel(b.dataset.tab))
  for (const b of document.querySelectorAll('.pm-tab')) {
    b.addEventListener('click', () => {
      S.panel = b.dataset.tab
      applyPanel()
    })
  }
  $('#pm-panel-close').addEventListener('click', () => {
    S.panel = null
    applyPanel()
  })
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && S.panel && PHONE.matches) {
      S.panel = null
      applyPanel()
    }
  })
  $('#pm-btn-lang').addEventListener('click', () => switchLang(lang() === 'en' ? 'zh' : 'en'))
  wireEmbed()
  wirePicture()
  $('#pm-notice button').addEventListener('click', hideNotice)

  const slider = $('#pm-slider')
  const fromSlider = debounce(() => setDate(S.steps[+slider.value]), 200)
  slider.addEventListener('input', () => {
    stopPlay()
    $('#pm-date').value = S.steps[+slider.value]
    fromSlider()
  })
  $('#pm-date').addEventListener('change', (e) => {
    stopPlay()
    if (validDate(e.target.value)) setDate(e.target.value)
  })
  $('#pm-play').addEventListener('click', play)

  const search = $('#pm-search')
  search.addEventListener('focus', loadAllForSearch)
  search.addEventListener(
    'input',
    debounce(() => {
      S.query = search.value.trim()
      loadAllForSearch()
      renderProjects()
    }, 150),
  )

  $('#pm-cats').addEventListener('click', (e) => {
    const b = e.target.closest('button[data-cat]')
    if (!b) return
    S.cat = +b.dataset.cat
    renderProjects()
  })
  $('#pm-results').addEventListener('click', (e) => {
    const pb = e.target.closest('button[data-project]')
    if (pb) {
      selectProject(+pb.dataset.project)
      return
    }
    const sb = e.target.closest('button[data-fid]')
    if (sb) goToSite(sb.dataset.layer, sb.dataset.fid)
  })
  $('#pm-card').addEventListener('click', (e) => {
    const b = e.target.closest('button[data-action]')
    if (!b) return
    if (b.dataset.action === 'deselect') selectProject(null)
    else if (b.dataset.action === 'show-project') selectProject(S.project, { force: true })
  })
  $('#pm-layers').addEventListener('change', (e) => {
    const box = e.target.closest('input[data-layer]')
    if (box) setLayerOn(box.dataset.layer, box.checked)
  })
  document.addEventListener('pm-busy', syncBusy)
}

function syncBusy() {
  const busy = root.dataset.busy === '1'
  $('#pm-busy').textContent = busy ? t('loading') : ''
}

let noticeTimer = 0
function showNotice(text, autoHide) {
  const n = $('#pm-notice')
  n.querySelector('span').textContent = text
  n.hidden = false
  clearTimeout(noticeTimer)
  if (autoHide) noticeTimer = setTimeout(hideNotice, 9000)
}

function hideNotice() {
  $('#pm-notice').hidden = true
}

// ---------- layer panel ----------

function layerCount(id) {
  const ly = LY.get(id)
  return ly && ly.data ? ly.data.numberMatched ?? ly.data.features.length : null
}

function layerMeta(c) {
  const n = layerCount(c.id)
  return [c.project ? t('projectN')(c.project) : '', c.id === BASE_LAYER ? t('alwaysOn') : '', n != null ? t('features')(n) : '']
    .filter(Boolean)
    .join(' · ')
}

function layerRow(c) {
  const base = c.id === BASE_LAYER
  return (
    `<label class="pm-layer"><input type="checkbox" data-layer="${esc(c.id)}"${isOn(c.id) ? ' checked' : ''}${base ? ' disabled' : ''}>` +
    `<span class="pm-layer-text"><span class="pm-layer-name">${esc(pick(c, 'title'))}</span>` +
    `<span class="pm-layer-meta" data-meta="${esc(c.id)}">${esc(layerMeta(c))}</span></span></label>`
  )
}

function renderLayerPanel() {
  const groups = new Map()
  for (const c of S.collections) {
    const k = isBase(c.id) ? -1 : c.category || 0
    if (!groups.has(k)) groups.set(k, [])
    groups.get(k).push(c)
  }
  let h = ''
  const section = (title, list) => {
    if (!list || !list.length) return
    h += `<fieldset class="pm-group"><legend>${esc(title)}</legend>${list.map(layerRow).join('')}</fieldset>`
  }
  section(t('baseLayers'), groups.get(-1))
  for (const cat of S.categories) section(`${cat.number} ${pick(cat, 'name')}`, groups.get(cat.number))
  section('—', groups.get(0))
  $('#pm-layers').innerHTML = h
}

function updateLayerCount(id) {
  const el = document.querySelector(`#pm-layers [data-meta="${id}"]`)
  const c = S.info.get(id)
  if (el && c) el.textContent = layerMeta(c)
}

// ---------- project panel and search ----------

const norm = (s) => String(s ?? '').toLowerCase().replace(/\s+/g, '')
const tokens = (q) => q.toLowerCase().split(/\s+/).filter(Boolean)
const matches = (hay, toks) => toks.every((tk) => hay.includes(tk))

function projectHay(p) {
  const c = category(p.category)
  return norm([p.number, p.title, p.title_en, c && c.name, c && c.name_en].join('|'))
}

function siteHay(p, info) {
  return norm([p.name, p.name_en, p.district_name, p.district_name_en, p.zone_name, p.zone_name_en, info && info.title, info && info.title_en].join('|'))
}

function progressBar(progress) {
  const s = statusOf(progress)
  const pc = pct(progress && progress.planned)
  return (
    `<span class="pm-proj-meta"><span class="status-${s} pm-inline-glyph">${glyph(s, false, 16)}</span>${esc(t('status')[s])} · ${pc}%</span>` +
    `<span class="pm-bar"><span class="status-${s}" style="width:${pc}%"></span></span>`
  )
}

function renderProjects() {
  // category chips
  const chips = [{ number: 0, name: t('allCategories'), name_en: t('allCategories') }, ...S.categories]
  $('#pm-cats').innerHTML = chips
    .map((c) => `<button type="button" class="pm-chip" data-cat="${c.number}" aria-pressed="${S.cat === c.number}">${esc(pick(c, 'name'))}</button>`)
    .join('')

  const toks = tokens(S.query)
  const list = S.projectList.filter((p) => (!S.cat || p.category === S.cat) && (!toks.length || matches(projectHay(p), toks)))
  let h = list.length || !toks.length ? `<h2 class="pm-subhead">${esc(t('projectsCount')(list.length))}</h2><ol class="pm-projects">` : '<ol class="pm-projects">'
  for (const p of list) {
    const c = category(p.category)
    h +=
      `<li><button type="button" class="pm-proj${p.number === S.project ? ' pm-selected' : ''}" data-project="${p.number}" aria-pressed="${p.number === S.project}">` +
      `<span class="pm-num">${p.number}</span><span class="pm-proj-body"><span class="pm-proj-title">${esc(pick(p, 'title'))}</span>` +
      `<span class="pm-proj-cat">${esc(c ? pick(c, 'name') : '')}</span>${progressBar(p.progress)}</span></button></li>`
  }
  h += '</ol>'
  if (toks.length) h += siteResultsHTML(toks, list.length)
  $('#pm-results').innerHTML = h
  renderCard()
}

function siteResultsHTML(toks, nProjects) {
  const found = []
  const seen = new Set()
  const order = [BASE_LAYER, ...S.collections.map((c) => c.id).filter((id) => id !== BASE_LAYER)]
  for (const id of order) {
    const ly = LY.get(id)
    const info = S.info.get(id)
    if (!ly || !ly.data || !info) continue
    if (S.cat && id !== BASE_LAYER && info.category !== S.cat) continue
    for (const f of ly.data.features) {
      const p = f.properties || {}
      const fid = featureId(f)
      if (seen.has(id + '/' + fid)) continue
      if (matches(siteHay(p, id === BASE_LAYER ? null : info), toks)) {
        seen.add(id + '/' + fid)
        found.push({ id, fid, p, info })
      }
    }
  }
  const LIMIT = 80
  let h = `<h2 class="pm-subhead">${esc(t('sitesFound')(found.length))}</h2>`
  if (S.searchLoadedFor !== S.date) h += `<p class="pm-muted">${esc(t('searchingAll'))}</p>`
  if (!found.length && !nProjects && S.searchLoadedFor === S.date) h += `<p class="pm-muted">${esc(t('noResults'))}</p>`
  h += '<ul class="pm-sites">'
  for (const { id, fid, p, info } of found.slice(0, LIMIT)) {
    const s = statusOf(p)
    const where = [pick(p, 'district_name'), pick(p, 'zone_name')].filter(Boolean).join(' · ')
    const sub = [pick(info, 'title'), id === BASE_LAYER ? '' : where, isOn(id) ? '' : t('layerOff')].filter(Boolean).join(' · ')
    const name = lang() === 'en' && p.name_en ? `${p.name_en}（${p.name}）` : p.name || fid
    h +=
      `<li><button type="button" class="pm-site" data-layer="${esc(id)}" data-fid="${esc(fid)}">` +
      `<span class="status-${s} pm-inline-glyph">${glyph(s, false, 20)}</span>` +
      `<span class="pm-site-text"><b>${esc(name)}</b><small>${esc(sub)}</small></span></button></li>`
  }
  h += '</ul>'
  if (found.length > LIMIT) h += `<p class="pm-muted">${esc(t('moreResults')(found.length - LIMIT))}</p>`
  return h
}

// loadAllForSearch fetches every layer once per date, so search finds
// sites in layers that are off.
function loadAllForSearch() {
  if (!S.collections.length || S.searchLoadedFor === S.date || S.searchLoading === S.date) return
  const date = S.date
  S.searchLoading = date
  Promise.allSettled(S.collections.map((c) => loadLayer(c.id))).then(() => {
    if (S.searchLoading === date) S.searchLoading = ''
    if (date !== S.date) return
    S.searchLoadedFor = date
    if (S.query) renderProjects()
  })
}

function projectLayers(n) {
  const p = S.projects.get(n)
  const ids = p && Array.isArray(p.collections) ? p.collections : S.collections.filter((c) => c.project === n).map((c) => c.id)
  return ids.filter((id) => S.info.has(id) && id !== BASE_LAYER)
}

function renderCard() {
  const card = $('#pm-card')
  const p = S.project && S.projects.get(S.project)
  // While searching, the results come first; the card returns afterwards.
  if (!p || S.query) {
    card.hidden = true
    card.innerHTML = ''
    return
  }
  card.hidden = false
  card.innerHTML = projectCardHTML({ project: p, category: category(p.category), asof: S.date, today: S.today, hasSites: projectLayers(p.number).length > 0 })
}

async function selectProject(n, opts = {}) {
  const { zoom = true, addLayers = true } = opts
  S.project = n && S.projects.has(n) ? n : null
  renderProjects()
  updateHash()
  if (!S.project) return
  const ids = projectLayers(S.project)
  if (addLayers) for (const id of ids) setLayerOn(id, true)
  await Promise.all(ids.map(showLayer))
  if (zoom) fitProject(S.project)
  const card = $('#pm-card')
  if (card.scrollIntoView && !card.hidden) card.scrollIntoView({ block: 'nearest' })
}

function panelCover() {
  // On phones the panel covers the lower part of the map.
  if (!PHONE.matches || !S.panel) return 0
  return $('#pm-panel').getBoundingClientRect().height
}

function fitProject(n) {
  const bounds = L.latLngBounds([])
  for (const id of projectLayers(n)) {
    const ly = LY.get(id)
    if (!ly) continue
    for (const e of ly.index.values()) {
      if ((e.feature.properties || {}).project !== n) continue
      if (e.bounds) bounds.extend(e.bounds)
      else if (e.latlng) bounds.extend(e.latlng)
    }
  }
  if (!bounds.isValid()) return
  const cover = panelCover()
  map.fitBounds(bounds, { paddingTopLeft: [40, 40], paddingBottomRight: [40, 40 + cover], maxZoom: 15, animate: false })
}

async function goToSite(id, fid) {
  if (id !== BASE_LAYER) setLayerOn(id, true)
  await showLayer(id)
  const e = LY.get(id) && LY.get(id).index.get(fid)
  if (!e) return
  if (PHONE.matches) {
    S.panel = null
    applyPanel()
  }
  if (id === BASE_LAYER) {
    map.fitBounds(e.bounds, { padding: [20, 20], animate: false })
    return
  }
  if (e.cluster && e.marker) {
    e.cluster.zoomToShowLayer(e.marker, () => openFeaturePopup(id, fid, e.marker.getLatLng()))
    return
  }
  if (e.bounds && e.bounds.isValid() && !e.bounds.getNorthEast().equals(e.bounds.getSouthWest())) {
    map.fitBounds(e.bounds, { padding: [30, 30], maxZoom: 15, animate: false })
  } else if (e.latlng) {
    map.setView(e.latlng, Math.max(map.getZoom(), 15), { animate: false })
  }
  openFeaturePopup(id, fid, e.marker ? e.marker.getLatLng() : e.latlng)
}

// ---------- legend ----------

function renderLegend() {
  if (!legend) return
  const div = legend.getContainer()
  let h = `<details${S.legendOpen ? ' open' : ''}><summary>${esc(t('legend'))}</summary><ul>`
  for (const s of STATUSES) h += `<li><span class="status-${s} pm-lg-sym">${glyph(s, false, 22)}</span>${esc(t('status')[s])}</li>`
  h += `<li><span class="status-in_progress pm-lg-sym">${glyph('in_progress', true, 22)}</span>${esc(t('approxLegend'))}</li>`
  h +=
    `<li><span class="pm-lg-sym"><svg width="26" height="12" aria-hidden="true"><path d="M1 6h24" class="status-completed pm-lg-line"/></svg></span>${esc(t('lineLegend'))}</li>` +
    `<li><span class="pm-lg-sym"><svg width="26" height="12" aria-hidden="true"><path d="M1 6h24" class="status-completed pm-lg-line pm-lg-dash"/></svg></span>${esc(t('approxShort'))}</li>` +
    `<li><span class="pm-lg-sym"><span class="pm-cluster pm-lg-cluster"><div style="background:conic-gradient(var(--st-completed) 0deg 216deg,var(--st-in_progress) 216deg 360deg)"><span>12</span></div></span></span>${esc(t('cluster'))}</li></ul>`
  const ly = LY.get(CHOROPLETH_LAYER)
  if (S.on.has(CHOROPLETH_LAYER) && ly && ly.scale && ly.scale.colours.length) {
    const { breaks, colours } = ly.scale
    const f = (v) => num(v, lang())
    h += `<div class="pm-lg-title">${esc(pick(S.info.get(CHOROPLETH_LAYER), 'title'))}<br><small>${esc(t('quotaPer100k'))}</small></div><ul class="pm-lg-scale">`
    colours.forEach((c, i) => {
      const label = !breaks.length ? `${f(ly.scale.min)}–${f(ly.scale.max)}` : i === 0 ? `< ${f(breaks[0])}` : i === breaks.length ? `≥ ${f(breaks[i - 1])}` : `${f(breaks[i - 1])}–${f(breaks[i])}`
      h += `<li><span class="pm-swatch" style="background:${c}"></span>${esc(label)}</li>`
    })
    h += '</ul>'
  }
  h += '</details>'
  div.innerHTML = h
  div.querySelector('details').addEventListener('toggle', (e) => {
    S.legendOpen = e.target.open
  })
}

// Exposed for debugging and the browser test.
window.projectmap = {
  get map() {
    return map
  },
  drawn(id) {
    const ly = LY.get(id)
    return ly ? ly.index.size : 0
  },
  state: () => (map ? currentState() : null),
  // open(layer, id) zooms to a feature and opens its popup.
  open: (layer, id) => goToSite(layer, String(id)),
}

boot()

// boxControl adds an empty map control (a div with the class) that keeps
// clicks and scrolls from reaching the map beneath it.
function boxControl(className, position) {
  return new (L.Control.extend({
    options: { position },
    onAdd() {
      const div = L.DomUtil.create('div', className)
      L.DomEvent.disableClickPropagation(div)
      L.DomEvent.disableScrollPropagation(div)
      return div
    },
  }))().addTo(map)
}

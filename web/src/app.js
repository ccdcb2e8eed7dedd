// projectmap's map: a Leaflet page over the same-origin API.
//
//   /api/config                          basemap, plan, today, default date, slider range, tolerance
//   /api/projects?asof=&plan=            the plan, its projects with planned and reported state, the scorecard
//   /ogc/collections                     the layers
//   /ogc/collections/{id}/items?asof=[&status=]  each layer's features on a date
//   /api/reports?site= | ?project=       a popup's or a project's report history
//
// Markers show the tracking status (what the reports say against the plan,
// status.js); the plan's expectation is shown beside it, never as a fact.
// State (view, layers, date, project, status filter, language) lives in the URL hash;
// #…&embed=1 shows the bare map for an <iframe> (see embed.js). The
// "图片 / Picture" dialog downloads the server's static map of the view (see picture.js).

import L from './leaflet-setup.js'
import './style.css'
import { t, pick, setLang, lang } from './i18n.js'
import { esc, getJSON as fetchJSON, dateSteps, stepIndex, validDate, debounce } from './util.js'
import { parseHash, formatHash } from './state.js'
import { clusterIcon, choroplethScale } from './draw.js'
import { drawFeature, drawBase, featureId } from './layerdraw.js'
import { popupHTML, projectCardHTML, schedulesFor } from './popup.js'
import { fillHistory } from './history.js'
import { scorecardOf, scorecardHTML } from './scorecard.js'
import { legendHTML } from './legend.js'
import { chipsHTML, filterProjects, projectsHTML, findSites, sitesHTML, tokens } from './projectlist.js'
import { isEmbedView, pageURL, badgeHTML } from './embed.js'
import { embedDialog } from './embeddialog.js'
import { pictureDialog } from './picturedialog.js'
import { shareButton } from './share.js'
import { planParam, withPlan, wantsPlan, planSwitch, planTitle, defaultLayers } from './planswitch.js'
import { reportHeight } from './embedheight.js'
import { viewBBox } from './embedbounds.js'
import { basemaps } from './basemaps.js'
import { a11yPage, a11yMap } from './a11y.js'
import { layerDownloadsHTML, projectDownloadsHTML, getDataHTML, layerInfos, redate } from './downloads.js'
import { inCategory, districtParam, categoryCounts } from './filters.js'
import { filterController } from './filterctl.js'
import { initEasy, setEasy, easyOn, wireEasy, renderEasyButton, fewerLayers } from './easyread.js'
import { zoomCap, capOf, chipHint, LABEL_ZOOM } from './phone.js'
import { drawSamePlaces } from './samepos.js'

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
const EMBED = isEmbedView(location)

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
  // defaultDate is the date the map opens on (the city's today while the
  // plan year lasts, else its last day); range is the slider's span.
  defaultDate: '',
  range: { from: '', to: '' },
  tolerance: null,
  steps: [],
  // filter is the tracking status the list and the map show only, or '';
  // district a district's adcode (or zone id), or ''; inDistrict the
  // projects that reach it (filters.js).
  filter: '',
  district: '',
  inDistrict: null,
  scorecard: null,
  project: null,
  cat: 0,
  query: '',
  panel: null,
  legendOpen: !PHONE.matches && !EMBED,
  searchLoadedFor: '',
  // planParam is the plan= every request carries ('' with one plan only).
  planParam: '',
}
const LY = new Map()
const getJSON = (url) => fetchJSON(withPlan(url, S.planParam))
let renderPlans = () => {}
let map = null
let legend = null
let badge = null
let filterCtl = null
let attribution = ''
let openPop = null
let playing = false
// bms are the basemaps (basemaps.js).
let bms = null

// ---------- boot ----------

async function boot() {
  const hs = parseHash(location.hash)
  root.classList.toggle('pm-embed', EMBED)
  if (EMBED) reportHeight(window, hs.ratio)
  setLang(hs.lang || 'zh')
  initEasy(hs.easy)
  a11yTexts = a11yPage({ date: () => S.date, layers: () => [...S.on].filter((id) => LY.get(id)).map((id) => ({ title: pick(S.info.get(id), 'title'), features: [...LY.get(id).index.values()].map((e) => e.feature) })) })
  applyStaticText()
  wireStatic()
  let cfg
  try {
    cfg = await getJSON(withPlan('/api/config', hs.plan)).catch(() => getJSON('/api/config'))
  } catch (e) {
    showNotice(t('loadFailed')('/api/config'), false)
    console.error(e)
    return
  }
  S.config = cfg
  S.planParam = planParam(cfg, hs.plan === cfg.plan ? hs.plan : '')
  renderPlans = planSwitch($('.pm-nav'), cfg, choosePlan)
  applyStaticText()
  ingestConfig(cfg)
  S.date = clampDate(hs.date || S.defaultDate)
  S.project = hs.project
  S.filter = hs.status
  S.cat = hs.cat
  S.district = hs.district
  S.panel = PHONE.matches || EMBED ? null : 'projects'
  applyPanel(false)
  bms = basemaps(cfg, hs.basemap)
  initMap(cfg, hs.view, hs.bbox)
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
  ingestProjects(projects, S.date)
  if (!category(S.cat)) S.cat = 0
  ;[S.district, S.inDistrict] = await FILTERS.lookup(S.district)
  renderBadge()
  ingestCollections(collections)
  const wanted = hs.layers ?? defaultLayers(S.collections, fewerLayers(DEFAULT_LAYERS, PHONE.matches))
  S.on = new Set(wanted.filter((id) => S.info.has(id) && id !== BASE_LAYER).flatMap((id) => members(groupOf(id))))
  renderLayerPanel()
  renderProjects()
  renderLegend()
  renderBadge()

  await Promise.all([showLayer(BASE_LAYER), ...[...S.on].map(showLayer)])
  FILTERS.render()
  if (S.project && !hs.view && !hs.bbox) fitProject(S.project)
  else if (!hs.view && !hs.bbox) FILTERS.fit()
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

// ingestConfig reads the dates: the city's today, the default date and the
// slider's span. An older server without them gets the plan year, up to
// its today.
function ingestConfig(cfg) {
  S.year = cfg.year || 2024
  S.today = validDate(cfg.today) ? cfg.today : new Date().toISOString().slice(0, 10)
  const first = `${S.year}-01-01`
  const last = `${S.year}-12-31`
  const r = cfg.range || {}
  const from = validDate(r.from) ? r.from : first
  const to = validDate(r.to) && r.to >= from ? r.to : S.today < last ? S.today : last
  S.range = { from, to }
  const def = validDate(cfg.default_date) ? cfg.default_date : S.today
  S.defaultDate = def < from ? from : def > to ? to : def
  S.tolerance = typeof cfg.tolerance === 'number' ? cfg.tolerance : null
  S.steps = dateSteps(from, to, [S.today, S.defaultDate])
}

function clampDate(d) {
  if (!validDate(d)) return S.defaultDate
  if (d < S.range.from) return S.range.from
  if (d > S.range.to) return S.range.to
  return d
}

function ingestProjects(res, date) {
  S.plan = res.plan || S.plan
  S.categories = (S.plan && S.plan.categories) || []
  S.projectList = [...(res.projects || [])].sort((a, b) => a.number - b.number)
  S.projects = new Map(S.projectList.map((p) => [p.number, p]))
  S.scorecard = scorecardOf(res, S.projectList, res.asof || date)
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
const isOn = (id) => id === BASE_LAYER || (S.on.has(id) && inCategory(S.info.get(id), S.cat))
// A layer split off another by geometry type names it in group (zone
// points beside district areas, lines beside points): the map shows,
// toggles and counts the two as one, with one row in the layer list.
const groupOf = (id) => {
  const g = (S.info.get(id) || {}).group
  return g && S.info.has(g) ? g : id
}
const members = (id) => S.collections.filter((c) => c.id === id || groupOf(c.id) === id).map((c) => c.id)
const isDerived = (id) => DERIVED.has(groupOf(id)) || !!(S.info.get(id) || {}).derived_metric

// ---------- map ----------

function initMap(cfg, view, bbox) {
  const [lat, lng] = view ? [view.lat, view.lng] : cfg.center || [34.26, 108.94]
  const center = bms.fromWGS({ lat, lng }) // the URL is WGS84, the map the basemap's datum
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
  a11yMap(map)
  if (EMBED) {
    map.on('click focus', () => map.scrollWheelZoom.enable())
    map.getContainer().addEventListener('mouseleave', () => map.scrollWheelZoom.disable())
  }
  for (const [name, z] of [
    ['pm-base', 250],
    ['pm-areas', 380],
    ['pm-hits', 410],
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
  else {
    filterCtl = boxControl('pm-filterctl', 'topright')
    FILTERS.wire(filterCtl.getContainer())
  }
  bms.attach(map, { embed: EMBED, onFail: basemapFailed, onLoad: hideNotice, onSwitch: basemapSwitched })
  map.on('zoomend', syncZoomClass)
  map.getContainer().addEventListener('click', (e) => {
    const b = e.target.closest('.pm-samepos-site')
    if (b) openFeaturePopup(b.dataset.layer, b.dataset.id)
  })
  map.on('popupopen', () => {
    hideNotice()
    // On a phone the open legend would cover the popup.
    const details = PHONE.matches && legend && legend.getContainer().querySelector('details')
    if (details && details.open) details.open = false
  })
  if (bbox) map.fitBounds([bms.fromWGS({ lat: bbox[1], lng: bbox[0] }), bms.fromWGS({ lat: bbox[3], lng: bbox[2] })], { padding: [16, 16], animate: false })
  syncZoomClass()
}

function syncZoomClass() {
  const el = map.getContainer()
  el.classList.toggle('pm-z-low', map.getZoom() < 9)
  el.classList.toggle('pm-z-nolines', map.getZoom() < LABEL_ZOOM)
}

// An embed keeps its badge clear: the districts show as the base.
function basemapFailed() {
  if (EMBED) console.warn(t('basemapFailed'))
  else showNotice(t('basemapFailed'), true)
}

// basemapSwitched: on a basemap of another datum the layers come again,
// shifted by the server.
function basemapSwitched(datumChanged) {
  hideNotice()
  if (datumChanged) for (const id of LY.keys()) if (isOn(id)) showLayer(id)
  updateHash()
}

function setAttribution() {
  if (attribution) map.attributionControl.removeAttribution(attribution)
  attribution = esc(t('attribution'))
  map.attributionControl.addAttribution(attribution)
}

// ---------- layers: loading ----------

async function fetchItems(id, date, status) {
  let url = `/ogc/collections/${encodeURIComponent(id)}/items?limit=10000${date ? `&asof=${date}` : ''}${status ? `&status=${status}` : ''}${isBase(id) ? '' : districtParam(S.district)}${onlyProject(id)}${bms.datumParam()}`
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

// fetchKey is what a layer's data depends on: the date and the status
// filter; the base layer depends on neither.
function fetchKey(id) {
  return (isBase(id) ? '' : `${S.date}|${S.filter}|${S.district}${onlyProject(id)}`) + bms.datumParam()
}

// onlyProject: an embed of a project shows that project's sites only.
const onlyProject = (id) => (EMBED && S.project && !isBase(id) ? `&project=${S.project}` : '')

// loadLayer fetches a layer for the current date and filter, once.
function loadLayer(id) {
  const ly = LY.get(id)
  if (!ly) return Promise.reject(new Error(`no layer ${id}`))
  const date = fetchKey(id)
  if (ly.data && ly.asof === date) return Promise.resolve(ly)
  if (ly.pending && ly.pending.date === date) return ly.pending.promise
  const pending = { date }
  pending.promise = fetchItems(id, isBase(id) ? '' : S.date, isBase(id) ? '' : S.filter).then(
    (fc) => {
      if (ly.pending === pending) ly.pending = null
      if (date === fetchKey(id) || !ly.data) {
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
  if (ly.asof !== fetchKey(id)) return
  if (ly.key !== renderKey(id)) render(id)
}

function renderKey(id) {
  const ly = LY.get(id)
  return `${ly.asof}|${lang()}|${isDerived(id) ? derivedStack(id) : ''}|${ly.data ? ly.data.features.length : 0}`
}

// setLayerOn turns a layer on or off, together with its group.
function setLayerOn(id, on) {
  if (id === BASE_LAYER || !S.info.has(id)) return
  const ids = members(groupOf(id)).filter((m) => on !== S.on.has(m))
  if (!ids.length) return
  for (const m of ids) {
    if (on) S.on.add(m)
    else S.on.delete(m)
  }
  const box = document.querySelector(`#pm-layers input[data-layer="${groupOf(id)}"]`)
  if (box) box.checked = on
  for (const m of ids) {
    if (on) showLayer(m)
    else render(m)
  }
  if (ids.some(isDerived)) for (const other of S.on) if (!ids.includes(other) && isDerived(other) && LY.get(other).group) render(other)
  renderLegend()
  updateHash()
}

// ---------- layers: drawing ----------

// derivedStack is the place of the layer's group among the allocation
// layers shown, so that their badges at one place do not overlap.
function derivedStack(id) {
  const groups = [...new Set(S.collections.filter((c) => isDerived(c.id) && S.on.has(c.id)).map((c) => groupOf(c.id)))]
  return Math.max(0, groups.indexOf(groupOf(id)))
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
    ly.group = drawBase(ly.data.features, ly.index, BASE_LAYER).addTo(map)
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
  const grouped = drawSamePlaces(id, derived ? [] : features, { group, index: ly.index, open: (ll, html) => L.popup({ className: 'pm-popup', maxHeight: Math.round(window.innerHeight * 0.55) }).setLatLng(ll).setContent(html).openOn(map) })
  for (const f of features) {
    const fid = featureId(f)
    if (grouped.has(f)) continue
    const entry = drawFeature(id, f, { group, cluster, derived, stack, scale: ly.scale, hover: HOVER.matches, onOpen: (latlng) => openFeaturePopup(id, fid, latlng) })
    if (entry) ly.index.set(fid, entry)
  }
  if (cluster) group.addLayer(cluster)
  ly.group = group.addTo(map)
  ly.cluster = cluster
  if (id === CHOROPLETH_LAYER) renderLegend()
  refreshPopup()
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
    downloads: projectDownloadsHTML(project, layerInfos(project ? projectLayers(project.number) : [], S.info), { asof: S.date, plan: S.planParam }),
  })
}

// popupNode is a popup's content as an element, not a string: Leaflet
// re-renders string content on every update, which would wipe the history
// filled in after it loaded.
function popupNode(id, f) {
  const div = document.createElement('div')
  div.innerHTML = featurePopupHTML(id, f)
  return div.firstElementChild || div
}

// historyContext is what a history needs to draw its chart and entries.
function historyContext({ project, schedules, site, name }) {
  return { project, schedules, site, name, asof: S.date, from: S.range.from, to: S.range.to }
}

// fillPopupHistory loads the open popup's report history into it, then
// lets the popup grow and pan to fit.
async function fillPopupHistory(popup, f) {
  const p = f.properties || {}
  const project = S.projects.get(p.project)
  await fillHistory(popup.getElement(), historyContext({ project, schedules: schedulesFor(p, project), site: p.id, name: p.name }), getJSON)
  if (map.hasLayer(popup)) popup.update()
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
    autoPanPaddingBottomRight: [legendCover() + 12, 12],
  })
    .setLatLng(latlng || entry.latlng)
    .setContent(popupNode(id, entry.feature))
  popup.pmLayer = id
  popup.pmId = fid
  popup.openOn(map)
  openPop = popup
  scrollTimelines(popup)
  fillPopupHistory(popup, entry.feature)
  popup.on('remove', () => {
    if (openPop === popup) openPop = null
  })
}

// legendCover is how much of the map's right side an open legend covers,
// which a popup should keep clear of (on a phone it closes instead).
function legendCover() {
  if (PHONE.matches || !legend) return 0
  const d = legend.getContainer().querySelector('details')
  return d && d.open ? legend.getContainer().offsetWidth + 10 : 0
}

// refreshPopup re-renders the open popup after a date or language change.
function refreshPopup() {
  if (!openPop || !map.hasLayer(openPop)) return
  const ly = LY.get(openPop.pmLayer)
  const entry = ly && ly.index.get(openPop.pmId)
  if (entry) {
    openPop.setContent(popupNode(openPop.pmLayer, entry.feature))
    scrollTimelines(openPop)
    fillPopupHistory(openPop, entry.feature)
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
  input.min = S.range.from
  input.max = S.range.to
  if (input.value !== S.date) input.value = S.date
}

async function setDate(d) {
  d = clampDate(d)
  if (d === S.date) {
    syncDateControls()
    return
  }
  S.date = d
  redate($('#pm-layers'), d)
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
  ingestProjects(res, date)
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
  const steps = S.steps
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
  const c = bms.toWGS(map.getCenter())
  return {
    view: { zoom: map.getZoom(), lat: c.lat, lng: c.lng },
    basemap: bms.isDefault() ? null : bms.id(),
    layers: S.collections.map((c) => c.id).filter((id) => S.on.has(id) && groupOf(id) === id),
    date: S.date,
    project: S.project,
    cat: S.cat,
    district: S.district,
    status: S.filter,
    plan: S.planParam || null,
    lang: lang(),
    easy: easyOn(),
    embed: EMBED,
  }
}

// choosePlan opens the map on another plan: its city's view, default
// layers and no project, in a new history entry (Back returns).
function choosePlan(id) {
  const hash = formatHash({ ...currentState(), view: null, layers: null, project: null, plan: id })
  history.pushState(null, '', location.pathname + location.search + hash)
  location.reload()
}

function updateHash() {
  if (!S.ready || !map) return
  const hash = formatHash(currentState())
  if (hash !== location.hash && !EMBED) history.replaceState(history.state, '', location.pathname + location.search + hash)
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

// ---------- embedding and pictures ----------

// The dialogs reach the page only through these.
const embedDlg = embedDialog({
  ready: () => S.ready && !EMBED,
  updateHash: () => updateHash(),
  // An embed code is for every reader of the article: not in easy reading.
  currentState: () => ({ ...currentState(), easy: false }),
  date: () => S.date,
  projects: () => S.projectList,
  projectLayers: (n) => projectLayers(n).filter((id) => groupOf(id) === id),
  members: (ids) => ids.flatMap(members),
  layerTitles: (ids) => layerInfos(ids, S.info).map((c) => pick(c, 'title')),
  viewBBox: () => bms.bboxToWGS(viewBBox(map)),
  getJSON: (url) => getJSON(url),
  basemap: () => bms.current(),
})

const pictureDlg = pictureDialog({
  ready: () => S.ready && !EMBED,
  updateHash: () => updateHash(),
  currentState: () => currentState(),
  date: () => S.date,
  year: () => S.year,
  plan: () => S.plan,
  // The layers drawn: on, and in the category chosen.
  layers: () => S.collections.map((c) => c.id).filter((id) => S.on.has(id) && isOn(id)),
  bounds: () => bms.bboxToWGS(map.getBounds().toBBoxString().split(',').map(Number)),
})

const shareBtn = shareButton({ ready: () => S.ready && !EMBED, updateHash: () => updateHash(), hash: () => formatHash({ ...currentState(), embed: false }) })

function renderBadge() {
  if (!badge) return
  const getData = getDataHTML(layerInfos([...S.on].filter(isOn), S.info), { asof: S.date, project: S.project, district: S.district, status: S.filter, plan: S.planParam })
  badge.getContainer().innerHTML = badgeHTML({ plan: S.plan, date: S.date, fullURL: fullURL(), filtersNote: FILTERS.note(), getData })
}

async function applyHash(hs) {
  if (wantsPlan(S.config, hs.plan)) return location.reload()
  if (hs.lang && hs.lang !== lang()) switchLang(hs.lang)
  if ((hs.basemap || '') !== (bms.isDefault() ? '' : bms.id())) bms.choose(hs.basemap)
  if (hs.easy != null && hs.easy !== easyOn()) {
    setEasy(hs.easy)
    easyChanged()
  }
  if (hs.view) map.setView(bms.fromWGS(hs.view), hs.view.zoom, { animate: false })
  if (hs.layers) {
    const want = new Set(hs.layers.filter((id) => S.info.has(id) && id !== BASE_LAYER).flatMap((id) => members(groupOf(id))))
    for (const id of [...S.on]) if (!want.has(id)) setLayerOn(id, false)
    for (const id of want) setLayerOn(id, true)
  }
  if (hs.project !== S.project) selectProject(hs.project, { zoom: !hs.view, addLayers: !hs.layers })
  if (hs.status !== S.filter || hs.cat !== S.cat || hs.district !== S.district) FILTERS.set({ cat: hs.cat, district: hs.district, status: hs.status })
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
  FILTERS.render()
  embedDlg.render()
  pictureDlg.render()
  shareBtn.render()
  renderPlans()
  bms.render()
  if (!$('#pm-notice').hidden && map.getContainer().classList.contains('pm-offline')) showNotice(t('basemapFailed'), true)
  updateHash()
}

let a11yTexts = () => {}
function applyStaticText() {
  a11yTexts()
  document.title = planTitle(S.config)
  $('#pm-title').textContent = planTitle(S.config)
  $('#pm-short').textContent = t('shortTitle')
  for (const tab of ['projects', 'layers']) {
    $(`#pm-btn-${tab}`).textContent = t(tab)
    $(`#pm-tab-${tab}`).textContent = t(tab)
  }
  const eb = $('#pm-btn-embed')
  eb.querySelector('.pm-btxt').textContent = t('embed')
  eb.setAttribute('aria-label', t('embedLabel'))
  eb.title = t('embedLabel')
  renderEasyButton()
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

// easyChanged redraws what easy-reading mode changes (sizes, words).
function easyChanged() {
  if (!map) return
  rerenderAll()
  refreshPopup()
  renderLegend()
  updateHash()
  map.invalidateSize()
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
  wireEasy(easyChanged)
  chipHint($('#pm-cats'))
  embedDlg.wire()
  pictureDlg.wire()
  shareBtn.wire()
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
    FILTERS.set({ cat: +b.dataset.cat })
  })
  FILTERS.wire()
  $('#pm-score').addEventListener('click', (e) => {
    const b = e.target.closest('button[data-filter]')
    if (!b) return
    const f = b.dataset.filter
    setFilter(f === S.filter ? '' : f)
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

// layerCount is the number of features of a layer and its group, once
// all of them are loaded.
function layerCount(id) {
  const lys = members(id).map((m) => LY.get(m))
  if (lys.some((ly) => !ly || !ly.data)) return null
  return lys.reduce((n, ly) => n + (ly.data.numberMatched ?? ly.data.features.length), 0)
}

function layerMeta(c) {
  const n = layerCount(c.id)
  const hidden = S.on.has(c.id) && !isOn(c.id) ? t('hiddenByCategory') : '' // filters.js
  return [c.project ? t('projectN')(c.project) : '', c.id === BASE_LAYER ? t('alwaysOn') : '', n != null ? t('features')(n) : '', hidden]
    .filter(Boolean)
    .join(' · ')
}

function layerRow(c) {
  const base = c.id === BASE_LAYER
  return (
    `<label class="pm-layer" title="${esc(pick(c, 'description'))}"><input type="checkbox" data-layer="${esc(c.id)}"${base || S.on.has(c.id) ? ' checked' : ''}${base ? ' disabled' : ''}>` +
    `<span class="pm-layer-text"><span class="pm-layer-name">${esc(pick(c, 'title'))}</span>` +
    `<span class="pm-layer-meta" data-meta="${esc(c.id)}">${esc(layerMeta(c))}</span></span></label>` +
    layerDownloadsHTML(layerInfos(members(c.id), S.info), { asof: S.date, plan: S.planParam })
  )
}

function renderLayerPanel() {
  const groups = new Map()
  for (const c of S.collections) {
    if (groupOf(c.id) !== c.id) continue // shown in its group's row
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
  id = groupOf(id)
  const el = document.querySelector(`#pm-layers [data-meta="${id}"]`)
  const c = S.info.get(id)
  if (el && c) el.textContent = layerMeta(c)
}

// ---------- project panel and search ----------

function renderProjects() {
  $('#pm-score').innerHTML = S.scorecard ? scorecardHTML(S.scorecard, S.filter) : ''
  const toks = tokens(S.query)
  const sel = { cat: S.cat, filter: S.filter, inDistrict: S.inDistrict, toks, category }
  const counts = categoryCounts(S.projectList, (p) => filterProjects([p], { ...sel, cat: 0 }).length > 0)
  $('#pm-cats').innerHTML = chipsHTML(S.categories, S.cat, counts)
  const list = filterProjects(S.projectList, sel)
  const downloads = (p) => projectDownloadsHTML(p, layerInfos(projectLayers(p.number), S.info), { asof: S.date, plan: S.planParam })
  let h = projectsHTML(list, { selected: S.project, category, searching: toks.length > 0, filter: S.filter || S.cat || S.district, downloads })
  if (toks.length) h += siteResults(toks, list.length)
  $('#pm-results').innerHTML = h
  renderCard()
}

// siteResults searches the loaded layers (all of them once loaded, see
// loadAllForSearch), in the category chosen.
function siteResults(toks, nProjects) {
  const order = [BASE_LAYER, ...S.collections.map((c) => c.id).filter((id) => id !== BASE_LAYER)]
  const layers = []
  for (const id of order) {
    const ly = LY.get(id)
    const info = S.info.get(id)
    if (!ly || !ly.data || !info) continue
    if (S.cat && id !== BASE_LAYER && info.category !== S.cat) continue
    layers.push({ id, info, features: ly.data.features, base: id === BASE_LAYER })
  }
  const found = findSites(layers, toks, featureId)
  return sitesHTML(found, { loaded: S.searchLoadedFor === searchKey(), nProjects, isOn })
}

const searchKey = () => `${S.date}|${S.filter}|${S.district}`

// loadAllForSearch fetches every layer once per date and filter, so search
// finds sites in layers that are off.
function loadAllForSearch() {
  const key = searchKey()
  if (!S.collections.length || S.searchLoadedFor === key || S.searchLoading === key) return
  S.searchLoading = key
  Promise.allSettled(S.collections.map((c) => loadLayer(c.id))).then(() => {
    if (S.searchLoading === key) S.searchLoading = ''
    if (key !== searchKey()) return
    S.searchLoadedFor = key
    if (S.query) renderProjects()
  })
}

// setFilter shows only the projects and places of one tracking status
// ('' for all), keeping the other filters (filterctl.js).
const setFilter = (status) => FILTERS.set({ status: status || '' })
const filters = () => ({ cat: S.cat, district: S.district, status: S.filter })
const FILTERS = filterController({
  state: filters,
  apply: (f, inDistrict) => {
    ;[S.cat, S.district, S.filter] = [f.cat, f.district, f.status]
    if (inDistrict !== undefined) S.inDistrict = inDistrict
  },
  changed: () => {
    renderProjects()
    renderLayerPanel()
    renderBadge()
    FILTERS.render()
    updateHash()
    for (const id of S.on) isOn(id) ? showLayer(id) : render(id)
  },
  getJSON: (url) => getJSON(url),
  date: () => S.date,
  category: (n) => category(n),
  base: () => LY.get(BASE_LAYER),
  panel: () => $('#pm-filters'),
  note: () => filterCtl && filterCtl.getContainer(),
  fit: (b) => map.fitBounds(b, { padding: [30, 30], paddingBottomRight: [30, 30 + panelCover()], animate: false }),
})

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
  fillHistory(card, historyContext({ project: p, schedules: p.schedules || [], site: '', name: pick(p, 'title') }), getJSON)
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
  const features = []
  for (const id of projectLayers(n)) {
    const ly = LY.get(id)
    if (!ly) continue
    for (const e of ly.index.values()) {
      if ((e.feature.properties || {}).project !== n) continue
      features.push(e.feature)
      if (e.bounds) bounds.extend(e.bounds)
      else if (e.latlng) bounds.extend(e.latlng)
    }
  }
  if (!bounds.isValid()) return
  const cover = panelCover()
  map.fitBounds(bounds, { paddingTopLeft: [40, 40], paddingBottomRight: [40, 40 + cover], maxZoom: Math.min(15, capOf(features)), animate: false })
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
  // Never closer than the place is known (phone.js's ZOOM_CAP); a popup
  // opens at its place even when a cluster still holds its marker.
  const cap = zoomCap(e.feature.properties)
  if (e.bounds && e.bounds.isValid() && !e.bounds.getNorthEast().equals(e.bounds.getSouthWest())) {
    map.fitBounds(e.bounds, { padding: [30, 30], maxZoom: Math.min(15, cap), animate: false })
  } else if (e.latlng) {
    map.setView(e.latlng, e.cluster ? cap : Math.min(cap, Math.max(map.getZoom(), 15)), { animate: false })
  }
  openFeaturePopup(id, fid, e.marker ? e.marker.getLatLng() : e.latlng)
}

// ---------- legend ----------

function renderLegend() {
  if (!legend) return
  const div = legend.getContainer()
  const ly = LY.get(CHOROPLETH_LAYER)
  const choropleth = S.on.has(CHOROPLETH_LAYER) && ly && ly.scale ? { info: S.info.get(CHOROPLETH_LAYER), scale: ly.scale } : null
  div.innerHTML = legendHTML({ open: S.legendOpen, tolerance: S.tolerance, choropleth })
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

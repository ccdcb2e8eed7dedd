// The project panel's lists as HTML: category chips, the projects (each
// with its tracking status, planned against reported, and its places'
// roll-up), and the places found by a search. app.js owns the state and
// passes in what each list shows.

import { t, pick, lang } from './i18n.js'
import { esc } from './util.js'
import { glyph, trackingOf } from './status.js'
import { projectMetaHTML } from './tracking.js'

const norm = (s) =>
  String(s ?? '')
    .toLowerCase()
    .replace(/\s+/g, '')

// tokens splits a search into lower-case words.
export const tokens = (q) => q.toLowerCase().split(/\s+/).filter(Boolean)
const matches = (hay, toks) => toks.every((tk) => hay.includes(tk))

function projectHay(p, c) {
  return norm([p.number, p.title, p.title_en, c && c.name, c && c.name_en].join('|'))
}

function siteHay(p, info) {
  return norm([p.name, p.name_en, p.district_name, p.district_name_en, p.zone_name, p.zone_name_en, info && info.title, info && info.title_en].join('|'))
}

// chipsHTML is the row of category chips; counts (optional) maps a
// category number to the projects it would show.
export function chipsHTML(categories, cat, counts) {
  const chips = [{ number: 0, name: t('allCategories'), name_en: t('allCategories') }, ...categories]
  const n = (c) => (counts && c.number ? ` <span class="pm-chip-n">${counts.get(c.number) || 0}</span>` : '')
  return chips.map((c) => `<button type="button" class="pm-chip" data-cat="${c.number}" aria-pressed="${cat === c.number}">${esc(pick(c, 'name'))}${n(c)}</button>`).join('')
}

// filterProjects returns the projects of a category, a tracking status,
// a district (inDistrict: the Set of projects reaching it) and a search
// (all optional).
export function filterProjects(projects, { cat, filter, inDistrict, toks, category }) {
  return projects.filter(
    (p) =>
      (!cat || p.category === cat) &&
      (!filter || trackingOf(p) === filter) &&
      (!inDistrict || inDistrict.has(p.number)) &&
      (!toks.length || matches(projectHay(p, category(p.category)), toks)),
  )
}

// projectsHTML lists projects; selected is the chosen project's number.
export function projectsHTML(list, { selected, category, searching, filter, downloads = () => '' }) {
  let h = list.length || !searching ? `<h2 class="pm-subhead">${esc(t('projectsCount')(list.length))}</h2>` : ''
  if (!list.length && filter && !searching) h += `<p class="pm-muted">${esc(t('filtersNone'))}</p>`
  h += '<ol class="pm-projects">'
  for (const p of list) {
    const c = category(p.category)
    h +=
      `<li><button type="button" class="pm-proj${p.number === selected ? ' pm-selected' : ''}" data-project="${p.number}" aria-pressed="${p.number === selected}">` +
      `<span class="pm-num">${p.number}</span><span class="pm-proj-body"><span class="pm-proj-title">${esc(pick(p, 'title'))}</span>` +
      `<span class="pm-proj-cat">${esc(c ? pick(c, 'name') : '')}</span>${projectMetaHTML(p)}</span></button>${downloads(p)}</li>`
  }
  return h + '</ol>'
}

const LIMIT = 80

// findSites searches the loaded layers. layers: [{id, info, features,
// base}] in the order to list them; featureId names a feature.
export function findSites(layers, toks, featureId) {
  const found = []
  const seen = new Set()
  for (const { id, info, features, base } of layers) {
    for (const f of features) {
      const p = f.properties || {}
      const fid = featureId(f)
      const key = id + '/' + fid
      if (seen.has(key)) continue
      if (matches(siteHay(p, base ? null : info), toks)) {
        seen.add(key)
        found.push({ id, fid, p, info, base })
      }
    }
  }
  return found
}

// sitesHTML lists the places a search found. loaded: all layers are in;
// isOn tells whether a layer is shown.
export function sitesHTML(found, { loaded, nProjects, isOn }) {
  let h = `<h2 class="pm-subhead">${esc(t('sitesFound')(found.length))}</h2>`
  if (!loaded) h += `<p class="pm-muted">${esc(t('searchingAll'))}</p>`
  if (!found.length && !nProjects && loaded) h += `<p class="pm-muted">${esc(t('noResults'))}</p>`
  h += '<ul class="pm-sites">'
  for (const { id, fid, p, info, base } of found.slice(0, LIMIT)) {
    const where = [pick(p, 'district_name'), pick(p, 'zone_name')].filter(Boolean).join(' · ')
    const sub = [pick(info, 'title'), base ? '' : where, isOn(id) ? '' : t('layerOff')].filter(Boolean).join(' · ')
    const name = lang() === 'en' && p.name_en ? `${p.name_en}（${p.name}）` : p.name || fid
    // A base feature (a district) has no status of its own.
    const sym = base ? '' : `<span class="status-${trackingOf(p)} pm-inline-glyph">${glyph(trackingOf(p), false, 22)}</span>`
    h +=
      `<li><button type="button" class="pm-site" data-layer="${esc(id)}" data-fid="${esc(fid)}">${sym}` +
      `<span class="pm-site-text"><b>${esc(name)}</b><small>${esc(sub)}</small></span></button></li>`
  }
  h += '</ul>'
  if (found.length > LIMIT) h += `<p class="pm-muted">${esc(t('moreResults')(found.length - LIMIT))}</p>`
  return h
}
